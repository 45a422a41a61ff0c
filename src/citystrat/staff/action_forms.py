"""Forms of the staff pages on actions.  They parse; the services decide (one door)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from citystrat.actions.models import (
    Action,
    ActionContact,
    ActionPhase,
    ActionReporting,
    ActionTask,
)
from citystrat.actions.statuses import status_choices
from citystrat.plans.models import Department


def fiscal_year_choices(action: Action, this_year: int) -> list[tuple[int, str]]:
    plan = action.plan
    month = plan.fy_start_month
    first = (
        plan.period_start.year if plan.period_start.month >= month else plan.period_start.year - 1
    )
    last = plan.period_end.year if plan.period_end.month >= month else plan.period_end.year - 1
    return [(y, f"FY{y}") for y in range(min(last, this_year), first - 1, -1)]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files in one field (``<input type="file" multiple>``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


EVIDENCE_ACCEPT = ".pdf,.xlsx,.png,.jpg,.jpeg"


class ActionUpdateForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
    half = forms.TypedChoiceField(
        label=_("Reporting period"),
        coerce=int,
        initial=0,
        choices=[(0, _("the whole year")), (1, _("first half")), (2, _("second half"))],
    )
    action_status = forms.ChoiceField(label=_("Status"))
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
    evidence = MultipleFileField(
        label=_("Evidence files (optional: PDF, XLSX, PNG or JPEG)"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, action: Action, this_year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = _("At most %(mb)s MB each.") % {
            "mb": int(settings.EVIDENCE_MAX_BYTES) // (1024 * 1024)
        }
        year = self.fields["fiscal_year"]
        language = self.fields["language"]
        assert isinstance(year, forms.ChoiceField) and isinstance(language, forms.ChoiceField)
        year.choices = fiscal_year_choices(action, this_year)
        status = self.fields["action_status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = status_choices(action.plan)
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


# --- what a coordinator or the lead department manages: schedule, tasks, contacts, money ---


def _schedule_value(text: str, *, end: bool, fy_start_month: int) -> Any:
    """``FY2025`` (its first or, for the end, last day) or an ISO date; "" is no date."""
    from citystrat.actions.planfile import schedule_date

    text = (text or "").strip().upper()
    if not text:
        return None
    try:
        return schedule_date(text, end=end, fy_start_month=fy_start_month)
    except ValueError:
        raise forms.ValidationError(
            _("Write a fiscal year such as FY2025 or a date such as 2025-10-01.")
        ) from None


class ScheduleForm(forms.Form):
    start = forms.CharField(
        label=_("Start (FY2025 or 2025-10-01)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    end = forms.CharField(
        label=_("End (FY2029 or 2030-03-31)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    reporting = forms.ChoiceField(label=_("Updates"), choices=ActionReporting.choices)

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fy_start_month = action.plan.fy_start_month

    def clean_start(self) -> Any:
        return _schedule_value(
            self.cleaned_data["start"], end=False, fy_start_month=self.fy_start_month
        )

    def clean_end(self) -> Any:
        return _schedule_value(
            self.cleaned_data["end"], end=True, fy_start_month=self.fy_start_month
        )

    def in_fiscal_years(self) -> bool:
        given = [str(self.data.get(self.add_prefix(k), "")).strip() for k in ("start", "end")]
        return all(text.upper().startswith("FY") for text in given if text)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task or milestone"), max_length=500)
    language = forms.ChoiceField(label=_("Language of the title"))
    milestone = forms.BooleanField(label=_("This is a milestone"), required=False)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    state = forms.ChoiceField(label=_("State"), choices=ActionTask.State.choices)
    done_date = forms.DateField(
        label=_("Done on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = [(code, code) for code in action.plan.languages]


class StaffChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        profile = getattr(obj, "profile", None)
        department = getattr(profile, "department", None)
        name = obj.get_full_name() or obj.get_username()
        if department is not None:
            return f"{name} ({obj.get_username()}, {_department_label(department)})"
        return f"{name} ({obj.get_username()})"


def _staff_users() -> Any:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, profile__isnull=False)
        .select_related("profile__department")
        .order_by("username")
    )


class ContactForm(forms.Form):
    user = StaffChoice(label=_("Person"), queryset=_staff_users(), empty_label="—")
    role = forms.ChoiceField(label=_("Role"), choices=ActionContact.Role.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.fields["user"]
        assert isinstance(user, forms.ModelChoiceField)
        user.queryset = _staff_users()


class BudgetForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
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

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["fiscal_year"]
        assert isinstance(year, forms.ChoiceField)
        plan = action.plan
        year.choices = fiscal_year_choices(action, plan.period_end.year + 1)
