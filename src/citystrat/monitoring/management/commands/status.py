"""``citystrat status``: a terminal table of every indicator's progress."""

from __future__ import annotations

import unicodedata
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from citystrat import present
from citystrat.bootstrap import add_demo_argument
from citystrat.monitoring.assessments import explain as explanation_of
from citystrat.monitoring.assessments import (
    indicator_assessments,
    plan_today,
    prefetch_observations,
)
from citystrat.plans.selectors import plan_get
from citystrat.progress import MethodResult


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _cut(text: str, width: int) -> str:
    out = ""
    for char in text:
        if _width(out + char) > width - 1:
            return out + "…"
        out += char
    return out


def _status_words(result: MethodResult, status_class: str) -> str:
    caveats = str(result.values.get("latest_caveats") or "").split(",")
    words = present.class_word(status_class)
    if status_class == "achieved" and "definition_differs" in caveats:
        words = _("Achieved, but the definition differs")
    change = result.values.get("survey_change")
    if change == "no_significant_change":
        words = _("%(status)s; no significant change") % {"status": words}
    elif change in ("significant_increase", "significant_decrease"):
        words = _("%(status)s; significant change") % {"status": words}
    if result.status == "not_available":
        return words
    return f"{result.status} ({words})"


class Command(BaseCommand):
    help = "Print every indicator: baseline, latest value, targets, achievement and status."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_demo_argument(parser)
        parser.add_argument("--plan", help="plan code (default: the first loaded plan)")
        parser.add_argument("--lang", help="language of names and words (default: the plan's)")
        parser.add_argument("--as-of", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--explain", action="store_true", help="add each status's one-sentence explanation"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        plan = plan_get(options.get("plan"))
        lang = options.get("lang") or plan.default_language
        with translation.override(lang):
            self._print(plan, lang, options.get("as_of") or plan_today(plan), options["explain"])

    def _print(self, plan: Any, lang: str, as_of: date, explain: bool) -> None:
        assessments = indicator_assessments(plan, as_of=as_of)
        prefetch_observations(assessments, assessments)  # every row shows its latest value
        header = [
            pgettext("status table", "Indicator"),
            pgettext("status table", "Baseline"),
            pgettext("status table", "Latest"),
            pgettext("status table", "Targets"),
            pgettext("status table", "Achievement"),
            pgettext("status table", "Status"),
        ]
        rows: list[list[str]] = []
        notes: list[str] = []
        caveats: list[str] = []
        for ia in assessments.values():
            ind = ia.indicator
            base = ind.baseline_period
            latest = ia.latest
            achievement = ia.result("achievement")
            rate = achievement.number("rate") if achievement else None
            targets = ", ".join(
                f"{present.number(t.value, ind.decimals)} ({present.period_text(t.period)})"
                for t in ind.targets.all()
            )
            rows.append(
                [
                    f"{ind.code} {ind.tr('name', lang).text}",
                    f"{present.number(ind.baseline_value, ind.decimals)}"
                    f" ({present.period_text(base) if base else ''})",
                    f"{present.number(latest.value, ind.decimals)}"
                    f" ({present.period_text(latest.period)})" + ("*" if latest.all_caveats else "")
                    if latest
                    else "–",
                    targets,
                    present.percent(rate, 1),
                    _status_words(ia.status, ia.status_class),
                ]
            )
            if latest and latest.all_caveats:
                caveats.append(
                    f"* {ind.code} {present.period_text(latest.period)}: "
                    + "; ".join(present.caveat_words(latest.all_caveats))
                )
            if explain:
                notes.append(f"{ind.code}: {explanation_of(ia.status, indicator=ind)}")
        limits = [44, 22, 22, 34, 12, 48]
        rows = [[_cut(c, w) for c, w in zip(r, limits, strict=True)] for r in rows]
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        if settings.CITYSTRAT_SAMPLE_DATA:
            self.stdout.write(
                _("SAMPLE DATA") + " — " + _("simulated values, not official figures")
            )
        self.stdout.write(f"{plan.tr('title', lang).text} — {present.date_text(as_of)}")
        self.stdout.write(
            _("Status by the plan's default method: %(method)s")
            % {"method": present.method_name(plan.default_method)}
        )
        line = "  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip()
        self.stdout.write(line)
        self.stdout.write("-" * _width(line))
        for r in rows:
            self.stdout.write(
                "  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip()
            )
        for caveat in caveats:
            self.stdout.write(caveat)
        for note in notes:
            self.stdout.write(note)
