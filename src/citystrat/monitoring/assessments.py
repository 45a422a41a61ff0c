"""From the database to the progress engine: indicator -> series -> assessment.

The web pages, reports, API and ``citystrat status`` all assess indicators
through :func:`indicator_assessments`, so every place shows the same numbers.
Assessments are cached per plan, date and content version (a bump on any
approved value or plan change invalidates them).
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext, gettext_noop

from citystrat import present, progress
from citystrat.periods import Period, PeriodKind
from citystrat.plans import cache as plan_cache
from citystrat.plans.models import Indicator, Plan, Target
from citystrat.plans.selectors import attach_indicators, clear_tree_memo, plan_tree
from citystrat.progress import Assessment, MethodResult, Series

if TYPE_CHECKING:
    from citystrat.observations.models import Observation

__all__ = [
    "IndicatorAssessment",
    "PlanRollup",
    "clear_memo",
    "explain",
    "indicator_assessments",
    "plan_rollup",
    "plan_today",
    "prefetch_observations",
    "render_message",
    "series_for",
    "survey_rule",
]


# Per-process memo (the engine's results hold read-only mappings that do not pickle);
# keys carry the shared content version, so a bump anywhere invalidates them.
_memo: dict[str, dict[int, IndicatorAssessment]] = {}
_MEMO_SIZE = 32


def clear_memo() -> None:
    """Forget memoised assessments and plan trees in this process (tests; after a restore)."""
    _memo.clear()
    clear_tree_memo()
    plan_cache.forget_held()


def plan_today(plan: Plan) -> date:
    """Today in the plan's time zone (the default assessment date)."""
    return datetime.now(ZoneInfo(plan.timezone or "UTC")).date()


def _engine_target(target: Target, as_of: date, plan: Plan) -> progress.Target:
    chosen = target.revision_assessed(as_of)
    if chosen is None:
        return progress.Target.of(target.period, target.value)
    # The engine keeps one reason (the plan's default language); pages and reports read
    # the revision itself for the reader's language (TargetRevision.text).
    return progress.Target.of(
        target.period,
        chosen.value,
        original_value=target.value,
        effective_from=chosen.effective_from,
        reason=chosen.text(plan.default_language, plan).text,
    )


def _engine_point(o: Observation | ValueRow) -> progress.Point:
    caveats = tuple(c for c in o.all_caveats if c in progress.CAVEATS)
    return progress.Point.of(
        o.period,
        o.value,
        sample_size=o.sample_size or None,
        design_effect=o.design_effect,
        margin=o.margin_of_error,
        caveats=caveats,
    )


def survey_rule(plan: Plan) -> progress.SurveyRule:
    """The plan's survey rule (``plan.assessment.survey`` in the plan file)."""
    raw = (plan.assessment_rules or {}).get("survey") or {}
    tolerance = raw.get("tolerance_points")
    return progress.SurveyRule(
        method=str(raw.get("interval", "wilson")),
        confidence=float(raw.get("confidence", 0.95)),
        tolerance_points=float(tolerance) if tolerance is not None else None,
    )


def series_for(
    indicator: Indicator, observations: Sequence[Observation | ValueRow], *, as_of: date
) -> Series:
    """The engine's view of one indicator: baseline, observations, targets in force."""
    base = indicator.baseline_period
    assert base is not None and indicator.baseline_value is not None
    # A value recorded for the baseline period lends the baseline its sampling information
    # (a survey's n and design effect, or its margin), so both values' errors count.
    at_base = next((o for o in observations if o.period == base), None)
    return Series(
        id=indicator.code,
        direction=progress.Direction(indicator.direction or "increase"),
        baseline=progress.Point.of(
            base,
            indicator.baseline_value,
            sample_size=(at_base.sample_size or None) if at_base else None,
            design_effect=at_base.design_effect if at_base else None,
            margin=at_base.margin_of_error if at_base else None,
        ),
        observations=tuple(
            _engine_point(o) for o in observations if o.period != base and o.period_end <= as_of
        ),
        targets=tuple(_engine_target(t, as_of, indicator.plan) for t in indicator.targets.all()),
        limit=float(indicator.limit) if indicator.limit is not None else None,
        value_kind=progress.ValueKind(indicator.value_kind),
    )


@dataclass(frozen=True)
class IndicatorAssessment:
    indicator: Indicator
    series: Series
    assessment: Assessment
    loader: ObservationLoader = field(repr=False, compare=False)
    as_of: date
    method: str
    pending: bool = False  # True when unapproved values were included (a draft view)

    @property
    def observations(self) -> list[Observation]:
        """The values assessed (up to the assessment date), read when first asked for."""
        return [o for o in self.loader.get(self.indicator.pk) if o.period_end <= self.as_of]

    @property
    def status(self) -> MethodResult:
        """The headline result by the plan's default method."""
        return self.assessment.results[self.method]

    @property
    def status_class(self) -> str:
        """``achieved``, ``on_track``, ``off_track`` or ``not_available``."""
        return progress.classify(self.status)

    @property
    def latest(self) -> Observation | None:
        observations = self.observations
        return observations[-1] if observations else None

    def result(self, method: str) -> MethodResult | None:
        return self.assessment.results.get(method)


# --- performance (#17): the engine reads light rows; model instances only when shown ----
_ROW_FIELDS = (
    "id",
    "indicator_id",
    "period_kind",
    "period_start",
    "period_end",
    "value",
    "sample_size",
    "design_effect",
    "margin_of_error",
    "caveats",
    "provisional",
    "status",
)


class ValueRow:
    """The columns of an observation the engine needs (no model instance, no JSON texts)."""

    __slots__ = (*_ROW_FIELDS, "period")

    id: int
    indicator_id: int
    period_kind: str
    period_start: date
    period_end: date
    value: Decimal
    sample_size: int | None
    design_effect: Decimal | None
    margin_of_error: Decimal | None
    caveats: str | list[str] | None  # the stored JSON text, decoded on first use
    provisional: bool
    status: str
    period: Period

    def __init__(self, row: Sequence[Any]) -> None:
        for name, value in zip(_ROW_FIELDS, row, strict=True):
            setattr(self, name, value)
        self.period = Period(self.period_start, self.period_end, PeriodKind(self.period_kind))

    @property
    def all_caveats(self) -> list[str]:
        raw = self.caveats
        if isinstance(raw, str):
            raw = self.caveats = json.loads(raw) if raw not in ("", "[]", "null") else []
        codes = [c for c in raw or [] if isinstance(c, str)]
        if self.provisional and "provisional" not in codes:
            codes.insert(0, "provisional")
        return codes


class ObservationLoader:
    """The chosen values' model instances, read on first use, in a bounded number of queries.

    A page names the indicators it shows (:func:`prefetch_observations`): one query.
    Otherwise each indicator is read by itself (a handful of rows), and after
    :attr:`ONE_BY_ONE` single reads (a report, the status table) the rest come in one
    query.  Shared by every :class:`IndicatorAssessment` of one computation
    (memoised per content version, so a page in that version reads each value once).
    """

    ONE_BY_ONE = 8
    IN_LIST = 500  # beyond: read the plan's values and keep the wanted ones

    def __init__(self, plan: Plan, chosen: dict[int, list[int]], statuses: list[str]) -> None:
        self._plan = plan
        self._chosen = chosen  # indicator id -> observation ids, in period order
        self._statuses = statuses
        self._loaded: dict[int, list[Observation]] = {}
        self._single_reads = 0
        self._lock = threading.Lock()

    def prefetch(self, indicator_ids: Iterable[int]) -> None:
        """Read the values of ``indicator_ids`` not read yet, in one query (a page's list)."""
        with self._lock:
            wanted = [i for i in dict.fromkeys(indicator_ids) if i not in self._loaded]
            if wanted:
                self._read(wanted)

    def get(self, indicator_id: int) -> list[Observation]:
        found = self._loaded.get(indicator_id)
        if found is not None:
            return found
        with self._lock:
            if indicator_id not in self._loaded:
                if self._single_reads < self.ONE_BY_ONE:
                    self._single_reads += 1
                    self._read([indicator_id])
                else:
                    self._read([i for i in self._chosen if i not in self._loaded])
            return self._loaded.setdefault(indicator_id, [])

    def _read(self, indicator_ids: list[int]) -> None:
        from citystrat.observations.models import Observation

        wanted = {pk for i in indicator_ids for pk in self._chosen.get(i, ())}
        rows = Observation.objects.filter(
            indicator__plan=self._plan, status__in=self._statuses
        ).order_by("indicator_id", "period_start", "id")
        if len(indicator_ids) == 1:
            rows = rows.filter(indicator_id=indicator_ids[0])
        elif len(indicator_ids) <= self.IN_LIST:
            rows = rows.filter(indicator_id__in=indicator_ids)
        by_id = {o.pk: o for o in attach_indicators(self._plan, rows) if o.pk in wanted}
        for i in indicator_ids:
            self._loaded[i] = [by_id[pk] for pk in self._chosen.get(i, ()) if pk in by_id]


def prefetch_observations(
    assessments: dict[int, IndicatorAssessment], indicator_ids: Iterable[int]
) -> None:
    """Read, in one query, the values of the assessed indicators a page is about to show."""
    ids = [i for i in indicator_ids if i in assessments]
    if ids:
        assessments[ids[0]].loader.prefetch(ids)


def _observations(plan: Plan, include_pending: bool) -> tuple[dict[int, list[ValueRow]], list[str]]:
    from citystrat.observations.models import Observation

    statuses = [Observation.Status.APPROVED.value]
    if include_pending:
        statuses += [Observation.Status.SUBMITTED.value]
    rows = (
        Observation.objects.filter(indicator__plan=plan, status__in=statuses)
        .order_by("indicator_id", "period_start", "id")
        # The caveats as stored (JSON text), decoded only when not empty.
        .annotate(caveats_text=Cast("caveats", TextField()))
        .values_list(*(f if f != "caveats" else "caveats_text" for f in _ROW_FIELDS))
    )
    chosen: dict[int, dict[tuple[str, date], ValueRow]] = defaultdict(dict)
    for raw in rows:
        row = ValueRow(raw)
        key = (row.period_kind, row.period_start)
        slot = chosen[row.indicator_id]
        # A submitted correction stands in for the approved value in a draft view.
        if key not in slot or row.status == Observation.Status.SUBMITTED:
            slot[key] = row
    out = {k: sorted(v.values(), key=lambda o: o.period_start) for k, v in chosen.items()}
    return out, statuses


# --- end performance


def indicator_assessments(
    plan: Plan, *, as_of: date | None = None, include_pending: bool = False
) -> dict[int, IndicatorAssessment]:
    """Every verification indicator of ``plan`` assessed on ``as_of`` (default: today).

    Only approved values count, unless ``include_pending`` (staff drafts and
    draft reports), which lets submitted values stand in for approved ones.
    """
    as_of = as_of or plan_today(plan)
    # Drafts see submitted values: their key changes with every submission and withdrawal.
    content = plan_cache.pending_version() if include_pending else plan_cache.version()
    key = f"citystrat:assess:{plan.pk}:{as_of}:{int(include_pending)}:{content}"
    cached = _memo.get(key)
    if cached is not None:
        return cached
    tree = plan_tree(plan.pk)
    observations, statuses = _observations(tree, include_pending)
    loader = ObservationLoader(
        tree, {i: [o.id for o in rows] for i, rows in observations.items()}, statuses
    )
    indicators = [i for i in tree.indicators.all() if i.role == Indicator.Role.VERIFICATION]
    series = [series_for(i, observations.get(i.pk, []), as_of=as_of) for i in indicators]
    results = progress.assess_many(
        series, as_of=as_of, grading_scale=plan.grading_scale, survey_rule=survey_rule(plan)
    )
    out = {
        ind.pk: IndicatorAssessment(
            indicator=ind,
            series=s,
            assessment=a,
            loader=loader,
            as_of=as_of,
            method=plan.default_method,
            pending=include_pending,
        )
        for ind, s, a in zip(indicators, series, results, strict=True)
    }
    _memo[key] = out
    while len(_memo) > _MEMO_SIZE:
        _memo.pop(next(iter(_memo)))
    return out


@dataclass(frozen=True)
class PlanRollup:
    """Status counts by measure, by policy and for the plan, by one method."""

    method: str
    plan: progress.Summary
    policies: dict[int, progress.Summary] = field(default_factory=dict)
    measures: dict[int, progress.Summary] = field(default_factory=dict)


def plan_rollup(
    plan: Plan, assessments: dict[int, IndicatorAssessment], method: str | None = None
) -> PlanRollup:
    """Roll indicator results up: "Measure 4: 2 of 4 indicators on track"."""
    method = method or plan.default_method
    tree = plan_tree(plan.pk)
    by_measure: dict[int, list[Assessment]] = defaultdict(list)
    by_policy_direct: dict[int, list[Assessment]] = defaultdict(list)
    for ia in assessments.values():
        ind = ia.indicator
        if ind.measure_id:
            by_measure[ind.measure_id].append(ia.assessment)
        elif ind.policy_id:
            by_policy_direct[ind.policy_id].append(ia.assessment)
    policy_groups = []
    for policy in tree.policies.all():
        measures = [
            progress.Group(id=f"m{m.pk}", assessments=tuple(by_measure.get(m.pk, [])))
            for m in policy.measures.all()
        ]
        policy_groups.append(
            progress.Group(
                id=f"p{policy.pk}",
                assessments=tuple(by_policy_direct.get(policy.pk, [])),
                children=tuple(measures),
            )
        )
    root = progress.rollup(progress.Group(id="plan", children=tuple(policy_groups)), method)
    policies: dict[int, progress.Summary] = {}
    measures_out: dict[int, progress.Summary] = {}
    for policy_node in root.children:
        policies[int(policy_node.id[1:])] = policy_node.summary
        for measure_node in policy_node.children:
            measures_out[int(measure_node.id[1:])] = measure_node.summary
    return PlanRollup(method=method, plan=root.summary, policies=policies, measures=measures_out)


def render_message(
    message: progress.Message,
    translate: Callable[[str], str] = gettext,
    decimals: int | None = None,
    *,
    indicator: Indicator | None = None,
    era: bool = False,
) -> str:
    """An engine explanation in the active language (see :func:`citystrat.present.explain`).

    With ``indicator``, its values use the indicator's decimals and its periods its kind.
    """
    if indicator is not None:
        decimals = indicator.decimals if decimals is None else decimals
    return present.explain(
        message,
        decimals,
        translate,
        period_kind=indicator.period_kind if indicator is not None else None,
        era=era,
    )


_MET_BUT_DEFINITION_DIFFERS = gettext_noop(
    "%(explanation)s — but the latest value's definition differs from the baseline's, "
    "so this is not confirmed."
)


def explain(
    result: MethodResult,
    translate: Callable[[str], str] = gettext,
    *,
    indicator: Indicator | None = None,
    era: bool = False,
) -> str:
    """A result's explanation; a met target on a differently defined latest value says so.

    When the latest value carries the ``definition_differs`` caveat and the
    result says the target is met, the caveat is added to the same sentence:
    no page, report or API response calls it achieved without it.
    """
    text = render_message(result.message, translate, indicator=indicator, era=era)
    caveats = str(result.values.get("latest_caveats") or "").split(",")
    if "definition_differs" in caveats and progress.classify(result) == progress.ACHIEVED:
        text = translate(_MET_BUT_DEFINITION_DIFFERS) % {"explanation": text.rstrip("。.")}
    return text
