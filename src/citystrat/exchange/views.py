"""The staff import page: check a file (dry run), then import it, all or nothing; the
administrators' backup page: a backup as a background job, then its archive."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
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


def backup_page(request: HttpRequest) -> HttpResponse:
    """Administrators only: start a backup (a background job) and see the recent ones.

    There is no restore here: a restore replaces the instance, and stays on the command
    line (``citystrat restore``), where the operator can stop the server first.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("staff:login"))
    require(request.user, Action.ADMINISTER)
    from citystrat.jobs.models import Job

    if request.method == "POST":
        from .job_services import backup_job_start

        job = backup_job_start(actor=request.user)
        return redirect("jobs:job", job_id=job.pk)
    recent = Job.objects.filter(kind=Job.Kind.BACKUP, created_by=request.user)[:10]
    return render(
        request,
        "exchange/backup.html",
        {"recent": recent, "keep_hours": settings.CITYSTRAT_JOB_FILES_KEEP_HOURS},
    )


def backup_file(request: HttpRequest, job_id: str) -> HttpResponseBase:
    """The finished archive, for the administrator who asked for it (and only them)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("staff:login"))
    require(request.user, Action.ADMINISTER)
    from citystrat.jobs.models import Job
    from citystrat.jobs.services import job_file_path

    job = Job.objects.filter(pk=job_id, kind=Job.Kind.BACKUP).first()
    if job is None:
        raise Http404(_("There is no such backup."))
    if job.created_by_id != request.user.pk:
        raise PermissionDenied(_("This backup was made by another administrator."))
    if job.status != Job.Status.DONE:
        return redirect("jobs:job", job_id=job.pk)
    path = job_file_path(job)
    if not path.is_file():  # removed after the retention period: make another
        return render(
            request,
            "exchange/backup.html",
            {"gone": job, "keep_hours": settings.CITYSTRAT_JOB_FILES_KEEP_HOURS},
            status=410,
        )
    from .job_services import backup_download_record

    backup_download_record(actor=request.user, job=job)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=job.filename, content_type="application/zip"
    )
