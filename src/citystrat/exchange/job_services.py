"""A large import as a background job: the staff page and ``POST /api/v1/imports/``.

An upload larger than ``CITYSTRAT_IMPORT_INLINE_BYTES`` is not read in the request (a
600,000-row workbook once hit the worker timeout): :func:`import_job_start` keeps it and
queues a job; ``citystrat worker`` runs :func:`import_job_run`, which calls the same import
service as the request would, so the job is all or nothing exactly as an import in the
request is.

A backup asked for on the staff page is a job too (:func:`backup_job_start`).
"""

from __future__ import annotations

import traceback
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Action, Actor, require
from citystrat.audit.services import audit_record
from citystrat.jobs.models import Job
from citystrat.jobs.progress import counted, progress_set
from citystrat.jobs.services import Outcome, job_file_path, job_start, upload_path
from citystrat.observations.dbtrouble import classify, conflict_message, disk_full_message
from citystrat.plans.selectors import plan_get
from citystrat.review.errors import ReviewError

from .readers import estimate_rows, read_records
from .services import observations_import

__all__ = [
    "backup_download_record",
    "backup_job_run",
    "backup_job_start",
    "import_job_run",
    "import_job_start",
]


def import_job_start(
    *,
    actor: Actor,
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
    return job_start(
        actor=actor,
        kind=Job.Kind.IMPORT,
        filename=upload.name,
        options={"approve": approve, "dry_run": dry_run, "channel": channel, "plan": plan_code},
        upload=upload,
        audit_reason=_("import queued as a background job"),
        channel=channel,
    )


def import_job_run(job: Job) -> Outcome:
    """Import the job's upload (the runner of ``import`` jobs); a bad file is a result."""
    path = upload_path(job)
    total = estimate_rows(path)
    progress_set(job.pk, 0, total)
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
    except ReviewError as exc:  # four eyes: the plan allows no import-and-approve
        return Outcome(False, message=exc.message)
    except Exception as exc:  # the import rolled back; say what happened
        kind = classify(exc)
        if kind == "conflict":
            return Outcome(False, message=conflict_message())
        if kind == "disk_full":
            return Outcome(False, message=disk_full_message())
        traceback.print_exc()
        return Outcome(
            False,
            message=_("The import stopped with an error; nothing was written (%(error)s).")
            % {"error": type(exc).__name__},
        )
    return Outcome(True, result={**result.as_dict(), "filename": job.filename})


# --- Backups ---------------------------------------------------------------------------
#
# An administrator may make a backup from the staff page (``/<lang>/staff/backup/``); it is
# made by the worker with the same :func:`~citystrat.exchange.backup.backup_create` as
# ``citystrat backup``, kept under the data folder like a report file and offered to the
# administrator who asked.  There is no restore from the web: a restore replaces the
# instance, and stays on the command line where the operator can stop the server first.


def backup_filename(now: Any = None) -> str:
    """``citystrat-backup-YYYYMMDDTHHMMSSZ.zip`` (in UTC)."""
    from django.utils import timezone

    moment = (now or timezone.now()).astimezone(UTC)
    return f"citystrat-backup-{moment:%Y%m%dT%H%M%SZ}.zip"


def backup_job_start(*, actor: Any) -> Job:
    """Queue a backup of the whole instance (administrators only); audited as started."""
    require(actor, Action.ADMINISTER)
    return job_start(
        actor=actor,
        kind=Job.Kind.BACKUP,
        filename=backup_filename(),
        options={},
        audit_reason=_("backup started from the staff page"),
    )


def backup_job_run(job: Job) -> Outcome:
    """Make the job's backup file (the runner of ``backup`` jobs); audited when made."""
    from .backup import BackupError, backup_create

    target = job_file_path(job)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        manifest = backup_create(
            target, progress=lambda done, total: progress_set(job.pk, done, total)
        )
    except BackupError as exc:
        return Outcome(False, message=str(exc))
    except Exception as exc:
        if classify(exc) == "disk_full":
            return Outcome(False, message=disk_full_message())
        traceback.print_exc()
        return Outcome(
            False,
            message=_("The backup could not be made (%(error)s).") % {"error": type(exc).__name__},
        )
    finally:
        partial.unlink(missing_ok=True)
    size = target.stat().st_size
    rows = sum(manifest["models"].values())
    with transaction.atomic():
        _backup_made_record(job, size=size, rows=rows, manifest=manifest)
    return Outcome(
        True,
        result={
            "ok": True,
            "filename": job.filename,
            "content_type": "application/zip",
            "size": size,
            "rows": rows,
            "evidence_files": manifest["evidence_files"],
        },
    )


def _backup_made_record(job: Job, *, size: int, rows: int, manifest: dict[str, Any]) -> None:
    audit_record(
        code="exchange.backup.create",
        actor=job.created_by,
        object_type="jobs.job",
        object_id=str(job.pk),
        object_label=job.filename,
        after={
            "filename": job.filename,
            "size": size,
            "rows": rows,
            "evidence_files": manifest["evidence_files"],
            "database": manifest["database"],
        },
        reason=_("backup made from the staff page"),
        source=job.filename,
        channel="web",
    )


def backup_download_record(*, actor: Any, job: Job) -> None:
    """Record that ``actor`` downloaded the backup of ``job`` (it holds password hashes)."""
    with transaction.atomic():
        audit_record(
            code="exchange.backup.download",
            actor=actor,
            object_type="jobs.job",
            object_id=str(job.pk),
            object_label=job.filename,
            reason=_("backup downloaded from the staff page"),
            source=job.filename,
            channel="web",
        )
