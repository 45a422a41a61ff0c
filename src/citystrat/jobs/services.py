"""Starting and running background jobs: the one door for long work off the request.

Reports in PDF or XLSX, asked for on the staff report page, are jobs too
(:func:`report_job_start`, run by :func:`job_run_report`): the file is made by the same
:func:`citystrat.reports.render.make_report` as ``citystrat report`` makes it, kept under
the data folder (``DATA_DIR/jobs/reports``) for ``CITYSTRAT_JOB_FILES_KEEP_HOURS`` and then
removed by :func:`job_files_purge`.

An import larger than ``CITYSTRAT_IMPORT_INLINE_BYTES`` is not run in the request (a
600,000-row workbook once hit the worker timeout): :func:`import_job_start` keeps the
upload, records a :class:`~citystrat.jobs.models.Job` and queues it on django-tasks'
database backend once the transaction commits; ``citystrat worker`` runs it with
:func:`job_run_import`, which calls the same import service, so the job is all or
nothing exactly as an import in the request is.
"""

from __future__ import annotations

import shutil
import traceback
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Action, require
from citystrat.audit.services import audit_record
from citystrat.observations.dbtrouble import classify, conflict_message, disk_full_message
from citystrat.review.errors import ReviewError

from .models import Job
from .progress import counted, progress_set

__all__ = [
    "import_job_start",
    "job_files_purge",
    "job_run_import",
    "job_run_report",
    "jobs_dir",
    "report_file_path",
    "report_job_start",
]


def jobs_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _upload_path(job: Job) -> Path:
    suffix = Path(job.filename).suffix.lower()[:8]
    return jobs_dir() / f"{job.pk}{suffix}"


def import_job_start(
    *,
    actor: Any,
    upload: Any,
    approve: bool,
    dry_run: bool,
    channel: str = "web",
    plan_code: str | None = None,
) -> Job:
    """Keep the upload and queue its import; the job runs after this transaction commits.

    ``channel`` (``web`` or ``api``) and ``plan_code`` (None: the first plan) are passed on
    to the import, as a synchronous import in the request would pass them.
    """
    require(actor, Action.IMPORT)
    if approve:
        require(actor, Action.IMPORT_APPROVE)
    from .tasks import import_job

    with transaction.atomic():
        job = Job.objects.create(
            kind=Job.Kind.IMPORT,
            created_by=actor,
            filename=Path(upload.name).name[:255],
            options={
                "approve": approve,
                "dry_run": dry_run,
                "channel": channel,
                "plan": plan_code,
            },
        )
        target = _upload_path(job)
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        audit_record(
            code="jobs.job.start",
            actor=actor,
            object_type="jobs.job",
            object_id=str(job.pk),
            object_label=job.filename,
            after={"kind": job.kind, **job.options},
            reason=_("import queued as a background job"),
            source=job.filename,
            channel=channel,
        )

        def enqueue() -> None:
            result = import_job.enqueue(str(job.pk))
            Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))

        transaction.on_commit(enqueue)
    return job


def job_run_import(*, job_id: str) -> Job:
    """Run a queued import job (called by the worker); never raises for a bad file."""
    from citystrat.exchange.readers import estimate_rows, read_records
    from citystrat.exchange.services import observations_import
    from citystrat.plans.selectors import plan_get

    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.finished:
        return job
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    path = _upload_path(job)
    total = estimate_rows(path)
    progress_set(job.pk, 0, total)
    status, message, result_data = Job.Status.FAILED, "", None
    try:
        rows = counted(
            read_records(path, filename=job.filename),
            total=total,
            report=lambda done, tot: progress_set(job.pk, done, tot),
        )
        result = observations_import(
            actor=job.created_by,
            rows=rows,
            approve=bool(job.options.get("approve")),
            filename=job.filename,
            channel=str(job.options.get("channel") or "web"),
            plan=plan_get(job.options["plan"]) if job.options.get("plan") else None,
            dry_run=bool(job.options.get("dry_run")),
        )
        result_data = {**result.as_dict(), "filename": job.filename}
        status = Job.Status.DONE
    except ReviewError as exc:  # four eyes: the plan allows no import-and-approve
        message = exc.message
    except Exception as exc:  # the import rolled back; say what happened
        kind = classify(exc)
        if kind == "conflict":
            message = conflict_message()
        elif kind == "disk_full":
            message = disk_full_message()
        else:
            message = _("The import stopped with an error; nothing was written (%(error)s).") % {
                "error": type(exc).__name__
            }
            traceback.print_exc()
    finally:
        path.unlink(missing_ok=True)
    Job.objects.filter(pk=job.pk).update(
        status=status, finished_at=timezone.now(), result=result_data, message=message
    )
    job.refresh_from_db()
    return job


def report_file_path(job: Job) -> Path:
    """Where a report job keeps its finished file (whether or not it is still there)."""
    suffix = Path(job.filename).suffix.lower()[:8]
    return jobs_dir() / "reports" / f"{job.pk}{suffix}"


def report_job_start(
    *,
    actor: Any,
    plan: Any,
    kind: str,
    as_of: date,
    lang: str,
    fmt: str,
    include_pending: bool = False,
    layout: str = "standard",
) -> Job:
    """Queue the making of one report file; the job runs after this transaction commits."""
    from citystrat.reports.render import filename

    if include_pending:
        require(actor, Action.VIEW_PENDING)
    from .tasks import report_job

    with transaction.atomic():
        job = Job.objects.create(
            kind=Job.Kind.REPORT,
            created_by=actor,
            filename=filename(
                plan, kind=kind, as_of=as_of, lang=lang, fmt=fmt, draft=include_pending
            )[:255],
            options={
                "plan": plan.code,
                "kind": kind,
                "as_of": as_of.isoformat(),
                "lang": lang,
                "fmt": fmt,
                "include_pending": include_pending,
                "layout": layout,
            },
        )

        def enqueue() -> None:
            result = report_job.enqueue(str(job.pk))
            Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))

        transaction.on_commit(enqueue)
    return job


def job_run_report(*, job_id: str) -> Job:
    """Make a queued report's file (called by the worker); never raises for a bad option."""
    from citystrat.plans.selectors import plan_get
    from citystrat.reports.render import CONTENT_TYPES, Format, ReportError, make_report

    job_files_purge()
    job = Job.objects.get(pk=job_id)
    if job.finished:
        return job
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    progress_set(job.pk, 0, None)
    options = job.options
    status, message, result_data = Job.Status.FAILED, "", None
    target = report_file_path(job)
    part = target.with_name(target.name + ".part")
    try:
        body = make_report(
            plan_get(options["plan"]),
            kind=options["kind"],
            as_of=date.fromisoformat(options["as_of"]),
            lang=options["lang"],
            fmt=options["fmt"],
            include_pending=bool(options.get("include_pending")),
            layout=options.get("layout") or "standard",
            progress=lambda done, total: progress_set(job.pk, done, total),
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(body)
        part.replace(target)
        result_data = {
            "ok": True,
            "filename": job.filename,
            "content_type": CONTENT_TYPES[Format(options["fmt"])],
            "size": len(body),
        }
        status = Job.Status.DONE
    except (ReportError, LookupError) as exc:
        message = str(exc)
    except Exception as exc:
        if classify(exc) == "disk_full":
            message = disk_full_message()
        else:
            message = _("The report could not be made (%(error)s).") % {"error": type(exc).__name__}
            traceback.print_exc()
    finally:
        part.unlink(missing_ok=True)
    Job.objects.filter(pk=job.pk).update(
        status=status, finished_at=timezone.now(), result=result_data, message=message
    )
    job.refresh_from_db()
    return job


def job_files_purge(*, now: Any = None) -> int:
    """Remove the report files of jobs finished more than the retention period ago.

    ``CITYSTRAT_JOB_FILES_KEEP_HOURS`` (24 by default); files of jobs that no longer
    exist go too.  Returns how many files were removed.  Run before every report job.
    """
    folder = jobs_dir() / "reports"
    if not folder.is_dir():
        return 0
    cutoff = (now or timezone.now()) - timedelta(hours=settings.CITYSTRAT_JOB_FILES_KEEP_HOURS)
    keep = {
        str(pk)
        for pk in Job.objects.filter(kind=Job.Kind.REPORT)
        .exclude(finished_at__lt=cutoff)
        .values_list("pk", flat=True)
    }
    removed = 0
    for file in folder.iterdir():
        if file.is_file() and file.name.split(".")[0] not in keep:
            file.unlink(missing_ok=True)
            removed += 1
    return removed


def jobs_clear_files() -> None:
    """Remove the kept uploads (for tests and maintenance)."""
    shutil.rmtree(jobs_dir(), ignore_errors=True)
