"""Plan → plan-file document (the inverse of ``services._build``), and ``plan show --json``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .extensions import indicator_sections, sections
from .models import Indicator, Plan
from .planfile import FORMAT, decimal_text
from .selectors import plan_with_tree


def plan_number(value: Decimal) -> Decimal:
    """Normalised decimal (the YAML dumper writes the shortest exact text)."""
    return Decimal(decimal_text(value))


def put_given(out: dict[str, Any], key: str, value: Any) -> None:
    """Set ``out[key]`` unless ``value`` is empty (the plan file leaves empty keys out)."""
    if value not in (None, {}, [], ""):
        out[key] = value


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan as a ``citystrat-plan/1`` document; ``plan export`` dumps it as YAML."""
    plan = plan_with_tree(plan.pk)
    meta: dict[str, Any] = {
        "code": plan.code,
        "languages": plan.languages,
        "default_language": plan.default_language,
    }
    put_given(meta, "source_language", plan.source_language)
    put_given(meta, "published_languages", plan.published_languages)
    put_given(meta, "translations", plan.translations)
    meta["timezone"] = plan.timezone
    meta["fiscal_year_start_month"] = plan.fy_start_month
    meta["title"] = plan.title
    for key in ("vision", "position", "background"):
        put_given(meta, key, getattr(plan, key))
    meta["period"] = {"start": plan.period_start.isoformat(), "end": plan.period_end.isoformat()}
    put_given(
        meta,
        "milestones",
        [
            {"code": m.code, "kind": m.kind, "period": m.period.label, "title": m.title}
            for m in plan.milestones.all()
        ],
    )
    for key in ("target_image", "purposes", "coordination"):
        put_given(meta, key, getattr(plan, key))
    meta["assessment"] = {
        "default_method": plan.default_method,
        "grading_scale": plan.grading_scale,
        **{k: v for k, v in (plan.assessment_rules or {}).items() if k in ("likelihood", "survey")},
    }
    if plan.four_eyes_exceptions:
        meta["review"] = {"four_eyes_exceptions": list(plan.four_eyes_exceptions)}
    if plan.embed_origins:
        meta["embed"] = {"allowed_origins": list(plan.embed_origins)}
    put_given(meta, "source", plan.source)

    doc: dict[str, Any] = {"format": FORMAT, "plan": meta}
    indicators = list(plan.indicators.all())
    used = {i.department.code for i in indicators if i.department}
    for section in sections():
        used.update(section.department_codes(plan))
    department_codes = sorted(used)
    if department_codes:
        from .models import Department

        doc["departments"] = []
        for d in Department.objects.filter(code__in=department_codes).order_by("code"):
            entry: dict[str, Any] = {"code": d.code, "name": d.name}
            put_given(entry, "description", d.description)
            doc["departments"].append(entry)
    bodies = []
    for b in plan.bodies.all():
        entry = {"code": b.code, "kind": b.kind, "name": b.name}
        put_given(entry, "description", b.description)
        bodies.append(entry)
    put_given(doc, "bodies", bodies)
    policies = []
    for p in plan.policies.all():
        pol: dict[str, Any] = {"code": p.code, "title": p.title}
        put_given(pol, "description", p.description)
        pol["measures"] = []
        for m in p.measures.all():
            mea: dict[str, Any] = {"code": m.code, "title": m.title}
            put_given(mea, "current_state", m.current_state)
            purpose = {
                k: v for k, v in (("target", m.purpose_target), ("intent", m.purpose_intent)) if v
            }
            put_given(mea, "purpose", purpose)
            directions = []
            for direction in m.directions.all():
                dd: dict[str, Any] = {"title": direction.title}
                put_given(dd, "actions", [a.text for a in direction.actions.all()])
                directions.append(dd)
            put_given(mea, "directions", directions)
            pol["measures"].append(mea)
        policies.append(pol)
    doc["policies"] = policies
    projects = []
    for pr in plan.projects.all():
        entry = {"code": pr.code, "title": pr.title}
        put_given(entry, "description", pr.description)
        put_given(entry, "measures", [m.code for m in pr.measures.all()])
        projects.append(entry)
    put_given(doc, "projects", projects)
    for section in sections():
        put_given(doc, section.key, section.export(plan))
    per_indicator = [(s.key, s.export(plan)) for s in indicator_sections()]
    verification: list[dict[str, Any]] = []
    context: list[dict[str, Any]] = []
    for ind in indicators:
        item = _indicator_entry(ind)
        for key, entries in per_indicator:
            put_given(item, key, entries.get(ind.code, []))
        (context if ind.role == Indicator.Role.CONTEXT else verification).append(item)
    doc["indicators"] = verification
    put_given(doc, "context_indicators", context)
    comparisons = []
    for c in plan.comparisons.all():
        entry = {
            "code": c.code,
            "statistic": c.statistic,
            "period": c.period,
            "value": plan_number(c.value),
        }
        put_given(entry, "unit", c.unit)
        rankings = []
        for r in c.rankings.all():
            rk: dict[str, Any] = {"group": r.group}
            if r.size is not None:
                rk["size"] = r.size
            rk["rank"] = r.rank
            rankings.append(rk)
        put_given(entry, "rankings", rankings)
        leaders = []
        for ldr in c.leaders.all():
            le: dict[str, Any] = {"name": ldr.name, "value": plan_number(ldr.value)}
            if ldr.rank is not None:
                le["rank"] = ldr.rank
            if ldr.group is not None:
                le["group"] = ldr.group
            if ldr.is_note:
                le["note"] = True
            leaders.append(le)
        put_given(entry, "leaders", leaders)
        comparisons.append(entry)
    put_given(doc, "comparisons", comparisons)
    partners = []
    for pc in plan.partner_cities.all():
        entry = {"code": pc.code, "name": pc.name, "country": pc.country}
        put_given(entry, "country_code", pc.country_code)
        entry["relation_kind"] = pc.relation_kind
        put_given(entry, "relation", pc.relation)
        entry["since"] = pc.since_label
        put_given(entry, "notes", pc.notes)
        put_given(entry, "focus", pc.focus)
        partners.append(entry)
    put_given(doc, "partner_cities", partners)
    kinds = []
    for k in plan.activity_kinds.all():
        entry = {"code": k.code, "name": k.name}
        put_given(entry, "description", k.description)
        kinds.append(entry)
    put_given(doc, "activity_kinds", kinds)
    return doc


def _indicator_entry(ind: Indicator) -> dict[str, Any]:
    item: dict[str, Any] = {"code": ind.code, "name": ind.name}
    put_given(item, "definition", ind.definition)
    put_given(item, "note", ind.note)
    item["unit"] = ind.unit
    item["decimals"] = ind.decimals
    put_given(item, "direction", ind.direction)
    item["period_kind"] = ind.period_kind
    item["value_kind"] = ind.value_kind
    if ind.limit is not None:
        item["limit"] = plan_number(ind.limit)
    if ind.measure_id:
        item["measure"] = ind.measure.code  # type: ignore[union-attr]
    elif ind.policy_id:
        item["policy"] = ind.policy.code  # type: ignore[union-attr]
    if ind.department_id:
        item["department"] = ind.department.code  # type: ignore[union-attr]
    put_given(item, "data_source", ind.data_source)
    if ind.role == Indicator.Role.VERIFICATION:
        if ind.headline:
            item["headline"] = True
        if ind.rule is not None:
            rule: dict[str, Any] = {"kinds": list(ind.rule["kinds"]), "count": ind.rule["count"]}
            for key in ("cumulative_from", "offset"):
                if ind.rule.get(key) is not None:
                    rule[key] = ind.rule[key]
            if ind.rule.get("to_confirm"):
                rule["to_confirm"] = True
            put_given(rule, "caveat", ind.rule.get("caveat"))
            item["rule"] = rule
        base = ind.baseline_period
        assert base is not None and ind.baseline_value is not None
        item["baseline"] = {"period": base.label, "value": plan_number(ind.baseline_value)}
        targets = []
        for t in ind.targets.all():
            entry: dict[str, Any] = {"period": t.period.label, "value": plan_number(t.value)}
            put_given(entry, "note", t.note)
            targets.append(entry)
        put_given(item, "targets", targets)
    return item


def _json_number(value: Decimal) -> int | float:
    text = decimal_text(value)
    return int(text) if "." not in text else float(text)


def plan_show(plan: Plan) -> dict[str, Any]:
    """The ``citystrat plan show --json`` shape (a contract: add keys, never rename)."""
    doc = plan_document(plan)

    def period_value(entry: dict[str, Any]) -> dict[str, Any]:
        return {**entry, "value": _json_number(entry["value"])}

    def indicator(entry: dict[str, Any]) -> dict[str, Any]:
        out = dict(entry)
        out["headline"] = entry.get("headline", False)
        out.setdefault("direction", None)
        if "baseline" in entry:
            out["baseline"] = period_value(entry["baseline"])
        out["targets"] = [period_value(t) for t in entry.get("targets", [])]
        out["observations"] = [period_value(o) for o in entry.get("observations", [])]
        if "limit" in entry:
            out["limit"] = _json_number(entry["limit"])
        rule = entry.get("rule")
        out["rule"] = (
            {
                "kinds": rule["kinds"],
                "count": rule["count"],
                "cumulative_from": rule.get("cumulative_from"),
                "offset": rule.get("offset"),
            }
            if rule
            else None
        )
        out["rule_to_confirm"] = bool(rule and rule.get("to_confirm"))
        out["rule_caveat"] = (rule or {}).get("caveat") or None
        return out

    def comparison(entry: dict[str, Any]) -> dict[str, Any]:
        out = dict(entry)
        out["value"] = _json_number(entry["value"])
        out["leaders"] = [
            {**ldr, "value": _json_number(ldr["value"])} for ldr in entry.get("leaders", [])
        ]
        return out

    return {
        "format": doc["format"],
        "plan": doc["plan"],
        "departments": doc.get("departments", []),
        "bodies": doc.get("bodies", []),
        "policies": doc["policies"],
        "projects": doc.get("projects", []),
        "indicators": [indicator(i) for i in doc["indicators"]],
        "context_indicators": [indicator(i) for i in doc.get("context_indicators", [])],
        "comparisons": [comparison(c) for c in doc.get("comparisons", [])],
        "partner_cities": doc.get("partner_cities", []),
        "activity_kinds": [
            {"code": k["code"], "name": k["name"]} for k in doc.get("activity_kinds", [])
        ],
    }
