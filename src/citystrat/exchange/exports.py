"""Everything back out, in open formats: CSV, XLSX, JSON and a Frictionless Data Package.

All exports hold the *approved* observations of a plan (what the public
sees), in the plan's order, one row per value, with the same columns:

``indicator, measure, name, period, value, unit, provisional,
source_<lang>..., source_url, note_<lang>...``

``name`` and ``unit`` (in the plan's default language) and ``measure`` are
there for people; an import ignores them.  Every export re-imports with no
changes (a dry run reports every value unchanged), and the same data gives
the same bytes (no timestamps inside CSV, JSON or data packages).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from citystrat.i18n import pick
from citystrat.observations.models import Observation
from citystrat.plans.models import Indicator, Plan
from citystrat.plans.planfile import decimal_text
from citystrat.safecells import csv_dict, xlsx_cell, xlsx_text

from .readers import JSON_FORMAT

__all__ = [
    "FORMATS",
    "INDICATOR_COLUMNS",
    "columns",
    "export_csv",
    "export_datapackage",
    "export_json",
    "export_xlsx",
    "indicator_csv",
    "indicator_json",
    "indicator_xlsx",
    "json_exact",
    "observation_rows",
]

FORMATS = ("csv", "xlsx", "json", "datapackage")


def json_exact(data: Any, *, indent: int | None = None) -> str:
    """``json.dumps`` that writes every :class:`~decimal.Decimal` as the exact JSON number
    (``34.3``, never ``34.299999`` or a string): values are never turned into floats."""
    numbers: list[str] = []

    def mark(value: Any) -> Any:
        if isinstance(value, Decimal):
            numbers.append(decimal_text(value))
            return f"\x00{len(numbers) - 1}\x00"
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [mark(v) for v in value]
        return value

    text = json.dumps(mark(data), ensure_ascii=False, indent=indent)
    if not numbers:
        return text
    return re.sub(r'"\\u0000(\d+)\\u0000"', lambda m: numbers[int(m.group(1))], text)


def columns(plan: Plan) -> list[str]:
    langs = list(plan.languages)
    return [
        "indicator",
        "measure",
        "name",
        "period",
        "value",
        "unit",
        "provisional",
        "sample_size",
        "design_effect",
        "margin_of_error",
        "caveats",
        "caveat_note",
        *[f"source_{lang}" for lang in langs],
        "source_url",
        *[f"note_{lang}" for lang in langs],
    ]


def _text(value: dict[str, str] | None, plan: Plan) -> str:
    return pick(value, plan.default_language, [plan.source_language or ""]).text or ""


def _observations(plan: Plan) -> Iterator[Observation]:
    return (
        Observation.objects.filter(indicator__plan=plan, status=Observation.Status.APPROVED)
        .select_related("indicator", "indicator__measure")
        .order_by("indicator__order", "indicator__id", "period_start", "id")
        .iterator(chunk_size=2000)
    )


def observation_rows(plan: Plan) -> Iterator[tuple[Observation, dict[str, Any]]]:
    """(observation, row) for every approved value; row values are text."""
    langs = list(plan.languages)
    names: dict[int, tuple[str, str]] = {}
    for obs in _observations(plan):
        indicator = obs.indicator
        if indicator.pk not in names:
            names[indicator.pk] = (_text(indicator.name, plan), _text(indicator.unit, plan))
        name, unit = names[indicator.pk]
        row: dict[str, Any] = {
            "indicator": indicator.code,
            "measure": indicator.measure.code if indicator.measure else "",
            "name": name,
            "period": obs.period_label,
            "value": decimal_text(obs.value),
            "unit": unit,
            "provisional": "true" if obs.provisional else "false",
            "sample_size": str(obs.sample_size) if obs.sample_size else "",
            "design_effect": decimal_text(obs.design_effect) if obs.design_effect else "",
            "margin_of_error": decimal_text(obs.margin_of_error) if obs.margin_of_error else "",
            "caveats": ",".join(obs.caveats or []),
            "caveat_note": _text(obs.caveat_note, plan) if obs.caveat_note else "",
        }
        for lang in langs:
            row[f"source_{lang}"] = (obs.source or {}).get(lang, "")
        row["source_url"] = obs.source_url
        for lang in langs:
            row[f"note_{lang}"] = (obs.note or {}).get(lang, "")
        yield obs, row


def export_csv(plan: Plan, stream: IO[str], *, bom: bool = False) -> int:
    """UTF-8 CSV (``bom``: with a byte-order mark, so Excel reads it as UTF-8); returns rows."""
    if bom:
        stream.write("\ufeff")
    writer = csv.DictWriter(stream, fieldnames=columns(plan), lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for _obs, row in observation_rows(plan):
        writer.writerow(csv_dict(row))
        count += 1
    return count


def export_json(plan: Plan, stream: IO[str]) -> int:
    """``{"format": "citystrat-observations/1", "plan": ..., "observations": [...]}``.

    Values are JSON numbers written exactly (``34.3``, never ``34.299999``);
    source and note are text objects by language.
    """
    stream.write("{\n")
    stream.write(f'  "format": {json.dumps(JSON_FORMAT)},\n')
    stream.write(f'  "plan": {json.dumps(plan.code)},\n')
    stream.write('  "observations": [')
    count = 0
    for obs, row in observation_rows(plan):
        item = {
            "indicator": row["indicator"],
            "period": row["period"],
            "period_kind": obs.period_kind,
            "period_start": obs.period_start.isoformat(),
            "period_end": obs.period_end.isoformat(),
            "value": obs.value,
            "provisional": obs.provisional,
            "sample_size": obs.sample_size,
            "design_effect": obs.design_effect,
            "margin_of_error": obs.margin_of_error,
            "caveats": list(obs.caveats or []),
            "caveat_note": obs.caveat_note or {},
            "source": obs.source or {},
            "source_url": obs.source_url,
            "note": obs.note or {},
        }
        text = json_exact(item)
        stream.write(("\n    " if count == 0 else ",\n    ") + text)
        count += 1
    stream.write("\n  ]\n}\n" if count else "]\n}\n")
    return count


def _number_format(places: int) -> str:
    return "#,##0" + ("." + "0" * places if places else "")


def _sheet_name(indicator: Indicator) -> str:
    if indicator.measure_id and indicator.measure is not None:
        return f"M{indicator.measure.code}"[:31]
    if indicator.policy_id and indicator.policy is not None:
        return f"P{indicator.policy.code}"[:31]
    return "context"


def export_xlsx(plan: Plan, stream: IO[bytes]) -> int:
    """A workbook: a Summary sheet, then one sheet per measure (M1, M2, ...) of long rows.

    Numbers are numeric cells formatted with the indicator's decimals; text
    that looks like a formula is stored as text, never as a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook(write_only=True)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    names = columns(plan)
    indicators = list(
        Indicator.objects.filter(plan=plan).select_related("measure", "policy").order_by("order")
    )
    by_sheet: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        by_sheet.setdefault(_sheet_name(indicator), []).append(indicator)
    latest: dict[int, tuple[str, Any, int]] = {}
    rows_by_sheet: dict[str, list[tuple[Observation, dict[str, Any]]]] = {}
    count = 0
    for obs, row in observation_rows(plan):
        rows_by_sheet.setdefault(_sheet_name(obs.indicator), []).append((obs, row))
        _p, _v, n = latest.get(obs.indicator_id, ("", None, 0))
        latest[obs.indicator_id] = (row["period"], obs.value, n + 1)
        count += 1

    def header(sheet: Any, titles: list[str]) -> None:
        cells = []
        for title in titles:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = Alignment(vertical="center")
            cells.append(cell)
        sheet.append(cells)

    def text_cell(sheet: Any, value: Any) -> Any:
        if isinstance(value, str):
            value = xlsx_text(value)  # control characters XLSX cannot hold
        return xlsx_cell(WriteOnlyCell(sheet, value=value))  # a text, never a formula

    summary = book.create_sheet("Summary")
    summary.freeze_panes = "A2"
    for letter, width in zip("ABCDEFG", (12, 60, 12, 10, 12, 14, 16), strict=True):
        summary.column_dimensions[letter].width = width
    header(summary, ["indicator", "name", "unit", "sheet", "values", "latest period", "latest"])
    for indicator in indicators:
        period, value, n = latest.get(indicator.pk, ("", None, 0))
        value_cell = WriteOnlyCell(summary, value=value)
        value_cell.number_format = "#,##0" + (
            "." + "0" * indicator.decimals if indicator.decimals else ""
        )
        summary.append(
            [
                indicator.code,
                text_cell(summary, _text(indicator.name, plan)),
                text_cell(summary, _text(indicator.unit, plan)),
                _sheet_name(indicator),
                n,
                period,
                value_cell,
            ]
        )
    decimals = {i.pk: i.decimals for i in indicators}
    for title in by_sheet:
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        for index, name in enumerate(names):
            from openpyxl.utils import get_column_letter

            width = 60 if name == "name" or name.startswith(("source_", "note_")) else 12
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        header(sheet, names)
        for obs, row in rows_by_sheet.get(title, []):
            cells = []
            for name in names:
                if name == "value":
                    cell = WriteOnlyCell(sheet, value=obs.value)
                    places = decimals[obs.indicator_id]
                    cell.number_format = _number_format(places)
                    cells.append(cell)
                elif name == "provisional":
                    cells.append(WriteOnlyCell(sheet, value=obs.provisional))
                else:
                    cells.append(text_cell(sheet, row[name]))
            sheet.append(cells)
    book.save(stream)
    return count


def _schema(plan: Plan) -> dict[str, Any]:
    langs = list(plan.languages)
    fields: list[dict[str, Any]] = [
        {"name": "indicator", "type": "string", "constraints": {"required": True}},
        {"name": "measure", "type": "string"},
        {"name": "name", "type": "string"},
        {
            "name": "period",
            "type": "string",
            "description": "2019 (calendar year or survey round), FY2022 (fiscal year), "
            "2023-08 (survey month), 2023-12-31 (day)",
            "constraints": {"required": True},
        },
        {"name": "value", "type": "number", "constraints": {"required": True}},
        {"name": "unit", "type": "string"},
        {"name": "provisional", "type": "boolean"},
        {
            "name": "sample_size",
            "type": "integer",
            "description": "survey values: number of respondents",
        },
        {"name": "design_effect", "type": "number", "description": "survey values: design effect"},
        {
            "name": "margin_of_error",
            "type": "number",
            "description": "survey values: published margin of error (95 %, in the value's unit)",
        },
        {
            "name": "caveats",
            "type": "string",
            "description": "comma-separated: provisional, rounded, definition_differs, "
            "break_in_series, estimated",
        },
        {"name": "caveat_note", "type": "string"},
    ]
    fields += [{"name": f"source_{lang}", "type": "string"} for lang in langs]
    fields.append({"name": "source_url", "type": "string"})
    fields += [{"name": f"note_{lang}", "type": "string"} for lang in langs]
    return {
        "fields": fields,
        "primaryKey": ["indicator", "period"],
        "foreignKeys": [
            {"fields": "indicator", "reference": {"resource": "indicators", "fields": "code"}}
        ],
        "missingValues": [""],
    }


def _indicator_rows(plan: Plan) -> tuple[list[str], list[dict[str, Any]]]:
    langs = list(plan.languages)
    names = [
        "code",
        "role",
        "policy",
        "measure",
        *[f"name_{lang}" for lang in langs],
        *[f"unit_{lang}" for lang in langs],
        "period_kind",
        "value_kind",
        "direction",
        "decimals",
        "limit",
        "baseline_period",
        "baseline_value",
    ]
    rows = []
    for indicator in (
        Indicator.objects.filter(plan=plan).select_related("measure", "policy").order_by("order")
    ):
        row: dict[str, Any] = {
            "code": indicator.code,
            "role": indicator.role,
            "policy": indicator.policy.code if indicator.policy else "",
            "measure": indicator.measure.code if indicator.measure else "",
            "period_kind": indicator.period_kind,
            "value_kind": indicator.value_kind,
            "direction": indicator.direction,
            "decimals": indicator.decimals,
            "limit": decimal_text(indicator.limit) if indicator.limit is not None else "",
            "baseline_period": indicator.baseline_period.label if indicator.baseline_period else "",
            "baseline_value": decimal_text(indicator.baseline_value)
            if indicator.baseline_value is not None
            else "",
        }
        for lang in langs:
            row[f"name_{lang}"] = (indicator.name or {}).get(lang, "")
            row[f"unit_{lang}"] = (indicator.unit or {}).get(lang, "")
        rows.append(row)
    return names, rows


def export_datapackage(plan: Plan, directory: Path) -> int:
    """A Frictionless Data Package: datapackage.json, observations.csv, indicators.csv."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "observations.csv").open("w", encoding="utf-8", newline="") as stream:
        count = export_csv(plan, stream)
    names, rows = _indicator_rows(plan)
    with (directory / "indicators.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=names, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(csv_dict(row) for row in rows)
    langs = list(plan.languages)
    indicator_fields: list[dict[str, Any]] = []
    for name in names:
        kind = "integer" if name == "decimals" else "string"
        if name in ("limit", "baseline_value"):
            kind = "number"
        field: dict[str, Any] = {"name": name, "type": kind}
        if name == "code":
            field["constraints"] = {"required": True, "unique": True}
        indicator_fields.append(field)
    title = pick(plan.title, "en", [plan.default_language]).text
    package = {
        "profile": "tabular-data-package",
        "name": plan.code,
        "title": title,
        "description": "Approved indicator values of the plan, exported by citystrat. "
        "Languages: " + ", ".join(langs) + ".",
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0",
            }
        ],
        "resources": [
            {
                "name": "observations",
                "path": "observations.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": _schema(plan),
            },
            {
                "name": "indicators",
                "path": "indicators.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": indicator_fields,
                    "primaryKey": ["code"],
                    "missingValues": [""],
                },
            },
        ],
    }
    (directory / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return count


def csv_text(plan: Plan, *, bom: bool = False) -> str:
    buffer = io.StringIO()
    export_csv(plan, buffer, bom=bom)
    return buffer.getvalue()


# --- one indicator's approved values (the indicator page's downloads) ----------------

INDICATOR_COLUMNS = [
    "indicator",
    "period",
    "period_kind",
    "period_start",
    "period_end",
    "value",
    "unit",
    "sample_size",
    "design_effect",
    "margin_of_error",
    "caveats",
    "caveat_note",
    "source",
    "source_url",
    "note",
]


def _in_reader_language(plan: Plan, value: dict[str, str] | None) -> str:
    """A text object in the reader's (the request's) language, else the plan's."""
    from django.utils.translation import get_language

    reader = get_language() or plan.default_language
    return pick(value, reader, [plan.default_language, plan.source_language or ""]).text or ""


def _rounded(value: Decimal, decimals: int) -> Decimal:
    """The value with the indicator's decimals (one rule everywhere), still exact."""
    return value.quantize(Decimal(1).scaleb(-decimals)) if decimals >= 0 else value


def indicator_rows(
    plan: Plan, indicator: Indicator, observations: list[Observation]
) -> list[dict[str, Any]]:
    """One row per approved value of ``indicator``; numbers stay :class:`Decimal`."""
    unit = _in_reader_language(plan, indicator.unit)
    return [
        {
            "indicator": indicator.code,
            "period": o.period.label,
            "period_kind": o.period_kind,
            "period_start": o.period_start.isoformat(),
            "period_end": o.period_end.isoformat(),
            "value": _rounded(o.value, indicator.decimals),
            "unit": unit,
            "sample_size": o.sample_size,
            "design_effect": o.design_effect,
            "margin_of_error": o.margin_of_error,
            "caveats": ",".join(o.all_caveats),
            "caveat_note": _in_reader_language(plan, o.caveat_note) if o.caveat_note else "",
            "source": _in_reader_language(plan, o.source),
            "source_url": o.source_url,
            "note": _in_reader_language(plan, o.note),
        }
        for o in observations
    ]


def _cell_text(value: Any) -> Any:
    # Already rounded to the indicator's decimals: written with exactly those places.
    return format(value, "f") if isinstance(value, Decimal) else value


def indicator_csv(plan: Plan, indicator: Indicator, observations: list[Observation]) -> bytes:
    """UTF-8 CSV with a byte-order mark, so that spreadsheet programs read Japanese and Korean;
    formula-like texts neutralised."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=INDICATOR_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in indicator_rows(plan, indicator, observations):
        writer.writerow(csv_dict({k: _cell_text(v) for k, v in row.items()}))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def indicator_xlsx(plan: Plan, indicator: Indicator, observations: list[Observation]) -> bytes:
    """One sheet; numbers as numeric cells with the indicator's decimals, texts as texts."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(indicator.code[:31])
    sheet.append(INDICATOR_COLUMNS)
    for row in indicator_rows(plan, indicator, observations):
        cells = []
        for name in INDICATOR_COLUMNS:
            value = row[name]
            if isinstance(value, str):
                cells.append(xlsx_cell(WriteOnlyCell(sheet, value=xlsx_text(value))))
                continue
            cell = WriteOnlyCell(sheet, value=value)
            if name == "value":
                cell.number_format = _number_format(max(indicator.decimals, 0))
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def indicator_json(plan: Plan, indicator: Indicator, observations: list[Observation]) -> bytes:
    """The indicator (baseline, targets) and its approved values; exact JSON numbers."""
    decimals = indicator.decimals
    data = {
        "indicator": {
            "code": indicator.code,
            "name": indicator.name,
            "unit": indicator.unit,
            "decimals": decimals,
            "direction": indicator.direction,
            "period_kind": indicator.period_kind,
            "baseline": None
            if indicator.baseline_period is None or indicator.baseline_value is None
            else {
                "period": indicator.baseline_period.label,
                "value": _rounded(indicator.baseline_value, decimals),
            },
            "targets": [
                {"period": t.period.label, "value": _rounded(t.value, decimals)}
                for t in indicator.targets.all()
            ],
        },
        "observations": indicator_rows(plan, indicator, observations),
    }
    return json_exact(data, indent=2).encode("utf-8")
