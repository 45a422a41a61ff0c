"""Backup and restore: the whole instance, value for value, also SQLite -> PostgreSQL -> SQLite."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token

from citystrat.audit.models import AuditEvent
from citystrat.exchange.backup import BackupError, backup_create, backup_restore
from citystrat.exchange.readers import read_records
from citystrat.exchange.services import observations_import
from citystrat.observations.models import EvidenceFile, Observation
from citystrat.observations.services import evidence_attach, observation_save_draft
from citystrat.periods import parse_period

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def populate(plan: Any, coordinator: Any) -> None:
    text = "indicator,period,value,source,note\nM2-2,令和4年度,160,経済政策課,速報\n"
    result = observations_import(
        actor=coordinator,
        rows=read_records(io.BytesIO(text.encode()), filename="a.csv"),
        approve=True,
        filename="a.csv",
        channel="cli",
    )
    assert result.ok
    indicator = plan.indicators.get(code="M3-2")
    draft = observation_save_draft(
        actor=coordinator,
        indicator=indicator,
        period=parse_period("FY2023", "fiscal_year"),
        value=33,
        source="国際課",
    )
    evidence_attach(
        actor=coordinator,
        observation=draft,
        name="report.pdf",
        stream=io.BytesIO(PDF),
        size=len(PDF),
    )
    Token.objects.create(user=coordinator)


RESTORE = "exchange.backup.restore"


def content(path: Path) -> dict[str, Any]:
    """Everything in a backup except when and where it was made.

    The audit records of the restores that brought the data here are left
    out (and out of the counts): each restore adds one, see
    ``test_restore_is_audited``.
    """
    with zipfile.ZipFile(path) as archive:
        out: dict[str, Any] = {}
        for name in sorted(archive.namelist()):
            if name == "manifest.json":
                manifest = json.loads(archive.read(name))
                out["migrations"] = manifest["migrations"]
                out["counts"] = manifest["models"]
            elif name.endswith(".jsonl"):
                out[name] = [json.loads(line) for line in archive.read(name).splitlines()]
            else:
                out[name] = archive.read(name)
    audit = out.get("data/audit.auditevent.jsonl", [])
    restores = [r for r in audit if r["fields"]["code"] == RESTORE]
    for r in restores:
        audit.remove(r)
    out["counts"]["audit.auditevent"] -= len(restores)
    return out


@pytest.fixture
def evidence_root() -> Any:
    root = Path(settings.EVIDENCE_ROOT)
    yield root
    import shutil

    shutil.rmtree(root, ignore_errors=True)


def test_backup_holds_everything_and_restore_refuses_a_non_empty_database(
    builtin_plan: Any, coordinator: Any, tmp_path: Path, evidence_root: Path
) -> None:
    populate(builtin_plan, coordinator)
    first = tmp_path / "first.zip"
    backup_create(first)
    data = content(first)
    users = data["data/auth.user.jsonl"]
    assert users[0]["fields"]["password"] == coordinator.password  # the hash, kept
    assert data["counts"]["audit.auditevent"] == AuditEvent.objects.count()
    assert data["counts"]["observations.observation"] == Observation.objects.count()
    stored = EvidenceFile.objects.get().stored_name
    assert data[f"evidence/{stored}"] == PDF
    before = AuditEvent.objects.count()
    with pytest.raises(BackupError, match="already holds data"):
        backup_restore(first)
    assert AuditEvent.objects.count() == before
    (evidence_root / stored).unlink()
    backup_restore(first, replace=True)
    assert (evidence_root / stored).read_bytes() == PDF
    second = tmp_path / "second.zip"
    backup_create(second)
    assert content(second) == data
    restored = get_user_model().objects.get(username="coord")
    assert restored.check_password("a-long-Passw0rd!")


def test_restore_command_refuses_without_replace(
    builtin_plan: Any, tmp_path: Path, evidence_root: Path
) -> None:
    call_command("backup", str(tmp_path / "b.zip"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="--replace"):
        call_command("restore", str(tmp_path / "b.zip"))
    with pytest.raises(CommandError, match="not a citystrat backup"):
        (tmp_path / "junk.zip").write_bytes(b"junk")
        call_command("restore", str(tmp_path / "junk.zip"))


def _citystrat(args: list[str], *, data_dir: Path, database_url: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CITYSTRAT_DEMO")}
    env["DJANGO_SETTINGS_MODULE"] = "citystrat.config.settings.base"
    env["CITYSTRAT_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, "-m", "citystrat.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def scratch_postgres() -> Any:
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not running here: {exc}")
    name = f"citystrat_rt_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_round_trip_sqlite_postgresql_sqlite(
    builtin_plan: Any,
    coordinator: Any,
    tmp_path: Path,
    evidence_root: Path,
    scratch_postgres: str,
) -> None:
    populate(builtin_plan, coordinator)
    original = tmp_path / "original.zip"
    backup_create(original)
    expected = content(original)

    sqlite_a = tmp_path / "sqlite-a"
    _citystrat(["restore", str(original)], data_dir=sqlite_a, database_url=None)
    _citystrat(["backup", str(tmp_path / "a.zip")], data_dir=sqlite_a, database_url=None)
    assert content(tmp_path / "a.zip") == expected

    pg_dir = tmp_path / "pg"
    _citystrat(["restore", str(tmp_path / "a.zip")], data_dir=pg_dir, database_url=scratch_postgres)
    _citystrat(["backup", str(tmp_path / "pg.zip")], data_dir=pg_dir, database_url=scratch_postgres)
    assert content(tmp_path / "pg.zip") == expected
    # On PostgreSQL the audit trigger refuses DELETE; --replace empties with TRUNCATE.
    _citystrat(
        ["restore", "--replace", str(tmp_path / "pg.zip")],
        data_dir=pg_dir,
        database_url=scratch_postgres,
    )

    sqlite_b = tmp_path / "sqlite-b"
    _citystrat(["restore", str(tmp_path / "pg.zip")], data_dir=sqlite_b, database_url=None)
    _citystrat(["backup", str(tmp_path / "b.zip")], data_dir=sqlite_b, database_url=None)
    assert content(tmp_path / "b.zip") == expected


# --- restore as a service: permission, audit, all or nothing (files too) ----------------------


def test_restore_is_audited_and_for_administrators_only(
    builtin_plan: Any, coordinator: Any, tmp_path: Path, evidence_root: Path
) -> None:
    from django.core.exceptions import PermissionDenied

    from citystrat.accounts.services import user_create

    admin = user_create(username="ada", role="administrator", password="a-long-Passw0rd!")
    populate(builtin_plan, coordinator)
    path = tmp_path / "b.zip"
    backup_create(path)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        backup_restore(path, replace=True, actor=coordinator)
    assert AuditEvent.objects.count() == before
    backup_restore(path, replace=True, actor=admin, channel="cli")
    last = AuditEvent.objects.order_by("-id").first()
    assert last is not None and last.code == RESTORE
    assert last.actor_name == "ada" and last.source == "b.zip"
    assert last.after["replace"] is True and last.after["evidence_files"] == 1
    assert AuditEvent.objects.count() == before + 1  # the backup's records, then the restore


def _corrupt_evidence(source: Path, target: Path) -> None:
    """A copy of the backup whose evidence file fails its CRC check when read."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("evidence/"):
                info.compress_type = zipfile.ZIP_STORED  # its bytes as they are, to corrupt
            dst.writestr(info, data)
    raw = bytearray(target.read_bytes())
    at = bytes(raw).find(PDF[:8])
    assert at > 0
    raw[at + 1] ^= 0xFF  # the stored bytes change, the recorded CRC does not
    target.write_bytes(bytes(raw))


def test_a_restore_failing_halfway_leaves_database_and_files_as_before(
    builtin_plan: Any, coordinator: Any, tmp_path: Path, evidence_root: Path
) -> None:
    populate(builtin_plan, coordinator)
    good = tmp_path / "good.zip"
    backup_create(good)
    bad = tmp_path / "bad.zip"
    _corrupt_evidence(good, bad)
    # The instance moves on after the backup: a second value and its file.
    indicator = builtin_plan.indicators.get(code="M2-2")
    later = observation_save_draft(
        actor=coordinator,
        indicator=indicator,
        period=parse_period("FY2023", "fiscal_year"),
        value=170,
        source="経済政策課",
    )
    evidence_attach(
        actor=coordinator,
        observation=later,
        name="later.pdf",
        stream=io.BytesIO(PDF),
        size=len(PDF),
    )
    rows = (Observation.objects.count(), EvidenceFile.objects.count(), AuditEvent.objects.count())
    files = sorted(p.relative_to(evidence_root) for p in evidence_root.rglob("*") if p.is_file())
    assert len(files) == 2
    with pytest.raises((zipfile.BadZipFile, BackupError)):
        backup_restore(bad, replace=True)
    after = (Observation.objects.count(), EvidenceFile.objects.count(), AuditEvent.objects.count())
    assert after == rows
    assert (
        sorted(p.relative_to(evidence_root) for p in evidence_root.rglob("*") if p.is_file())
        == files
    )
    assert all((evidence_root / f).read_bytes() == PDF for f in files)
    assert not [p for p in evidence_root.parent.iterdir() if ".restoring-" in p.name]


def _frames(err: io.StringIO) -> list[str]:
    return [line for line in err.getvalue().replace("\r", "\n").splitlines() if line]


def test_backup_and_restore_show_their_progress_on_stderr(
    builtin_plan: Any, coordinator: Any, tmp_path: Path, evidence_root: Path
) -> None:
    populate(builtin_plan, coordinator)
    target = tmp_path / "b.zip"
    err = io.StringIO()
    call_command("backup", str(target), "--progress", stdout=io.StringIO(), stderr=err)
    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["evidence_files"] == 1
    total = sum(manifest["models"].values()) + 1  # the rows and the evidence file
    frames = _frames(err)
    assert frames[0] == "backup [" + "-" * 30 + "]   0 %  0 / " + f"{total:,}"
    assert frames[-1] == "backup [" + "#" * 30 + "] 100 %  " + f"{total:,} / {total:,}"
    assert len(frames) > 3  # one frame per table at least, not only the start and the end
    err = io.StringIO()
    call_command(
        "restore", str(target), "--replace", "--progress", stdout=io.StringIO(), stderr=err
    )
    frames = _frames(err)
    assert frames[0].startswith("restore [" + "-" * 30 + "]   0 %")
    assert frames[-1] == "restore [" + "#" * 30 + "] 100 %  " + f"{total:,} / {total:,}"


def test_backup_and_restore_are_quiet_with_verbosity_0_or_off_a_terminal(
    builtin_plan: Any, tmp_path: Path, evidence_root: Path
) -> None:
    target = tmp_path / "b.zip"
    for extra in (["--progress", "--verbosity=0"], []):
        err = io.StringIO()
        call_command("backup", str(target), *extra, stdout=io.StringIO(), stderr=err)
        call_command("restore", str(target), "--replace", *extra, stdout=io.StringIO(), stderr=err)
        assert err.getvalue() == ""
