"""Writes go through one door: no audited model is written outside a services module.

A static check of the source: a model manager's write (``create``,
``bulk_create``, ``update``, ``delete`` ...) on a citystrat model, the auth
models or API tokens, and any bare ``.save()`` / ``.delete()``, may appear only
in a services module (``services.py`` or ``*_services.py``), which checks
permission and writes the audit record, or in a migration; and audit records
themselves only through :mod:`citystrat.audit.services`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps

SRC = Path(__file__).resolve().parents[1] / "src" / "citystrat"
WRITES = {
    "create",
    "bulk_create",
    "bulk_update",
    "update",
    "update_or_create",
    "get_or_create",
    "delete",
}
# Modules allowed to write without being named *services, and why.
ALLOWED = {
    # The restore service: inserts every model's rows raw in one transaction, audited.
    "exchange/backup.py",
    # Called only by the plan loader (plans.services.plan_load), inside its transaction and
    # under its plans.plan.load audit record.  To become actions/planfile_services.py.
    "actions/planfile.py",
    # Security housekeeping in the authentication path: an expired token, or one of a
    # deactivated person or after a password change, is removed (never audited as a change).
    "accounts/tokens.py",
    # The simulated sample of `citystrat demo` (a separate database), audited as one event.
    # To become evaluations/sample_services.py.
    "evaluations/sample.py",
}


def audited_models() -> set[str]:
    names = {
        m.__name__
        for m in apps.get_models()
        if m.__module__.startswith("citystrat.")
        or m._meta.label in ("auth.User", "auth.Group", "authtoken.Token")
    }
    return names | {"TokenProxy"}


def _base_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def writes_outside_services(source: str, models: set[str]) -> list[tuple[int, str]]:
    """Every write of ``models`` in ``source``, as (line, what)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        attr = node.func.attr
        if attr in WRITES and _base_name(node.func.value) in models:
            found.append((node.lineno, f"{_base_name(node.func.value)}...{attr}()"))
        elif attr in ("save", "delete") and not node.args:
            receiver = node.func.value
            is_super = (
                isinstance(receiver, ast.Call)
                and isinstance(receiver.func, ast.Name)
                and receiver.func.id == "super"
            )
            if not is_super:
                found.append((node.lineno, f".{attr}()"))
    return found


def _modules() -> list[Path]:
    return [
        p
        for p in SRC.rglob("*.py")
        if "migrations" not in p.parts
        and p.name != "services.py"
        and not p.name.endswith("_services.py")
        and p.relative_to(SRC).as_posix() not in ALLOWED
    ]


def test_no_audited_model_is_written_outside_a_services_module(db) -> None:  # type: ignore[no-untyped-def]
    models = audited_models()
    assert {"Observation", "Narrative", "Profile", "User", "Token"} <= models
    problems = [
        f"{path.relative_to(SRC)}:{line}: {what}"
        for path in _modules()
        for line, what in writes_outside_services(path.read_text(encoding="utf-8"), models)
    ]
    assert problems == []


def test_audit_records_are_written_by_the_audit_module_only(db) -> None:  # type: ignore[no-untyped-def]
    """Batched is fine (``audit_record_many``); a service writing AuditEvent rows itself is not."""
    problems = [
        f"{path.relative_to(SRC)}:{line}: {what}"
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
        and path.relative_to(SRC).as_posix() != "audit/services.py"
        for line, what in writes_outside_services(path.read_text(encoding="utf-8"), {"AuditEvent"})
        if "AuditEvent" in what
    ]
    assert problems == []


@pytest.mark.parametrize(
    "code",
    [
        "Observation.objects.filter(pk=1).update(status='approved')",
        "Narrative.objects.create(measure=m)",
        "User.objects.get(pk=1).delete()",
        "obs.status = 'approved'\nobs.save()",
        "profile.save(update_fields=['role'])",
    ],
)
def test_the_check_finds_a_write(code: str) -> None:
    models = {"Observation", "Narrative", "User", "Profile"}
    assert writes_outside_services(code, models)


def test_the_check_leaves_reads_and_workbooks_alone() -> None:
    code = "Observation.objects.filter(pk=1).first()\nbook.save(buffer)\nsuper().save()"
    assert writes_outside_services(code, {"Observation"}) == []
