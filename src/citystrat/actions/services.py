"""Changes to actions.  Every write goes through a function here (one door).

Each is keyword-only, runs in one transaction, checks permission with
:mod:`citystrat.accounts.permissions` and writes its audit record
(``actions.<entity>.<verb>``).  Updates go through the shared review state
machine (:mod:`citystrat.review`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citystrat.accounts.models import Role
from citystrat.accounts.permissions import Action as Perm
from citystrat.accounts.permissions import Actor, can, require, role_of, signed_in
from citystrat.audit.services import audit_record
from citystrat.observations.evidence import (
    Upload,
    evidence_facts,
    evidence_store,
    evidence_transaction,
)
from citystrat.plans import cache as plan_cache
from citystrat.plans.models import Department, Plan
from citystrat.review.errors import ReviewError
from citystrat.review.services import (
    review_approve,
    review_audit,
    review_create,
    review_edit,
    review_return,
    review_submit,
    review_withdraw,
)

from .models import (
    MONEY_DECIMAL_PLACES,
    MONEY_MAX_DIGITS,
    Action,
    ActionBudget,
    ActionContact,
    ActionDepartment,
    ActionPhase,
    ActionReporting,
    ActionStatus,
    ActionTask,
    ActionUpdate,
    ActionUpdateEvidence,
    ActionUpdateSignoff,
)
from .statuses import plan_status_words, status_resolve, status_words_by_text


def _audit(
    action: Action,
    code: str,
    *,
    actor: Actor,
    before: Any,
    after: Any,
    channel: str,
    reason: str = "",
    source: str = "",
) -> None:
    audit_record(
        code=code,
        actor=actor,
        object_type="actions.action",
        object_id=action.pk,
        object_label=f"{action.code}",
        plan_code=action.plan.code,
        before=before,
        after=after,
        reason=reason,
        source=source,
        channel=channel,
    )


def _responsibility(action: Action) -> dict[str, Any]:
    roles = list(action.departments.select_related("department").order_by("role", "order", "id"))
    return {
        "lead": next((r.department.code for r in roles if r.role == "lead"), None),
        "cooperating": [r.department.code for r in roles if r.role == "cooperating"],
    }


def action_assign(
    *,
    actor: Actor,
    action: Action,
    lead: Department | None,
    cooperating: Sequence[Department] = (),
    reason: str = "",
    channel: str = "web",
) -> Action:
    """Set an action's lead department and its cooperating departments (coordinators)."""
    require(actor, Perm.ASSIGN_ACTION)
    if lead is not None and any(d.pk == lead.pk for d in cooperating):
        raise ReviewError(
            _("The lead department cannot also be a cooperating department."), "cooperating"
        )
    if len({d.pk for d in cooperating}) != len(cooperating):
        raise ReviewError(_("A department is listed twice."), "cooperating")
    with transaction.atomic():
        locked = Action.objects.select_for_update().select_related("plan").get(pk=action.pk)
        before = _responsibility(locked)
        locked.departments.all().delete()
        rows = []
        if lead is not None:
            rows.append(ActionDepartment(action=locked, department=lead, role="lead"))
        rows += [
            ActionDepartment(action=locked, department=d, role="cooperating", order=n)
            for n, d in enumerate(cooperating)
        ]
        ActionDepartment.objects.bulk_create(rows)
        after = _responsibility(locked)
        _audit(
            locked,
            "actions.action.assign",
            actor=actor,
            before=before,
            after=after,
            channel=channel,
            reason=reason,
        )
        transaction.on_commit(plan_cache.bump)
    return locked


def _staff_name(user: Any) -> str:
    return str(user.get_username())


def action_contact_set(
    *,
    actor: Actor,
    action: Action,
    user: Any,
    role: str,
    present: bool = True,
    channel: str = "web",
) -> None:
    """Add (or, with ``present=False``, remove) a contact person of an action.

    Coordinators, and editors of the lead department (MANAGE_ACTION).  An
    editor named as an editor contact must belong to a department responsible
    for the action.
    """
    require(actor, Perm.MANAGE_ACTION, action)
    if role not in ActionContact.Role.values:
        raise ReviewError(_("Choose editor or approver."), "role")
    if user is None:
        raise ReviewError(_("Choose a person."), "user")
    if present and role_of(user) is None:
        raise ReviewError(_("Only an active staff member can be a contact."), "user")
    if present and role == ActionContact.Role.EDITOR and role_of(user) == Role.EDITOR:
        lead = action.owning_department_ids("write_action_update")
        if user.profile.department_id not in lead | action.owning_department_ids(
            "sign_action_update"
        ):
            raise ReviewError(
                _("An editor contact must belong to a department responsible for the action."),
                "user",
            )
    with transaction.atomic():
        existing = ActionContact.objects.filter(action=action, user=user, role=role)
        had = existing.exists()
        if present and had:
            raise ReviewError(
                _("%(user)s is already a contact in this role.") % {"user": _staff_name(user)},
                "user",
            )
        if not present and not had:
            raise ReviewError(
                _("%(user)s is not a contact in this role.") % {"user": _staff_name(user)},
                "user",
            )
        if present:
            ActionContact.objects.create(action=action, user=user, role=role)
        else:
            existing.delete()
        contact = {"user": _staff_name(user), "role": role}
        _audit(
            action,
            "actions.contact.add" if present else "actions.contact.remove",
            actor=actor,
            before=None if present else contact,
            after=contact if present else None,
            channel=channel,
        )


def action_schedule_set(
    *,
    actor: Actor,
    action: Action,
    start: date | None,
    end: date | None,
    in_fiscal_years: bool = True,
    reporting: str | None = None,
    channel: str = "web",
) -> Action:
    """Set when an action runs and, if given, how often it reports (``fiscal_year`` or
    ``half_year``); coordinators and editors of the lead department."""
    require(actor, Perm.MANAGE_ACTION, action)
    if start and end and end < start:
        raise ReviewError(_("The end must not be before the start."), "end")
    if reporting is not None and reporting not in ActionReporting.values:
        raise ReviewError(_("Choose once a fiscal year or once every half-year."), "reporting")
    with transaction.atomic():
        locked = Action.objects.select_for_update().select_related("plan").get(pk=action.pk)
        before = {"start": locked.start_date, "end": locked.end_date, "reporting": locked.reporting}
        locked.start_date, locked.end_date = start, end
        locked.schedule_in_fiscal_years = in_fiscal_years
        if reporting is not None:
            locked.reporting = reporting
        locked.save(
            update_fields=["start_date", "end_date", "schedule_in_fiscal_years", "reporting"]
        )
        _audit(
            locked,
            "actions.action.schedule",
            actor=actor,
            before=before,
            after={"start": start, "end": end, "reporting": locked.reporting},
            channel=channel,
        )
        transaction.on_commit(plan_cache.bump)
    return locked


TASK_TITLE_LIMIT = 500


def _clean_title(action: Action, title: dict[str, str]) -> dict[str, str]:
    languages = set(action.plan.languages)
    cleaned = {}
    for lang, text in title.items():
        if lang not in languages:
            raise ReviewError(
                _("%(lang)s is not one of the plan's languages.") % {"lang": str(lang)[:10]},
                "title",
            )
        text = (text or "").strip()
        if "\x00" in text:
            raise ReviewError(_("The text holds a NUL character."), "title")
        if len(text) > TASK_TITLE_LIMIT:
            raise ReviewError(
                _("The text is longer than %(limit)s characters.") % {"limit": TASK_TITLE_LIMIT},
                "title",
            )
        if text:
            cleaned[lang] = text
    if not cleaned:
        raise ReviewError(_("A task needs a title."), "title")
    return cleaned


def _task_snapshot(task: ActionTask) -> dict[str, Any]:
    return {
        "title": task.title,
        "milestone": task.milestone,
        "due": task.due_date,
        "done": task.done_date,
        "state": task.state,
    }


def action_task_save(
    *,
    actor: Actor,
    action: Action,
    title: dict[str, str],
    due_date: date | None = None,
    done_date: date | None = None,
    state: str = ActionTask.State.NOT_STARTED,
    milestone: bool = False,
    task: ActionTask | None = None,
    channel: str = "web",
) -> ActionTask:
    """Add a task or milestone to an action, or change one (coordinators; the lead department).

    ``title`` is a text object (language -> text); a changed task keeps the
    languages the caller does not give.  Marking a task done is a change of
    its state to ``done`` with the day it was done.
    """
    require(actor, Perm.MANAGE_ACTION, action)
    if task is not None and task.action_id != action.pk:
        raise ReviewError(_("This task belongs to another action."), "task")
    merged = {**(task.title if task is not None else {}), **title}
    clean = _clean_title(action, merged)
    if state not in ActionTask.State.values:
        raise ReviewError(_("Choose a state."), "state")
    if done_date is not None and state != ActionTask.State.DONE:
        raise ReviewError(_("Only a task that is done has a done date."), "done_date")
    with transaction.atomic():
        before = None
        if task is None:
            task = ActionTask(action=action, order=action.tasks.count())
        else:
            task = ActionTask.objects.select_for_update().get(pk=task.pk)
            before = _task_snapshot(task)
        task.title = clean
        task.due_date, task.done_date, task.state = due_date, done_date, state
        task.milestone = milestone
        task.save()
        _audit(
            action,
            "actions.task.add" if before is None else "actions.task.edit",
            actor=actor,
            before=before,
            after=_task_snapshot(task),
            channel=channel,
        )
        transaction.on_commit(plan_cache.bump)
    return task


def parse_money(value: Any, field: str) -> Decimal | None:
    """An amount of yen from a form, file or API: exact, not negative, at most 2 decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ReviewError(_("%(value)s is not an amount of yen.") % {"value": value}, field)
    text = str(value).strip().replace(",", "").replace("¥", "").replace("円", "")
    try:
        amount = Decimal(text) if not isinstance(value, float) else Decimal(repr(value))
    except InvalidOperation:
        raise ReviewError(
            _("%(value)s is not an amount of yen.") % {"value": str(value)[:40]}, field
        ) from None
    if not amount.is_finite():
        raise ReviewError(_("%(value)s is not an amount of yen.") % {"value": text}, field)
    if amount < 0:
        raise ReviewError(_("An amount cannot be negative."), field)
    if amount and amount.adjusted() >= MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES:
        raise ReviewError(_("The amount is too large."), field)
    if amount.normalize().as_tuple().exponent < -MONEY_DECIMAL_PLACES:  # type: ignore[operator]
        raise ReviewError(_("An amount has at most two decimals."), field)
    return amount


def action_budget_set(
    *,
    actor: Actor,
    action: Action,
    fiscal_year: int,
    budget: Decimal | str | None,
    revised_budget: Decimal | str | None,
    channel: str = "web",
    source: str = "",
) -> ActionBudget:
    """Record an action's budget and revised budget for a fiscal year.

    Coordinators, and editors of the lead department.  Actual spending is
    reported by the department in an update and reaches the budget row only
    when the update is approved (reviewed like every reported figure).
    """
    require(actor, Perm.MANAGE_ACTION, action)
    _period_check(action, fiscal_year, 0)
    amount = parse_money(budget, "budget")
    revised = parse_money(revised_budget, "revised_budget")
    with transaction.atomic():
        row = (
            ActionBudget.objects.select_for_update()
            .filter(action=action, fiscal_year=fiscal_year)
            .first()
        )
        if row is None and amount is None and revised is None:
            raise ReviewError(_("Give a budget or a revised budget."), "budget")
        before = None
        if row is None:
            row = ActionBudget(action=action, fiscal_year=fiscal_year)
        else:
            before = {"budget": row.budget, "revised_budget": row.revised_budget}
        row.budget, row.revised_budget = amount, revised
        row.save()
        _audit(
            action,
            "actions.budget.set",
            actor=actor,
            before=before,
            after={"fiscal_year": fiscal_year, "budget": amount, "revised_budget": revised},
            channel=channel,
            source=source,
        )
        transaction.on_commit(plan_cache.bump)
    return row


# --- updates: the yearly report, through the shared review state machine -------------

UPDATE_TEXT_LIMIT = 20_000


def _clean_update_texts(action: Action, texts: dict[str, dict[str, str]]) -> dict[str, Any]:
    languages = set(action.plan.languages)
    out: dict[str, Any] = {}
    for field in ActionUpdate.TEXT_FIELDS:
        value = texts.get(field) or {}
        cleaned = {}
        for lang, text in value.items():
            if lang not in languages:
                raise ReviewError(
                    _("%(lang)s is not one of the plan's languages.") % {"lang": lang}, field
                )
            text = (text or "").strip()
            if "\x00" in text:
                raise ReviewError(_("The text holds a NUL character."), field)
            if len(text) > UPDATE_TEXT_LIMIT:
                raise ReviewError(
                    _("The text is longer than %(limit)s characters.")
                    % {"limit": UPDATE_TEXT_LIMIT},
                    field,
                )
            if text:
                cleaned[lang] = text
        out[field] = cleaned
    return out


def _period_check(action: Action, fiscal_year: int, half: int) -> None:
    plan = action.plan
    first = (
        plan.period_start.year
        if plan.period_start.month >= plan.fy_start_month
        else (plan.period_start.year - 1)
    )
    last = (
        plan.period_end.year
        if plan.period_end.month >= plan.fy_start_month
        else (plan.period_end.year - 1)
    )
    if not first <= fiscal_year <= last:
        raise ReviewError(
            _("FY%(year)s is outside the plan's period (FY%(first)s to FY%(last)s).")
            % {"year": fiscal_year, "first": first, "last": last},
            "fiscal_year",
        )
    if half not in (0, 1, 2):
        raise ReviewError(_("Choose the whole year or one of its halves."), "half")


def _update_fields(
    action: Action,
    *,
    action_status: str,
    phase: str,
    texts: dict[str, dict[str, str]],
    budget: Decimal | None,
    revised_budget: Decimal | None,
    actual: Decimal | None,
) -> dict[str, Any]:
    word, standard = status_resolve(action.plan, action_status)
    if phase and phase not in ActionPhase.values:
        raise ReviewError(_("Choose a phase."), "phase")
    fields = _clean_update_texts(action, texts)
    if standard != ActionStatus.NOT_STARTED and not fields["achievements"]:
        raise ReviewError(_("Say what was done (取組実績) in this period."), "achievements")
    fields.update(
        action_status=standard,
        status_word=word,
        phase=phase,
        budget=budget,
        revised_budget=revised_budget,
        actual=actual,
    )
    return fields


def update_save_draft(
    *,
    actor: Actor,
    action: Action,
    fiscal_year: int,
    half: int = 0,
    action_status: str,
    phase: str = "",
    texts: dict[str, dict[str, str]],
    budget: Decimal | None = None,
    revised_budget: Decimal | None = None,
    actual: Decimal | None = None,
    update: ActionUpdate | None = None,
    expected_version: int | None = None,
    channel: str = "web",
    source: str = "",
) -> ActionUpdate:
    """Write (or change) the draft update of an action for a period (the lead department).

    ``texts`` maps ``achievements``, ``issues`` and ``next_steps`` to text
    objects (language -> text).  A new update for a period that already has
    an approved one is a correction of it.
    """
    require(actor, Perm.WRITE_ACTION_UPDATE, action)
    _period_check(action, fiscal_year, half)
    fields = _update_fields(
        action,
        action_status=action_status,
        phase=phase,
        texts=texts,
        budget=budget,
        revised_budget=revised_budget,
        actual=actual,
    )
    if update is None:
        record = ActionUpdate(
            action=action, fiscal_year=fiscal_year, half=half, origin=_origin(channel), **fields
        )
        return review_create(record=record, actor=actor, channel=channel, source=source)
    if update.action_id != action.pk or (update.fiscal_year, update.half) != (fiscal_year, half):
        raise ReviewError(_("This update belongs to another action or period."), "fiscal_year")
    return review_edit(
        record=update,
        actor=actor,
        fields=fields,
        expected_version=expected_version,
        channel=channel,
        source=source,
    )


def update_evidence_attach(
    *,
    actor: Actor,
    update: ActionUpdate,
    name: str,
    stream: Any,
    size: int,
    channel: str = "web",
) -> ActionUpdateEvidence:
    """Attach a PDF, XLSX, PNG or JPEG file to a draft or returned update (the lead department).

    Checked and stored like a value's evidence
    (:func:`citystrat.observations.evidence.evidence_store`); audited as
    ``actions.evidence.attach`` on the update.  A file whose row cannot be
    written is removed again.
    """
    require(actor, Perm.WRITE_ACTION_UPDATE, update.action)
    if update.status not in ActionUpdate.EDITABLE_STATUSES:
        raise ReviewError(_("Files can be added only to a draft or a returned update."), "evidence")
    stored = evidence_store(name=name, stream=stream, size=size)
    with evidence_transaction(stored):
        evidence = ActionUpdateEvidence.objects.create(
            update=update, uploaded_by=signed_in(actor), **asdict(stored)
        )
        audit_record(
            code="actions.evidence.attach",
            actor=actor,
            object_type=update.audit_type,
            object_id=update.pk,
            object_label=update.audit_label(),
            plan_code=update.audit_plan_code(),
            after=evidence_facts(evidence),
            channel=channel,
        )
    return evidence


def update_enter(
    *,
    actor: Actor,
    action: Action,
    fiscal_year: int,
    half: int = 0,
    action_status: str,
    phase: str = "",
    texts: dict[str, dict[str, str]],
    budget: Decimal | None = None,
    revised_budget: Decimal | None = None,
    actual: Decimal | None = None,
    update: ActionUpdate | None = None,
    expected_version: int | None = None,
    evidence: Sequence[Upload] = (),
    submit: bool = False,
    channel: str = "web",
) -> ActionUpdate:
    """Save an update, attach its evidence files and (``submit``) send it for review:
    all or nothing.

    One transaction: when an attachment or the submission is refused, the
    update is not saved either, and the files already stored are removed.
    """
    with evidence_transaction() as attached:
        saved = update_save_draft(
            actor=actor,
            action=action,
            fiscal_year=fiscal_year,
            half=half,
            action_status=action_status,
            phase=phase,
            texts=texts,
            budget=budget,
            revised_budget=revised_budget,
            actual=actual,
            update=update,
            expected_version=expected_version,
            channel=channel,
        )
        for upload in evidence:
            attached.append(
                update_evidence_attach(
                    actor=actor,
                    update=saved,
                    name=upload.name,
                    stream=upload.stream,
                    size=upload.size,
                    channel=channel,
                )
            )
        if submit:
            saved = update_submit(actor=actor, update=saved, channel=channel)
    return saved


def _origin(channel: str) -> str:
    return {"import": "import", "api": "api", "cli": "import"}.get(channel, "entry")


def update_submit(
    *,
    actor: Actor,
    update: ActionUpdate,
    expected_version: int | None = None,
    channel: str = "web",
) -> ActionUpdate:
    require(actor, Perm.WRITE_ACTION_UPDATE, update.action)
    return review_submit(
        record=update, actor=actor, expected_version=expected_version, channel=channel
    )


def update_return(
    *,
    actor: Actor,
    update: ActionUpdate,
    reason: str,
    expected_version: int | None = None,
    channel: str = "web",
) -> ActionUpdate:
    require(actor, Perm.RETURN)
    return review_return(
        record=update,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        channel=channel,
    )


def update_withdraw(
    *,
    actor: Actor,
    update: ActionUpdate,
    reason: str = "",
    expected_version: int | None = None,
    channel: str = "web",
) -> ActionUpdate:
    require(actor, Perm.WRITE_ACTION_UPDATE, update.action)
    return review_withdraw(
        record=update,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        channel=channel,
    )


def update_approve(
    *,
    actor: Actor,
    update: ActionUpdate,
    reason: str = "",
    expected_version: int | None = None,
    channel: str = "web",
) -> ActionUpdate:
    """Approve an update: it becomes public, and sets the action's status, phase and money.

    The money of the update's fiscal year (budget, revised budget, actual)
    is written to the action's budget row for that year where the update
    gives it; the audit trail records the row before and after.
    """
    require(actor, Perm.APPROVE)
    with transaction.atomic():
        approved = review_approve(
            record=update,
            actor=actor,
            expected_version=expected_version,
            reason=reason,
            channel=channel,
        )
        action = Action.objects.select_for_update().select_related("plan").get(pk=update.action_id)
        latest = (
            ActionUpdate.objects.filter(action=action, status=ActionUpdate.Status.APPROVED)
            .order_by("-fiscal_year", "-half", "-id")
            .first()
        )
        if latest is not None and latest.pk == approved.pk:
            before = {
                "status": action.status,
                "status_word": action.status_word,
                "phase": action.phase,
            }
            action.status = approved.action_status
            action.status_word = approved.status_word
            if approved.phase:
                action.phase = approved.phase
            action.save(update_fields=["status", "status_word", "phase"])
            _audit(
                action,
                "actions.action.status",
                actor=actor,
                before=before,
                after={
                    "status": action.status,
                    "status_word": action.status_word,
                    "phase": action.phase,
                },
                channel=channel,
                reason=_("from the approved update %(id)s") % {"id": approved.pk},
            )
        money = {
            k: getattr(approved, k)
            for k in ("budget", "revised_budget", "actual")
            if getattr(approved, k) is not None
        }
        if money:
            row, created = ActionBudget.objects.select_for_update().get_or_create(
                action=action, fiscal_year=approved.fiscal_year
            )
            before_money = (
                None
                if created
                else {k: getattr(row, k) for k in ("budget", "revised_budget", "actual")}
            )
            for key, value in money.items():
                setattr(row, key, value)
            row.save()
            _audit(
                action,
                "actions.budget.report",
                actor=actor,
                before=before_money,
                after={"fiscal_year": approved.fiscal_year, **money},
                channel=channel,
                reason=_("from the approved update %(id)s") % {"id": approved.pk},
            )
        transaction.on_commit(plan_cache.bump)
    return approved


def update_signoff(*, actor: Actor, update: ActionUpdate, channel: str = "web") -> None:
    """A cooperating department co-signs an open update (連名); once per department."""
    require(actor, Perm.SIGN_ACTION_UPDATE, update.action)
    department_id = getattr(getattr(actor, "profile", None), "department_id", None)
    if department_id is None or department_id not in update.action.owning_department_ids(
        "sign_action_update"
    ):
        raise ReviewError(_("Only a cooperating department co-signs an update."), "")
    if update.status not in ActionUpdate.OPEN_STATUSES:
        raise ReviewError(_("Only an open update can be co-signed."), "status")
    with transaction.atomic():
        _obj, created = ActionUpdateSignoff.objects.get_or_create(
            update=update,
            department_id=department_id,
            defaults={"user": actor, "at": timezone.now()},
        )
        if not created:
            raise ReviewError(_("Your department has already co-signed this update."), "")
        review_audit(
            update,
            "signoff",
            actor=actor,
            before=None,
            channel=channel,
            extra={"department_id": department_id},
        )


# --- import: a department's spreadsheet of updates and money, all or nothing ---------


class UpdateImportError(ReviewError):
    """A file of updates that cannot be imported; ``problems`` lists every one, located."""

    def __init__(self, problems: Sequence[Any]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or _("Nothing to import."))


def _fiscal_year(text: str) -> int | None:
    value = unicodedata.normalize("NFKC", text).strip().upper().replace(" ", "")
    match = re.fullmatch(r"(?:FY)?(\d{4})(?:年度)?", value)
    if match:
        return int(match.group(1))
    match = re.fullmatch(r"(?:令和|R)(\d{1,2}|元)年度?", value)
    if match:
        n = 1 if match.group(1) == "元" else int(match.group(1))
        return 2018 + n
    return None


def _choice_words(choices: Any) -> dict[str, str]:
    """Every way a status or phase may be written: its code and its words in every language."""
    from django.conf import settings
    from django.utils import translation

    words = {}
    for value, label in choices.choices:
        words[str(value)] = value
        words[str(value).replace("_", " ")] = value
        for lang, _name in settings.LANGUAGES:
            with translation.override(lang):
                words[str(label).strip().lower()] = value
    return words


@dataclass
class ImportedUpdates:
    rows: int
    created: int
    changed: int
    submitted: int
    updates: list[ActionUpdate]


def updates_import(
    *,
    actor: Actor,
    plan: Plan,
    rows: Sequence[Any],
    problems: Sequence[Any] = (),
    submit: bool = True,
    dry_run: bool = False,
    channel: str = "import",
    source: str = "",
) -> ImportedUpdates:
    """Import one update per row (action x fiscal year): every row is checked first, then all
    are written in one transaction, or none.

    Each row's action must be one the actor may write updates for (an editor:
    their department leads it).  A row for a period with an open draft or a
    returned update changes it; one for a period already submitted is refused;
    one for an approved period writes a correction.  Problems carry file, row,
    column and reason; :class:`UpdateImportError` lists them all.  ``actor``
    None is the command line without ``--user`` (the machine's owner, as for
    ``citystrat import``): it may write and submit updates, never approve them.
    """
    if actor is not None:
        require(actor, Perm.IMPORT)
    found = list(problems)
    statuses = status_words_by_text(plan)
    phases = _choice_words(ActionPhase)
    actions = {
        a.code: a
        for a in Action.objects.filter(plan=plan)
        .select_related("plan")
        .prefetch_related("departments")
    }
    planned: list[tuple[Any, dict[str, Any]]] = []
    seen: dict[tuple[str, int], int] = {}
    for row in rows:
        v = row.values
        before = len(found)
        action = actions.get(v["action"])
        if not v["action"]:
            found.append(row.problem("action", _("The action code is empty.")))
        elif action is None:
            found.append(
                row.problem("action", _("There is no action %(code)s.") % {"code": v["action"]})
            )
        elif actor is not None and not can(actor, Perm.WRITE_ACTION_UPDATE, action):
            found.append(
                row.problem(
                    "action",
                    _("You may not write updates for action %(code)s: it is not your department's.")
                    % {"code": action.code},
                )
            )
        year = _fiscal_year(v["fiscal_year"])
        if year is None:
            found.append(
                row.problem(
                    "fiscal_year",
                    _("%(value)s is not a fiscal year such as FY2024.")
                    % {"value": v["fiscal_year"][:20] or "—"},
                )
            )
        status = statuses.get(v["status"].strip().lower())
        if status is None:
            found.append(
                row.problem(
                    "status",
                    _("%(value)s is not a status; use one of %(choices)s.")
                    % {
                        "value": v["status"][:40] or "—",
                        "choices": ", ".join(w.code for w in plan_status_words(plan)),
                    },
                )
            )
        phase = ""
        if v.get("phase"):
            phase = phases.get(v["phase"].strip().lower(), "")
            if not phase:
                found.append(
                    row.problem(
                        "phase",
                        _("%(value)s is not a phase; use one of %(choices)s.")
                        % {"value": v["phase"][:40], "choices": ", ".join(ActionPhase.values)},
                    )
                )
        lang = v.get("language") or plan.default_language
        if lang not in plan.languages:
            found.append(
                row.problem(
                    "language",
                    _("%(lang)s is not one of the plan's languages.") % {"lang": lang[:10]},
                )
            )
        money: dict[str, Decimal | None] = {}
        for key in ("budget", "revised_budget", "actual"):
            try:
                money[key] = parse_money(v.get(key, ""), key)
            except ReviewError as exc:
                found.append(row.problem(key, exc.message))
        if action is not None and year is not None:
            key2 = (action.code, year)
            if key2 in seen:
                found.append(
                    row.problem(
                        "fiscal_year",
                        _("Action %(code)s, FY%(year)s is already in row %(row)s.")
                        % {"code": action.code, "year": year, "row": seen[key2]},
                    )
                )
            seen[key2] = row.row
        if len(found) > before or action is None or year is None or status is None:
            continue
        texts = {f: ({lang: v[f]} if v.get(f) else {}) for f in ActionUpdate.TEXT_FIELDS}
        try:
            _period_check(action, year, 0)
            fields = _update_fields(action, action_status=status, phase=phase, texts=texts, **money)
        except ReviewError as exc:
            name = exc.field if exc.field in row.columns else "action"
            found.append(row.problem(name, exc.message))
            continue
        current = (
            ActionUpdate.objects.filter(
                action=action, fiscal_year=year, half=0, status__in=ActionUpdate.OPEN_STATUSES
            )
            .order_by("-id")
            .first()
        )
        if current is not None and current.status == ActionUpdate.Status.SUBMITTED:
            found.append(
                row.problem(
                    "fiscal_year",
                    _(
                        "The update of %(code)s for FY%(year)s is awaiting review; it cannot be "
                        "changed now."
                    )
                    % {"code": action.code, "year": year},
                )
            )
            continue
        planned.append((row, {"action": action, "year": year, "fields": fields, "open": current}))
    if found:
        raise UpdateImportError(found)
    if not planned:
        raise UpdateImportError([])
    result = ImportedUpdates(rows=len(planned), created=0, changed=0, submitted=0, updates=[])
    if dry_run:
        return result
    with transaction.atomic():
        for _row, p in planned:
            action, fields = p["action"], p["fields"]
            if p["open"] is None:
                record = ActionUpdate(
                    action=action, fiscal_year=p["year"], half=0, origin="import", **fields
                )
                update = review_create(record=record, actor=actor, channel=channel, source=source)
                result.created += 1
            else:
                update = review_edit(
                    record=p["open"], actor=actor, fields=fields, channel=channel, source=source
                )
                result.changed += 1
            if submit:
                update = review_submit(record=update, actor=actor, channel=channel)
                result.submitted += 1
            result.updates.append(update)
    return result
