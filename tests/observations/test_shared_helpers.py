"""The helpers values, action updates and activity records share: the evidence
transaction and the lines of a reminder e-mail."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from citystrat.observations.evidence import (
    evidence_facts,
    evidence_store,
    evidence_transaction,
)
from citystrat.observations.mailing_services import reminder_lines, site_url
from citystrat.plans.models import Department

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _store(name: str = "minutes.pdf") -> Any:
    return evidence_store(name=name, stream=io.BytesIO(PDF), size=len(PDF))


def _files() -> list[str]:
    root = Path(settings.EVIDENCE_ROOT)
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.django_db
def test_a_failed_evidence_transaction_rolls_back_and_removes_every_file() -> None:
    given, appended = _store(), _store("second.pdf")
    assert len(_files()) == 2
    with pytest.raises(RuntimeError), evidence_transaction(given) as files:
        files.append(appended)
        Department.objects.create(code="gone", name={"en": "Gone"})
        raise RuntimeError("refused halfway")
    assert _files() == []
    assert not Department.objects.filter(code="gone").exists()


@pytest.mark.django_db
def test_a_committed_evidence_transaction_keeps_the_files_and_rows() -> None:
    stored = _store()
    with evidence_transaction(stored) as files:
        files.append(_store("second.pdf"))
        Department.objects.create(code="kept", name={"en": "Kept"})
    assert len(_files()) == 2
    assert Department.objects.filter(code="kept").exists()


def test_evidence_facts_are_the_audit_records_file_facts() -> None:
    @dataclass
    class Row:
        pk: int
        original_name: str
        size: int
        sha256: str

    row = Row(7, "minutes.pdf", 41, "ab" * 32)
    assert evidence_facts(row) == {
        "evidence": 7,
        "name": "minutes.pdf",
        "size": 41,
        "sha256": "ab" * 32,
    }


@dataclass
class _Round:
    what: str
    days_overdue: int


@dataclass
class _Item:
    round: _Round
    stage: str


def test_reminder_lines_one_per_due_item_escalation_if_any_stage_is() -> None:
    a, b = _Round("A", 0), _Round("B", 12)
    items = [
        _Item(a, "due_soon"),
        _Item(b, "overdue"),
        _Item(b, "escalation_1"),
        _Item(a, "due_soon"),
    ]
    lines = reminder_lines(items, key=lambda i: i.round.what, line=lambda i: {"name": i.round.what})
    assert [(x["name"], x["escalation"], x["days_late"]) for x in lines] == [
        ("A", False, 0),
        ("B", True, 12),
    ]
    assert lines[1]["item"] is items[1]


def test_site_url_has_no_trailing_slash(settings: Any) -> None:
    settings.CITYSTRAT_SITE_URL = "https://plan.example.jp/"
    assert site_url() == "https://plan.example.jp"
