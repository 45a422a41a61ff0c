"""The staff page of a target revision proposed at the mid-term review.

The indicator's department proposes a revised value with its reason (in any
plan language) and sends it for review; a coordinator who did not write it
approves it (the target is revised, the plan's value kept) or returns it.
Thin: parse, call :mod:`citystrat.evaluations.services`, render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from citystrat.accounts.decorators import staff_required
from citystrat.accounts.permissions import Action, can
from citystrat.audit.models import AuditEvent
from citystrat.evaluations import services
from citystrat.evaluations.models import TargetProposal
from citystrat.evaluations.selectors import midterm_period
from citystrat.observations import rules
from citystrat.plans.models import Plan, Target
from citystrat.review.errors import ReviewError

from .evaluations import _errors


class ProposalForm(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    value = forms.CharField(
        label=gettext_lazy("Revised target value"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    effective_from = forms.DateField(
        label=gettext_lazy("Effective from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leave empty for the first day of the mid-term review year."),
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        for code in plan.languages:
            self.fields[f"reason_{code}"] = forms.CharField(
                label=_("Reason for the revision (%(language)s)")
                % {"language": names.get(code, code)},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "lang": code}),
            )
        self.languages = list(plan.languages)
        # The service locates a missing reason as one field: shown on the first language's.
        self.service_fields = {"reason": f"reason_{self.languages[0]}"} if self.languages else {}

    def clean_value(self) -> Any:
        try:
            return rules.parse_number(self.cleaned_data["value"])[0]
        except ReviewError as exc:
            raise forms.ValidationError(exc.message) from None

    def reasons(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"reason_{code}") or "" for code in self.languages}


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason (needed to return it)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _initial(p: TargetProposal | None) -> dict[str, Any]:
    if p is None:
        return {}
    initial: dict[str, Any] = {
        "version": p.version,
        "value": str(p.value.normalize()),
        "effective_from": p.effective_from,
    }
    for code, text in (p.reason or {}).items():
        initial[f"reason_{code}"] = text
    return initial


@staff_required
@require_http_methods(["GET", "POST"])
def target_proposal_page(request: HttpRequest, pk: int) -> HttpResponseBase:
    target = get_object_or_404(Target.objects.select_related("indicator__plan"), pk=pk)
    indicator = target.indicator
    plan = indicator.plan
    milestone = midterm_period(plan)
    if milestone is None:
        raise Http404(_("The plan has no mid-term review."))
    may_write = can(request.user, Action.WRITE_EVALUATION, indicator)
    may_decide = can(request.user, Action.REVISE_TARGET, indicator)
    if not (may_write or may_decide):
        raise PermissionDenied(_("You may not propose or decide revisions of this target."))
    proposals = list(
        TargetProposal.objects.filter(target=target)
        .select_related("created_by", "submitted_by", "decided_by", "revision")
        .order_by("-id")
    )
    current = next((p for p in proposals if p.is_open), None)
    form = ProposalForm(initial=_initial(current), plan=plan)
    decision = DecisionForm(initial={"version": current.version}) if current else None
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        used: forms.Form | None = None
        try:
            if step in {"save", "submit"}:
                if not may_write:
                    raise PermissionDenied(_("You may not propose revisions of this target."))
                used = form = ProposalForm(request.POST, plan=plan)
                if form.is_valid():
                    d = form.cleaned_data
                    p = services.target_proposal_save(
                        actor=request.user,
                        target=target,
                        value=d["value"],
                        reason=form.reasons(),
                        effective_from=d["effective_from"],
                        expected_version=d["version"] if current else None,
                    )
                    if step == "submit":
                        services.target_proposal_submit(actor=request.user, proposal=p)
                        messages.success(request, _("The proposal was sent for review."))
                    else:
                        messages.success(request, _("Saved as a draft; not yet submitted."))
                    return redirect(request.path)
            elif step in {"approve", "return", "withdraw"} and current is not None:
                used = decision = DecisionForm(request.POST)
                if decision.is_valid():
                    d = decision.cleaned_data
                    calls: dict[str, Callable[..., TargetProposal]] = {
                        "approve": services.target_proposal_approve,
                        "return": services.target_proposal_return,
                        "withdraw": services.target_proposal_withdraw,
                    }
                    call = calls[step]
                    call(
                        actor=request.user,
                        proposal=current,
                        reason=d["reason"] or "",
                        expected_version=d["version"],
                    )
                    messages.success(
                        request,
                        {
                            "approve": _(
                                "Approved: the target is revised and the plan's value kept."
                            ),
                            "return": _("The proposal was returned to the department."),
                            "withdraw": _("The proposal was withdrawn."),
                        }[step],
                    )
                    return redirect(request.path)
            else:
                messages.error(request, _("That step is not possible for this proposal now."))
                return redirect(request.path)
        except ValidationError as exc:
            if used is not None:
                _errors(used, exc)
        status = 400
    history = AuditEvent.objects.filter(
        object_type=TargetProposal.audit_type, object_id__in=[str(p.pk) for p in proposals]
    ).order_by("-at", "-id")
    return render(
        request,
        "staff/target_proposal.html",
        {
            "plan": plan,
            "indicator": indicator,
            "target": target,
            "milestone": milestone,
            "current": current,
            "proposals": proposals,
            "revisions": target.revisions.all(),
            "form": form if may_write and (current is None or current.is_editable) else None,
            "decision": decision,
            "may_write": may_write,
            "may_decide": may_decide,
            "history": history,
        },
        status=status,
    )


__all__ = ["target_proposal_page"]
