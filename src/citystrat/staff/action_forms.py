"""Forms of the staff pages on actions.  They parse; the services decide (one door)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from citystrat.actions.models import Action, ActionPhase, ActionStatus
from citystrat.plans.models import Department


def fiscal_year_choices(action: Action, this_year: int) -> list[tuple[int, str]]:
    plan = action.plan
    month = plan.fy_start_month
    first = (
        plan.period_start.year if plan.period_start.month >= month else plan.period_start.year - 1
    )
    last = plan.period_end.year if plan.period_end.month >= month else plan.period_end.year - 1
    return [(y, f"FY{y}") for y in range(min(last, this_year), first - 1, -1)]


class ActionUpdateForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
    half = forms.TypedChoiceField(
        label=_("Reporting period"),
        coerce=int,
        initial=0,
        choices=[(0, _("the whole year")), (1, _("first half")), (2, _("second half"))],
    )
    action_status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    phase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=[("", "—"), *ActionPhase.choices]
    )
    language = forms.ChoiceField(label=_("Language of the texts"))
    achievements = forms.CharField(
        label=_("What was done (取組実績)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    issues = forms.CharField(
        label=_("Issues (課題)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_steps = forms.CharField(
        label=_("Next steps (今後の方向性)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    budget = forms.CharField(
        label=_("Budget (当初予算), yen"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    revised_budget = forms.CharField(
        label=_("Revised budget, yen"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    actual = forms.CharField(
        label=_("Actual spending (決算額), yen"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, action: Action, this_year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["fiscal_year"]
        language = self.fields["language"]
        assert isinstance(year, forms.ChoiceField) and isinstance(language, forms.ChoiceField)
        year.choices = fiscal_year_choices(action, this_year)
        language.choices = [(code, code) for code in action.plan.languages]


def _department_label(department: Department) -> str:
    from django.utils.translation import get_language

    from citystrat.i18n import pick

    name = pick(department.name, get_language() or "ja", ["ja", "en"]).text
    return f"{name} ({department.code})"


class DepartmentChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _department_label(obj)


class DepartmentsChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _department_label(obj)


class AssignForm(forms.Form):
    lead = DepartmentChoice(
        label=_("Lead department (主管課)"),
        queryset=Department.objects.order_by("code"),
        required=False,
        empty_label="—",
    )
    cooperating = DepartmentsChoice(
        label=_("Cooperating departments (関係課)"),
        queryset=Department.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
