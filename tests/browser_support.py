"""What every browser test shares: Debian's headless Chromium and axe-core.

The ``browser`` fixture (tests/conftest.py) launches Chromium once per test
session; :func:`axe_violations` runs the vendored axe-core on a page.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from django.conf import settings

CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()),
    "/usr/bin/chromium",
)
# No sandbox as root; no background traffic (this machine has no network).
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(settings.PACKAGE_DIR) / "web" / "static" / "vendor" / "axe" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@functools.cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8") + "\n;void 0;"


def axe_violations(
    page: Any, tags: list[str] | None = None, limit: int = 5
) -> list[dict[str, Any]]:
    """axe-core's violations on the page (WCAG 2.1 A and AA unless other tags are given)."""
    # Evaluated through the DevTools protocol rather than added as an inline <script>: the
    # site's Content-Security-Policy (no inline script) stays on for the page's own scripts.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    # resultTypes: only violations get every node collected (passes and the rest stop at
    # the first), which is axe-core's documented way to make a run cheaper; the
    # violations found are the same.
    result = page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        tags or WCAG21_AA,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:limit]]}
        for v in result["violations"]
    ]
