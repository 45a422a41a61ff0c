"""Write translators' PO files into a plan file, keeping the file's comments and layout.

    python scripts/apply_plan_translations.py PLAN.yaml vi.po zh-hans.po ... [--status draft]
        [--note "..."] [--publish]

Each PO file is what ``citystrat translations export --lang L`` wrote, with the
msgstr filled in (the language is the PO header's ``Language``).  Every multilingual
text of the plan file (a mapping with the source-language key, block or flow style)
gets one line per language, after its last language, in the order the files are
given; a text that already has the language is left alone.  ``--status`` / ``--note``
record each language under ``plan.translations``; ``--publish`` adds it to
``plan.published_languages``; the language is always added to ``plan.languages``.

Texts are matched by their path (the PO entry's msgctxt, e.g. ``measure:2.title``)
and source text; where the file writes a path otherwise (a target's note), by the
source text alone, entries with the same source text taken in order.  After
writing, load the plan and compare: ``citystrat translations export
--lang L`` must give back every msgstr (``--check`` does that here, on a scratch
database in a temporary data folder).

This is a developer's tool for plan files kept in version control (the built-in plan);
a city running citystrat imports PO files with ``citystrat translations import``,
which writes through the audited services.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import polib
import yaml


def _quoted(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar with the same escapes.
    return json.dumps(text, ensure_ascii=False)


# Lists of a plan file whose items are entities with a code, and the prefix of their
# texts' paths in the translation status (citystrat.plans.translations.plan_texts).
ENTITIES = {
    "milestones": "milestone",
    "bodies": "body",
    "policies": "policy",
    "measures": "measure",
    "projects": "project",
    "indicators": "indicator",
    "context_indicators": "indicator",
    "comparisons": "comparison",
    "partner_cities": "partner",
    "activity_kinds": "activity_kind",
}


def _text_mappings(node: yaml.Node, source: str) -> list[tuple[str, yaml.MappingNode]]:
    """(path, mapping) of every mapping whose source-language key holds a plain text, in
    document order; ``path`` as the translation status writes it (``measure:2.title``)."""
    found: list[tuple[str, yaml.MappingNode]] = []

    def walk(n: yaml.Node, path: str, list_key: str | None) -> None:
        if isinstance(n, yaml.MappingNode):
            keys = {k.value: v for k, v in n.value if isinstance(k, yaml.ScalarNode)}
            value = keys.get(source)
            if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":str"):
                found.append((path, n))
                return
            code = keys.get("code")
            if list_key in ENTITIES and isinstance(code, yaml.ScalarNode):
                path = f"{ENTITIES[list_key]}:{code.value}"
            for k, v in n.value:
                name = k.value
                walk(v, f"{path}.{name}" if path else name, name)
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                walk(v, "" if list_key in ENTITIES else f"{path}[{i}]", list_key)

    walk(node, "", None)
    return found


def _translations(files: list[Path]) -> dict[str, tuple[dict[str, str], dict[str, list[str]]]]:
    """language -> (path -> msgstr, source text -> the msgstrs in file order)."""
    out: dict[str, tuple[dict[str, str], dict[str, list[str]]]] = {}
    for path in files:
        po = polib.pofile(str(path))
        lang = po.metadata.get("Language", "").strip()
        if not lang:
            sys.exit(f"{path}: the PO header names no Language")
        empty = [e.msgctxt or e.msgid[:40] for e in po if not e.obsolete and not e.msgstr]
        if empty:
            sys.exit(f"{path}: {len(empty)} texts untranslated, e.g. {empty[:3]}")
        by_path: dict[str, str] = {}
        by_text: dict[str, list[str]] = defaultdict(list)
        for entry in po:
            if not entry.obsolete:
                by_path[f"{entry.msgctxt}\x00{entry.msgid}"] = entry.msgstr
                by_text[entry.msgid].append(entry.msgstr)
        out[lang] = (by_path, by_text)
    return out


def apply(
    plan_path: Path,
    files: list[Path],
    *,
    status: str | None,
    note: str | None,
    publish: bool,
) -> dict[str, int]:
    text = plan_path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    root = yaml.compose(text)
    document = yaml.safe_load(text)
    source = document["plan"].get("source_language") or document["plan"]["default_language"]
    by_lang = _translations(files)
    langs = list(by_lang)
    used: dict[tuple[str, str], int] = defaultdict(int)
    # (line, column or None for "a new line after it", text) insertions.
    edits: list[tuple[int, int | None, str]] = []
    counts = dict.fromkeys(langs, 0)
    untranslated: list[str] = []
    for text_path, mapping in _text_mappings(root, source):
        keys = {k.value: (k, v) for k, v in mapping.value}
        src = keys[source][1].value
        missing = [lang for lang in langs if lang not in keys]
        if not missing:
            continue
        new: list[tuple[str, str]] = []
        for lang in missing:
            by_path, by_text = by_lang[lang]
            exact = by_path.get(f"{text_path}\x00{src}")
            if exact is not None:
                new.append((lang, exact))
                counts[lang] += 1
                continue
            # Paths the status writes differently (a target's note): by the source text.
            options = by_text.get(src)
            if not options:
                line = keys[source][1].start_mark.line + 1
                untranslated.append(f"{plan_path}:{line}: no {lang} text for {src[:50]!r}")
                continue
            i = used[(lang, src)]
            used[(lang, src)] += 1
            new.append((lang, options[min(i, len(options) - 1)]))
            counts[lang] += 1
        if not new:
            continue
        if mapping.flow_style:
            end = mapping.end_mark  # just after the closing brace
            addition = "".join(f", {lang}: {_quoted(t)}" for lang, t in new)
            edits.append((end.line, end.column - 1, addition))
        else:
            last_key, last_value = mapping.value[-1]
            indent = " " * last_key.start_mark.column
            line = last_value.end_mark.line
            if last_value.end_mark.column == 0:
                line -= 1  # a block scalar ends at the start of the next line
            addition = "".join(f"{indent}{lang}: {_quoted(t)}\n" for lang, t in new)
            edits.append((line, None, addition))
    for line, column, addition in sorted(edits, key=lambda e: (e[0], e[1] or 10**9), reverse=True):
        if column is None:
            lines.insert(line + 1, addition)
        else:
            lines[line] = lines[line][:column] + addition + lines[line][column:]
    text = "".join(lines)
    text = _meta(text, langs, status=status, note=note, publish=publish)
    plan_path.write_text(text, encoding="utf-8")
    for problem in untranslated:
        # Texts the export does not hold (not plan content it tracks): left as they are.
        print(problem, file=sys.stderr)
    return counts


def _add_to_list(text: str, key: str, langs: list[str]) -> str:
    """``  key: [a, b]`` under ``plan:`` gets the languages it lacks."""
    prefix = f"  {key}: ["
    start = text.index("\n" + prefix) + 1
    end = text.index("]", start)
    have = [x.strip() for x in text[start + len(prefix) : end].split(",") if x.strip()]
    merged = have + [lang for lang in langs if lang not in have]
    return text[:start] + prefix + ", ".join(merged) + text[end:]


def _meta(
    text: str, langs: list[str], *, status: str | None, note: str | None, publish: bool
) -> str:
    text = _add_to_list(text, "languages", langs)
    if publish:
        text = _add_to_list(text, "published_languages", langs)
    if status:
        anchor = "\n  translations:\n"
        at = text.index(anchor) + len(anchor)
        # after the last entry of the translations mapping (lines indented by 4)
        while text.startswith("    ", at):
            at = text.index("\n", at) + 1
        block = ""
        for lang in langs:
            if f"\n    {lang}: {{" in text:
                continue
            entry = f"status: {status}" + (f", note: {_quoted(note)}" if note else "")
            block += f"    {lang}: {{{entry}}}\n"
        text = text[:at] + block + text[at:]
    return text


def check(plan_path: Path, files: list[Path]) -> int:
    """Load the written plan on a scratch database and compare every exported msgstr."""
    problems = 0
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, CITYSTRAT_DATA_DIR=scratch)
        env.pop("DATABASE_URL", None)
        subprocess.run(
            ["citystrat", "plan", "load", str(plan_path), "--replace"],
            env=env,
            check=True,
            capture_output=True,
        )
        for path in files:
            given = polib.pofile(str(path))
            lang = given.metadata["Language"].strip()
            out = Path(scratch) / f"{lang}.po"
            subprocess.run(
                ["citystrat", "translations", "export", "--lang", lang, "-o", str(out)],
                env=env,
                check=True,
                capture_output=True,
            )
            want = {(e.msgctxt, e.msgid): e.msgstr for e in given if not e.obsolete}
            for entry in polib.pofile(str(out)):
                key = (entry.msgctxt, entry.msgid)
                if key in want and entry.msgstr != want[key]:
                    problems += 1
                    print(f"{lang} {entry.msgctxt}: {entry.msgstr[:50]!r} != {want[key][:50]!r}")
                elif key not in want:
                    problems += 1
                    print(f"{lang} {entry.msgctxt}: not in {path}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plan", type=Path)
    parser.add_argument("po", type=Path, nargs="+")
    parser.add_argument("--status", choices=["draft", "reviewed"])
    parser.add_argument("--note")
    parser.add_argument("--publish", action="store_true")
    parser.add_argument("--check", action="store_true", help="load the result and compare")
    args = parser.parse_args()
    counts = apply(args.plan, args.po, status=args.status, note=args.note, publish=args.publish)
    for lang, n in counts.items():
        print(f"{lang}: {n} texts written")
    if args.check:
        problems = check(args.plan, args.po)
        print("check:", "every text as given" if not problems else f"{problems} differ")
        sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
