"""Copy the front-end files the app serves from node_modules into static/vendor.

Run by `make setup` after `npm ci`.  The app never loads anything from a CDN:
these files are served by the app itself (whitenoise).  Add an entry to FILES
to vendor another asset.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "src" / "citystrat" / "web" / "static" / "vendor"

# (source under node_modules, destination under static/vendor)
FILES: list[tuple[str, str]] = [
    ("axe-core/axe.min.js", "axe/axe.min.js"),
    ("vega/build/vega.min.js", "vega/vega.min.js"),
    # Vega's CSP-compliant expression interpreter: the site's Content-Security-Policy has
    # no 'unsafe-eval', so charts are parsed to an AST and interpreted, never compiled.
    ("vega-interpreter/build/vega-interpreter.min.js", "vega/vega-interpreter.min.js"),
    ("vega-lite/build/vega-lite.min.js", "vega/vega-lite.min.js"),
    ("vega-embed/build/vega-embed.min.js", "vega/vega-embed.min.js"),
    ("swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"),
    ("swagger-ui-dist/swagger-ui.css", "swagger-ui/swagger-ui.css"),
]
# Whole directories (e.g. font packages), copied recursively.
DIRS: list[tuple[str, str]] = []


def main() -> int:
    missing = [src for src, _ in FILES if not (NODE / src).exists()]
    missing += [src for src, _ in DIRS if not (NODE / src).is_dir()]
    if missing:
        print("missing in node_modules (run `npm ci`):", *missing, sep="\n  ", file=sys.stderr)
        return 1
    for src, dest in FILES:
        target = VENDOR / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE / src, target)
    for src, dest in DIRS:
        shutil.copytree(NODE / src, VENDOR / dest, dirs_exist_ok=True)
    print(f"vendored {len(FILES)} files and {len(DIRS)} folders into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
