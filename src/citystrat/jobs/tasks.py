"""The tasks django-tasks runs for citystrat (``citystrat worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def import_job(job_id: str) -> None:
    from .services import job_run_import

    job_run_import(job_id=job_id)


@task()
def report_job(job_id: str) -> None:
    from .services import job_run_report

    job_run_report(job_id=job_id)
