"""Sections of the plan file that apps above ``plans`` own (e.g. ``actions``).

``plans`` may not import the apps that build on it, yet a plan file is loaded
and exported as one document.  An app registers a :class:`PlanSection` in its
``AppConfig.ready``; the plan-file checks, :func:`citystrat.plans.services.plan_load`
and :func:`citystrat.plans.export.plan_document` call every registered section.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Plan
    from .planfile import Problem

__all__ = [
    "PlanSection",
    "register",
    "register_reminders",
    "reminder_sources",
    "sections",
]


@dataclass(frozen=True)
class PlanSection:
    key: str
    # Every problem the schema cannot see (references, duplicates), each located.
    problems: Callable[[dict[str, Any]], Iterable[Problem]]
    # Write the section of a validated document; called inside plan_load's transaction.
    build: Callable[[Plan, dict[str, Any]], None]
    # The section as the plan file holds it, or an empty list to leave it out.
    export: Callable[[Plan], list[dict[str, Any]]]
    # Codes of the departments the section refers to (exported with the plan).
    department_codes: Callable[[Plan], Iterable[str]]


_SECTIONS: dict[str, PlanSection] = {}


def register(section: PlanSection) -> None:
    _SECTIONS[section.key] = section


def sections() -> list[PlanSection]:
    return list(_SECTIONS.values())


# More reminders for ``citystrat remind`` (e.g. action updates): each sends its own
# e-mails for ``as_of`` (or only lists them when ``dry_run``) and returns lines to print.
ReminderSource = Callable[..., list[str]]
_REMINDERS: dict[str, ReminderSource] = {}


def register_reminders(name: str, source: ReminderSource) -> None:
    _REMINDERS[name] = source


def reminder_sources() -> list[ReminderSource]:
    return list(_REMINDERS.values())
