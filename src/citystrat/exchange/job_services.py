"""A large import as a background job: the staff page and ``POST /api/v1/imports/``.

An upload larger than ``CITYSTRAT_IMPORT_INLINE_BYTES`` is not read in the request (a
600,000-row workbook once hit the worker timeout): :func:`import_job_start` keeps it and
queues a job; ``citystrat worker`` runs :func:`import_job_run`, which calls the same import
service as the request would, so the job is all or nothing exactly as an import in the
request is.
"""

from __future__ import annotations

import traceback
from typing import Any

from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Action, Actor, require
from citystrat.jobs.models import Job
from citystrat.jobs.progress import counted, progress_set
from citystrat.jobs.services import Outcome, job_start, upload_path
from citystrat.observations.dbtrouble import classify, conflict_message, disk_full_message
from citystrat.plans.selectors import plan_get
from citystrat.review.errors import ReviewError

from .readers import estimate_rows, read_records
from .services import observations_import

__all__ = ["import_job_run", "import_job_start"]


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
