"""Staff pages of the activity ledger: the records, the import (check, then import) and exports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from citystrat.accounts.permissions import Action, can, require
from citystrat.activities.exports import EXPORT_FORMATS, ledger_export
from citystrat.activities.ledgerfile import COLUMNS
from citystrat.activities.models import ActivityRecord
from citystrat.activities.selectors import (
    activity_evidence_get,
    ledger_compute,
    record_evidence,
    record_get,
    record_list,
    record_versions,
)
from citystrat.activities.services import (
    EVIDENCE_STATES,
    activity_evidence_attach,
    activity_import,
    activity_record_approve,
    activity_record_correct,
    activity_record_return,
)
from citystrat.observations.services import evidence_path
from citystrat.plans.selectors import plan_get
from citystrat.review.errors import ReviewError
from citystrat.review.states import State
from citystrat.tabular.cells import CellError, parse_date

from .forms import EvidenceForm

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
            "computed": ledger_compute(plan, detail=False),
            "pending": ledger_compute(plan, include_pending=True, detail=False),
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


# --- one record: its page, and a correction ----------------------------------------------

# Which records may be corrected: an approved one gets a new version, a draft or
# returned one is changed in place; a submitted one waits for its review.
CORRECTABLE_STATES = (State.APPROVED, State.DRAFT, State.RETURNED)


class DayField(forms.CharField):
    """A day as the ledger file writes it (ISO or Japanese era), read by the same rule."""

    def clean(self, value: object) -> object:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_date(text)
        except CellError as exc:
            raise forms.ValidationError(exc.reason) from None


class RecordCorrectForm(forms.Form):
    start_date = DayField(label=gettext_lazy("First day"), max_length=40)
    end_date = DayField(
        label=gettext_lazy("Last day"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Empty for a one-day record."),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    participants = forms.CharField(
        label=gettext_lazy("Number of participants"), max_length=20, required=False
    )
    partner_city = forms.ChoiceField(label=gettext_lazy("Partner city"), required=False)
    counterpart = forms.CharField(
        label=gettext_lazy("Counterpart organisation"), max_length=300, required=False
    )
    venue = forms.CharField(label=gettext_lazy("Venue"), max_length=300, required=False)
    online = forms.BooleanField(label=gettext_lazy("Online"), required=False)
    company_ids = forms.CharField(
        label=gettext_lazy("Companies (法人番号, separated by ;)"),
        max_length=20000,
        required=False,
    )
    replace_keys = forms.BooleanField(
        label=gettext_lazy("Replace the participant keys"), required=False
    )
    participant_keys = forms.CharField(
        label=gettext_lazy("Participant keys (separated by ;)"),
        required=False,
        max_length=200000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "The stored keys are hashes and cannot be shown. Tick the box above and give every "
            "key of the record to replace them; leave it unticked to keep them."
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the correction"), max_length=500, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, partners: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["partner_city"].choices = [("", "–"), *partners]  # type: ignore[attr-defined]


def _initial(record: ActivityRecord) -> dict[str, object]:
    return {
        "start_date": record.start_date.isoformat(),
        "end_date": "" if record.end_date == record.start_date else record.end_date.isoformat(),
        "title": record.title,
        "participants": "" if record.participants is None else str(record.participants),
        "partner_city": record.partner_city.code if record.partner_city else "",
        "counterpart": record.counterpart,
        "venue": record.venue,
        "online": record.online,
        "company_ids": ";".join(record.company_list),
        "note": record.note,
        "version": record.version,
    }


def _may_correct(user: object, record: ActivityRecord) -> bool:
    return record.status in CORRECTABLE_STATES and can(user, Action.ENTER, record.department)


def record_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One record: what it says, its versions, its evidence files and (for its
    department) a correction and a new file."""
    if (redirect_ := _signed_in(request)) is not None:
        return redirect_
    require(request.user, Action.VIEW_PENDING)
    record = record_get(user=request.user, plan=plan_get(), pk=pk)
    if record is None:
        raise Http404
    may_attach = record.status in EVIDENCE_STATES and can(
        request.user, Action.ENTER, record.department
    )
    evidence_form = EvidenceForm(initial={"version": record.version})
    status = 200
    if request.method == "POST":
        require(request.user, Action.ENTER, record.department)
        evidence_form = EvidenceForm(request.POST, request.FILES)
        if evidence_form.is_valid():
            upload = evidence_form.cleaned_data["evidence"]
            try:
                activity_evidence_attach(
                    actor=request.user,
                    record=record,
                    name=upload.name,
                    stream=upload,
                    size=upload.size,
                    channel="web",
                )
            except ReviewError as exc:
                evidence_form.add_error("evidence", exc.message)
            else:
                messages.success(request, _("The file was added."))
                return redirect("staff:activity", pk=record.pk)
        status = 422
    return render(
        request,
        "staff/activity.html",
        {
            "record": record,
            "versions": list(record_versions(record)),
            "evidence": list(record_evidence(record)),
            "evidence_form": evidence_form,
            "may_attach": may_attach,
            "may_correct": _may_correct(request.user, record),
        },
        status=status,
    )


def record_evidence_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """An evidence file of a record: staff only (the public never sees one)."""
    if (redirect_ := _signed_in(request)) is not None:
        return redirect_
    require(request.user, Action.VIEW_PENDING)
    evidence = activity_evidence_get(user=request.user, pk=pk)
    if evidence is None:
        raise Http404
    path = evidence_path(evidence)
    if not path.exists():
        raise Http404
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 (FileResponse closes it)
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def record_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct one record; the correction goes back through review (see the service)."""
    if (redirect_ := _signed_in(request)) is not None:
        return redirect_
    plan = plan_get()
    record = record_get(user=request.user, plan=plan, pk=pk)
    if record is None:
        raise Http404
    require(request.user, Action.ENTER, record.department)
    partners = [(p.code, p.code) for p in plan.partner_cities.order_by("code")]
    form = RecordCorrectForm(request.POST or None, initial=_initial(record), partners=partners)
    status = 200
    if record.status not in CORRECTABLE_STATES:
        form.add_error(
            None,
            _("Only an approved, draft or returned record can be corrected; this one is %(s)s.")
            % {"s": State(record.status).label},
        )
        status = 409
    elif request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            changes = {
                "start_date": data["start_date"],
                "end_date": data["end_date"],
                "title": data["title"],
                "participants": data["participants"] or None,
                "partner_city": data["partner_city"],
                "counterpart": data["counterpart"],
                "venue": data["venue"],
                "online": data["online"],
                "company_ids": data["company_ids"],
                "note": data["note"],
            }
            try:
                correction = activity_record_correct(
                    actor=request.user,
                    record=record,
                    changes=changes,
                    participant_keys=data["participant_keys"] if data["replace_keys"] else None,
                    expected_version=data["version"],
                    reason=data["reason"],
                    channel="web",
                )
            except ReviewError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
            else:
                messages.success(request, _("The correction was submitted for review."))
                return redirect("staff:activity", pk=correction.pk)
        status = 422
    return render(
        request,
        "staff/activity_correct.html",
        {"record": record, "form": form, "correctable": record.status in CORRECTABLE_STATES},
        status=status,
    )
