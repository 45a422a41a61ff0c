"""Turn a :class:`~citystrat.reports.content.Report` into HTML, PDF or XLSX.

PDF is the HTML printed by WeasyPrint, tagged (PDF/UA-1), with the CJK fonts of Debian's
fonts-noto-cjk (Noto Sans/Serif CJK JP and KR), which WeasyPrint embeds as
subsets.  XLSX is written by :mod:`citystrat.reports.xlsx`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from citystrat.plans.models import Plan

from .content import Kind, Layout, Report, ReportOptions, build_report

__all__ = ["REPORT_STEPS", "Format", "ReportError", "make_report", "render_html", "render_pdf"]


class Format(StrEnum):
    PDF = "pdf"
    XLSX = "xlsx"
    HTML = "html"


CONTENT_TYPES = {
    Format.PDF: "application/pdf",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.HTML: "text/html; charset=utf-8",
}


class ReportError(ValueError):
    """A report that cannot be made as asked (unknown language, bad option...)."""


# A run of text with a Hangul syllable in it, up to the next space or tag.
_KOREAN_WORD = re.compile(r"[^\s<>]*[\uac00-\ud7a3][^\s<>]*")
_TEXT = re.compile(r">([^<]+)<")


def keep_korean_words(html: str) -> str:
    """Wrap every Korean word in ``<span class="kw">`` so lines break between words only.

    CSS ``word-break: keep-all`` does this in browsers; WeasyPrint does not
    support it and would break a Korean line inside a word.
    """

    def words(match: re.Match[str]) -> str:
        text = match.group(1)
        if not any("\uac00" <= ch <= "\ud7a3" for ch in text):
            return match.group(0)
        return ">" + _KOREAN_WORD.sub(lambda w: f'<span class="kw">{w.group(0)}</span>', text) + "<"

    head, sep, body = html.partition("<body")
    return head + sep + _TEXT.sub(words, body) if sep else html


def render_html(report: Report) -> str:
    with translation.override(report.lang):
        html = render_to_string(
            "reports/report.html", {"report": report, "layout": report.options.layout.value}
        )
    return keep_korean_words(html) if report.lang == "ko" else html


def _header_scopes(document: Any, pdf: Any) -> None:
    """Give every table header cell of the tagged PDF its Scope (Column or Row).

    WeasyPrint tags ``th`` as TH without the Scope attribute that PDF/UA
    checkers and screen readers use: a header in a table's head row heads its
    column; any other heads its row.
    """
    by_ref = {obj.reference: obj for obj in pdf.objects if hasattr(obj, "reference")}
    for obj in pdf.objects:
        if not isinstance(obj, dict) or obj.get("S") != "/TH":
            continue
        row = by_ref.get(obj.get("P"))
        group = by_ref.get(row.get("P")) if isinstance(row, dict) else None
        in_head = isinstance(group, dict) and group.get("S") == "/THead"
        attributes = obj.get("A")
        if not isinstance(attributes, dict):
            attributes = obj["A"] = type(obj)({"O": "/Table"})
        attributes["Scope"] = "/Column" if in_head else "/Row"


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    html = render_html(report)
    # PDF/UA-1: a tagged PDF (headings, tables, reading order, the document's
    # language and title) that screen readers can follow; it costs about 4 %.
    pdf = HTML(string=html, base_url=None).write_pdf(
        pdf_variant="pdf/ua-1", finisher=_header_scopes
    )
    assert pdf is not None
    return bytes(pdf)


def make_report(
    plan: Plan,
    *,
    kind: str,
    as_of: date,
    lang: str,
    fmt: str,
    include_pending: bool = False,
    layout: str = "standard",
    progress: Callable[[int, int | None], None] | None = None,
) -> bytes:
    """Build and render one report; the bytes of the file.

    The one function behind every report file: the staff page's background job and
    ``citystrat report`` both call it.  ``progress(done, total)`` hears of its steps
    (``REPORT_STEPS``: the figures gathered, the file rendered).
    """
    errors: list[str] = []
    try:
        kind_ = Kind(kind)
    except ValueError:
        errors.append(f"--kind: {kind!r} is not one of annual, midterm")
    try:
        fmt_ = Format(fmt)
    except ValueError:
        errors.append(f"--format: {fmt!r} is not one of pdf, xlsx, html")
    try:
        layout_ = Layout(layout)
    except ValueError:
        errors.append(f"--layout: {layout!r} is not one of standard, evaluation-sheet")
    interface = [code for code, _name in settings.LANGUAGES]
    if lang not in interface:
        errors.append(f"--lang: {lang!r} is not one of the languages ({', '.join(interface)})")
    if errors:
        raise ReportError("; ".join(errors))
    options = ReportOptions(
        kind=kind_,
        as_of=as_of,
        lang=lang,
        include_pending=include_pending,
        layout=layout_,
        charts=fmt_ is not Format.XLSX,
    )
    step = progress or (lambda done, total: None)
    step(0, REPORT_STEPS)
    report = build_report(plan, options)
    step(1, REPORT_STEPS)
    if fmt_ is Format.PDF:
        body = render_pdf(report)
    elif fmt_ is Format.HTML:
        body = render_html(report).encode("utf-8")
    else:
        from .xlsx import render_xlsx

        body = render_xlsx(report)
    step(REPORT_STEPS, REPORT_STEPS)
    return body


REPORT_STEPS = 2


def filename(plan: Plan, *, kind: str, as_of: date, lang: str, fmt: str, draft: bool) -> str:
    suffix = "-draft" if draft else ""
    return f"{plan.code}-{kind}-{as_of.isoformat()}-{lang}{suffix}.{fmt}"
