"""Sections of the plan file that apps above ``plans`` own (e.g. ``actions``).

``plans`` may not import the apps that build on it, yet a plan file is loaded
and exported as one document.  An app registers a :class:`PlanSection` (a
top-level section) or an :class:`IndicatorSection` (a list inside every
indicator, e.g. ``observations``) in its ``AppConfig.ready``; the plan-file
checks, :func:`citystrat.plans.services.plan_load` and
:func:`citystrat.plans.export.plan_document` call every registered section.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Indicator, Plan
    from .planfile import Problem

__all__ = [
    "IndicatorSection",
    "PlanSection",
    "indicator_sections",
    "register",
    "register_indicator_section",
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


def _no_problems(indicator: dict[str, Any], where: str) -> Iterable[Problem]:
    return ()


@dataclass(frozen=True)
class IndicatorSection:
    """A list of dated values inside every indicator of the plan file (``key`` of each
    ``indicators[i]`` and ``context_indicators[i]``).

    Its entries are ``{period, value, ...}`` like ``targets``: the plan-file checks
    give every entry's period, duplicate periods and a percentage's range their
    located problems; ``problems`` adds what else the section requires.
    """

    key: str
    # Write the section of a validated document, after the plan's indicators exist
    # (given by code); called inside plan_load's transaction.
    build: Callable[[Plan, Mapping[str, Indicator], dict[str, Any]], None]
    # The section's entries as the plan file holds them, by indicator code (an
    # indicator without entries may be left out).
    export: Callable[[Plan], Mapping[str, list[dict[str, Any]]]]
    # More problems of one indicator entry of the document, located under ``where``
    # (e.g. ``indicators[3]``).
    problems: Callable[[dict[str, Any], str], Iterable[Problem]] = _no_problems


_INDICATOR_SECTIONS: dict[str, IndicatorSection] = {}


def register_indicator_section(section: IndicatorSection) -> None:
    _INDICATOR_SECTIONS[section.key] = section


def indicator_sections() -> list[IndicatorSection]:
    return list(_INDICATOR_SECTIONS.values())


# More reminders for ``citystrat remind`` (e.g. action updates): each sends its own
# e-mails for ``as_of`` (or only lists them when ``dry_run``) and returns lines to print.
ReminderSource = Callable[..., list[str]]
_REMINDERS: dict[str, ReminderSource] = {}


def register_reminders(name: str, source: ReminderSource) -> None:
    _REMINDERS[name] = source


def reminder_sources() -> list[ReminderSource]:
    return list(_REMINDERS.values())
