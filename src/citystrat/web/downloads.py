"""One indicator's approved values as CSV, XLSX or JSON (the indicator page's downloads)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from citystrat.observations.models import Observation
from citystrat.plans.models import Indicator, Plan
from citystrat.safecells import csv_row, xlsx_workbook

from .pages import text

COLUMNS = [
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


def _number(value: Decimal, decimals: int) -> int | float:
    q = value.quantize(Decimal(1).scaleb(-decimals)) if decimals >= 0 else value
    return int(q) if decimals == 0 else float(q)


def rows(plan: Plan, indicator: Indicator, observations: list[Observation]) -> list[list[Any]]:
    unit = text(plan, indicator.unit)
    return [
        [
            indicator.code,
            o.period.label,
            o.period_kind,
            o.period_start.isoformat(),
            o.period_end.isoformat(),
            _number(o.value, indicator.decimals),
            unit,
            o.sample_size,
            float(o.design_effect) if o.design_effect is not None else None,
            float(o.margin_of_error) if o.margin_of_error is not None else None,
            ",".join(o.all_caveats),
            text(plan, o.caveat_note) if o.caveat_note else "",
            text(plan, o.source),
            o.source_url,
            text(plan, o.note),
        ]
        for o in observations
    ]


def as_csv(plan: Plan, indicator: Indicator, observations: list[Observation]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(csv_row(r) for r in rows(plan, indicator, observations))
    # UTF-8 with a byte-order mark, so that spreadsheet programs read Japanese and Korean.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(plan: Plan, indicator: Indicator, observations: list[Observation]) -> bytes:
    from openpyxl import Workbook  # imported on use: the URLconf loads this module

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = indicator.code[:31]
    sheet.append(COLUMNS)
    for row in rows(plan, indicator, observations):
        sheet.append(row)
    xlsx_workbook(book)  # texts as texts, never formulas
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_json(plan: Plan, indicator: Indicator, observations: list[Observation]) -> bytes:
    data = {
        "indicator": {
            "code": indicator.code,
            "name": indicator.name,
            "unit": indicator.unit,
            "decimals": indicator.decimals,
            "direction": indicator.direction,
            "period_kind": indicator.period_kind,
            "baseline": None
            if indicator.baseline_period is None or indicator.baseline_value is None
            else {
                "period": indicator.baseline_period.label,
                "value": _number(indicator.baseline_value, indicator.decimals),
            },
            "targets": [
                {"period": t.period.label, "value": _number(t.value, indicator.decimals)}
                for t in indicator.targets.all()
            ],
        },
        "observations": [
            dict(zip(COLUMNS, r, strict=True)) for r in rows(plan, indicator, observations)
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
