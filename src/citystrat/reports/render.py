"""Turn a :class:`~citystrat.reports.content.Report` into HTML, PDF or XLSX.

PDF is the HTML printed by WeasyPrint, tagged (PDF/UA-1), with the CJK fonts of Debian's
fonts-noto-cjk (Noto Sans/Serif CJK JP and KR), which WeasyPrint embeds as
subsets.  XLSX is written by :mod:`citystrat.reports.xlsx`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from citystrat.plans.models import Plan

from .content import Kind, Layout, Report, ReportOptions, build_report

__all__ = ["Format", "ReportError", "make_report", "render_html", "render_pdf"]


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


def render_html(report: Report) -> str:
    with translation.override(report.lang):
        return render_to_string(
            "reports/report.html", {"report": report, "layout": report.options.layout.value}
        )


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    html = render_html(report)
    # PDF/UA-1: a tagged PDF (headings, tables, reading order, the document's
    # language and title) that screen readers can follow; it costs about 4 %.
    pdf = HTML(string=html, base_url=None).write_pdf(pdf_variant="pdf/ua-1")
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
) -> bytes:
    """Build and render one report; the bytes of the file."""
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
    report = build_report(plan, options)
    if fmt_ is Format.PDF:
        return render_pdf(report)
    if fmt_ is Format.HTML:
        return render_html(report).encode("utf-8")
    from .xlsx import render_xlsx

    return render_xlsx(report)


def filename(plan: Plan, *, kind: str, as_of: date, lang: str, fmt: str, draft: bool) -> str:
    suffix = "-draft" if draft else ""
    return f"{plan.code}-{kind}-{as_of.isoformat()}-{lang}{suffix}.{fmt}"
