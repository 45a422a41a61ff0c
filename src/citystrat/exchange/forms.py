"""The upload form of the staff import page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8 or Shift_JIS) or XLSX, long layout (indicator, period, value, source) "
            "or wide layout (one column per year or fiscal year)."
        ),
    )
    approve = forms.BooleanField(
        label=_("Approve the imported values at once (coordinators only)"), required=False
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // 1024 // 1024}
            )
        return upload
