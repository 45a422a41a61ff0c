"""How far a long piece of work is: rows read of rows expected, wherever it is shown."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

from django.core.cache import cache

__all__ = [
    "TerminalBar",
    "add_progress_argument",
    "command_bar",
    "counted",
    "job_progress_state",
    "progress_get",
    "progress_set",
]

T = TypeVar("T")
Report = Callable[[int, int | None], None]


def counted(
    items: Iterable[T], *, total: int | None, report: Report, every: int = 500
) -> Iterator[T]:
    """Pass ``items`` through, calling ``report(done, total)`` every ``every`` rows and at the end.

    ``done`` is the row number of the item (a record's ``row``) when it has one, so a
    wide file's several values per row count as one row.
    """
    done = last = 0
    for index, item in enumerate(items, start=1):
        row = getattr(item, "row", None)
        done = max(done, row if isinstance(row, int) else index)
        if done - last >= every:
            report(done, total)
            last = done
        yield item
    report(done, total)


def _key(job_id: Any) -> str:
    return f"citystrat:job:{job_id}:progress"


def progress_set(job_id: Any, done: int, total: int | None) -> None:
    cache.set(_key(job_id), {"done": done, "total": total}, timeout=24 * 3600)


def progress_get(job_id: Any) -> dict[str, Any]:
    """``{"done", "total", "percent"}``; ``percent`` None while the total is unknown."""
    data = cache.get(_key(job_id)) or {"done": 0, "total": None}
    total = data.get("total")
    done = data.get("done") or 0
    percent = min(100, round(100 * done / total)) if total else None
    return {"done": done, "total": total, "percent": percent}


def job_progress_state(job: Any) -> dict[str, Any]:
    """A job's progress as shown: a finished job is at 100 %."""
    state = progress_get(job.pk)
    if job.finished:
        state["percent"] = 100
    return state


class TerminalBar:
    """``[#########-----------]  45 %  12,000 / 26,000 rows`` on a terminal, redrawn in place."""

    def __init__(self, stream: IO[str] | None = None, width: int = 30, label: str = "") -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.label = f"{label} " if label else ""

    def __call__(self, done: int, total: int | None) -> None:
        if total:
            fraction = min(1.0, done / total)
            filled = round(self.width * fraction)
            bar = "#" * filled + "-" * (self.width - filled)
            text = f"\r{self.label}[{bar}] {fraction * 100:3.0f} %  {done:,} / {total:,}"
        else:
            text = f"\r{self.label}{done:,}"
        self.stream.write(text)
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def add_progress_argument(parser: Any) -> None:
    """``--progress/--no-progress`` on a command, as ``citystrat import`` has it."""
    import argparse

    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show the progress on stderr (default: when stderr is a terminal; never with -v 0)",
    )


def command_bar(command: Any, options: dict[str, Any], *, label: str = "") -> TerminalBar | None:
    """The progress bar a management command draws on stderr, or None.

    None when quiet (``-v 0``) or printing JSON; else as ``--progress`` says, and by
    default when stderr is a terminal.
    """
    if options.get("verbosity", 1) == 0 or options.get("json"):
        return None
    show = options.get("progress")
    stream = command.stderr._out  # unwrapped: no newline per draw
    if show is None:
        show = bool(getattr(stream, "isatty", lambda: False)())
    return TerminalBar(stream, label=label) if show else None
