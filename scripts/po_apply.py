"""Write translations from a JSON table into an app's .po files (polib).

Usage: python scripts/po_apply.py APP_DIR TABLE.json [--overwrite]

TABLE.json maps each language code to a table of ``key -> msgstr``; a key is
the msgid, or ``"context||msgid"`` for an entry with a msgctxt; a plural
entry takes a list of msgstr forms.  Creates ``APP_DIR/locale/<lang>`` from
the English catalogue when missing (after ``makemessages``), fills empty
entries (all with ``--overwrite``) and prints what is still untranslated.
Used by translators and developers, not at run time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib
from django.utils.translation import to_locale


def _key(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}||{entry.msgid}" if entry.msgctxt else entry.msgid


def apply(app_dir: Path, table: dict[str, dict[str, str | list[str]]], overwrite: bool) -> int:
    missing = 0
    template = app_dir / "locale" / "en" / "LC_MESSAGES" / "django.po"
    for lang, strings in table.items():
        path = app_dir / "locale" / to_locale(lang) / "LC_MESSAGES" / "django.po"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            po = polib.pofile(str(template))
            for entry in po:
                entry.msgstr = ""
                entry.msgstr_plural = {0: "", 1: ""} if entry.msgid_plural else {}
                entry.flags = [f for f in entry.flags if f != "fuzzy"]
        else:
            po = polib.pofile(str(path))
        po.metadata["Language"] = to_locale(lang)
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        if lang in ("ja", "ja-easy", "ko", "vi", "zh-hans", "zh-hant", "id"):
            po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
            one = True
        else:
            po.metadata["Plural-Forms"] = (
                "nplurals=2; plural=(n > 1);" if lang == "tl" else "nplurals=2; plural=(n != 1);"
            )
            one = False
        for entry in po:
            if entry.obsolete:
                continue
            value = strings.get(_key(entry))
            if entry.msgid_plural:
                forms = value if isinstance(value, list) else ([value] if value else [])
                if forms and (overwrite or not any(entry.msgstr_plural.values())):
                    entry.msgstr_plural = (
                        {0: forms[-1]} if one else {0: forms[0], 1: forms[-1]}
                    )
                elif one and len(entry.msgstr_plural) > 1:
                    entry.msgstr_plural = {0: entry.msgstr_plural.get(0, "")}
            elif isinstance(value, str) and (overwrite or not entry.msgstr or entry.fuzzy):
                entry.msgstr = value
            if value is not None and "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            done = any(entry.msgstr_plural.values()) if entry.msgid_plural else entry.msgstr
            if not done:
                missing += 1
                print(f"untranslated ({lang}): {_key(entry)}", file=sys.stderr)
        po.save(str(path))
    return missing


def main() -> int:
    app_dir, table_path = Path(sys.argv[1]), Path(sys.argv[2])
    table = json.loads(table_path.read_text(encoding="utf-8"))
    apply(app_dir, table, "--overwrite" in sys.argv[3:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
