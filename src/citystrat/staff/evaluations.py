"""Staff pages of the evaluation record (施策評価): enter, submit, return, correct, approve.

Thin views: parse a form, call :mod:`citystrat.evaluations.services`, render.
Plain forms, POST-redirect-GET, no JavaScript needed.  The lead department
writes the first evaluation in one language at a time; the second evaluator
writes the second evaluation, the overall grade and the committee's opinion
while the record is submitted, then approves or returns it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from citystrat.accounts.decorators import staff_required
from citystrat.accounts.permissions import Action, can
from citystrat.audit.models import AuditEvent
from citystrat.evaluations import services
from citystrat.evaluations.models import Evaluation
from citystrat.evaluations.selectors import (
    direction_categories,
    evaluation_list,
    evaluation_proposal,
    fiscal_year,
    grades_of,
    midterm_period,
    target_proposals_by_measure,
)
from citystrat.i18n import pick
from citystrat.monitoring.assessments import plan_today
from citystrat.periods import Period
from citystrat.plans.models import Measure, Plan
from citystrat.plans.selectors import NoPlanError, plan_get

KINDS = ("annual", "midterm")


def _plan() -> Plan:
    try:
        return plan_get()
    except NoPlanError:
        raise Http404(_("No plan is loaded.")) from None


def _period(plan: Plan, kind: str, year: int) -> Period:
    if kind == "midterm":
        period = midterm_period(plan)
        if period is None:
            raise Http404(_("The plan has no mid-term review."))
        return period
    if not plan.period_start.year <= year <= plan.period_end.year - 1:
        raise Http404(_("The year is outside the plan period."))
    return fiscal_year(plan, year)


def _default_year(plan: Plan) -> int:
    """The last fiscal year that has ended: the one evaluated now."""
    today = plan_today(plan)
    fy = plan.fy_start_month
    current = today.year if today.month >= fy else today.year - 1
    return max(plan.period_start.year, min(current - 1, plan.period_end.year - 1))


@staff_required
def evaluation_index(request: HttpRequest) -> HttpResponse:
    plan = _plan()
    kind = str(request.GET.get("kind") or "annual")
    if kind not in KINDS:
        kind = "annual"
    try:
        year = int(request.GET.get("year") or _default_year(plan))
    except ValueError:
        year = _default_year(plan)
    period = _period(plan, kind, year)
    records = {e.measure_id: e for e in evaluation_list(plan, kind, period)}
    measures = [
        (m, records.get(m.pk), can(request.user, Action.WRITE_EVALUATION, m))
        for m in Measure.objects.filter(plan=plan).select_related("policy").order_by("order")
    ]
    return render(
        request,
        "staff/evaluations/index.html",
        {
            "plan": plan,
            "kind": kind,
            "year": period.year,
            "years": list(range(plan.period_start.year, plan.period_end.year)),
            "period": period,
            "measures": measures,
            "midterm": midterm_period(plan),
        },
    )


class FirstForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    lang = forms.ChoiceField(widget=forms.HiddenInput)
    first_grade = forms.ChoiceField(label=gettext_lazy("First evaluation: grade"), required=False)
    achievements = forms.CharField(
        label=gettext_lazy("What was achieved"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    issues = forms.CharField(
        label=gettext_lazy("Issues"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    way_forward = forms.CharField(
        label=gettext_lazy("Way forward (first evaluation)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    direction = forms.ChoiceField(label=gettext_lazy("Future direction: category"), required=False)
    direction_text = forms.CharField(
        label=gettext_lazy("Future direction: text"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    previous_response = forms.CharField(
        label=gettext_lazy("Response to last year's evaluation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args: Any, plan: Plan, lang: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["lang"]).choices = [(c, c) for c in plan.languages]
        grades = [("", "–")] + [(g, g) for g in grades_of(plan)]
        cast(forms.ChoiceField, self.fields["first_grade"]).choices = grades
        fb = [plan.default_language, plan.source_language or plan.default_language]
        cast(forms.ChoiceField, self.fields["direction"]).choices = [("", "–")] + [
            (d["code"], pick(d["label"], lang, fb).text) for d in direction_categories(plan)
        ]


class SecondForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    lang = forms.ChoiceField(widget=forms.HiddenInput)
    second_grade = forms.ChoiceField(label=gettext_lazy("Second evaluation: grade"), required=False)
    second_comments = forms.CharField(
        label=gettext_lazy("Second evaluation: comments"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    overall_grade = forms.ChoiceField(label=gettext_lazy("Overall grade"), required=False)
    override_reason = forms.CharField(
        label=gettext_lazy("Reason for an overall grade other than the proposed one"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    opinion_date = forms.DateField(
        label=gettext_lazy("Committee opinion: date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    opinion_body = forms.CharField(label=gettext_lazy("Committee"), required=False)
    opinion_text = forms.CharField(
        label=gettext_lazy("Committee opinion"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["lang"]).choices = [(c, c) for c in plan.languages]
        grades = [("", "–")] + [(g, g) for g in grades_of(plan)]
        cast(forms.ChoiceField, self.fields["second_grade"]).choices = grades
        cast(forms.ChoiceField, self.fields["overall_grade"]).choices = grades


class ReturnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=pgettext_lazy("evaluation", "Reason for returning"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


def _errors(form: forms.Form, exc: ValidationError) -> None:
    # A form may say which of its fields a service's field is shown on (a text in one language).
    shown_on: dict[str, str] = getattr(form, "service_fields", {})
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            field = shown_on.get(name, name)
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _first_initial(e: Evaluation | None, lang: str) -> dict[str, Any]:
    initial: dict[str, Any] = {"lang": lang, "version": e.version if e else None}
    if e is not None:
        initial["first_grade"] = e.first_grade
        initial["direction"] = e.direction
        for f in Evaluation.FIRST_TEXTS:
            initial[f] = (getattr(e, f) or {}).get(lang, "")
    return initial


def _second_initial(e: Evaluation, lang: str) -> dict[str, Any]:
    opinion = (e.opinions or [{}])[-1] if e.opinions else {}
    return {
        "lang": lang,
        "version": e.version,
        "second_grade": e.second_grade,
        "second_comments": (e.second_comments or {}).get(lang, ""),
        "overall_grade": e.overall_grade or e.proposed_grade,
        "override_reason": e.override_reason,
        "opinion_date": opinion.get("date"),
        "opinion_body": (opinion.get("body") or {}).get(lang, ""),
        "opinion_text": (opinion.get("text") or {}).get(lang, ""),
    }


@staff_required
@require_http_methods(["GET", "POST"])
def evaluation_edit(request: HttpRequest, measure: int, kind: str, year: int) -> HttpResponseBase:
    plan = _plan()
    if kind not in KINDS:
        raise Http404
    m = get_object_or_404(Measure.objects.select_related("plan", "policy"), pk=measure, plan=plan)
    period = _period(plan, kind, year)
    current = evaluation_list(plan, kind, period).filter(measure=m).order_by("-id").first()
    languages = list(plan.languages)
    lang = request.POST.get("lang") or request.GET.get("lang") or get_language() or ""
    if lang not in languages:
        lang = plan.default_language
    may_write = can(request.user, Action.WRITE_EVALUATION, m)
    may_review = can(request.user, Action.APPROVE_EVALUATION, m)
    submitted = current is not None and current.status == Evaluation.Status.SUBMITTED
    here = request.path + f"?lang={lang}"
    first = FirstForm(initial=_first_initial(current, lang), plan=plan, lang=lang)
    second = (
        SecondForm(initial=_second_initial(current, lang), plan=plan)
        if submitted and current is not None
        else None
    )
    back = ReturnForm(initial={"version": current.version}) if submitted and current else None
    if request.method == "POST":
        step = request.POST.get("step", "")
        form: forms.Form | None = None
        try:
            if step in {"save", "submit"}:
                if not may_write:
                    raise PermissionDenied(_("You may not write this measure's evaluation."))
                form = first = FirstForm(request.POST, plan=plan, lang=lang)
                if first.is_valid():
                    _post_first(request, first.cleaned_data, m, period, kind, current, step)
                    return redirect(here)
            elif step in {"review", "approve"} and current is not None and second is not None:
                form = second = SecondForm(request.POST, plan=plan)
                if second.is_valid():
                    _post_second(request, second.cleaned_data, current, step)
                    return redirect(here)
            elif step == "return" and current is not None and back is not None:
                form = back = ReturnForm(request.POST)
                if back.is_valid():
                    services.evaluation_return(
                        actor=request.user,
                        evaluation=current,
                        version=back.cleaned_data["version"],
                        reason=back.cleaned_data["reason"],
                    )
                    messages.success(request, _("The evaluation was returned to the department."))
                    return redirect(here)
            else:
                messages.error(request, _("That step is not possible for this evaluation now."))
                return redirect(here)
        except ValidationError as exc:
            if form is not None:
                _errors(form, exc)
    proposal = evaluation_proposal(m, period, as_of=plan_today(plan))
    fb = [plan.default_language, plan.source_language or plan.default_language]
    direction_labels = {
        d["code"]: pick(d["label"], lang, fb).text for d in direction_categories(plan)
    }
    history = AuditEvent.objects.filter(
        object_type="evaluations.evaluation",
        object_id__in=[str(pk) for pk in _chain(current)],
    ).order_by("-at", "-id")
    return render(
        request,
        "staff/evaluations/edit.html",
        {
            "plan": plan,
            "measure": m,
            "kind": kind,
            "year": period.year,
            "period": period,
            "evaluation": current,
            "target_proposals": (
                target_proposals_by_measure(plan).get(m.pk, [])
                if kind == Evaluation.Kind.MIDTERM
                else []
            ),
            "first": first if may_write and not submitted else None,
            "second": second if may_review else None,
            "back": back if may_review else None,
            "proposal": proposal,
            "direction_label": direction_labels.get(current.direction, "") if current else "",
            "languages": [(code, dict(settings.LANGUAGES).get(code, code)) for code in languages],
            "lang": lang,
            "history": history,
            "index_url": reverse("staff:evaluations") + f"?kind={kind}&year={period.year}",
        },
    )


def _post_first(
    request: HttpRequest,
    d: dict[str, Any],
    m: Measure,
    period: Period,
    kind: str,
    current: Evaluation | None,
    step: str,
) -> None:
    e = services.evaluation_save(
        actor=request.user,
        measure=m,
        period=period,
        kind=kind,
        version=d["version"] if current and current.is_open else None,
        first=services.FirstEvaluation(
            grade=d["first_grade"],
            direction=d["direction"],
            achievements={d["lang"]: d["achievements"]},
            issues={d["lang"]: d["issues"]},
            way_forward={d["lang"]: d["way_forward"]},
            direction_text={d["lang"]: d["direction_text"]},
            previous_response={d["lang"]: d["previous_response"]},
        ),
    )
    if step == "submit":
        services.evaluation_submit(actor=request.user, evaluation=e, version=e.version)
        messages.success(request, _("The evaluation was sent for the second evaluation."))
    else:
        messages.success(request, _("The draft was saved."))


def _opinions(current: Evaluation, d: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's committee opinions with the one on the form added (or, same date, merged)."""
    opinions = list(current.opinions or [])
    when = d["opinion_date"]
    if not (d["opinion_text"] or when):
        return opinions
    lang = d["lang"]
    opinion: dict[str, Any] = {
        "date": when,
        "body": {lang: d["opinion_body"]},
        "text": {lang: d["opinion_text"]},
    }
    if opinions and isinstance(when, date) and opinions[-1].get("date") == when.isoformat():
        old = opinions[-1]
        opinion["body"] = {**old.get("body", {}), **opinion["body"]}
        opinion["text"] = {**old.get("text", {}), **opinion["text"]}
        opinions[-1] = opinion
    else:
        opinions.append(opinion)
    return opinions


def _post_second(request: HttpRequest, d: dict[str, Any], current: Evaluation, step: str) -> None:
    e = services.evaluation_review(
        actor=request.user,
        evaluation=current,
        version=d["version"],
        second=services.SecondEvaluation(
            grade=d["second_grade"],
            comments={d["lang"]: d["second_comments"]},
            overall_grade=d["overall_grade"],
            override_reason=d["override_reason"],
            opinions=_opinions(current, d),
        ),
    )
    if step == "approve":
        services.evaluation_approve(actor=request.user, evaluation=e, version=e.version)
        messages.success(request, _("The evaluation was approved."))
    else:
        messages.success(request, _("The second evaluation was saved."))


def _chain(e: Evaluation | None) -> list[int]:
    """The record and the approved records it corrects, newest first."""
    out: list[int] = []
    record: Any = e
    while record is not None and record.pk not in out:
        out.append(record.pk)
        record = record.supersedes
    return out
