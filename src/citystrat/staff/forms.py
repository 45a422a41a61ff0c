"""Forms of the staff pages.  They parse; the services decide (one door)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citystrat.observations import rules
from citystrat.periods import PeriodError, PeriodKind, parse_period
from citystrat.plans.models import Indicator
from citystrat.review.errors import ReviewError


def parse_number(text: str) -> str:
    """Check a number as people type it (the one parser, :mod:`citystrat.observations.rules`).

    Returns the text as typed, so the service reads its ``%`` sign too.
    """
    try:
        rules.parse_number(text)
    except ReviewError as exc:
        raise forms.ValidationError(exc.message) from None
    return text


def period_choices(indicator: Indicator, today: date) -> list[tuple[str, str]]:
    """Periods offered by the picker, newest first: from the baseline year to this year."""
    kind = PeriodKind(indicator.period_kind)
    start_year = (indicator.baseline_start or indicator.plan.period_start).year
    labels = []
    for year in range(today.year, start_year - 1, -1):
        label = f"FY{year}" if kind is PeriodKind.FISCAL_YEAR else str(year)
        period = parse_period(label, kind, fy_start_month=indicator.plan.fy_start_month)
        if period.start <= today:
            labels.append((label, label))
    return labels


class ObservationForm(forms.Form):
    period = forms.CharField(label=_("Period"))
    value = forms.CharField(
        label=_("Value"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=500,
        help_text=_("Where the value comes from, e.g. the survey or the register and its date."),
    )
    source_url = forms.CharField(label=_("Source web address (optional)"), required=False)
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    provisional = forms.BooleanField(
        label=_("Provisional: the figure may still change"), required=False
    )
    explanation = forms.CharField(
        label=_("Explanation (needed if a cumulative count goes down)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    caveats = forms.MultipleChoiceField(
        label=_("Caveats"),
        required=False,
        choices=[
            ("rounded", _("rounded figure")),
            ("definition_differs", _("definition differs from the baseline's")),
            ("break_in_series", _("break in series")),
            ("estimated", _("estimated")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    caveat_note = forms.CharField(
        label=_("What the caveats mean for this value (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    sample_size = forms.IntegerField(
        label=_("Respondents (n, optional)"), required=False, min_value=1
    )
    design_effect = forms.DecimalField(
        label=_("Design effect (optional; 1 for a simple random sample)"),
        required=False,
        max_digits=8,
        decimal_places=4,
    )
    margin_of_error = forms.DecimalField(
        label=_("Published margin of error, 95 %, in points (optional)"),
        required=False,
        max_digits=12,
        decimal_places=6,
    )
    evidence = forms.FileField(
        label=_("Evidence file (optional: PDF, XLSX, PNG or JPEG)"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    observation = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        kind = PeriodKind(indicator.period_kind)
        if kind in (PeriodKind.FISCAL_YEAR, PeriodKind.CALENDAR_YEAR):
            self.fields["period"] = forms.ChoiceField(
                label=_("Period"), choices=period_choices(indicator, timezone.localdate())
            )
        elif kind is PeriodKind.SURVEY_ROUND:
            self.fields["period"].help_text = _(
                "The survey round: a year (2025) or a month (2025-08)."
            )
        else:
            self.fields["period"].widget = forms.DateInput(attrs={"type": "date"})
            self.fields["period"].help_text = _("The day the value refers to.")
        self.fields["evidence"].widget.attrs["accept"] = ".pdf,.xlsx,.png,.jpg,.jpeg"
        self.fields["evidence"].help_text = _("At most %(mb)s MB.") % {
            "mb": int(settings.EVIDENCE_MAX_BYTES) // (1024 * 1024)
        }

    def clean_period(self) -> Any:
        label = self.cleaned_data["period"]
        try:
            return self.indicator.parse_period(label)
        except PeriodError:
            raise forms.ValidationError(
                _("%(label)s is not a period of this indicator.") % {"label": label}
            ) from None

    def clean_value(self) -> str:
        return parse_number(self.cleaned_data["value"])


class EvidenceForm(forms.Form):
    evidence = forms.FileField(label=_("Evidence file (PDF, XLSX, PNG or JPEG)"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ScheduleForm(forms.Form):
    due_months_after = forms.IntegerField(
        label=_("Due by the end of this month after the period ends"), min_value=0, max_value=24
    )
    lead_days = forms.IntegerField(
        label=_("First reminder, days before the due date"), min_value=0, max_value=365
    )
    repeat_days = forms.IntegerField(
        label=_("While overdue, remind every so many days"), min_value=1, max_value=365
    )
    escalate_after_days = forms.IntegerField(
        label=_("Tell the coordinators so many days after the due date"),
        min_value=0,
        max_value=365,
    )
    active = forms.BooleanField(label=_("Send reminders for this indicator"), required=False)
