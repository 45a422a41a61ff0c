"""PDF and XLSX reports asked for on the staff report page, made by a background job.

Making a PDF of the whole plan may take longer than a request may last.
:func:`report_job_start` queues the job; ``citystrat worker`` runs :func:`report_job_run`,
which makes the file with the same :func:`~citystrat.reports.render.make_report` as
``citystrat report`` and keeps it under the data folder for
``CITYSTRAT_JOB_FILES_KEEP_HOURS``, for whoever asked for it (``/staff/jobs/<id>/file``).
"""

from __future__ import annotations

import traceback
from datetime import date

from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Action, Actor, require
from citystrat.jobs.models import Job
from citystrat.jobs.progress import progress_set
from citystrat.jobs.services import Outcome, job_file_path, job_start
from citystrat.observations.dbtrouble import classify, disk_full_message
from citystrat.plans.models import Plan
from citystrat.plans.selectors import plan_get

from .render import CONTENT_TYPES, Format, ReportError, filename, make_report

__all__ = ["report_job_run", "report_job_start"]


def report_job_start(
    *,
    actor: Actor,
    plan: Plan,
    kind: str,
    as_of: date,
    lang: str,
    fmt: str,
    include_pending: bool = False,
    layout: str = "standard",
) -> Job:
    """Queue the making of one report file; the job runs after this transaction commits."""
    if include_pending:
        require(actor, Action.VIEW_PENDING)
    name = filename(plan, kind=kind, as_of=as_of, lang=lang, fmt=fmt, draft=include_pending)
    return job_start(
        actor=actor,
        kind=Job.Kind.REPORT,
        filename=name,
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


def report_job_run(job: Job) -> Outcome:
    """Make the job's report file (the runner of ``report`` jobs)."""
    options = job.options
    target = job_file_path(job)
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
    except (ReportError, LookupError) as exc:
        return Outcome(False, message=str(exc))
    except Exception as exc:
        if classify(exc) == "disk_full":
            return Outcome(False, message=disk_full_message())
        traceback.print_exc()
        return Outcome(
            False,
            message=_("The report could not be made (%(error)s).") % {"error": type(exc).__name__},
        )
    finally:
        part.unlink(missing_ok=True)
    return Outcome(
        True,
        result={
            "ok": True,
            "filename": job.filename,
            "content_type": CONTENT_TYPES[Format(options["fmt"])],
            "size": len(body),
        },
    )
