"""The ``citystrat assess`` JSON format: series in, results out.

Input: a JSON array of series objects::

    {"id": "M1-1", "direction": "increase",
     "baseline": {"period": "2019", "value": 342649},
     "observations": [{"period": "2024", "value": 890000}],
     "targets": [{"period": "2027", "value": 600000},
                 {"period": "2031", "value": 800000,
                  "original_value": 700000, "effective_from": "2026-04-01",
                  "reason": "mid-term review"}],
     "limit": null, "value_kind": "level", "period_kind": "calendar_year"}

``observations``, ``targets``, ``limit``, ``value_kind`` (default ``level``)
and ``period_kind`` are optional.  Without ``period_kind`` the kind is read
from the baseline's label: ``FY2023`` fiscal year (from April), ``2023-12-31``
point in time, ``2023-08`` survey round, ``2023`` calendar year.  Values are
JSON numbers (or numeric strings).  The baseline and each observation may
carry ``sample_size``, ``design_effect`` and ``margin_of_error`` (a survey
percentage's sampling information) and ``caveats`` (a list of codes:
``provisional``, ``rounded``, ``definition_differs``, ``break_in_series``,
``estimated``); a series whose latest value is a survey value then also gets
``"survey": {"low", "high", "change", "target_within_margin", ...}``.

Output: a JSON array with one object per series, in input order.  Without a
method: ``{"id", "achievement": {...}, "trajectory": {...}, "open-sdg": {...},
"forecast": {...}}``; each method object holds ``status``, the numbers,
``explanation`` (English), ``message`` (msgid and parameters, for
translation) and ``targets`` (the result against every target).  With
``method="open-sdg"`` each element is exactly ``{"id", "status", "value",
"score"}``; with another single method, ``{"id", "status", ...numbers,
"explanation", "targets"}``.  Numbers are JSON numbers, missing ones
``null``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from citystrat.periods import Period, PeriodError, PeriodKind, parse_period

from .engine import assess_many
from .grading import GradingScale
from .model import METHODS, Direction, MethodResult, Point, Series, SeriesError, Target, ValueKind

__all__ = ["AssessInputError", "assess_json", "infer_period_kind", "series_from_json"]


class AssessInputError(ValueError):
    """Bad input to :func:`assess_json`; says which element and field."""

    def __init__(self, index: int, field: str, problem: str) -> None:
        self.index = index
        self.field = field
        self.problem = problem
        super().__init__(
            f"series[{index}].{field}: {problem}" if field else f"series[{index}]: {problem}"
        )


def infer_period_kind(label: str) -> PeriodKind:
    """The period kind a label is written in (``FY2023``, ``2023-12-31``, ``2023-08``, ``2023``)."""
    text = str(label).strip()
    if re.fullmatch(r"(?i)FY\d{4}", text):
        return PeriodKind.FISCAL_YEAR
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return PeriodKind.POINT_IN_TIME
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return PeriodKind.SURVEY_ROUND
    if re.fullmatch(r"\d{4}", text):
        return PeriodKind.CALENDAR_YEAR
    raise PeriodError(f"{text!r} is not a period such as 2023, FY2023, 2023-08 or 2023-12-31")


def _number(raw: object, index: int, field: str) -> float:
    if isinstance(raw, bool) or raw is None:
        raise AssessInputError(index, field, f"{raw!r} is not a number")
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        try:
            value = float(Decimal(raw.strip()))
        except InvalidOperation:
            raise AssessInputError(index, field, f"{raw!r} is not a number") from None
    else:
        raise AssessInputError(index, field, f"{raw!r} is not a number")
    if not math.isfinite(value):
        raise AssessInputError(index, field, f"{raw!r} is not a finite number")
    return value


def _mapping(raw: object, index: int, field: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise AssessInputError(index, field, "must be an object")
    return raw


def _list(raw: object, index: int, field: str) -> Sequence[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise AssessInputError(index, field, "must be an array")
    return raw


def _period(raw: object, kind: PeriodKind, index: int, field: str) -> Period:
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise AssessInputError(index, field, f"{raw!r} is not a period label")
    try:
        return parse_period(str(raw), kind)
    except PeriodError as exc:
        raise AssessInputError(index, field, str(exc)) from None


def _point(raw: Mapping[str, Any], kind: PeriodKind, index: int, where: str) -> Point:
    """A value with its optional survey information and caveats."""
    extra: dict[str, float | None] = {}
    for key in ("sample_size", "design_effect", "margin_of_error"):
        value = raw.get(key)
        extra[key] = None if value is None else _number(value, index, f"{where}.{key}")
    caveats = raw.get("caveats") or []
    if not isinstance(caveats, list) or not all(isinstance(c, str) for c in caveats):
        raise AssessInputError(index, f"{where}.caveats", "must be a list of caveat codes")
    try:
        return Point(
            _period(raw.get("period"), kind, index, f"{where}.period"),
            _number(raw.get("value"), index, f"{where}.value"),
            extra["sample_size"],
            extra["design_effect"],
            extra["margin_of_error"],
            tuple(caveats),
        )
    except SeriesError as exc:
        raise AssessInputError(index, where, str(exc)) from None


def series_from_json(item: object, index: int) -> Series:
    """Read one series object (raises :class:`AssessInputError`)."""
    data = _mapping(item, index, "")
    raw_id = data.get("id")
    if not isinstance(raw_id, str | int) or isinstance(raw_id, bool) or raw_id == "":
        raise AssessInputError(index, "id", "is required (a string)")
    try:
        direction = Direction(str(data.get("direction")))
    except ValueError:
        raise AssessInputError(
            index, "direction", f"{data.get('direction')!r} is not 'increase' or 'decrease'"
        ) from None
    try:
        value_kind = ValueKind(data.get("value_kind") or "level")
    except ValueError:
        known = ", ".join(k.value for k in ValueKind)
        raise AssessInputError(
            index, "value_kind", f"{data.get('value_kind')!r} is not one of {known}"
        ) from None
    base = _mapping(data.get("baseline"), index, "baseline")
    raw_kind = data.get("period_kind")
    if raw_kind is None:
        try:
            kind = infer_period_kind(str(base.get("period")))
        except PeriodError as exc:
            raise AssessInputError(index, "baseline.period", str(exc)) from None
    else:
        try:
            kind = PeriodKind(raw_kind)
        except ValueError:
            known = ", ".join(k.value for k in PeriodKind)
            raise AssessInputError(
                index, "period_kind", f"{raw_kind!r} is not one of {known}"
            ) from None
    baseline = _point(base, kind, index, "baseline")
    observations = []
    for j, raw in enumerate(_list(data.get("observations"), index, "observations")):
        obs = _mapping(raw, index, f"observations[{j}]")
        observations.append(_point(obs, kind, index, f"observations[{j}]"))
    targets = []
    for j, raw in enumerate(_list(data.get("targets"), index, "targets")):
        tgt = _mapping(raw, index, f"targets[{j}]")
        original = tgt.get("original_value")
        effective = tgt.get("effective_from")
        effective_date: date | None = None
        if effective is not None:
            try:
                effective_date = date.fromisoformat(str(effective))
            except ValueError:
                raise AssessInputError(
                    index, f"targets[{j}].effective_from", f"{effective!r} is not a date"
                ) from None
        reason = tgt.get("reason")
        targets.append(
            Target(
                _period(tgt.get("period"), kind, index, f"targets[{j}].period"),
                _number(tgt.get("value"), index, f"targets[{j}].value"),
                None
                if original is None
                else _number(original, index, f"targets[{j}].original_value"),
                effective_date,
                None if reason is None else str(reason),
            )
        )
    limit = data.get("limit")
    try:
        return Series(
            id=str(raw_id),
            direction=direction,
            baseline=baseline,
            observations=tuple(observations),
            targets=tuple(targets),
            limit=None if limit is None else _number(limit, index, "limit"),
            value_kind=value_kind,
        )
    except SeriesError as exc:
        raise AssessInputError(index, "observations", str(exc)) from None


def _json_value(value: object) -> object:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        v = float(value)
        return v if math.isfinite(v) else None
    return str(value)


def _method_dict(result: MethodResult, *, with_message: bool) -> dict[str, object]:
    out: dict[str, object] = {"status": str(result.status)}
    for key, value in result.values.items():
        out[key] = _json_value(value)
    out["explanation"] = result.message.render()
    if with_message:
        out["message"] = {
            "msgid": result.message.msgid,
            "params": {k: _json_value(v) for k, v in result.message.params.items()},
            "percent": sorted(result.message.percent),
        }
    return out


def assess_json(
    data: list[dict[str, Any]],
    *,
    method: str | None = None,
    as_of: date | None = None,
    grading_scale: GradingScale | str = "cabinet-secretariat",
) -> list[dict[str, Any]]:
    """Assess series given as JSON data; see the module docstring for the format.

    ``as_of`` defaults to today.  Raises :class:`AssessInputError` (a
    ``ValueError``) naming the element index and field of bad input.
    """
    if method is not None and method not in METHODS:
        raise ValueError(f"unknown method {method!r} (known: {', '.join(METHODS)})")
    if not isinstance(data, list):
        raise ValueError("the input must be a JSON array of series objects")
    day = as_of or date.today()
    series = [series_from_json(item, i) for i, item in enumerate(data)]
    methods = [method] if method else list(METHODS)
    assessments = assess_many(series, as_of=day, methods=methods, grading_scale=grading_scale)
    out: list[dict[str, Any]] = []
    for a in assessments:
        if method == "open-sdg":
            r = a.results[method]
            out.append(
                {
                    "id": a.series_id,
                    "status": str(r.status),
                    "value": _json_value(r.values.get("value")),
                    "score": _json_value(r.values.get("score")),
                }
            )
            continue
        per: dict[str, Any] = {"id": a.series_id}
        for name in methods:
            head = _method_dict(a.results[name], with_message=method is None)
            head["targets"] = [
                {"target_index": t.index, **_method_dict(t.results[name], with_message=False)}
                for t in a.targets
            ]
            if method is None:
                per[name] = head
            else:
                per.update(head)
        if a.survey is not None:
            per["survey"] = {
                key.removeprefix("survey_"): _json_value(value)
                for key, value in a.survey.values().items()
            } | {"explanation": " ".join(m.render() for m in a.survey.messages)}
        out.append(per)
    return out
