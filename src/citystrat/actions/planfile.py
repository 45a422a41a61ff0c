"""The plan file's ``actions`` section: checked, loaded and exported with the plan.

Every leading project (``projects``) and every key action (a direction's
``actions``) is an action already; its code is the project's code, and for a
key action ``<measure>-<direction>-<n>`` (measure 1, its second direction,
third key action: ``1-2-3``).  An entry of ``actions`` with such a code adds
what the plan says about who, when and with what money; an entry with any
other code defines a programme (``kind: programme``, with ``title`` and
``parent``).  See docs/plan-format.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from citystrat.periods import PeriodKind, parse_period
from citystrat.plans.extensions import PlanSection
from citystrat.plans.planfile import Problem, decimal_text, to_decimal

KEY = "actions"
STATUS_KEY = "action_statuses"
STANDARD_STATES = (
    "not_started",
    "on_schedule",
    "slightly_delayed",
    "seriously_delayed",
    "completed",
    "suspended",
    "cancelled",
)


def key_action_code(measure_code: str, direction_index: int, action_index: int) -> str:
    """The code of a key action: ``<measure>-<direction number>-<action number>``, from 1."""
    return f"{measure_code}-{direction_index + 1}-{action_index + 1}"


def derived_actions(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(code, kind, where) of every project and key action in a plan document, in plan order."""
    out: list[tuple[str, str, str]] = []
    for i, project in enumerate(doc.get("projects", [])):
        out.append((str(project["code"]), "project", f"projects[{i}]"))
    for i, policy in enumerate(doc.get("policies", [])):
        for j, measure in enumerate(policy.get("measures", [])):
            for d, direction in enumerate(measure.get("directions", [])):
                for a, _text in enumerate(direction.get("actions", [])):
                    out.append(
                        (
                            key_action_code(str(measure["code"]), d, a),
                            "key_action",
                            f"policies[{i}].measures[{j}].directions[{d}].actions[{a}]",
                        )
                    )
    return out


def schedule_date(label: str, *, end: bool, fy_start_month: int) -> date:
    """``FY2024`` (its first or last day) or an ISO date."""
    if label.startswith("FY"):
        period = parse_period(label, PeriodKind.FISCAL_YEAR, fy_start_month=fy_start_month)
        return period.end if end else period.start
    return date.fromisoformat(label)


def _problems(doc: dict[str, Any]) -> Iterator[Problem]:
    fy_month = doc["plan"].get("fiscal_year_start_month", 4)
    derived = derived_actions(doc)
    seen: dict[str, str] = {}
    for code, _kind, where in derived:
        if code in seen:
            yield Problem(f"{where}", f"action code {code!r} is also the code of {seen[code]}")
        seen.setdefault(code, where)
    kinds = {code: kind for code, kind, _ in derived}
    entries: list[dict[str, Any]] = doc.get(KEY, [])
    counts = Counter(str(e["code"]) for e in entries)
    programmes = {str(e["code"]): e for e in entries if str(e["code"]) not in kinds}
    all_codes = set(kinds) | set(programmes)
    departments = {str(d["code"]) for d in doc.get("departments", [])}
    status_codes = {str(w["code"]) for w in doc.get(STATUS_KEY, [])} or set(STANDARD_STATES)
    measures = {str(m["code"]) for p in doc.get("policies", []) for m in p.get("measures", [])}
    indicators = {
        str(i["code"]) for i in doc.get("indicators", []) + doc.get("context_indicators", [])
    }
    for i, entry in enumerate(entries):
        where = f"{KEY}[{i}]"
        code = str(entry["code"])
        if counts[code] > 1:
            yield Problem(f"{where}.code", f"duplicate code {code!r}")
        if code in kinds:
            kind = kinds[code]
            if "kind" in entry and entry["kind"] != kind:
                yield Problem(f"{where}.kind", f"{code!r} is a {kind}, not a {entry['kind']}")
            for key in ("title", "description"):
                if key in entry:
                    yield Problem(
                        f"{where}.{key}",
                        f"the {key} of {kind} {code!r} is given where the plan lists it",
                    )
            if "parent" in entry:
                yield Problem(f"{where}.parent", "only a programme has a parent")
        else:
            if entry.get("kind") != "programme":
                yield Problem(
                    f"{where}.code",
                    f"no leading project or key action has code {code!r}; "
                    "a new action needs kind: programme",
                )
            if "title" not in entry:
                yield Problem(f"{where}.title", "a programme needs a title")
            parent = entry.get("parent")
            if parent is None:
                yield Problem(f"{where}.parent", "a programme needs a parent (a project or action)")
            elif str(parent) not in all_codes:
                yield Problem(f"{where}.parent", f"no action with code {parent!r}")
            else:
                chain, node = {code}, str(parent)
                while node in programmes:
                    if node in chain:
                        yield Problem(f"{where}.parent", f"{code!r} is its own ancestor")
                        break
                    chain.add(node)
                    node = str(programmes[node].get("parent", ""))
        if "status" in entry and str(entry["status"]) not in status_codes:
            yield Problem(
                f"{where}.status",
                f"{entry['status']!r} is not one of the plan's action statuses "
                f"({', '.join(sorted(status_codes))})",
            )
        lead = entry.get("lead_department")
        if lead is not None and lead not in departments:
            yield Problem(f"{where}.lead_department", f"no department with code {lead!r}")
        for j, dep in enumerate(entry.get("cooperating_departments", [])):
            if dep not in departments:
                yield Problem(
                    f"{where}.cooperating_departments[{j}]", f"no department with code {dep!r}"
                )
            elif dep == lead:
                yield Problem(
                    f"{where}.cooperating_departments[{j}]",
                    f"{dep!r} is already the lead department",
                )
        for j, m in enumerate(entry.get("measures", [])):
            if str(m) not in measures:
                yield Problem(f"{where}.measures[{j}]", f"no measure with code {m!r}")
        linked = Counter(str(x["code"]) for x in entry.get("indicators", []))
        for j, link in enumerate(entry.get("indicators", [])):
            if str(link["code"]) not in indicators:
                yield Problem(
                    f"{where}.indicators[{j}].code", f"no indicator with code {link['code']!r}"
                )
            elif linked[str(link["code"])] > 1:
                yield Problem(
                    f"{where}.indicators[{j}].code", f"indicator {link['code']!r} is linked twice"
                )
        start = end = None
        for key in ("start", "end"):
            if key in entry:
                try:
                    value = schedule_date(entry[key], end=key == "end", fy_start_month=fy_month)
                except ValueError as exc:
                    yield Problem(f"{where}.{key}", str(exc))
                    continue
                if key == "start":
                    start = value
                else:
                    end = value
        if start and end and end < start:
            yield Problem(f"{where}.end", "the action must end after it starts")
        for j, task in enumerate(entry.get("tasks", [])):
            for key in ("due", "done"):
                if key in task:
                    try:
                        date.fromisoformat(task[key])
                    except ValueError as exc:
                        yield Problem(f"{where}.tasks[{j}].{key}", str(exc))
            if "done" in task and task.get("state", "done") != "done":
                yield Problem(
                    f"{where}.tasks[{j}].done", "a task with a done date must be in state done"
                )
        years = Counter(str(m["fiscal_year"]) for m in entry.get("money", []))
        for j, money in enumerate(entry.get("money", [])):
            if years[str(money["fiscal_year"])] > 1:
                yield Problem(
                    f"{where}.money[{j}].fiscal_year",
                    f"{money['fiscal_year']} is given more than once",
                )
            for key in ("budget", "revised_budget", "actual"):
                if key in money and to_decimal(money[key]) < 0:
                    yield Problem(f"{where}.money[{j}].{key}", "an amount cannot be negative")


def _build(plan: Any, doc: dict[str, Any]) -> None:
    from citystrat.plans.models import Department, Indicator, KeyAction

    from .models import (
        Action,
        ActionBudget,
        ActionDepartment,
        ActionIndicator,
        ActionKind,
        ActionTask,
    )

    fy = plan.fy_start_month
    actions: dict[str, Action] = {}
    order = 0
    for project in plan.projects.all().order_by("order"):
        actions[project.code] = Action.objects.create(
            plan=plan,
            code=project.code,
            kind=ActionKind.PROJECT,
            title=project.title,
            description=project.description,
            project=project,
            order=order,
        )
        order += 1
    key_actions = KeyAction.objects.filter(direction__measure__plan=plan).select_related(
        "direction__measure"
    )
    rows = sorted(
        key_actions, key=lambda k: (k.direction.measure.order, k.direction.order, k.order)
    )
    for ka in rows:
        code = key_action_code(ka.direction.measure.code, ka.direction.order, ka.order)
        actions[code] = Action(
            plan=plan,
            code=code,
            kind=ActionKind.KEY_ACTION,
            title=ka.text,
            key_action=ka,
            order=order,
        )
        order += 1
    Action.objects.bulk_create([a for a in actions.values() if a.pk is None])
    actions = {a.code: a for a in Action.objects.filter(plan=plan)}
    entries: list[dict[str, Any]] = doc.get(KEY, [])
    pending = [e for e in entries if str(e["code"]) not in actions]
    while pending:  # parents before children (the checks refused cycles)
        later = []
        for entry in pending:
            parent = actions.get(str(entry["parent"]))
            if parent is None:
                later.append(entry)
                continue
            action = Action.objects.create(
                plan=plan,
                code=str(entry["code"]),
                kind=ActionKind.PROGRAMME,
                title=entry["title"],
                description=entry.get("description", {}),
                parent=parent,
                order=order + entries.index(entry),
            )
            actions[action.code] = action
        if len(later) == len(pending):
            raise ValueError("programmes whose parents cannot be found")  # checked before
        pending = later
    departments = {d.code: d for d in Department.objects.all()}
    words = {str(w["code"]): str(w["standard"]) for w in doc.get(STATUS_KEY, [])}
    measures = {m.code: m for m in plan.measures.all()}
    indicators = {i.code: i for i in Indicator.objects.filter(plan=plan)}
    links: list[ActionIndicator] = []
    roles: list[ActionDepartment] = []
    tasks: list[ActionTask] = []
    budgets: list[ActionBudget] = []
    for entry in entries:
        action = actions[str(entry["code"])]
        action.purpose = entry.get("purpose", {})
        code = str(entry.get("status", ""))
        action.status_word = code if code in words else ""
        action.status = words.get(code, code)
        action.phase = entry.get("phase", "")
        action.reporting = entry.get("reporting", "fiscal_year")
        for key, attr in (("start", "start_date"), ("end", "end_date")):
            if key in entry:
                setattr(
                    action, attr, schedule_date(entry[key], end=key == "end", fy_start_month=fy)
                )
        action.schedule_in_fiscal_years = all(
            str(entry[k]).startswith("FY") for k in ("start", "end") if k in entry
        )
        action.save()
        if entry.get("measures"):
            action.measures.set([measures[str(c)] for c in entry["measures"]])
        if "lead_department" in entry:
            roles.append(
                ActionDepartment(
                    action=action,
                    department=departments[entry["lead_department"]],
                    role=ActionDepartment.Role.LEAD,
                )
            )
        for n, code in enumerate(entry.get("cooperating_departments", [])):
            roles.append(
                ActionDepartment(
                    action=action,
                    department=departments[code],
                    role=ActionDepartment.Role.COOPERATING,
                    order=n,
                )
            )
        for n, link in enumerate(entry.get("indicators", [])):
            links.append(
                ActionIndicator(
                    action=action,
                    indicator=indicators[str(link["code"])],
                    role=link.get("role", ActionIndicator.Role.OUTCOME),
                    order=n,
                )
            )
        for n, task in enumerate(entry.get("tasks", [])):
            done = date.fromisoformat(task["done"]) if "done" in task else None
            tasks.append(
                ActionTask(
                    action=action,
                    title=task["title"],
                    milestone=task.get("milestone", False),
                    due_date=date.fromisoformat(task["due"]) if "due" in task else None,
                    done_date=done,
                    state=task.get("state", "done" if done else ActionTask.State.NOT_STARTED),
                    order=n,
                )
            )
        for money in entry.get("money", []):
            budgets.append(
                ActionBudget(
                    action=action,
                    fiscal_year=int(str(money["fiscal_year"])[2:]),
                    **{
                        key: to_decimal(money[key])
                        for key in ("budget", "revised_budget", "actual")
                        if key in money
                    },
                )
            )
    ActionDepartment.objects.bulk_create(roles)
    ActionIndicator.objects.bulk_create(links)
    ActionTask.objects.bulk_create(tasks)
    ActionBudget.objects.bulk_create(budgets)


def _money(value: Decimal) -> Decimal:
    return Decimal(decimal_text(value))


def _schedule_label(value: date, *, end: bool, in_fy: bool, fy_start_month: int) -> str:
    if in_fy:
        year = value.year if value.month >= fy_start_month else value.year - 1
        label = f"FY{year}"
        if schedule_date(label, end=end, fy_start_month=fy_start_month) == value:
            return label
    return value.isoformat()


def _export(plan: Any) -> list[dict[str, Any]]:
    from .models import Action, ActionDepartment, ActionKind

    out: list[dict[str, Any]] = []
    qs = (
        Action.objects.filter(plan=plan)
        .select_related("parent")
        .prefetch_related(
            "measures",
            "departments__department",
            "indicator_links__indicator",
            "tasks",
            "budgets",
        )
        .order_by("order", "id")
    )
    for action in qs:
        entry: dict[str, Any] = {"code": action.code}
        if action.kind == ActionKind.PROGRAMME:
            entry["kind"] = action.kind
            entry["title"] = action.title
            if action.description:
                entry["description"] = action.description
            assert action.parent is not None
            entry["parent"] = action.parent.code
        if action.purpose:
            entry["purpose"] = action.purpose
        roles = list(action.departments.all())
        lead = [r for r in roles if r.role == ActionDepartment.Role.LEAD]
        if lead:
            entry["lead_department"] = lead[0].department.code
        coop = [r.department.code for r in roles if r.role == ActionDepartment.Role.COOPERATING]
        if coop:
            entry["cooperating_departments"] = coop
        measures = sorted(action.measures.all(), key=lambda m: m.order)
        if measures:
            entry["measures"] = [m.code for m in measures]
        links = [
            {"code": link.indicator.code, "role": link.role}
            for link in action.indicator_links.all()
        ]
        if links:
            entry["indicators"] = links
        fy = plan.fy_start_month
        in_fy = action.schedule_in_fiscal_years
        if action.start_date:
            entry["start"] = _schedule_label(
                action.start_date, end=False, in_fy=in_fy, fy_start_month=fy
            )
        if action.end_date:
            entry["end"] = _schedule_label(
                action.end_date, end=True, in_fy=in_fy, fy_start_month=fy
            )
        if action.status:
            entry["status"] = action.status_word or action.status
        if action.phase:
            entry["phase"] = action.phase
        if action.reporting != "fiscal_year":
            entry["reporting"] = action.reporting
        tasks = []
        for task in action.tasks.all():
            item: dict[str, Any] = {"title": task.title}
            if task.milestone:
                item["milestone"] = True
            if task.due_date:
                item["due"] = task.due_date.isoformat()
            if task.done_date:
                item["done"] = task.done_date.isoformat()
            item["state"] = task.state
            tasks.append(item)
        if tasks:
            entry["tasks"] = tasks
        money = []
        for b in action.budgets.all():
            row: dict[str, Any] = {"fiscal_year": f"FY{b.fiscal_year}"}
            for key in ("budget", "revised_budget", "actual"):
                value = getattr(b, key)
                if value is not None:
                    row[key] = _money(value)
            money.append(row)
        if money:
            entry["money"] = money
        if len(entry) > 1:
            out.append(entry)
    return out


def _department_codes(plan: Any) -> Iterable[str]:
    from .models import ActionDepartment

    return set(
        ActionDepartment.objects.filter(action__plan=plan).values_list(
            "department__code", flat=True
        )
    )


def _status_problems(doc: dict[str, Any]) -> Iterator[Problem]:
    words: list[dict[str, Any]] = doc.get(STATUS_KEY, [])
    counts = Counter(str(w["code"]) for w in words)
    languages = set(doc["plan"].get("languages", []))
    for i, word in enumerate(words):
        where = f"{STATUS_KEY}[{i}]"
        if counts[str(word["code"])] > 1:
            yield Problem(f"{where}.code", f"duplicate code {word['code']!r}")
        for lang in word.get("label", {}):
            if languages and lang not in languages:
                yield Problem(
                    f"{where}.label.{lang}", f"{lang!r} is not one of the plan's languages"
                )


def _status_build(plan: Any, doc: dict[str, Any]) -> None:
    from .models import ActionStatusWord

    ActionStatusWord.objects.bulk_create(
        ActionStatusWord(
            plan=plan,
            code=str(w["code"]),
            standard=str(w["standard"]),
            label=w["label"],
            order=n,
        )
        for n, w in enumerate(doc.get(STATUS_KEY, []))
    )


def _status_export(plan: Any) -> list[dict[str, Any]]:
    from .models import ActionStatusWord

    return [
        {"code": w.code, "standard": w.standard, "label": w.label}
        for w in ActionStatusWord.objects.filter(plan=plan).order_by("order", "id")
    ]


# Loaded before ``actions``, whose statuses are these codes.
STATUS_SECTION = PlanSection(
    key=STATUS_KEY,
    problems=_status_problems,
    build=_status_build,
    export=_status_export,
    department_codes=lambda plan: (),
)

SECTION = PlanSection(
    key=KEY,
    problems=_problems,
    build=_build,
    export=_export,
    department_codes=_department_codes,
)
