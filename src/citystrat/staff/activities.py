"""Staff pages of the activity ledger: the records, the import (check, then import) and exports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from citystrat.accounts.permissions import Action, can, require
from citystrat.activities.exports import EXPORT_FORMATS, ledger_export
from citystrat.activities.ledgerfile import COLUMNS
from citystrat.activities.models import ActivityRecord
from citystrat.activities.selectors import ledger_compute, record_list
from citystrat.activities.services import (
    activity_import,
    activity_record_approve,
    activity_record_return,
)
from citystrat.plans.selectors import plan_get
from citystrat.review.errors import ReviewError

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
PAGE_SIZE = 200
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class LedgerImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8 or Shift_JIS) or XLSX with the columns %(columns)s.")
        % {"columns": ", ".join(COLUMNS)},
    )
    approve = forms.BooleanField(
        label=gettext_lazy("Approve the imported records at once (coordinators only)"),
        required=False,
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // 1024 // 1024}
            )
        return upload


def _signed_in(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("staff:login"))
    return None


def ledger_page(request: HttpRequest) -> HttpResponse:
    """The records (those in review too) and the values the ledger gives."""
    if (redirect := _signed_in(request)) is not None:
        return redirect
    require(request.user, Action.VIEW_PENDING)
    plan = plan_get()
    status = request.GET.get("status") or None
    records = record_list(user=request.user, plan=plan, status=status)
    return render(
        request,
        "staff/activities.html",
        {
            "plan": plan,
            "records": list(records[:PAGE_SIZE]),
            "count": records.count(),
            "page_size": PAGE_SIZE,
            "status": status,
            "computed": ledger_compute(plan),
            "pending": ledger_compute(plan, include_pending=True),
            "may_import": can(request.user, Action.IMPORT),
            "may_decide": can(request.user, Action.APPROVE),
            "formats": EXPORT_FORMATS,
        },
    )


def ledger_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if (redirect := _signed_in(request)) is not None:
        return redirect
    require(request.user, Action.VIEW_PENDING)
    if fmt not in EXPORT_FORMATS:
        raise Http404(fmt)
    plan = plan_get()
    response = HttpResponse(
        ledger_export(user=request.user, plan=plan, fmt=fmt), content_type=CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="activities.{fmt}"'
    return response


def ledger_import_page(request: HttpRequest) -> HttpResponse:
    """Check a ledger file (nothing written), then import it: the same checks as the CLI."""
    if (redirect := _signed_in(request)) is not None:
        return redirect
    require(request.user, Action.IMPORT)
    may_approve = can(request.user, Action.IMPORT_APPROVE)
    result = None
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        dry_run = request.POST.get("action") != "import"
        approve = form.cleaned_data["approve"]
        if approve and not may_approve:
            raise PermissionDenied(_("Only a coordinator may import and approve."))
        upload = form.cleaned_data["file"]
        try:
            result = activity_import(
                actor=request.user,
                plan=plan_get(),
                source=upload,
                filename=upload.name,
                approve=approve,
                dry_run=dry_run,
                channel="web",
            )
        except ReviewError as exc:  # four eyes: the plan allows no import-and-approve
            raise PermissionDenied(exc.message) from None
    status = 422 if result is not None and not result.ok else 200
    return render(
        request,
        "staff/activities_import.html",
        {"form": form, "result": result, "may_approve": may_approve, "columns": COLUMNS},
        status=status,
    )


@require_POST
def record_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or return one submitted record (reviewers, coordinators)."""
    if (redirect_ := _signed_in(request)) is not None:
        return redirect_
    record = get_object_or_404(ActivityRecord, pk=pk, plan=plan_get())
    version = request.POST.get("version", "")
    expected = int(version) if version.isdigit() else None
    try:
        if request.POST.get("action") == "return":
            activity_record_return(
                actor=request.user,
                record=record,
                reason=request.POST.get("reason", ""),
                expected_version=expected,
            )
            messages.success(request, _("The record was returned to its department."))
        else:
            activity_record_approve(actor=request.user, record=record, expected_version=expected)
            messages.success(request, _("The record was approved."))
    except ReviewError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("staff:activities") + "?status=submitted")
