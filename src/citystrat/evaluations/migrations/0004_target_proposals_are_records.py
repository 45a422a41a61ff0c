"""The mid-term record's own list of proposed target revisions becomes TargetProposal records.

Each proposal an evaluation held (``target_proposals``, a list of
``{target, value, reason, effective_from}``) is moved into a reviewed
:class:`TargetProposal` of that target, with the record's people and dates:

- an approved record's proposals were applied when it was approved: they become
  approved proposals linked to the revision that was made (the revision's reason
  is already a text object in the plan's default language, plans 0008);
- a submitted record's proposals become submitted proposals;
- a draft or returned record's proposals become drafts.

Superseded records are left as they are (the record that superseded them holds
the same list).  A target that already has an open (or approved) proposal keeps
it; the moved one is then not made, so no unique rule breaks.  Going back puts
the list on the records again from their measure's proposals.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import migrations, models

OPEN = ("draft", "submitted", "returned")


def to_records(apps, schema_editor):  # type: ignore[no-untyped-def]
    Evaluation = apps.get_model("evaluations", "Evaluation")
    TargetProposal = apps.get_model("evaluations", "TargetProposal")
    Target = apps.get_model("plans", "Target")
    TargetRevision = apps.get_model("plans", "TargetRevision")
    records = (
        Evaluation.objects.exclude(status="superseded")
        .exclude(target_proposals=[])
        .select_related("measure__plan")
        .order_by("id")
    )
    for e in records:
        lang = e.measure.plan.default_language or "en"
        for item in e.target_proposals or []:
            target = Target.objects.filter(pk=item.get("target")).first()
            try:
                value = Decimal(str(item.get("value")))
                when = date.fromisoformat(str(item.get("effective_from")))
            except (InvalidOperation, ValueError):
                continue
            if target is None:
                continue
            reason = str(item.get("reason") or "").strip()
            status = {"approved": "approved", "submitted": "submitted"}.get(e.status, "draft")
            taken = TargetProposal.objects.filter(
                target=target, status__in=("approved",) if status == "approved" else OPEN
            )
            if taken.exists():
                continue
            revision = None
            if status == "approved":
                revision = (
                    TargetRevision.objects.filter(
                        target=target, value=value, effective_from=when, proposal__isnull=True
                    )
                    .order_by("-id")
                    .first()
                )
            TargetProposal.objects.create(
                target=target,
                value=value,
                reason={lang: reason} if reason else {},
                effective_from=when,
                status=status,
                created_by_id=e.created_by_id,
                changed_by_id=e.changed_by_id,
                submitted_by_id=e.submitted_by_id if status != "draft" else None,
                submitted_at=e.submitted_at if status != "draft" else None,
                decided_by_id=e.decided_by_id if status == "approved" else None,
                decided_at=e.decided_at if status == "approved" else None,
                revision=revision,
            )


def to_lists(apps, schema_editor):  # type: ignore[no-untyped-def]
    Evaluation = apps.get_model("evaluations", "Evaluation")
    TargetProposal = apps.get_model("evaluations", "TargetProposal")
    for e in Evaluation.objects.filter(kind="midterm").exclude(status="superseded"):
        items = []
        for p in TargetProposal.objects.filter(target__indicator__measure=e.measure_id).exclude(
            status__in=("withdrawn", "superseded")
        ):
            texts = p.reason or {}
            items.append(
                {
                    "target": p.target_id,
                    "value": str(p.value),
                    "reason": next((t for t in texts.values() if t), ""),
                    "effective_from": p.effective_from.isoformat(),
                }
            )
        e.target_proposals = items
        e.save(update_fields=["target_proposals"])


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0003_target_proposal"),
        ("plans", "0008_target_revision_reason_texts"),
    ]

    operations = [
        migrations.RunPython(to_records, to_lists),
        migrations.RemoveField(model_name="evaluation", name="target_proposals"),
    ]
