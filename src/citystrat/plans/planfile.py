"""Reading, validating and writing plan files (format ``citystrat-plan/1``).

Pure of the database: :func:`read_plan_file` returns a validated document (a
dict) or raises :class:`PlanFileError` listing *every* problem found, each
located by file and field path (``indicators[3].targets[0].value``).  The
service :func:`citystrat.plans.services.plan_load` writes a validated document
to the database in one transaction.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from citystrat.periods import PeriodError, parse_period

if TYPE_CHECKING:  # jsonschema is imported when a plan file is validated, not at start
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError as SchemaError

FORMAT = "citystrat-plan/1"
SCHEMA_PATH = Path(__file__).parent / "schema" / "plan.schema.json"

__all__ = [
    "FORMAT",
    "PlanFileError",
    "Problem",
    "dump_plan_yaml",
    "parse_plan_text",
    "read_plan_file",
    "to_decimal",
    "validate_plan",
]


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}" if self.path else self.reason


class PlanFileError(Exception):
    """A plan file that cannot be loaded; ``problems`` lists every reason."""

    def __init__(self, filename: str, problems: Iterable[Problem]):
        self.filename = filename
        self.problems = list(problems)
        super().__init__(self.format())

    def format(self) -> str:
        return "\n".join(f"{self.filename}: {p}" for p in self.problems)


# --- YAML: dates stay strings, decimals stay exact ------------------------------------


# The C parser when PyYAML was built with libyaml (several times faster).
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _PlanLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    pass


# Drop the timestamp resolver: "2024-04-01" stays a string, as the schema expects.
_PlanLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = loader.construct_scalar(node)
    try:
        return Decimal(str(text).replace("_", ""))
    except InvalidOperation:
        return loader.construct_yaml_float(node)


_PlanLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


class _PlanDumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = decimal_text(value)
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


_PlanDumper.add_representer(Decimal, _represent_decimal)


def decimal_text(value: Decimal) -> str:
    """Shortest exact text of a decimal: 34.300000 -> '34.3', 800000.000000 -> '800000'."""
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return str(normal.quantize(Decimal(1)))
    return format(normal, "f")


def to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def dump_plan_yaml(document: dict[str, Any]) -> str:
    return yaml.dump(
        document,
        Dumper=_PlanDumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )


# --- reading --------------------------------------------------------------------------


def parse_plan_text(text: str, filename: str) -> Any:
    if filename.endswith(".json"):
        try:
            return json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise PlanFileError(
                filename, [Problem(f"line {exc.lineno}, column {exc.colno}", exc.msg)]
            ) from None
    try:
        return yaml.load(text, Loader=_PlanLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise PlanFileError(filename, [Problem(where, f"not valid YAML: {reason}")]) from None


def read_plan_file(path: str | Path) -> dict[str, Any]:
    """Read and validate a plan file; raise :class:`PlanFileError` with every problem."""
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanFileError(name, [Problem("", f"cannot be read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanFileError(
            name, [Problem(f"byte {exc.start}", "the file is not UTF-8 text")]
        ) from None
    document = parse_plan_text(text, name)
    validate_plan(document, name)
    return document  # type: ignore[no-any-return]


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _schema_problem(error: SchemaError) -> Problem:
    root: dict[str, Any] = dict(_validator().schema)  # type: ignore[arg-type]
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    if schema == root["$defs"]["number"]:
        return Problem(_path(error.absolute_path), f"{error.instance!r} is not a number")
    if (
        error.validator == "oneOf"
        and isinstance(error.instance, dict)
        and "baseline" in error.instance
    ):
        return Problem(
            _path(error.absolute_path),
            "an indicator belongs to exactly one of 'measure' or 'policy'",
        )
    if error.validator == "unevaluatedProperties" or error.validator == "additionalProperties":
        known = set(schema.get("properties", {}))
        if "allOf" in schema:  # indicators share indicator_common's fields
            known |= set(root["$defs"]["indicator_common"]["properties"])
        extra = sorted(set(error.instance) - known) if isinstance(error.instance, dict) else []
        if extra:
            return Problem(_path(error.absolute_path), f"unknown field(s): {', '.join(extra)}")
    if error.context:
        from jsonschema.exceptions import best_match

        inner = best_match(error.context)
        return Problem(_path(inner.absolute_path), inner.message)
    return Problem(_path(error.absolute_path), error.message)


def validate_plan(document: Any, filename: str) -> None:
    """Schema check, then references, languages, periods and duplicates."""
    if not isinstance(document, dict):
        raise PlanFileError(filename, [Problem("", "the file must hold one mapping (an object)")])
    problems = [_schema_problem(e) for e in _validator().iter_errors(document)]
    if problems:
        unique = list(dict.fromkeys(problems))
        raise PlanFileError(filename, sorted(unique, key=lambda p: p.path))
    problems = list(_semantic_problems(document))
    if problems:
        raise PlanFileError(filename, problems)


# --- the checks a schema cannot express -----------------------------------------------


def _texts(node: Any, path: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Every text object in the document, found by shape: a mapping of language to string."""
    if isinstance(node, dict):
        if (
            node
            and all(isinstance(v, str) for v in node.values())
            and all(
                isinstance(k, str) and 2 <= len(k.split("-")[0]) <= 3 and k.split("-")[0].islower()
                for k in node
            )
        ):
            yield path, node
            return
        for key, value in node.items():
            yield from _texts(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _texts(value, f"{path}[{i}]")


_NOT_TEXT = {"plan.languages", "plan.period", "plan.published_languages"}


def _duplicates(items: list[dict[str, Any]], key: str, where: str) -> Iterator[Problem]:
    counts = Counter(str(item.get(key)) for item in items)
    for i, item in enumerate(items):
        if counts[str(item.get(key))] > 1:
            yield Problem(f"{where}[{i}].{key}", f"duplicate code {item.get(key)!r}")


def _check_period(
    label: Any, kind: str, fy_month: int, at: str, problems: list[Problem]
) -> str | None:
    try:
        return parse_period(str(label), kind, fy_start_month=fy_month).label
    except PeriodError as exc:
        problems.append(Problem(at, str(exc)))
        return None


def _rule_problems(
    indicator: dict[str, Any], where: str, kinds: set[str], fy_month: int
) -> Iterator[Problem]:
    """An indicator counted from the activity ledger (arithmetic: citystrat.activities.rules)."""
    rule = indicator["rule"]
    if indicator["period_kind"] not in ("calendar_year", "fiscal_year"):
        yield Problem(where, "a ledger rule needs an indicator reported by calendar or fiscal year")
    if indicator.get("value_kind") == "percentage":
        yield Problem(where, "a ledger rule counts; it cannot give a percentage")
    for j, code in enumerate(rule["kinds"]):
        if str(code) not in kinds:
            yield Problem(f"{where}.kinds[{j}]", f"no activity kind with code {code!r}")
    start = rule.get("cumulative_from")
    if start is not None:
        try:
            parse_period(str(start), indicator["period_kind"], fy_start_month=fy_month)
        except PeriodError as exc:
            yield Problem(f"{where}.cumulative_from", str(exc))
    if rule.get("to_confirm") and not rule.get("caveat"):
        yield Problem(f"{where}.caveat", "a rule the city is to confirm says what is unclear")


def _semantic_problems(doc: dict[str, Any]) -> Iterator[Problem]:
    from .extensions import indicator_sections, sections

    plan = doc["plan"]
    languages: list[str] = plan["languages"]
    default = plan["default_language"]
    fy_month = plan.get("fiscal_year_start_month", 4)
    if default not in languages:
        yield Problem("plan.default_language", f"{default!r} is not one of plan.languages")
    source_language = plan.get("source_language")
    if source_language and source_language not in languages:
        yield Problem("plan.source_language", f"{source_language!r} is not one of plan.languages")
    for i, lang in enumerate(plan.get("published_languages", [])):
        if lang not in languages:
            yield Problem(
                f"plan.published_languages[{i}]", f"{lang!r} is not one of plan.languages"
            )
    for lang in plan.get("translations", {}):
        if lang not in languages:
            yield Problem(f"plan.translations.{lang}", f"{lang!r} is not one of plan.languages")
    if plan["period"]["end"] <= plan["period"]["start"]:
        yield Problem("plan.period.end", "the plan must end after it starts")

    for path, text in _texts(doc, ""):
        if path in _NOT_TEXT or path.startswith(("plan.period", "plan.translations")):
            continue
        if default not in text:
            yield Problem(path, f"missing the default language {default!r}")
        for lang in text:
            if lang not in languages:
                yield Problem(path, f"language {lang!r} is not one of plan.languages")

    policies = doc["policies"]
    yield from _duplicates(policies, "code", "policies")
    measures: list[tuple[str, dict[str, Any]]] = []
    for i, policy in enumerate(policies):
        for j, measure in enumerate(policy.get("measures", [])):
            measures.append((f"policies[{i}].measures[{j}]", measure))
    measure_codes = Counter(str(m["code"]) for _, m in measures)
    for where, measure in measures:
        if measure_codes[str(measure["code"])] > 1:
            yield Problem(f"{where}.code", f"duplicate code {measure['code']!r}")
    policy_codes = {str(p["code"]) for p in policies}
    department_codes = {str(d["code"]) for d in doc.get("departments", [])}
    yield from _duplicates(doc.get("departments", []), "code", "departments")
    yield from _duplicates(doc.get("bodies", []), "code", "bodies")
    yield from _duplicates(doc.get("projects", []), "code", "projects")
    yield from _duplicates(doc.get("comparisons", []), "code", "comparisons")
    yield from _duplicates(doc.get("partner_cities", []), "code", "partner_cities")
    yield from _duplicates(doc.get("activity_kinds", []), "code", "activity_kinds")
    activity_kinds = {str(k["code"]) for k in doc.get("activity_kinds", [])}

    for i, project in enumerate(doc.get("projects", [])):
        for j, code in enumerate(project.get("measures", [])):
            if str(code) not in measure_codes:
                yield Problem(f"projects[{i}].measures[{j}]", f"no measure with code {code!r}")

    for i, milestone in enumerate(plan.get("milestones", [])):
        label = str(milestone["period"])
        kind = "point_in_time" if len(label) == 10 else "fiscal_year"
        try:
            parse_period(label, kind, fy_start_month=fy_month)
        except PeriodError as exc:
            yield Problem(f"plan.milestones[{i}].period", str(exc))

    all_indicators = [("indicators", x) for x in doc.get("indicators", [])]
    all_indicators += [("context_indicators", x) for x in doc.get("context_indicators", [])]
    codes = Counter(str(ind["code"]) for _, ind in all_indicators)
    counters: Counter[str] = Counter()
    for group, indicator in all_indicators:
        i = counters[group]
        counters[group] += 1
        where = f"{group}[{i}]"
        if codes[str(indicator["code"])] > 1:
            yield Problem(f"{where}.code", f"duplicate code {indicator['code']!r}")
        if "measure" in indicator and str(indicator["measure"]) not in measure_codes:
            yield Problem(f"{where}.measure", f"no measure with code {indicator['measure']!r}")
        if "policy" in indicator and str(indicator["policy"]) not in policy_codes:
            yield Problem(f"{where}.policy", f"no policy with code {indicator['policy']!r}")
        if "department" in indicator and str(indicator["department"]) not in department_codes:
            yield Problem(
                f"{where}.department", f"no department with code {indicator['department']!r}"
            )
        kind = indicator["period_kind"]
        if indicator.get("value_kind") == "percentage":
            limit = indicator.get("limit")
            if limit is not None and to_decimal(limit) <= 0:
                yield Problem(f"{where}.limit", "a percentage's limit must be positive")

        if "rule" in indicator:
            yield from _rule_problems(indicator, f"{where}.rule", activity_kinds, fy_month)

        problems: list[Problem] = []
        if "baseline" in indicator:
            _check_period(
                indicator["baseline"]["period"],
                kind,
                fy_month,
                f"{where}.baseline.period",
                problems,
            )
        for key in ("targets", *(section.key for section in indicator_sections())):
            seen: dict[str, int] = {}
            for k, entry in enumerate(indicator.get(key, [])):
                found = _check_period(
                    entry["period"], kind, fy_month, f"{where}.{key}[{k}].period", problems
                )
                if found is None:
                    continue
                if found in seen:
                    problems.append(
                        Problem(
                            f"{where}.{key}[{k}].period",
                            f"period {found} is already given at {key}[{seen[found]}]",
                        )
                    )
                seen[found] = k
                if indicator.get("value_kind") == "percentage":
                    value = to_decimal(entry["value"])
                    limit = to_decimal(indicator.get("limit", 100))
                    if not Decimal(0) <= value <= limit:
                        problems.append(
                            Problem(f"{where}.{key}[{k}].value", f"{value} is outside 0-{limit}")
                        )
        yield from problems
        for indicator_section in indicator_sections():
            yield from indicator_section.problems(indicator, where)

    for section in sections():
        yield from section.problems(doc)

    for i, comparison in enumerate(doc.get("comparisons", [])):
        rankings = comparison.get("rankings", [])
        for j, ranking in enumerate(rankings):
            size = ranking.get("size")
            if size is not None and ranking["rank"] > size:
                yield Problem(
                    f"comparisons[{i}].rankings[{j}].rank",
                    f"rank {ranking['rank']} is beyond the group size {size}",
                )
        for j, leader in enumerate(comparison.get("leaders", [])):
            group = leader.get("group")
            if group is not None and group >= len(rankings):
                yield Problem(
                    f"comparisons[{i}].leaders[{j}].group",
                    f"there is no ranking number {group} (rankings has {len(rankings)})",
                )
