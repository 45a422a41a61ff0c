"""Forms of the staff report pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

TEXTAREA = forms.Textarea(attrs={"rows": 6, "cols": 80})


class NarrativeForm(forms.Form):
    lang = forms.ChoiceField(label=_("Language of the text"))
    evaluation = forms.CharField(
        label=_("Evaluation"),
        required=False,
        widget=TEXTAREA,
        help_text=_("How the measure went in this period, in the light of its indicators."),
    )
    issues = forms.CharField(label=_("Issues"), required=False, widget=TEXTAREA)
    outlook = forms.CharField(label=_("Way forward"), required=False, widget=TEXTAREA)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        field = self.fields["lang"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, names.get(code, code)) for code in languages]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("return", _("Return"))]
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning: say what to change."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class DownloadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Report"),
        choices=[("annual", _("Annual progress report")), ("midterm", _("Mid-term review"))],
    )
    as_of = forms.DateField(
        label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}), initial=date.today
    )
    lang = forms.ChoiceField(label=_("Language"))
    fmt = forms.ChoiceField(
        label=_("Format"),
        choices=[("pdf", "PDF"), ("xlsx", "XLSX (Excel)"), ("html", "HTML")],
    )
    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=[
            ("standard", _("Standard")),
            ("evaluation-sheet", _("Evaluation sheets (施策評価シート)")),
        ],
    )
    include_pending = forms.BooleanField(
        label=_("Draft: include values and narratives waiting for review"), required=False
    )

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        field = self.fields["lang"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, names.get(code, code)) for code in languages]
