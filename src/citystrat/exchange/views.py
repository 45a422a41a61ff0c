"""The staff import page: check a file (dry run), then import it, all or nothing."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Action, can, require
from citystrat.review.errors import ReviewError

from .forms import ImportForm
from .readers import read_records
from .services import observations_import


def import_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("staff:login"))
    require(request.user, Action.IMPORT)
    may_approve = can(request.user, Action.IMPORT_APPROVE)
    result = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        dry_run = request.POST.get("action") != "import"
        approve = form.cleaned_data["approve"]
        if approve and not may_approve:
            raise PermissionDenied(_("Only a coordinator may import and approve."))
        upload = form.cleaned_data["file"]
        if upload.size > settings.CITYSTRAT_IMPORT_INLINE_BYTES:
            # Too long for one request (the worker timeout): a background job, same rules.
            from .job_services import import_job_start

            job = import_job_start(
                actor=request.user, upload=upload, approve=approve, dry_run=dry_run
            )
            return redirect("jobs:job", job_id=job.pk)
        try:
            result = observations_import(
                actor=request.user,
                rows=read_records(upload, filename=upload.name),
                approve=approve,
                filename=upload.name,
                channel="web",
                dry_run=dry_run,
            )
        except ReviewError as exc:  # four eyes: the plan allows no import-and-approve
            raise PermissionDenied(exc.message) from None
    status = 422 if result is not None and not result.ok else 200
    return render(
        request,
        "exchange/import.html",
        {"form": form, "result": result, "may_approve": may_approve},
        status=status,
    )
