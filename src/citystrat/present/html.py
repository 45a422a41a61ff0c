"""Apply a function to the text of an HTML page, never to its markup, scripts or drawings."""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["map_text"]

_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_NAME = re.compile(r"^</?\s*([a-zA-Z0-9-]+)")
# Elements whose content is not running text.
_SKIP = frozenset({"script", "style", "svg", "textarea", "code", "pre", "ruby", "title"})


def map_text(html: str, fn: Callable[[str], str], skip: frozenset[str] = _SKIP) -> str:
    out: list[str] = []
    depth: dict[str, int] = {}
    for part in _TAG.split(html):
        if not part:
            continue
        if part.startswith("<"):
            m = _NAME.match(part)
            if m and not part.startswith("<!"):
                name = m.group(1).lower()
                if name in skip and not part.endswith("/>"):
                    if part.startswith("</"):
                        depth[name] = max(0, depth.get(name, 0) - 1)
                    else:
                        depth[name] = depth.get(name, 0) + 1
            out.append(part)
        elif any(depth.values()):
            out.append(part)
        else:
            out.append(fn(part))
    return "".join(out)
