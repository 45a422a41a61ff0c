"""Staff pages on actions: My actions, one action (assignment, its updates), the update form.

Thin: parse, call :mod:`citystrat.actions.services` or a selector, render.
Plain forms, POST-redirect-GET; no JavaScript needed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from citystrat.accounts.decorators import staff_required
from citystrat.accounts.permissions import Action as Perm
from citystrat.accounts.permissions import can, require
from citystrat.actions import selectors
from citystrat.actions.calendar import update_round
from citystrat.actions.export import schedule_labels
from citystrat.actions.models import Action, ActionTask, ActionUpdate, ActionUpdateEvidence
from citystrat.actions.services import (
    action_assign,
    action_budget_set,
    action_contact_set,
    action_schedule_set,
    action_task_save,
    parse_money,
    update_approve,
    update_enter,
    update_return,
    update_signoff,
    update_submit,
)
from citystrat.actions.statuses import plan_status_words
from citystrat.observations.evidence import Upload, evidence_response
from citystrat.plans.selectors import plan_get
from citystrat.review.errors import ConflictError, ReviewError

from .action_forms import (
    ActionUpdateForm,
    AssignForm,
    BudgetForm,
    ContactForm,
    ScheduleForm,
    TaskForm,
)
from .views import _safe_next


def _action(pk: int) -> Action:
    action = (
        Action.objects.select_related("plan", "parent", "key_action__direction__measure")
        .prefetch_related("departments__department", "tasks", "budgets", "contacts__user")
        .filter(pk=pk)
        .first()
    )
    if action is None:
        raise Http404
    return action


def _form_error(form: Any, error: ValidationError) -> None:
    located = getattr(error, "located", None) or [("", m) for m in error.messages]
    for field, message in located:
        form.add_error(field if field in form.fields else None, message)


@staff_required
def my_actions(request: HttpRequest) -> HttpResponse:
    plan = plan_get()
    today = timezone.localdate()
    actions = selectors.actions_for(request.user, plan)
    rows = []
    for action in actions:
        lead = selectors.lead_department(action)
        rows.append(
            {
                "action": action,
                "lead": lead.department if lead else None,
                "round": update_round(action, today),
                "may_write": can(request.user, Perm.WRITE_ACTION_UPDATE, action),
            }
        )
    return render(
        request,
        "staff/my_actions.html",
        {
            "plan": plan,
            "rows": rows,
            "today": today,
            "owner_view": getattr(getattr(request.user, "profile", None), "role", "") == "editor",
            "queue_size": len(selectors.update_review_queue(request.user)),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    user = request.user
    may_assign = can(user, Perm.ASSIGN_ACTION)
    status = 200
    lead = selectors.lead_department(action)
    initial = {
        "lead": lead.department if lead else None,
        "cooperating": [r.department for r in selectors.cooperating_departments(action)],
    }
    form = AssignForm(initial=initial) if may_assign else None
    if request.method == "POST":
        require(user, Perm.ASSIGN_ACTION)
        form = AssignForm(request.POST)
        if form.is_valid():
            try:
                action_assign(
                    actor=user,
                    action=action,
                    lead=form.cleaned_data["lead"],
                    cooperating=list(form.cleaned_data["cooperating"]),
                    reason=form.cleaned_data["reason"],
                )
            except ReviewError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The departments are assigned."))
                return redirect("staff:action", pk=action.pk)
        status = 400
    return render(
        request,
        "staff/action.html",
        {
            "plan": action.plan,
            "action": action,
            "lead": lead.department if lead else None,
            "cooperating": [r.department for r in selectors.cooperating_departments(action)],
            "form": form,
            "updates": selectors.updates_for(user, action),
            "round": update_round(action, timezone.localdate()),
            "may_write": can(user, Perm.WRITE_ACTION_UPDATE, action),
            "may_manage": can(user, Perm.MANAGE_ACTION, action),
        },
        status=status,
    )


def _default_status(action: Action) -> str:
    """A new update starts from the action's current status, else the first 'on schedule' word."""
    if action.status:
        return action.status_word or action.status
    words = plan_status_words(action.plan)
    return next((w.code for w in words if w.standard == "on_schedule"), words[0].code)


def _texts_from(data: dict[str, Any], existing: ActionUpdate | None) -> dict[str, dict[str, str]]:
    """The form writes one language; the other languages already stored are kept."""
    lang = data["language"]
    out: dict[str, dict[str, str]] = {}
    for field in ActionUpdate.TEXT_FIELDS:
        value = dict(getattr(existing, field) or {}) if existing is not None else {}
        value[lang] = data[field]
        out[field] = value
    return out


@staff_required
@require_http_methods(["GET", "POST"])
def update_form(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    user = request.user
    require(user, Perm.WRITE_ACTION_UPDATE, action)
    lang = getattr(getattr(user, "profile", None), "language", "") or action.plan.default_language
    if lang not in action.plan.languages:
        lang = action.plan.default_language
    editing: ActionUpdate | None = None
    edit_id = request.POST.get("update") or request.GET.get("update")
    if edit_id and str(edit_id).isdigit():
        editing = ActionUpdate.objects.filter(
            pk=int(edit_id), action=action, status__in=ActionUpdate.EDITABLE_STATUSES
        ).first()
        if editing is None:
            raise Http404
    today = timezone.localdate()
    status = 200
    if request.method == "POST":
        form = ActionUpdateForm(request.POST, request.FILES, action=action, this_year=today.year)
        if form.is_valid():
            data = form.cleaned_data
            try:
                update = update_enter(
                    actor=user,
                    action=action,
                    fiscal_year=data["fiscal_year"],
                    half=data["half"],
                    action_status=data["action_status"],
                    phase=data["phase"],
                    texts=_texts_from(data, editing),
                    update=editing,
                    expected_version=data.get("version") if editing else None,
                    budget=parse_money(data["budget"], "budget"),
                    revised_budget=parse_money(data["revised_budget"], "revised_budget"),
                    actual=parse_money(data["actual"], "actual"),
                    evidence=[Upload(f.name, f, f.size) for f in data["evidence"]],
                    submit=request.POST.get("do") == "submit",
                )
            except ConflictError as exc:
                form.add_error(None, exc.message)
            except ReviewError as exc:
                _form_error(form, exc)
            else:
                if update.status == ActionUpdate.Status.SUBMITTED:
                    messages.success(request, _("Submitted for review."))
                else:
                    messages.success(request, _("Saved as a draft; not yet submitted."))
                return redirect("staff:action_update", pk=update.pk)
        status = 400
    else:
        initial: dict[str, Any] = {"language": lang}
        if editing is not None:
            initial.update(
                fiscal_year=editing.fiscal_year,
                half=editing.half,
                action_status=editing.status_word or editing.action_status,
                phase=editing.phase,
                budget=editing.budget if editing.budget is not None else "",
                revised_budget=editing.revised_budget if editing.revised_budget is not None else "",
                actual=editing.actual if editing.actual is not None else "",
                version=editing.version,
                **{f: (getattr(editing, f) or {}).get(lang, "") for f in ActionUpdate.TEXT_FIELDS},
            )
        else:
            r = update_round(action, today)
            if r is not None:
                initial["fiscal_year"] = r.fiscal_year
                initial["half"] = r.half
            initial["action_status"] = _default_status(action)
            initial["phase"] = action.phase
        form = ActionUpdateForm(initial=initial, action=action, this_year=today.year)
    return render(
        request,
        "staff/action_update_form.html",
        {"plan": action.plan, "action": action, "form": form, "editing": editing},
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def update_detail(request: HttpRequest, pk: int) -> HttpResponse:
    update = get_object_or_404(
        ActionUpdate.objects.select_related(
            "action__plan", "created_by", "submitted_by", "decided_by"
        ),
        pk=pk,
    )
    user = request.user
    action = update.action
    if not (can(user, Perm.VIEW_PENDING) or update.status == ActionUpdate.Status.APPROVED):
        raise PermissionDenied
    here = reverse("staff:action_update", kwargs={"pk": update.pk})
    error = ""
    if request.method == "POST":
        do = request.POST.get("do", "")
        version_text = request.POST.get("version", "")
        version = int(version_text) if version_text.isdigit() else None
        reason = request.POST.get("reason", "")
        try:
            if do == "submit":
                update_submit(actor=user, update=update, expected_version=version)
                messages.success(request, _("Submitted for review."))
            elif do == "approve":
                update_approve(actor=user, update=update, expected_version=version, reason=reason)
                messages.success(request, _("Approved: the update is now public."))
            elif do == "return":
                update_return(actor=user, update=update, expected_version=version, reason=reason)
                messages.success(request, _("Returned to the department with your reason."))
            elif do == "signoff":
                update_signoff(actor=user, update=update)
                messages.success(request, _("Your department has co-signed the update."))
            else:
                raise Http404
        except ConflictError as exc:
            messages.error(request, exc.message)
            return redirect(here)
        except ReviewError as exc:
            error = "; ".join(m for _f, m in exc.located)
        else:
            return redirect(_safe_next(request, here))
    editable = update.status in ActionUpdate.EDITABLE_STATUSES
    may_write = can(user, Perm.WRITE_ACTION_UPDATE, action)
    return render(
        request,
        "staff/action_update.html",
        {
            "plan": action.plan,
            "action": action,
            "u": update,
            "error": error,
            "signoffs": list(update.signoffs.select_related("department", "user")),
            "evidence": selectors.update_evidence(update),
            "may_edit": editable and may_write,
            "may_submit": editable and may_write,
            "may_decide": update.status == ActionUpdate.Status.SUBMITTED
            and can(user, Perm.APPROVE),
            "may_return": update.status == ActionUpdate.Status.SUBMITTED and can(user, Perm.RETURN),
            "may_sign": update.is_open and can(user, Perm.SIGN_ACTION_UPDATE, action),
        },
        status=400 if error else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def updates_import_page(request: HttpRequest) -> HttpResponse:
    """Upload a department's spreadsheet of updates and money: check it, then import it."""
    from citystrat.actions.importer import read_update_rows
    from citystrat.actions.services import UpdateImportError, updates_import

    require(request.user, Perm.IMPORT)
    plan = plan_get()
    context: dict[str, Any] = {"plan": plan, "problems": [], "result": None, "checked": False}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        dry_run = request.POST.get("do") != "import"
        if upload is None:
            context["problems"] = [
                {"file": "", "row": None, "column": None, "reason": _("Choose a file.")}
            ]
            status = 400
        else:
            name = upload.name or "upload"
            rows, problems = read_update_rows(upload, file=name)
            try:
                result = updates_import(
                    actor=request.user,
                    plan=plan,
                    rows=rows,
                    problems=problems,
                    dry_run=dry_run,
                    channel="web",
                    source=name,
                )
            except UpdateImportError as exc:
                context["problems"] = [p.as_dict() for p in exc.problems] or [
                    {"file": name, "row": None, "column": None, "reason": exc.message}
                ]
                status = 400
            else:
                context.update(result=result, checked=dry_run, filename=name)
    return render(request, "staff/action_import.html", context, status=status)


# --- what a coordinator or the lead department manages: schedule, tasks, contacts, money ---

MANAGE_FORMS = ("schedule", "task", "contact", "budget")


def _manage_forms(action: Action, data: Any = None, which: str = "") -> dict[str, Any]:
    """The page's four forms; only the one posted (``which``) is bound to ``data``."""

    def bound(name: str) -> Any:
        return data if which == name else None

    start, end = schedule_labels(action)
    schedule_initial = {"start": start or "", "end": end or "", "reporting": action.reporting}
    return {
        "schedule": ScheduleForm(
            bound("schedule"), action=action, prefix="schedule", initial=schedule_initial
        ),
        "task": TaskForm(
            bound("task"),
            action=action,
            prefix="task",
            initial={"language": action.plan.default_language, "state": "not_started"},
        ),
        "contact": ContactForm(bound("contact"), prefix="contact"),
        "budget": BudgetForm(bound("budget"), action=action, prefix="budget"),
    }


def _manage_post(request: HttpRequest, action: Action, forms_: dict[str, Any]) -> str:
    """Do what the posted form asks; returns the success message (raises ReviewError)."""
    user = request.user
    do = request.POST.get("do", "")
    if do == "schedule":
        form = forms_["schedule"]
        if not form.is_valid():
            raise _Invalid
        action_schedule_set(
            actor=user,
            action=action,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            in_fiscal_years=form.in_fiscal_years(),
            reporting=form.cleaned_data["reporting"],
        )
        return _("The schedule is saved.")
    if do == "task":
        form = forms_["task"]
        if not form.is_valid():
            raise _Invalid
        data = form.cleaned_data
        action_task_save(
            actor=user,
            action=action,
            title={data["language"]: data["title"]},
            due_date=data["due_date"],
            done_date=data["done_date"],
            state=data["state"],
            milestone=data["milestone"],
        )
        return _("The task is added.")
    if do == "task_done":
        task = _task(action, request.POST.get("task", ""))
        action_task_save(
            actor=user,
            action=action,
            task=task,
            title={},
            due_date=task.due_date,
            done_date=timezone.localdate(),
            state=ActionTask.State.DONE,
            milestone=task.milestone,
        )
        return _("The task is marked done.")
    if do in ("contact", "contact_remove"):
        if do == "contact":
            form = forms_["contact"]
            if not form.is_valid():
                raise _Invalid
            person, role, present = form.cleaned_data["user"], form.cleaned_data["role"], True
        else:
            contact = action.contacts.filter(pk=_int(request.POST.get("contact", ""))).first()
            if contact is None:
                raise Http404
            person, role, present = contact.user, contact.role, False
        action_contact_set(actor=user, action=action, user=person, role=role, present=present)
        return _("The contact is added.") if present else _("The contact is removed.")
    if do == "budget":
        form = forms_["budget"]
        if not form.is_valid():
            raise _Invalid
        action_budget_set(
            actor=user,
            action=action,
            fiscal_year=form.cleaned_data["fiscal_year"],
            budget=form.cleaned_data["budget"],
            revised_budget=form.cleaned_data["revised_budget"],
        )
        return _("The budget is saved.")
    raise Http404


class _Invalid(Exception):
    """The posted form did not validate; its errors are on it."""


def _int(text: str) -> int:
    """A posted row id; 0 (no row) when it is not a number."""
    return int(text) if text.isdigit() and len(text) < 18 else 0


def _task(action: Action, text: str) -> ActionTask:
    task = action.tasks.filter(pk=_int(text)).first()
    if task is None:
        raise Http404
    return task


@staff_required
@require_http_methods(["GET", "POST"])
def action_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule, tasks and milestones, contact people and budgets of one action."""
    action = _action(pk)
    require(request.user, Perm.MANAGE_ACTION, action)
    here = reverse("staff:action_manage", kwargs={"pk": action.pk})
    do = request.POST.get("do", "") if request.method == "POST" else ""
    which = {"task_done": "", "contact_remove": ""}.get(do, do)
    forms_ = _manage_forms(action, request.POST if request.method == "POST" else None, which)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            message = _manage_post(request, action, forms_)
        except _Invalid:
            status = 400
        except ReviewError as exc:
            status = 400
            form = forms_.get(which)
            if form is not None:
                _form_error(form, exc)
            else:
                error = "; ".join(m for _f, m in exc.located)
        else:
            messages.success(request, message)
            return redirect(here)
        action = _action(pk)
    return render(
        request,
        "staff/action_manage.html",
        {
            "plan": action.plan,
            "action": action,
            "forms": forms_,
            "error": error,
            "tasks": list(action.tasks.all()),
            "contacts": list(action.contacts.select_related("user__profile__department")),
            "money": selectors.action_money(action),
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int, task: int) -> HttpResponse:
    """Change one task or milestone: its title (in one language), due date, state, done date."""
    action = _action(pk)
    require(request.user, Perm.MANAGE_ACTION, action)
    item = _task(action, str(task))
    lang = request.POST.get("language") or request.GET.get("language") or ""
    if lang not in action.plan.languages:
        lang = action.plan.default_language
    status = 200
    if request.method == "POST":
        form = TaskForm(request.POST, action=action)
        if form.is_valid():
            data = form.cleaned_data
            try:
                action_task_save(
                    actor=request.user,
                    action=action,
                    task=item,
                    title={data["language"]: data["title"]},
                    due_date=data["due_date"],
                    done_date=data["done_date"],
                    state=data["state"],
                    milestone=data["milestone"],
                )
            except ReviewError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The task is saved."))
                return redirect("staff:action_manage", pk=action.pk)
        status = 400
    else:
        form = TaskForm(
            initial={
                "title": (item.title or {}).get(lang, ""),
                "language": lang,
                "milestone": item.milestone,
                "due_date": item.due_date,
                "state": item.state,
                "done_date": item.done_date,
            },
            action=action,
        )
    return render(
        request,
        "staff/action_task.html",
        {"plan": action.plan, "action": action, "task": item, "form": form},
        status=status,
    )


@staff_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """An update's evidence file: to staff who may see pending work, to everyone once approved."""
    evidence = get_object_or_404(
        ActionUpdateEvidence.objects.select_related("update__action__plan"), pk=pk
    )
    if not selectors.may_see_evidence(request.user, evidence):
        raise PermissionDenied
    return evidence_response(evidence, private=True)
