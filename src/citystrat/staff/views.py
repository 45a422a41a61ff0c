"""Staff pages: thin views that parse, call a service or selector, and render.

Every change goes through :mod:`citystrat.observations.services`; the pages
work without JavaScript (plain forms, POST-redirect-GET).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from citystrat.accounts.decorators import staff_required
from citystrat.accounts.permissions import Action, can, require, role_of
from citystrat.actions import selectors as action_selectors
from citystrat.evaluations.selectors import midterm_period
from citystrat.observations import selectors
from citystrat.observations.calendar import current_round, schedule_for
from citystrat.observations.evidence import evidence_response
from citystrat.observations.models import EvidenceFile, Observation
from citystrat.observations.rules import parse_id
from citystrat.observations.services import (
    Upload,
    evidence_attach,
    observation_approve,
    observation_enter,
    observation_return,
    observation_submit,
    observation_withdraw,
    reporting_schedule_set,
)
from citystrat.plans.models import Indicator, Target
from citystrat.review.errors import ConflictError, ReviewError

from .forms import (
    DecisionForm,
    EvidenceForm,
    ObservationForm,
    ScheduleForm,
)

View = Callable[..., HttpResponseBase]


class StaffLoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("staff:home")


class StaffLogoutView(auth_views.LogoutView):
    def get_success_url(self) -> str:
        return reverse("staff:login")


def _indicator(pk: int) -> Indicator:
    return get_object_or_404(
        Indicator.objects.select_related("plan", "department", "measure", "policy"), pk=pk
    )


def _add_service_error(form: forms.Form, error: ReviewError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- My indicators ----------------------------------------------------------------------


@staff_required
def my_indicators(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    indicators = selectors.indicators_for(request.user)
    rows = []
    for indicator in indicators:
        observations = list(indicator.observations.all())
        rows.append(
            {
                "indicator": indicator,
                "round": current_round(indicator, today, observations),
                "open": [o for o in observations if o.status in Observation.OPEN_STATUSES],
            }
        )
    return render(
        request,
        "staff/my_indicators.html",
        {
            "rows": rows,
            "today": today,
            "owner_view": role_of(request.user) == "editor",
            "queue_size": selectors.review_queue(request.user).count(),
        },
    )


# --- entry form -----------------------------------------------------------------------


def _initial(obs: Observation, lang: str) -> dict[str, Any]:
    return {
        "period": obs.period_label,
        "value": f"{obs.value.normalize():f}",
        "source": obs.source_text(lang).text,
        "source_url": obs.source_url,
        "note": obs.note_text(lang).text,
        "provisional": obs.provisional,
        "explanation": obs.explanation,
        "caveats": list(obs.caveats or []),
        "caveat_note": obs.caveat_note_text(lang).text if obs.caveat_note else "",
        "sample_size": obs.sample_size,
        "design_effect": obs.design_effect,
        "margin_of_error": obs.margin_of_error,
        "version": obs.version,
        "observation": obs.pk,
    }


@staff_required
@require_http_methods(["GET", "POST"])
def indicator_entry(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _indicator(pk)
    may_enter = can(request.user, Action.ENTER, indicator)
    if not (may_enter or selectors.may_see_pending(request.user, indicator)):
        raise PermissionDenied
    lang = getattr(getattr(request.user, "profile", None), "language", "ja")
    editing: Observation | None = None
    edit_id = request.POST.get("observation") or request.GET.get("observation")
    edit_pk = parse_id(edit_id) if edit_id else None
    if edit_pk is not None:
        editing = selectors.observation_open_get(indicator, edit_pk)
    status = 200
    if request.method == "POST":
        require(request.user, Action.ENTER, indicator)
        form = ObservationForm(request.POST, request.FILES, indicator=indicator)
        if form.is_valid():
            data = form.cleaned_data
            if editing is not None and data.get("version") is None:
                form.add_error(None, _("The form is incomplete; reload the page."))
            else:
                try:
                    upload = data.get("evidence")
                    obs = observation_enter(
                        actor=request.user,
                        indicator=indicator,
                        period=data["period"],
                        value=data["value"],
                        source=data["source"],
                        source_url=data["source_url"],
                        note=data["note"],
                        provisional=data["provisional"],
                        explanation=data["explanation"],
                        observation=editing,
                        expected_version=data.get("version") if editing else None,
                        evidence=Upload(upload.name, upload, upload.size) if upload else None,
                        submit=request.POST.get("action") == "submit",
                        caveats=data.get("caveats") or [],
                        caveat_note=data.get("caveat_note") or "",
                        sample_size=data.get("sample_size"),
                        design_effect=data.get("design_effect"),
                        margin_of_error=data.get("margin_of_error"),
                    )
                except ConflictError as exc:
                    form.add_error(None, exc.message)
                except ReviewError as exc:
                    _add_service_error(form, exc)
                else:
                    if obs.status == Observation.Status.SUBMITTED:
                        messages.success(request, _("Submitted for review."))
                    else:
                        messages.success(request, _("Saved as a draft; not yet submitted."))
                    return redirect("staff:observation", pk=obs.pk)
        status = 400
    else:
        initial = _initial(editing, lang) if editing is not None else {}
        if editing is None and "period" in request.GET:
            initial["period"] = request.GET["period"]
        form = ObservationForm(initial=initial, indicator=indicator)
    targets = list(indicator.targets.prefetch_related("revisions"))
    return render(
        request,
        "staff/indicator.html",
        {
            "plan": indicator.plan,
            "indicator": indicator,
            "form": form if may_enter else None,
            "editing": editing,
            "observations": selectors.observation_list_for(request.user, indicator),
            "round": current_round(indicator, timezone.localdate()),
            "targets": targets,
            "may_propose": midterm_period(indicator.plan) is not None
            and (
                can(request.user, Action.WRITE_EVALUATION, indicator)
                or can(request.user, Action.REVISE_TARGET, indicator)
            ),
            "may_schedule": can(request.user, Action.EDIT_PLAN, indicator),
            "may_submit": can(request.user, Action.SUBMIT, indicator),
        },
        status=status,
    )


# --- one value: details, evidence, submit, decide ---------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def observation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obs = selectors.observation_get_for(request.user, pk)
    if obs is None:
        raise Http404
    indicator = obs.indicator
    evidence_form = EvidenceForm(initial={"version": obs.version})
    decision_form = DecisionForm(initial={"version": obs.version})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        here = reverse("staff:observation", kwargs={"pk": obs.pk})
        try:
            if action == "evidence":
                require(request.user, Action.ENTER, indicator)
                evidence_form = EvidenceForm(request.POST, request.FILES)
                if evidence_form.is_valid():
                    upload = evidence_form.cleaned_data["evidence"]
                    if evidence_form.cleaned_data["version"] != obs.version:
                        raise ConflictError()
                    evidence_attach(
                        actor=request.user,
                        observation=obs,
                        name=upload.name,
                        stream=upload,
                        size=upload.size,
                    )
                    messages.success(request, _("The file is attached."))
                    return redirect(here)
            elif action == "withdraw":
                decision_form = DecisionForm(request.POST)
                if decision_form.is_valid():
                    observation_withdraw(
                        actor=request.user,
                        observation=obs,
                        reason=decision_form.cleaned_data["reason"],
                        expected_version=decision_form.cleaned_data["version"],
                    )
                    messages.success(request, _("The value is withdrawn; it stays in the history."))
                    return redirect("staff:indicator", pk=indicator.pk)
            elif action in ("submit", "approve", "return"):
                decision_form = DecisionForm(request.POST)
                if decision_form.is_valid():
                    version = decision_form.cleaned_data["version"]
                    reason = decision_form.cleaned_data["reason"]
                    if action == "submit":
                        observation_submit(
                            actor=request.user, observation=obs, expected_version=version
                        )
                        messages.success(request, _("Submitted for review."))
                    elif action == "approve":
                        observation_approve(
                            actor=request.user,
                            observation=obs,
                            expected_version=version,
                            reason=reason,
                        )
                        messages.success(request, _("Approved: the value is now public."))
                    else:
                        observation_return(
                            actor=request.user,
                            observation=obs,
                            reason=reason,
                            expected_version=version,
                        )
                        messages.success(request, _("Returned to the department with your reason."))
                    return redirect(_safe_next(request, here))
            else:
                raise Http404
        except ConflictError as exc:
            messages.error(request, exc.message)
            return redirect(here)
        except ReviewError as exc:
            target = evidence_form if action == "evidence" else decision_form
            _add_service_error(target, exc)
        status = 400
        obs = selectors.observation_get_for(request.user, pk) or obs
    user = request.user
    editable = obs.status in (Observation.Status.DRAFT, Observation.Status.RETURNED)
    return render(
        request,
        "staff/observation.html",
        {
            "plan": indicator.plan,
            "indicator": indicator,
            "obs": obs,
            "evidence": selectors.evidence_list(obs),
            "evidence_form": evidence_form,
            "decision_form": decision_form,
            "may_edit": editable and can(user, Action.ENTER, indicator),
            "may_submit": editable and can(user, Action.SUBMIT, indicator),
            "may_decide": obs.status == Observation.Status.SUBMITTED
            and can(user, Action.APPROVE, indicator),
        },
        status=status,
    )


# --- review queue ---------------------------------------------------------------------


@staff_required
def review(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.APPROVE)
    queue = list(selectors.review_queue(request.user))
    previous = selectors.approved_for_periods(queue)
    return render(
        request,
        "staff/review.html",
        {
            "items": [{"obs": o, "previous": previous.get(o.pk)} for o in queue],
            "action_updates": action_selectors.update_review_queue(request.user),
        },
    )


# --- history ----------------------------------------------------------------------------


@staff_required
def indicator_history_page(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _indicator(pk)
    if not selectors.may_see_pending(request.user, indicator):
        raise PermissionDenied
    return render(
        request,
        "staff/history.html",
        {
            "plan": indicator.plan,
            "indicator": indicator,
            "entries": selectors.indicator_history(indicator),
            "targets": list(indicator.targets.prefetch_related("revisions__created_by")),
        },
    )


# --- target revision --------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def target_revise_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The retired direct revision: a target is revised only by an approved proposal.

    Old links lead to the proposal page; nothing posted here is written.
    """
    target = get_object_or_404(Target, pk=pk)
    return redirect("staff:target_proposal", pk=target.pk)


# --- reporting calendar ---------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def schedule_page(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _indicator(pk)
    require(request.user, Action.EDIT_PLAN, indicator)
    current = schedule_for(indicator)
    status = 200
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        if form.is_valid():
            try:
                reporting_schedule_set(actor=request.user, indicator=indicator, **form.cleaned_data)
            except ReviewError as exc:
                _add_service_error(form, exc)
            else:
                messages.success(request, _("The reporting calendar is saved."))
                return redirect("staff:indicator", pk=indicator.pk)
        status = 400
    else:
        form = ScheduleForm(
            initial={
                name: getattr(current, name)
                for name in ("due_months_after", "lead_days", "repeat_days", "escalate_after_days")
            }
            | {"active": current.active}
        )
    return render(
        request,
        "staff/schedule.html",
        {
            "plan": indicator.plan,
            "indicator": indicator,
            "form": form,
            "round": current_round(indicator, timezone.localdate()),
        },
        status=status,
    )


# --- evidence files ---------------------------------------------------------------------


@staff_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(
        EvidenceFile.objects.select_related("observation__indicator"), pk=pk
    )
    if not selectors.may_see_pending(request.user, evidence.observation.indicator):
        raise PermissionDenied
    return evidence_response(evidence, private=True)


# --- translations and the person's own language ------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def translations_page(request: HttpRequest) -> HttpResponse:
    """The plan's texts, source and translation side by side; mark translations reviewed."""
    from django.conf import settings

    from citystrat.plans.selectors import plan_get, plan_with_tree
    from citystrat.plans.services import PlanEditError, text_review_mark
    from citystrat.plans.translations import (
        MISSING,
        UNREVIEWED,
        plan_texts,
        source_language,
        source_text,
        text_states,
    )

    plan = plan_with_tree(plan_get().pk)
    names = dict(settings.LANGUAGES)
    src = source_language(plan)
    targets = [code for code in names if code != src]
    lang = request.GET.get("lang") or request.POST.get("lang") or targets[0]
    if lang not in targets:
        raise Http404(lang)
    show = request.GET.get("show", "unreviewed")
    if request.method == "POST":
        require(request.user, Action.EDIT_PLAN)
        try:
            text_review_mark(actor=request.user, plan=plan, path=request.POST["path"], lang=lang)
        except (PlanEditError, KeyError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Marked as reviewed."))
        return redirect(f"{reverse('staff:translations')}?lang={lang}&show={show}")
    entries = plan_texts(plan)
    states = text_states(plan, entries, [lang])
    rows = []
    counts = {"all": 0, "missing": 0, "unreviewed": 0}
    for e in entries:
        state = states[(e.path, lang)]
        counts["all"] += 1
        if state.state == MISSING:
            counts["missing"] += 1
        if state.state == UNREVIEWED:
            counts["unreviewed"] += 1
        if show == "missing" and state.state != MISSING:
            continue
        if show == "unreviewed" and state.state != UNREVIEWED:
            continue
        rows.append(
            {
                "path": e.path,
                "source": source_text(plan, e.value),
                "target": e.value.get(lang, ""),
                "state": state,
            }
        )
    return render(
        request,
        "staff/translations.html",
        {
            "plan": plan,
            "lang": lang,
            "lang_name": names[lang],
            "source_lang": src,
            "source_name": names.get(src, src),
            "languages": [(code, names[code]) for code in targets],
            "show": show,
            "rows": rows,
            "counts": counts,
            "may_review": can(request.user, Action.EDIT_PLAN),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def profile_page(request: HttpRequest) -> HttpResponse:
    """A person chooses the language of their staff pages and of the e-mails they get."""
    from django.conf import settings
    from django.utils import translation

    from citystrat.accounts.services import UserInputError, profile_language_set

    profile = getattr(request.user, "profile", None)
    current = profile.language if profile else settings.LANGUAGE_CODE
    if request.method == "POST":
        language = request.POST.get("language", "")
        try:
            profile_language_set(actor=request.user, language=language)
        except UserInputError as exc:
            messages.error(request, str(exc))
        else:
            with translation.override(language):
                messages.success(request, _("Your language is saved."))
                url = reverse("staff:profile")
            return redirect(url)
    return render(
        request,
        "staff/profile.html",
        {"languages": settings.LANGUAGES, "current": current},
    )
