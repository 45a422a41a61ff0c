"""The abstract model every reviewed record inherits."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from .states import EDITABLE, OPEN, State

__all__ = ["Reviewed"]


class Reviewed(models.Model):
    """What every reviewed record keeps: its state, who made, changed, submitted and
    decided it, and when.

    A correction of an approved record is a new record that ``supersedes`` it;
    ``version`` is the optimistic lock.  Subclasses define the hooks below and
    their own unique constraints (one open and one approved record per
    subject and period).
    """

    Status = State
    OPEN_STATUSES = OPEN
    EDITABLE_STATUSES = EDITABLE

    # Hooks a subclass defines.
    audit_type: ClassVar[str] = ""
    # The field a refused move is reported on ("" for the whole record).
    review_field: ClassVar[str] = ""
    # Relations to read with the locked row (for audit labels).
    review_related: ClassVar[tuple[str, ...]] = ()

    status = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Who last changed the content (made it or edited it): four eyes compares with the approver.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    def audit_label(self) -> str:
        """How the audit trail names the record (e.g. ``"M4-2 FY2024"``)."""
        raise NotImplementedError

    def audit_plan_code(self) -> str:
        raise NotImplementedError

    def audit_snapshot(self) -> dict[str, Any]:
        """The record's content as JSON for the audit trail's before/after."""
        raise NotImplementedError

    def slot(self) -> dict[str, Any]:
        """Filter keywords for the records of the same subject and period."""
        raise NotImplementedError
