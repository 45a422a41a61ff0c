"""Evidence files: checking and storing one, shared by every record that carries evidence.

A value (:class:`~citystrat.observations.models.EvidenceFile`) and an action
update (``actions.ActionUpdateEvidence``) keep their files the same way: the
type is read from the file's bytes, not only its name; the size is limited
by ``EVIDENCE_MAX_BYTES``; the file is stored under ``EVIDENCE_ROOT``
(outside the web root) with a random name.  :func:`evidence_store` writes the
file and returns what the record's row needs; the caller's service writes the
row and its audit record, and calls :func:`evidence_discard` when that fails.
No database writes here; :func:`evidence_response` serves a stored file.
"""

from __future__ import annotations

import hashlib
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from citystrat.review.errors import ReviewError

__all__ = [
    "EVIDENCE_TYPES",
    "EXTENSIONS",
    "EvidenceType",
    "StoredFile",
    "Upload",
    "evidence_discard",
    "evidence_facts",
    "evidence_file_path",
    "evidence_response",
    "evidence_store",
    "evidence_transaction",
]


@dataclass(frozen=True)
class EvidenceType:
    extension: str
    content_type: str


EVIDENCE_TYPES = {
    "pdf": EvidenceType("pdf", "application/pdf"),
    "png": EvidenceType("png", "image/png"),
    "jpg": EvidenceType("jpg", "image/jpeg"),
    "xlsx": EvidenceType(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}
EXTENSIONS = {"pdf": "pdf", "png": "png", "jpg": "jpg", "jpeg": "jpg", "xlsx": "xlsx"}


@dataclass(frozen=True)
class Upload:
    """An evidence file to attach: its name, a binary stream and its size in bytes."""

    name: str
    stream: IO[bytes]
    size: int


@dataclass(frozen=True)
class StoredFile:
    """A file written under ``EVIDENCE_ROOT``: the fields of an evidence row."""

    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def _sniff(head: bytes, stream: IO[bytes]) -> str | None:
    """The evidence type from the file's first bytes (and, for XLSX, its zip contents)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        try:
            stream.seek(0)
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
    return None


def _too_large(limit: int) -> ReviewError:
    return ReviewError(
        _("The file is larger than the limit of %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
        "evidence",
    )


def evidence_store(*, name: str, stream: IO[bytes], size: int) -> StoredFile:
    """Check a PDF, XLSX, PNG or JPEG file and store it; :class:`ReviewError` (field
    ``evidence``) when it is empty, too large, or not what its name says."""
    limit = int(settings.EVIDENCE_MAX_BYTES)
    if size > limit:
        raise _too_large(limit)
    if size == 0:
        raise ReviewError(_("The file is empty."), "evidence")
    extension = EXTENSIONS.get(Path(name).suffix.lower().lstrip("."))
    stream.seek(0)
    sniffed = _sniff(stream.read(16), stream)
    if extension is None or sniffed is None or sniffed != extension:
        raise ReviewError(
            _("Only PDF, XLSX, PNG and JPEG files are accepted, and the name must match the file."),
            "evidence",
        )
    kind = EVIDENCE_TYPES[sniffed]
    root = Path(settings.EVIDENCE_ROOT)
    stored_name = f"{timezone.now():%Y}/{uuid.uuid4().hex}.{kind.extension}"
    target = root / stored_name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    stream.seek(0)
    written = 0
    with open(target, "xb") as out:
        while chunk := stream.read(1024 * 1024):
            written += len(chunk)
            if written > limit:
                break
            digest.update(chunk)
            out.write(chunk)
    if written > limit:
        target.unlink(missing_ok=True)
        raise _too_large(limit)
    return StoredFile(
        original_name=Path(name).name[:255],
        stored_name=stored_name,
        content_type=kind.content_type,
        size=written,
        sha256=digest.hexdigest(),
    )


def evidence_discard(stored_name: str) -> None:
    """Remove a stored file again (its row was not written)."""
    (Path(settings.EVIDENCE_ROOT) / stored_name).unlink(missing_ok=True)


@contextmanager
def evidence_transaction(*stored: StoredFile) -> Iterator[list[Any]]:
    """A transaction writing rows that refer to stored evidence files, all or nothing.

    When the block fails, the transaction rolls back and the files are removed
    again: those given, and every evidence row (or stored file) the block
    appends to the yielded list.
    """
    files: list[Any] = list(stored)
    try:
        with transaction.atomic():
            yield files
    except BaseException:
        for file in files:
            evidence_discard(file.stored_name)
        raise


def evidence_facts(evidence: Any) -> dict[str, Any]:
    """What the audit record of an attachment says about the file (its row)."""
    return {
        "evidence": evidence.pk,
        "name": evidence.original_name,
        "size": evidence.size,
        "sha256": evidence.sha256,
    }


def evidence_file_path(stored_name: str) -> Path:
    """Where a stored evidence file lives on disk (never under the web root)."""
    root = Path(settings.EVIDENCE_ROOT).resolve()
    path = (root / stored_name).resolve()
    if root not in path.parents:
        raise ReviewError(_("The stored file name is not valid."), "evidence")
    return path


def evidence_response(evidence: Any, *, private: bool) -> FileResponse:
    """A download of a stored evidence file (a row with ``stored_name``, ``original_name``,
    ``content_type``): as an attachment, never sniffed; ``private`` ones are not cached."""
    path = evidence_file_path(evidence.stored_name)
    if not path.exists():
        raise Http404
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 (FileResponse closes it)
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=3600"
    return response
