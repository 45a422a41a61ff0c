"""Backing up and restoring the whole instance, across SQLite and PostgreSQL.

A backup is a zip file:

``manifest.json``
    format ``citystrat-backup/1``, when, from which database, the applied
    migrations and the number of rows of each model;
``data/<app>.<model>.jsonl``
    one JSON object per row: every column by its attribute name (exact
    decimals as text, times in ISO 8601 with microseconds), many-to-many
    links as lists; links to content types and permissions by natural key,
    because their ids differ between databases;
``evidence/...``
    every evidence file under ``EVIDENCE_ROOT``.

It holds plans, observations, evidence, the audit trail, users with their
password hashes, groups, API tokens and the admin log: everything except
what Django rebuilds (content types, permissions, sessions) and login
throttling state.  Rows are written and read as streams.

A restore migrates the target database, refuses one that already holds data
unless ``replace`` is set, checks that the backup was made with the same
migrations, and inserts every row with its original id in one transaction.
Audit records are only ever *inserted*; to replace an instance on
PostgreSQL (whose trigger refuses UPDATE and DELETE of audit records) the
tables are emptied with TRUNCATE.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from citystrat.accounts.permissions import Action, Actor, require, signed_in
from citystrat.audit.services import audit_record

__all__ = ["BackupError", "backup_create", "backup_models", "backup_restore"]

FORMAT = "citystrat-backup/1"
SKIPPED_APPS = {"contenttypes", "sessions", "axes", "staticfiles", "messages"}
BATCH = 1000
EVERY = 500  # rows between two progress reports

# ``progress(done, total)``: rows (and evidence files) written or read so far, of all.
Progress = Callable[[int, int | None], None]


def _no_progress(done: int, total: int | None) -> None:
    return None


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why."""


def backup_models() -> list[type[models.Model]]:
    """The models a backup holds, parents before children."""
    chosen = [
        m
        for m in apps.get_models()
        if m._meta.app_label not in SKIPPED_APPS
        and m is not Permission
        and m._meta.managed
        and not m._meta.proxy
    ]
    ordered: list[type[models.Model]] = []
    pending = list(chosen)
    while pending:
        progressed = False
        for model in list(pending):
            deps = {
                f.related_model
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is not model and f.related_model in pending
            }
            if not deps:
                ordered.append(model)
                pending.remove(model)
                progressed = True
        if not progressed:  # a cycle: keep the rest in app order (FKs are deferred)
            ordered.extend(pending)
            break
    return ordered


def _through(field: Any) -> Any:
    """The table behind a many-to-many field."""
    return field.remote_field.through


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _natural(model: Any, pk: Any) -> Any:
    if pk is None:
        return None
    if model is ContentType:
        ct = ContentType.objects.get_for_id(pk)
        return [ct.app_label, ct.model]
    if model is Permission:
        perm = Permission.objects.select_related("content_type").get(pk=pk)
        return [perm.codename, perm.content_type.app_label, perm.content_type.model]
    return pk


def _from_natural(model: Any, key: Any) -> Any:
    if key is None:
        return None
    if model is ContentType:
        return ContentType.objects.get_by_natural_key(*key).pk
    if model is Permission:
        return Permission.objects.get_by_natural_key(*key).pk
    return key


def _to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name
    return value


def _row(model: type[models.Model], obj: models.Model) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        raw = getattr(obj, f.attname)
        if f.is_relation and f.related_model in (ContentType, Permission):
            fields[f.attname] = _natural(f.related_model, raw)
        else:
            fields[f.attname] = _to_json(raw)
    m2m = {}
    for f in model._meta.local_many_to_many:
        through = _through(f)
        if not through._meta.auto_created:
            continue  # an explicit through model is backed up as a model of its own
        related = f.related_model
        ids = [o.pk for o in getattr(obj, f.name).all()]
        m2m[f.name] = sorted(
            (_natural(related, i) for i in ids), key=lambda k: json.dumps(k, sort_keys=True)
        )
    return {"fields": fields, "m2m": m2m} if m2m else {"fields": fields}


def _applied_migrations(labels: set[str]) -> dict[str, list[str]]:
    recorder = MigrationRecorder(connection)
    applied: dict[str, list[str]] = {}
    for app, name in recorder.applied_migrations():
        if app in labels:
            applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def backup_create(path: str | Path, *, progress: Progress | None = None) -> dict[str, Any]:
    """Write the whole instance to the zip file ``path``; return the manifest.

    ``progress(done, total)`` hears how many rows and evidence files are written.
    """
    from citystrat import __version__

    report = progress or _no_progress
    path = Path(path)
    chosen = backup_models()
    counts: dict[str, int] = {}
    tmp = path.with_name(path.name + ".partial")
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:  # one consistent snapshot
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        evidence = Path(settings.EVIDENCE_ROOT)
        evidence_files = (
            sorted(p for p in evidence.rglob("*") if p.is_file()) if evidence.is_dir() else []
        )
        total = sum(m._base_manager.count() for m in chosen) + len(evidence_files)
        done = 0
        report(done, total)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for model in chosen:
                label = _label(model)
                n = 0
                qs = model._base_manager.order_by("pk")
                m2m = [
                    f.name for f in model._meta.local_many_to_many if _through(f)._meta.auto_created
                ]
                if m2m:
                    qs = qs.prefetch_related(*m2m)
                with archive.open(f"data/{label}.jsonl", "w") as raw:
                    out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
                    for obj in qs.iterator(chunk_size=2000):
                        out.write(json.dumps(_row(model, obj), ensure_ascii=False) + "\n")
                        n += 1
                        if n % EVERY == 0:
                            report(done + n, total)
                    out.flush()
                    out.detach()
                counts[label] = n
                done += n
                report(done, total)
            files = 0
            for file in evidence_files:
                rel = file.relative_to(evidence).as_posix()
                archive.write(file, f"evidence/{rel}")
                files += 1
                done += 1
                if files % EVERY == 0:
                    report(done, total)
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "citystrat_version": __version__,
                "database": connection.vendor,
                "migrations": _applied_migrations({m._meta.app_label for m in chosen}),
                "models": counts,
                "evidence_files": files,
            }
            archive.writestr("manifest.json", json.dumps(manifest, indent=2) + "\n")
    tmp.replace(path)
    report(max(done, total), max(done, total))
    return manifest


def _lines(archive: zipfile.ZipFile, name: str) -> Iterator[dict[str, Any]]:
    with archive.open(name) as raw:
        for line in io.TextIOWrapper(raw, encoding="utf-8"):
            if line.strip():
                yield json.loads(line)


def _from_json(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if field.is_relation:
        target = field.target_field  # type: ignore[attr-defined]
        return target.to_python(_from_natural(field.related_model, value))
    if isinstance(field, models.BinaryField):
        return base64.b64decode(value)
    if isinstance(field, models.DurationField):
        return dt.timedelta(seconds=value)
    if isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.FileField):
        return value
    return field.to_python(value)


def instance_is_empty(chosen: list[type[models.Model]] | None = None) -> bool:
    return not any(m._base_manager.exists() for m in (chosen or backup_models()))


def _tables(chosen: list[type[models.Model]]) -> list[str]:
    tables = [m._meta.db_table for m in chosen]
    for model in chosen:
        for f in model._meta.local_many_to_many:
            through = _through(f)
            if through._meta.auto_created:
                tables.append(through._meta.db_table)
    return tables


def _wipe(chosen: list[type[models.Model]]) -> None:
    tables = _tables(chosen)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE, not DELETE: the audit trigger refuses row deletion, by design.
            # Deferred foreign-key checks pending in this transaction must run first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "TRUNCATE " + ", ".join(quote(t) for t in tables) + " RESTART IDENTITY CASCADE"
            )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for table in reversed(tables):
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 - quoted table names


def _safe_member(name: str) -> PurePosixPath | None:
    rel = PurePosixPath(name).relative_to("evidence")
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        return None
    return rel


def _stage_evidence(archive: zipfile.ZipFile, names: set[str], staging: Path) -> int:
    """Copy the backup's evidence files into ``staging``; returns how many."""
    files = 0
    for name in sorted(n for n in names if n.startswith("evidence/")):
        rel = _safe_member(name)
        if rel is None or name.endswith("/"):
            continue
        target = staging.joinpath(*rel.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(name) as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        files += 1
    return files


def _swap_evidence(staging: Path, evidence: Path, *, replace: bool) -> None:
    """Put the staged files in place, after the database has committed.

    With ``replace`` the whole folder is exchanged (two renames on one file
    system, then the old folder is removed); without, the staged files join
    the folder (the instance was empty, so none of its files is referenced).
    """
    if replace or not evidence.exists():
        old = evidence.with_name(f"{evidence.name}.old-{uuid.uuid4().hex}")
        if evidence.exists():
            evidence.rename(old)
        staging.rename(evidence)
        shutil.rmtree(old, ignore_errors=True)
        return
    for file in sorted(p for p in staging.rglob("*") if p.is_file()):
        target = evidence / file.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        file.replace(target)
    shutil.rmtree(staging, ignore_errors=True)


def backup_restore(
    path: str | Path,
    *,
    replace: bool = False,
    actor: Actor = None,
    channel: str = "cli",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Restore the backup at ``path`` into this database (migrated first); see the module doc.

    Administrators only (``actor`` None is the command line, the machine's
    owner).  All or nothing: the rows go in inside one transaction, the
    evidence files are staged beside ``EVIDENCE_ROOT`` meanwhile and swapped
    in only after the database has committed, so a restore that fails
    halfway leaves the database and the evidence files as they were.  The
    restore itself is the last record of the restored audit trail
    (``exchange.backup.restore``).  ``progress(done, total)`` hears how many rows and
    evidence files are read, of those the manifest lists.
    """
    if actor is not None:
        require(actor, Action.ADMINISTER)
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupError(f"{path}: not a citystrat backup ({exc})") from None
    with archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except (KeyError, ValueError, zipfile.BadZipFile):
            raise BackupError(f"{path}: not a citystrat backup (no manifest.json)") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{path}: backup format {manifest.get('format')!r} is not {FORMAT!r}")
        call_command("migrate", interactive=False, verbosity=0)
        chosen = backup_models()
        here = _applied_migrations({m._meta.app_label for m in chosen})
        theirs = manifest.get("migrations", {})
        if here != theirs:
            diff = sorted(
                f"{app}: backup {sorted(set(theirs.get(app, [])) - set(here.get(app, [])))}"
                f" / here {sorted(set(here.get(app, [])) - set(theirs.get(app, [])))}"
                for app in set(here) | set(theirs)
                if here.get(app) != theirs.get(app)
            )
            raise BackupError(
                f"{path}: made with other database migrations than this citystrat "
                f"(differences: {'; '.join(diff)}); restore it with the version that made it"
            )
        names = set(archive.namelist())
        listed = manifest.get("models") if isinstance(manifest.get("models"), dict) else {}
        total = sum(v for v in listed.values() if isinstance(v, int))
        total += int(manifest.get("evidence_files") or 0)
        done = [0]
        report = progress or _no_progress

        def tick(n: int) -> None:
            done[0] += n
            report(done[0], max(total, done[0]))

        report(0, total)
        evidence = Path(settings.EVIDENCE_ROOT)
        evidence.parent.mkdir(parents=True, exist_ok=True)
        staging = evidence.with_name(f"{evidence.name}.restoring-{uuid.uuid4().hex}")
        staging.mkdir()
        try:
            with transaction.atomic():
                if not instance_is_empty(chosen):
                    if not replace:
                        raise BackupError(
                            "this database already holds data; restore refuses to mix two "
                            "instances (use --replace to replace everything in it)"
                        )
                    _wipe(chosen)
                counts: dict[str, int] = {}
                for model in chosen:
                    label = _label(model)
                    member = f"data/{label}.jsonl"
                    if member not in names:
                        counts[label] = 0
                        continue
                    counts[label] = _insert(model, _lines(archive, member), tick=tick)
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        for sql in connection.ops.sequence_reset_sql(no_style(), chosen):
                            cursor.execute(sql)
                files = _stage_evidence(archive, names, staging)
                tick(files)
                audit_record(
                    code="exchange.backup.restore",
                    actor=actor if actor is not None and _still_there(actor) else None,
                    object_type="exchange.backup",
                    object_id=path.name,
                    object_label=path.name,
                    after={
                        "replace": replace,
                        "rows": sum(counts.values()),
                        "evidence_files": files,
                        "made_at": manifest.get("created_at", ""),
                    },
                    source=path.name,
                    channel=channel,
                )
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _swap_evidence(staging, evidence, replace=replace)
    return {"models": counts, "evidence_files": files}


def _still_there(actor: Actor) -> bool:
    """Whether the restoring user exists in the restored database (else: recorded by name)."""
    user = signed_in(actor)
    if user is None:
        return False
    users = get_user_model()._default_manager
    return bool(users.filter(pk=user.pk, username=user.get_username()).exists())


def _insert(
    model: type[models.Model],
    rows: Iterator[dict[str, Any]],
    *,
    tick: Callable[[int], None] = lambda n: None,
) -> int:
    fields = list(model._meta.concrete_fields)
    by_attname = {f.attname: f for f in fields}
    m2m_fields = {
        f.name: f for f in model._meta.local_many_to_many if _through(f)._meta.auto_created
    }
    batch: list[models.Model] = []
    links: list[models.Model] = []
    count = 0
    ticked = [0]  # rows already reported to ``tick``
    size = max(1, min(BATCH, connection.ops.bulk_batch_size(fields, [None] * BATCH)))

    # Stored values go in as they are, as Django's loaddata does (auto_now fields keep
    # their times, so no save() or bulk_create): one INSERT with the fields' own
    # database preparation, run for the whole batch with executemany.
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (names from _meta)

    def flush() -> None:
        if batch:
            params = [
                [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
                for obj in batch
            ]
            with connection.cursor() as cursor:
                cursor.executemany(sql, params)
            batch.clear()
        if links:
            type(links[0])._base_manager.bulk_create(links, batch_size=size)
            links.clear()
        tick(count - ticked[0])
        ticked[0] = count

    for row in rows:
        values = {
            name: _from_json(by_attname[name], value)
            for name, value in row["fields"].items()
            if name in by_attname
        }
        obj = model(**values)
        batch.append(obj)
        for name, keys in row.get("m2m", {}).items():
            f = m2m_fields.get(name)
            if f is None:
                continue
            through = _through(f)
            source = f.m2m_field_name()
            target = f.m2m_reverse_field_name()
            for key in keys:
                links.append(
                    through(
                        **{
                            f"{source}_id": obj.pk,
                            f"{target}_id": _from_natural(f.related_model, key),
                        }
                    )
                )
        count += 1
        if len(batch) >= size:
            flush()
    flush()
    return count
