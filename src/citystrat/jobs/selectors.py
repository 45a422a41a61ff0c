"""Reading jobs: a person sees the jobs they started; an administrator sees every job."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Action, Actor, can

from .models import Job


def job_get(*, actor: Actor, job_id: Any) -> Job:
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404(_("There is no such job."))
    if job.created_by_id != getattr(actor, "pk", None) and not can(actor, Action.ADMINISTER):
        raise PermissionDenied(_("This job was started by someone else."))
    return job
