"""Starting and running background jobs: the one door for long work off the request.

The queue is django-tasks' database backend; ``citystrat worker`` runs the jobs.  This
module knows nothing of the work itself: each app registers a runner for its kind of job
(:func:`runner_register`, from its ``AppConfig.ready``) and starts its jobs with
:func:`job_start`:

- a large import (``citystrat.exchange.job_services``): an upload larger than
  ``CITYSTRAT_IMPORT_INLINE_BYTES`` on the staff page or ``POST /api/v1/imports/`` once
  hit the worker timeout; the job calls the same import service, all or nothing;
- a PDF or XLSX report (``citystrat.reports.job_services``), made by the same
  ``make_report`` as ``citystrat report``; its file is kept under the data folder
  (:func:`job_file_path`) for ``CITYSTRAT_JOB_FILES_KEEP_HOURS``, then removed by
  :func:`job_files_purge`.
"""

from __future__ import annotations

import shutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Actor, signed_in
from citystrat.audit.services import audit_record

from .models import Job
from .progress import progress_set

__all__ = [
    "Outcome",
    "job_file_path",
    "job_files_purge",
    "job_run",
    "job_start",
    "jobs_dir",
    "runner_register",
    "upload_path",
]


@dataclass(frozen=True)
class Outcome:
    """What a runner made of a job: done (with its result) or failed (with why)."""

    done: bool
    result: dict[str, Any] | None = None
    message: str = ""


Runner = Callable[[Job], Outcome]
_RUNNERS: dict[str, Runner] = {}


def runner_register(kind: str, runner: Runner) -> None:
    """Say which function runs the jobs of ``kind`` (an app's ``ready`` calls it)."""
    _RUNNERS[kind] = runner


def jobs_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_path(job: Job) -> Path:
    """Where a job keeps the upload it works on (removed when it is done)."""
    suffix = Path(job.filename).suffix.lower()[:8]
    return jobs_dir() / f"{job.pk}{suffix}"


def job_file_path(job: Job) -> Path:
    """Where a job keeps the file it made (whether or not it is still there)."""
    suffix = Path(job.filename).suffix.lower()[:8]
    return jobs_dir() / "files" / f"{job.pk}{suffix}"


def job_start(
    *,
    actor: Actor,
    kind: str,
    filename: str,
    options: dict[str, Any],
    upload: Any = None,
    audit_reason: str = "",
    channel: str = "web",
) -> Job:
    """Record a job (keeping ``upload``, if any) and queue it once this transaction commits.

    The caller has checked the permission.  With ``audit_reason`` the start is recorded
    in the audit trail (``jobs.job.start``).
    """
    from .tasks import run_job

    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            created_by=signed_in(actor),
            filename=Path(filename).name[:255],
            options=options,
        )
        if upload is not None:
            with upload_path(job).open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
        if audit_reason:
            audit_record(
                code="jobs.job.start",
                actor=actor,
                object_type="jobs.job",
                object_id=str(job.pk),
                object_label=job.filename,
                after={"kind": job.kind, **job.options},
                reason=audit_reason,
                source=job.filename,
                channel=channel,
            )

        def enqueue() -> None:
            result = run_job.enqueue(str(job.pk))
            Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))

        transaction.on_commit(enqueue)
    return job


def job_run(*, job_id: str) -> Job:
    """Run a queued job with its kind's runner (called by the worker); never raises."""
    job_files_purge()
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.finished:
        return job
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    progress_set(job.pk, 0, None)
    runner = _RUNNERS.get(job.kind)
    try:
        if runner is None:
            outcome = Outcome(False, message=_("This kind of job cannot be run here."))
        else:
            outcome = runner(job)
    except Exception as exc:  # a runner's own bug: the job fails, the worker goes on
        traceback.print_exc()
        outcome = Outcome(
            False,
            message=_("The job stopped with an error (%(error)s).") % {"error": type(exc).__name__},
        )
    finally:
        upload_path(job).unlink(missing_ok=True)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE if outcome.done else Job.Status.FAILED,
        finished_at=timezone.now(),
        result=outcome.result,
        message=outcome.message,
    )
    job.refresh_from_db()
    return job


def job_files_purge(*, now: Any = None) -> int:
    """Remove the files of jobs finished more than the retention period ago.

    ``CITYSTRAT_JOB_FILES_KEEP_HOURS`` (24 by default); files of jobs that no longer
    exist go too.  Returns how many files were removed.  Run before every job.
    """
    folder = jobs_dir() / "files"
    if not folder.is_dir():
        return 0
    cutoff = (now or timezone.now()) - timedelta(hours=settings.CITYSTRAT_JOB_FILES_KEEP_HOURS)
    keep = {
        str(pk) for pk in Job.objects.exclude(finished_at__lt=cutoff).values_list("pk", flat=True)
    }
    removed = 0
    for file in folder.iterdir():
        if file.is_file() and file.name.split(".")[0] not in keep:
            file.unlink(missing_ok=True)
            removed += 1
    return removed


def jobs_clear_files() -> None:
    """Remove the kept uploads and files (for tests and maintenance)."""
    shutil.rmtree(jobs_dir(), ignore_errors=True)
