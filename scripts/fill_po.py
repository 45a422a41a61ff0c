"""Fill empty msgstr entries of a .po file from a JSON dict {msgid: msgstr}.

Usage: python scripts/fill_po.py LOCALE_DIR LANG translations.json
Only single-line msgids are handled; existing translations are kept.
Used by developers when adding translations; not needed at run time.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def main() -> int:
    locale_dir, lang, table_path = sys.argv[1:4]
    po = Path(locale_dir) / lang / "LC_MESSAGES" / "django.po"
    table: dict[str, str] = json.loads(Path(table_path).read_text(encoding="utf-8"))
    text = po.read_text(encoding="utf-8")
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        msgid = match.group(1).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        if msgid == "":
            return match.group(0)
        if msgid in table:
            return f'msgid "{match.group(1)}"\nmsgstr "{esc(table[msgid])}"'
        missing.append(msgid)
        return match.group(0)

    text = re.sub(r'msgid "((?:[^"\\]|\\.)*)"\nmsgstr ""(?!\n")', fill, text)
    text = text.replace("#, fuzzy\n", "", 1)
    po.write_text(text, encoding="utf-8")
    for m in missing:
        print(f"untranslated ({lang}): {m}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
