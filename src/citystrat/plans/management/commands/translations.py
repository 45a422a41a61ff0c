"""``citystrat translations status|export|import``: how complete every language is, and
files for outside translators.

``status`` prints, per interface language, the share of interface strings
translated (every app's catalogue) and, for the plan, how many texts are the
source, reviewed, unreviewed or missing, overall and per field.  ``export
--lang L`` writes the plan's texts as a PO file (msgctxt: the text's path,
msgid: the source text, msgstr: the translation so far); ``import FILE`` reads
one back, all or nothing: every problem is reported and nothing is changed.
"""

from __future__ import annotations

import re
import sys
from argparse import ArgumentParser
from collections import defaultdict
from pathlib import Path
from typing import Any

import polib  # type: ignore[import-untyped]
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import to_locale

from citystrat.plans.selectors import NoPlanError, plan_get
from citystrat.plans.services import TranslationImportError, plan_texts_import
from citystrat.plans.translations import (
    MISSING,
    language_summary,
    plan_texts,
    source_language,
    source_text,
    text_states,
)

SOURCE_UI_LANGUAGE = "en"  # msgids are English


def interface_completeness() -> dict[str, tuple[int, int]]:
    """Per language: (translated, total) interface strings over every app's catalogue."""
    out: dict[str, list[int]] = {code: [0, 0] for code, _name in settings.LANGUAGES}
    for config in apps.get_app_configs():
        if not config.name.startswith("citystrat."):
            continue
        template = Path(config.path) / "locale" / "en" / "LC_MESSAGES" / "django.po"
        if not template.exists():
            continue
        keys = [(e.msgctxt, e.msgid) for e in polib.pofile(str(template)) if not e.obsolete]
        for code in out:
            out[code][1] += len(keys)
            if code == SOURCE_UI_LANGUAGE:
                out[code][0] += len(keys)
                continue
            path = Path(config.path) / "locale" / to_locale(code) / "LC_MESSAGES" / "django.po"
            if not path.exists():
                continue
            done = {
                (e.msgctxt, e.msgid)
                for e in polib.pofile(str(path))
                if not e.obsolete and e.translated() and "fuzzy" not in e.flags
            }
            out[code][0] += sum(1 for k in keys if k in done)
    return {code: (a, b) for code, (a, b) in out.items()}


def _field(path: str) -> str:
    """``measure:M1.current_state[0]`` -> ``measure.current_state``."""
    kind = path.split(":", 1)[0].split(".", 1)[0]
    rest = path.split(".", 1)[1] if "." in path else ""
    rest = re.sub(r"\[\d+\]", "", rest)
    return f"{kind}.{rest}" if rest else kind


class Command(BaseCommand):
    help = "Translation completeness per language; PO files for outside translators."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="completeness per language and field")
        status.add_argument("--plan", help="plan code (default: the first loaded plan)")
        export = sub.add_parser("export", help="the plan's texts in one language as a PO file")
        export.add_argument("--lang", required=True, help="the target language, e.g. vi")
        export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
        export.add_argument("--plan", help="plan code (default: the first loaded plan)")
        imp = sub.add_parser("import", help="read a translated PO file back, all or nothing")
        imp.add_argument("file", type=Path)
        imp.add_argument("--plan", help="plan code (default: the first loaded plan)")
        imp.add_argument(
            "--status",
            default="draft",
            choices=["draft", "machine"],
            help="how the translation was made (it stays unreviewed until reviewed)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = plan_get(options.get("plan"))
        except NoPlanError as exc:
            raise CommandError(str(exc)) from None
        action = options["action"]
        if action == "status":
            self._status(plan)
        elif action == "export":
            self._export(plan, options["lang"], options.get("output"))
        else:
            self._import(plan, options["file"], options["status"])

    def _status(self, plan: Any) -> None:
        ui = interface_completeness()
        w = self.stdout.write
        w("Interface strings (every app's catalogue):")
        w(f"  {'language':<9} {'translated':>10} {'total':>6} {'share':>7}")
        for code, (done, total) in ui.items():
            share = 100.0 * done / total if total else 0.0
            w(f"  {code:<9} {done:>10} {total:>6} {share:>6.1f}%")
        summary = language_summary(plan)
        total = next(iter(summary.values())).total if summary else 0
        w("")
        w(f"Plan content ({plan.code}, {total} texts; source language {source_language(plan)}):")
        w(
            f"  {'language':<9} {'source':>7} {'reviewed':>9} {'unreviewed':>11} "
            f"{'missing':>8} {'reviewed %':>11} {'unreviewed %':>13} {'complete':>9}"
        )
        for code, s in summary.items():
            w(
                f"  {code:<9} {s.source:>7} {s.reviewed:>9} {s.unreviewed:>11} {s.missing:>8} "
                f"{100 * s.share(s.reviewed + s.source):>10.1f}% "
                f"{100 * s.share(s.unreviewed):>12.1f}% {'yes' if s.complete else 'no':>9}"
            )
        entries = plan_texts(plan)
        langs = [code for code, _name in settings.LANGUAGES]
        states = text_states(plan, entries, langs)
        by_field: dict[str, list[str]] = defaultdict(list)
        for e in entries:
            by_field[_field(e.path)].append(e.path)
        w("")
        w("Texts present per field (of the field's texts):")
        w("  " + f"{'field':<26}" + "".join(f"{code:>9}" for code in langs))
        for name, paths in by_field.items():
            cells = []
            for code in langs:
                present = sum(1 for p in paths if states[(p, code)].state != MISSING)
                cells.append(f"{present:>4}/{len(paths):<4}")
            w("  " + f"{name:<26}" + "".join(cells))

    def _export(self, plan: Any, lang: str, output: Path | None) -> None:
        if lang not in dict(settings.LANGUAGES):
            raise CommandError(f"--lang: {lang!r} is not an interface language")
        entries = plan_texts(plan)
        states = text_states(plan, entries, [lang])
        po = polib.POFile(wrapwidth=0)
        po.metadata = {
            "Project-Id-Version": f"citystrat plan {plan.code}",
            "Language": lang,
            "Content-Type": "text/plain; charset=UTF-8",
            "X-Citystrat-Plan": plan.code,
            "X-Citystrat-Source-Language": source_language(plan),
        }
        for e in entries:
            state = states[(e.path, lang)]
            po.append(
                polib.POEntry(
                    msgctxt=e.path,
                    msgid=source_text(plan, e.value),
                    msgstr=e.value.get(lang, ""),
                    comment=f"status: {state.state}" + (f" ({state.how})" if state.how else ""),
                )
            )
        text = str(po)
        if output:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"wrote {output}: {len(entries)} texts")
        else:
            sys.stdout.write(text)

    def _import(self, plan: Any, path: Path, status: str) -> None:
        try:
            po = polib.pofile(str(path))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: cannot read as a PO file: {exc}") from None
        lang = po.metadata.get("Language", "").replace("_", "-").lower()
        problems: list[str] = []
        if not lang:
            problems.append(f"{path}: the header names no Language")
        if po.metadata.get("X-Citystrat-Plan", plan.code) != plan.code:
            problems.append(f"{path}: made for plan {po.metadata['X-Citystrat-Plan']!r}")
        current = {e.path: source_text(plan, e.value) for e in plan_texts(plan)}
        texts: dict[str, str] = {}
        for entry in po:
            if entry.obsolete or not entry.msgstr.strip():
                continue
            where = f"{path}:{entry.linenum}"
            if not entry.msgctxt:
                problems.append(f"{where}: no msgctxt (the text's path)")
                continue
            if entry.msgctxt in current and current[entry.msgctxt] != entry.msgid:
                problems.append(
                    f"{where}: {entry.msgctxt}: the source text changed since the export"
                )
                continue
            texts[entry.msgctxt] = entry.msgstr
        if problems:
            raise CommandError("\n".join(problems))
        try:
            changed = plan_texts_import(
                actor=None, plan=plan, lang=lang, texts=texts, status=status, channel="cli"
            )
        except TranslationImportError as exc:
            raise CommandError("\n".join(f"{path}: {p}" for p in exc.problems)) from None
        self.stdout.write(f"{path}: {changed} texts changed in {lang} (unreviewed: {status})")
