"""Rows written at the database's pace: PostgreSQL ``COPY`` and SQLite ``executemany``.

The write path of the bulk services (an import's records and their audit
records): no model instance per row, values converted once per column to what
the database stores, inside the caller's transaction.  Nothing here checks a
value; the services check every row before they write.

:func:`allocate_ids` gives the primary keys the rows will have, so that the
audit records written with them can name them.  On SQLite the caller's
transaction holds the write lock from its start (``transaction_mode``
IMMEDIATE in the settings), so no one else can take ids meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models

__all__ = ["allocate_ids", "bulk_session", "insert_rows"]

BATCH = 5000
_JSON = json.JSONEncoder(ensure_ascii=False)


# SQLite's page cache during a bulk write, in KiB (taken only as pages are used: 64 MB,
# which keeps an import of 100,000 records under 500 MB in all).  The
# default (2 MB) is smaller than the indexes an import of 100,000 rows adds to, and
# SQLite then writes pages out and reads them back in the middle of the transaction.
BULK_CACHE_KIB = 65536


@contextmanager
def bulk_session() -> Iterator[None]:
    """Around a bulk write's transaction: on SQLite a page cache that holds its indexes.

    The connection's own cache size comes back afterwards, whether the
    transaction was committed or rolled back.  Nothing changes on PostgreSQL.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        if before < 0 and -before >= BULK_CACHE_KIB:
            yield
            return
        cursor.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before:d}")


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` primary keys for new rows of ``model``, in increasing order."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = str(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return sorted(r[0] for r in cursor.fetchall())
        quoted = connection.ops.quote_name(table)
        top_sql = f"SELECT COALESCE(MAX({connection.ops.quote_name(pk)}), 0) FROM {quoted}"  # noqa: S608 (names from the model, quoted)
        cursor.execute(top_sql)
        top = int(cursor.fetchone()[0])
        if connection.vendor == "sqlite":
            # AUTOINCREMENT never gives a deleted row's id again: neither do we.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            if row is not None:
                top = max(top, int(row[0]))
    return list(range(top + 1, top + 1 + count))


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """What turns a Python value into what the database stores (None: as it is)."""
    internal = field.get_internal_type()
    if internal == "JSONField":
        encode = (
            _JSON.encode
        )  # what json.dumps(v, ensure_ascii=False) gives, without a new encoder each time
        return lambda v: None if v is None else encode(v)
    if connection.vendor == "postgresql":
        return None  # psycopg adapts dates, datetimes, UUIDs and booleans itself
    if internal == "DateField":
        return lambda v: None if v is None else v.isoformat()
    if internal == "DateTimeField":
        adapt = connection.ops.adapt_datetimefield_value
        last: list[Any] = [None, None]  # a bulk write has one moment: convert it once

        def datetime_value(v: Any) -> Any:
            if v is None:
                return None
            if v is not last[0]:
                last[0], last[1] = v, adapt(v)
            return last[1]

        return datetime_value
    if internal == "UUIDField":
        return lambda v: None if v is None else v if type(v) is str else v.hex
    return None


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (values in the order of ``fields``, attribute names) into ``model``'s table.

    PostgreSQL: one ``COPY ... FROM STDIN``; SQLite and others: ``executemany`` in
    batches.  Returns how many rows were written.
    """
    meta = model._meta
    concrete = [meta.get_field(name) for name in fields]
    columns = [str(f.column) for f in concrete]  # type: ignore[union-attr]
    converters = [(i, c) for i, f in enumerate(concrete) if (c := _converter(f)) is not None]  # type: ignore[arg-type]

    def batches() -> Iterator[list[Sequence[Any]]]:
        """The rows in lists of BATCH, converted a column at a time."""
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                yield adapted(batch)
                batch = []
        if batch:
            yield adapted(batch)

    def adapted(batch: list[Sequence[Any]]) -> list[Sequence[Any]]:
        if not converters:
            return batch
        values = list(zip(*batch, strict=True))
        for i, convert in converters:
            values[i] = tuple(map(convert, values[i]))
        return list(zip(*values, strict=True))

    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As for execute(): a violated constraint is Django's IntegrityError, so the
            # caller's ``except IntegrityError`` (a lost race) sees it.
            with (
                connection.wrap_database_errors,
                cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for batch in batches():
                    for row in batch:
                        copy.write_row(row)
                    written += len(batch)
            return written
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (names from the model)
        for batch in batches():
            cursor.executemany(sql, batch)
            written += len(batch)
    return written
