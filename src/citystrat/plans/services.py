"""Changes to plans.  Every write goes through a function here (one door)."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

from django.db import models, transaction

from citystrat.accounts.permissions import Action, Actor, require
from citystrat.audit.services import audit_record
from citystrat.periods import PeriodKind, parse_period

from . import cache as plan_cache
from .extensions import indicator_sections, sections
from .models import (
    ActivityKind,
    Body,
    ComparisonLeader,
    ComparisonRanking,
    ComparisonStatistic,
    Department,
    Indicator,
    KeyAction,
    Measure,
    Milestone,
    PartnerCity,
    Plan,
    Policy,
    Project,
    PromotionDirection,
    Target,
)
from .planfile import PlanFileError, Problem, read_plan_file, to_decimal, validate_plan


class PlanExistsError(Exception):
    pass


def _require_administrator(actor: Actor) -> None:
    """Loading or replacing a whole plan: administrators, and the command line (actor None)."""
    if actor is not None:
        require(actor, Action.ADMINISTER)


def plan_load_file(
    *, path: str | Path, actor: Actor = None, replace: bool = False, channel: str = "cli"
) -> Plan:
    """Validate the plan file at ``path`` and load it; see :func:`plan_load`."""
    document = read_plan_file(path)
    return plan_load(
        document=document, filename=str(path), actor=actor, replace=replace, channel=channel
    )


def _assessment_rules(assessment: dict[str, Any]) -> dict[str, Any]:
    """The plan file's likelihood words and survey rule, as JSON (numbers as floats)."""
    rules: dict[str, Any] = {}
    if "likelihood" in assessment:
        rules["likelihood"] = str(assessment["likelihood"])
    if "survey" in assessment:
        rules["survey"] = {
            k: (float(v) if k != "interval" else str(v)) for k, v in assessment["survey"].items()
        }
    return rules


def plan_load(
    *,
    document: dict[str, Any],
    filename: str,
    actor: Actor = None,
    replace: bool = False,
    channel: str = "cli",
) -> Plan:
    """Load a validated plan document in one transaction: all of it, or nothing.

    A plan whose code is already loaded is refused unless ``replace`` is true;
    replacing deletes the old plan with its values and records that in the
    audit trail.
    """
    _require_administrator(actor)
    validate_plan(document, filename)
    meta = document["plan"]
    with transaction.atomic():
        existing = Plan.objects.filter(code=meta["code"]).first()
        if existing is not None:
            if not replace:
                raise PlanFileError(
                    filename,
                    [
                        Problem(
                            "plan.code",
                            f"a plan with code {meta['code']!r} is already loaded "
                            "(use --replace to replace it)",
                        )
                    ],
                )
            audit_record(
                code="plans.plan.replace",
                actor=actor,
                object_type="plans.plan",
                object_id=existing.pk,
                object_label=existing.code,
                plan_code=existing.code,
                before={"loaded_at": existing.loaded_at.isoformat()},
                source=filename,
                channel=channel,
            )
            existing.delete()
        plan = _build(document)
        indicator_entries = document.get("indicators", []) + document.get("context_indicators", [])
        counts = {
            "policies": plan.policies.count(),
            "measures": plan.measures.count(),
            "projects": plan.projects.count(),
            "indicators": plan.indicators.filter(role=Indicator.Role.VERIFICATION).count(),
            **{
                section.key: sum(len(i.get(section.key, [])) for i in indicator_entries)
                for section in indicator_sections()
            },
        }
        audit_record(
            code="plans.plan.load",
            actor=actor,
            object_type="plans.plan",
            object_id=plan.pk,
            object_label=plan.code,
            plan_code=plan.code,
            after=counts,
            source=filename,
            channel=channel,
        )
        transaction.on_commit(plan_cache.bump)
    return plan


def _build(doc: dict[str, Any]) -> Plan:
    meta = doc["plan"]
    fy = meta.get("fiscal_year_start_month", 4)
    assessment = meta.get("assessment", {})
    plan = Plan.objects.create(
        code=meta["code"],
        title=meta["title"],
        vision=meta.get("vision", {}),
        position=meta.get("position", {}),
        background=meta.get("background", []),
        target_image=meta.get("target_image", []),
        purposes=meta.get("purposes", []),
        coordination=meta.get("coordination", []),
        source=meta.get("source", {}),
        period_start=date.fromisoformat(meta["period"]["start"]),
        period_end=date.fromisoformat(meta["period"]["end"]),
        languages=meta["languages"],
        default_language=meta["default_language"],
        source_language=meta.get("source_language", ""),
        published_languages=meta.get("published_languages", []),
        translations=meta.get("translations", {}),
        timezone=meta.get("timezone", "Asia/Tokyo"),
        fy_start_month=fy,
        default_method=assessment.get("default_method", "achievement"),
        grading_scale=assessment.get("grading_scale", "cabinet-secretariat"),
        assessment_rules=_assessment_rules(assessment),
        four_eyes_exceptions=list(meta.get("review", {}).get("four_eyes_exceptions", [])),
        embed_origins=list(meta.get("embed", {}).get("allowed_origins", [])),
    )
    for order, item in enumerate(meta.get("milestones", [])):
        label = str(item["period"])
        kind = PeriodKind.POINT_IN_TIME if len(label) == 10 else PeriodKind.FISCAL_YEAR
        milestone = Milestone(
            plan=plan, code=item["code"], kind=item["kind"], title=item["title"], order=order
        )
        milestone.set_period(parse_period(label, kind, fy_start_month=fy))
        milestone.save()
    for item in doc.get("departments", []):
        Department.objects.update_or_create(
            code=item["code"],
            defaults={"name": item["name"], "description": item.get("description", {})},
        )
    Body.objects.bulk_create(
        Body(
            plan=plan,
            code=item["code"],
            kind=item.get("kind", Body.Kind.OTHER),
            name=item["name"],
            description=item.get("description", {}),
            order=order,
        )
        for order, item in enumerate(doc.get("bodies", []))
    )
    measures: dict[str, Measure] = {}
    policies: dict[str, Policy] = {}
    measure_order = 0
    for order, item in enumerate(doc["policies"]):
        policy = Policy.objects.create(
            plan=plan,
            code=str(item["code"]),
            title=item["title"],
            description=item.get("description", []),
            order=order,
        )
        policies[policy.code] = policy
        for m in item.get("measures", []):
            measure = Measure.objects.create(
                plan=plan,
                policy=policy,
                code=str(m["code"]),
                title=m["title"],
                current_state=m.get("current_state", []),
                purpose_target=(m.get("purpose") or {}).get("target", {}),
                purpose_intent=(m.get("purpose") or {}).get("intent", {}),
                order=measure_order,
            )
            measure_order += 1
            measures[measure.code] = measure
            for d_order, d in enumerate(m.get("directions", [])):
                direction = PromotionDirection.objects.create(
                    measure=measure, title=d["title"], order=d_order
                )
                KeyAction.objects.bulk_create(
                    KeyAction(direction=direction, text=a, order=a_order)
                    for a_order, a in enumerate(d.get("actions", []))
                )
    for order, item in enumerate(doc.get("projects", [])):
        project = Project.objects.create(
            plan=plan,
            code=str(item["code"]),
            title=item["title"],
            description=item.get("description", {}),
            order=order,
        )
        if item.get("measures"):
            project.measures.set([measures[str(c)] for c in item["measures"]])
    departments = {d.code: d for d in Department.objects.all()}
    entries = [(Indicator.Role.VERIFICATION, x) for x in doc.get("indicators", [])]
    entries += [(Indicator.Role.CONTEXT, x) for x in doc.get("context_indicators", [])]
    indicators: dict[str, Indicator] = {}
    for order, (role, item) in enumerate(entries):
        kind = item["period_kind"]
        limit = item.get("limit")
        if limit is None and item["value_kind"] == "percentage":
            limit = 100
        indicator = Indicator(
            plan=plan,
            code=str(item["code"]),
            role=role,
            name=item["name"],
            definition=item.get("definition", {}),
            note=item.get("note", {}),
            unit=item.get("unit", {}),
            decimals=item.get("decimals", 0),
            direction=item.get("direction", ""),
            period_kind=kind,
            value_kind=item["value_kind"],
            limit=to_decimal(limit) if limit is not None else None,
            policy=policies[str(item["policy"])] if "policy" in item else None,
            measure=measures[str(item["measure"])] if "measure" in item else None,
            department=departments[item["department"]] if "department" in item else None,
            data_source=item.get("data_source", {}),
            headline=item.get("headline", False),
            rule=_rule(item.get("rule")),
            order=order,
        )
        if "baseline" in item:
            base = parse_period(str(item["baseline"]["period"]), kind, fy_start_month=fy)
            indicator.baseline_value = to_decimal(item["baseline"]["value"])
            indicator.baseline_start, indicator.baseline_end = base.start, base.end
        indicator.save()
        for t in item.get("targets", []):
            target = Target(
                indicator=indicator, value=to_decimal(t["value"]), note=t.get("note", {})
            )
            target.set_period(parse_period(str(t["period"]), kind, fy_start_month=fy))
            target.save()
        indicators[indicator.code] = indicator
    for indicator_section in indicator_sections():
        indicator_section.build(plan, indicators, doc)
    for order, item in enumerate(doc.get("comparisons", [])):
        stat = ComparisonStatistic.objects.create(
            plan=plan,
            code=item["code"],
            statistic=item["statistic"],
            period=str(item["period"]),
            value=to_decimal(item["value"]),
            unit=item.get("unit", {}),
            order=order,
        )
        ComparisonRanking.objects.bulk_create(
            ComparisonRanking(
                statistic=stat, group=r["group"], size=r.get("size"), rank=r["rank"], order=o
            )
            for o, r in enumerate(item.get("rankings", []))
        )
        ComparisonLeader.objects.bulk_create(
            ComparisonLeader(
                statistic=stat,
                name=ldr["name"],
                value=to_decimal(ldr["value"]),
                rank=ldr.get("rank"),
                group=ldr.get("group"),
                is_note=ldr.get("note", False),
                order=o,
            )
            for o, ldr in enumerate(item.get("leaders", []))
        )
    ActivityKind.objects.bulk_create(
        ActivityKind(
            plan=plan,
            code=str(item["code"]),
            name=item["name"],
            description=item.get("description", {}),
            order=order,
        )
        for order, item in enumerate(doc.get("activity_kinds", []))
    )
    for order, item in enumerate(doc.get("partner_cities", [])):
        since = str(item["since"])
        PartnerCity.objects.create(
            plan=plan,
            code=item["code"],
            name=item["name"],
            country=item["country"],
            country_code=item.get("country_code", ""),
            relation_kind=item["relation_kind"],
            relation=item.get("relation", {}),
            since_year=int(since[:4]),
            since_month=int(since[5:7]) if len(since) == 7 else None,
            notes=item.get("notes", []),
            focus=item.get("focus", []),
            order=order,
        )
    for section in sections():
        section.build(plan, doc)
    return plan


def _rule(rule: dict[str, Any] | None) -> dict[str, Any] | None:
    """The plan file's ledger rule as stored: every key present, the period as its label."""
    if rule is None:
        return None
    start = rule.get("cumulative_from")
    return {
        "kinds": [str(k) for k in rule["kinds"]],
        "count": rule["count"],
        "cumulative_from": str(start) if start is not None else None,
        "offset": rule.get("offset"),
        "to_confirm": bool(rule.get("to_confirm", False)),
        "caveat": rule.get("caveat", {}),
    }


class PlanEditError(ValueError):
    """A plan edit that cannot be made; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


# What a coordinator may edit in place: the text fields of each part of a plan.
# Numbers (baselines, targets) are not here: targets change by revision only.
EDITABLE_TEXT: dict[type[models.Model], frozenset[str]] = {
    Plan: frozenset(
        {"title", "vision", "position", "background", "target_image", "purposes", "coordination"}
    ),
    Policy: frozenset({"title", "description"}),
    Measure: frozenset({"title", "current_state", "purpose_target", "purpose_intent"}),
    PromotionDirection: frozenset({"title"}),
    KeyAction: frozenset({"text"}),
    Project: frozenset({"title", "description"}),
    Indicator: frozenset({"name", "definition", "note", "unit", "data_source"}),
    Body: frozenset({"name", "description"}),
    PartnerCity: frozenset({"name", "country", "relation", "notes", "focus"}),
    ComparisonStatistic: frozenset({"statistic", "unit"}),
}


def plan_text_edit(
    *,
    actor: Actor,
    obj: models.Model,
    field: str,
    lang: str,
    text: str,
    index: int | None = None,
    reason: str = "",
    channel: str = "web",
) -> models.Model:
    """Set the ``lang`` text of one text field of a plan part (e.g. add a translation).

    ``index`` picks a paragraph of a multi-paragraph field.  An empty text
    removes that language, except the plan's default language, which every
    text must keep.  Coordinators and administrators only; audited as
    ``plans.text.edit`` with the text before and after.
    """
    require(actor, Action.EDIT_PLAN)
    allowed = EDITABLE_TEXT.get(type(obj))
    if allowed is None or field not in allowed:
        raise PlanEditError(f"{type(obj).__name__}.{field} cannot be edited here", "field")
    plan: Plan = obj if isinstance(obj, Plan) else obj.plan  # type: ignore[attr-defined]
    if lang not in plan.languages:
        raise PlanEditError(f"{lang!r} is not one of the plan's languages", "lang")
    text = text.strip()
    if not text and lang == plan.default_language:
        raise PlanEditError("the plan's default language cannot be left empty", "text")
    with transaction.atomic():
        locked: Any = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        value = copy.deepcopy(getattr(locked, field))
        if isinstance(value, list):
            if index is None or not 0 <= index < len(value):
                raise PlanEditError("choose which paragraph to edit", "index")
            target = value[index]
        else:
            if index is not None:
                raise PlanEditError(f"{field} has no paragraphs", "index")
            target = value
        before = target.get(lang, "")
        if text:
            target[lang] = text
        else:
            target.pop(lang, None)
        setattr(locked, field, value)
        locked.save(update_fields=[field])
        audit_record(
            code="plans.text.edit",
            actor=actor,
            object_type=f"plans.{type(obj).__name__.lower()}",
            object_id=obj.pk,
            object_label=f"{type(obj).__name__} {getattr(obj, 'code', obj.pk)}.{field}"
            + (f"[{index}]" if index is not None else "")
            + f" ({lang})",
            plan_code=plan.code,
            before={lang: before},
            after={lang: text},
            reason=reason,
            channel=channel,
        )
        transaction.on_commit(plan_cache.bump)
    return locked  # type: ignore[no-any-return]


class TranslationImportError(ValueError):
    """A translation file that cannot be imported; nothing was changed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def text_review_mark(
    *, actor: Actor, plan: Plan, path: str, lang: str, channel: str = "web"
) -> None:
    """Record that ``actor`` reviewed the ``lang`` translation of the text at ``path``.

    Coordinators and administrators only; audited as ``plans.text.review``.  The
    review holds the digests of the source text and the translation, so editing
    either makes the text unreviewed again.
    """
    from django.utils import timezone

    from .models import TextReview
    from .translations import digest, plan_texts, source_language, source_text

    require(actor, Action.EDIT_PLAN)
    if lang == source_language(plan):
        raise PlanEditError("the source language needs no review", "lang")
    entry = next((e for e in plan_texts(plan) if e.path == path), None)
    if entry is None:
        raise PlanEditError(f"no text at {path!r}", "path")
    text = entry.value.get(lang, "")
    if not text:
        raise PlanEditError(f"{path} has no {lang} text to review", "lang")
    with transaction.atomic():
        TextReview.objects.update_or_create(
            plan=plan,
            path=path,
            lang=lang,
            defaults={
                "source_digest": digest(source_text(plan, entry.value)),
                "text_digest": digest(text),
                "reviewed_by": actor if getattr(actor, "pk", None) else None,
                "reviewed_at": timezone.now(),
            },
        )
        audit_record(
            code="plans.text.review",
            actor=actor,
            object_type="plans.plan",
            object_id=plan.pk,
            object_label=f"{path} ({lang})",
            plan_code=plan.code,
            before={},
            after={lang: text},
            channel=channel,
        )
        transaction.on_commit(plan_cache.bump)


def plan_texts_import(
    *,
    actor: Actor,
    plan: Plan,
    lang: str,
    texts: dict[str, str],
    status: str = "draft",
    channel: str = "cli",
) -> int:
    """Set the ``lang`` translation of many texts at once (a translator's file), all or nothing.

    ``texts`` maps text paths to translations; every path must exist and the
    language must be an interface language.  Adds ``lang`` to the plan's
    languages when new (marked ``status``, ``draft`` or ``machine``: the texts
    are unreviewed until someone reviews them).  Returns the number of texts
    changed; each change is audited as ``plans.text.edit``.
    """
    from django.conf import settings

    from .translations import plan_texts

    if actor is not None:
        require(actor, Action.EDIT_PLAN)
    problems: list[str] = []
    if lang not in dict(settings.LANGUAGES):
        problems.append(f"{lang!r} is not an interface language")
    if status not in ("draft", "machine", "reviewed"):
        problems.append(f"status {status!r} is not draft, machine or reviewed")
    entries = {e.path: e for e in plan_texts(plan)}
    for path in texts:
        if path not in entries:
            problems.append(f"{path}: no such text in plan {plan.code}")
    if problems:
        raise TranslationImportError(problems)
    changed = 0
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        if lang not in locked.languages:
            locked.languages = [*locked.languages, lang]
            marks = dict(locked.translations or {})
            marks.setdefault(lang, {"status": status})
            locked.translations = marks
            locked.save(update_fields=["languages", "translations"])
            audit_record(
                code="plans.language.add",
                actor=actor,
                object_type="plans.plan",
                object_id=plan.pk,
                object_label=f"{plan.code} ({lang})",
                plan_code=plan.code,
                before={},
                after={"language": lang, "status": status},
                channel=channel,
            )
        for path, text in texts.items():
            entry = entries[path]
            if entry.value.get(lang, "") == text.strip():
                continue
            obj = type(entry.obj)._default_manager.get(pk=entry.obj.pk)
            _text_set(
                actor=actor,
                obj=obj,
                field=entry.field,
                index=entry.index,
                lang=lang,
                text=text,
                plan=locked,
                channel=channel,
            )
            changed += 1
        transaction.on_commit(plan_cache.bump)
    return changed


def _text_set(
    *,
    actor: Actor,
    obj: models.Model,
    field: str,
    index: int | None,
    lang: str,
    text: str,
    plan: Plan,
    channel: str,
) -> None:
    value = copy.deepcopy(getattr(obj, field))
    target = value[index] if index is not None else value
    before = target.get(lang, "")
    target[lang] = text.strip()
    setattr(obj, field, value)
    obj.save(update_fields=[field])
    audit_record(
        code="plans.text.edit",
        actor=actor,
        object_type=f"plans.{type(obj).__name__.lower()}",
        object_id=obj.pk,
        object_label=f"{type(obj).__name__} {getattr(obj, 'code', obj.pk)}.{field}"
        + (f"[{index}]" if index is not None else "")
        + f" ({lang})",
        plan_code=plan.code,
        before={lang: before},
        after={lang: text.strip()},
        channel=channel,
    )
