"""Participant keys and company numbers: what the ledger may keep about people and companies.

Participant keys are the pseudonymous identifiers a department already uses
(a registration or member number).  citystrat never stores them: it keeps a
keyed hash (HMAC-SHA-256 with a secret of this instance, truncated to 128
bits), which is enough to count distinct people and useless for finding out
who they are without the secret.  The secret lives outside the database and
outside backups (``ACTIVITY_KEY_SECRET``: the environment variable
``CITYSTRAT_ACTIVITY_KEY_SECRET`` or the file ``activity_key_secret`` in the
data directory, made on first use).

Companies are named by their 13-digit 法人番号 (corporate number), which is
public; it is checked with its check digit (法人番号の指定等に関する省令 第2条,
the formula published by the National Tax Agency).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _

from citystrat.tabular.cells import CellError

__all__ = [
    "corporate_number_check_digit",
    "hash_key",
    "key_fingerprint",
    "parse_company_ids",
    "parse_participant_keys",
    "valid_corporate_number",
]

HASH_HEX = 32  # 128 bits


def corporate_number_check_digit(base: str) -> int:
    """The check digit of a 法人番号 from its 12 base digits.

    9 - (Σ Pn × Qn mod 9), n = 1..12 counted from the lowest digit, where Pn
    is the n-th digit and Qn is 1 for odd n and 2 for even n.
    """
    if len(base) != 12 or not base.isascii() or not base.isdigit():
        raise ValueError("a 法人番号 has 12 base digits")
    total = 0
    for n, digit in enumerate(reversed(base), start=1):
        total += int(digit) * (1 if n % 2 else 2)
    return 9 - total % 9


def valid_corporate_number(number: str) -> bool:
    """True for 13 ASCII digits whose first digit is the check digit of the other twelve."""
    if len(number) != 13 or not number.isascii() or not number.isdigit():
        return False
    return int(number[0]) == corporate_number_check_digit(number[1:])


def _secret() -> bytes:
    secret = getattr(settings, "ACTIVITY_KEY_SECRET", "")
    if not secret:
        raise RuntimeError("ACTIVITY_KEY_SECRET is not set")
    return str(secret).encode()


def normalise_key(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip()


@lru_cache(maxsize=8)
def _keyed(secret: bytes) -> hmac.HMAC:
    """The HMAC with the secret's key schedule done once; each key hashes a copy of it."""
    return hmac.new(secret, digestmod=hashlib.sha256)


@lru_cache(maxsize=65536)
def _hash(secret: bytes, key: str) -> str:
    h = _keyed(secret).copy()
    h.update(key.encode())
    return h.hexdigest()[:HASH_HEX]


def hash_key(raw: str) -> str:
    """The stored form of a participant key (the same key always gives the same hash)."""
    return _hash(_secret(), normalise_key(raw))


def key_fingerprint() -> str:
    """A fingerprint of the secret (not the secret), to tell whether two instances share it."""
    return _hash(_secret(), "citystrat-activity-key-fingerprint")[:12]


def _split(raw: object) -> list[str]:
    if raw is None or raw == "":
        return []
    text = unicodedata.normalize("NFKC", str(raw))
    return [part.strip() for part in text.replace("、", ";").split(";") if part.strip()]


def parse_participant_keys(raw: object) -> tuple[str, ...]:
    """``"A-1; A-2"`` -> their hashes, each key once, in order of first appearance."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    parts = _split(raw)
    if not parts:
        return ()
    secret = _secret()
    hashes: dict[str, None] = {}
    for part in parts:
        if len(part) > 200:
            raise CellError(_("A participant key is longer than 200 characters."))
        # A printable text has no control, format or unassigned character; only
        # a text that is not gets the character-by-character check.
        if not part.isprintable() and any(unicodedata.category(ch).startswith("C") for ch in part):
            raise CellError(_("A participant key contains control characters."))
        # ``part`` is already NFKC-normalised and stripped: what hash_key would hash.
        hashes[_hash(secret, part)] = None
    return tuple(hashes)


def parse_company_ids(raw: object) -> tuple[str, ...]:
    """``"7000012050002;1180301018771"`` -> the 法人番号, each checked with its check digit."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = str(int(raw))
    numbers: dict[str, None] = {}
    for part in _split(raw):
        number = part.replace("-", "").replace(" ", "")
        if len(number) != 13 or not number.isascii() or not number.isdigit():
            raise CellError(
                _("%(number)s is not a 法人番号 (corporate number): it must have 13 digits.")
                % {"number": repr(part)[:40]}
            )
        if not valid_corporate_number(number):
            raise CellError(
                _(
                    "%(number)s is not a valid 法人番号 (corporate number): its check digit "
                    "should be %(digit)s."
                )
                % {"number": number, "digit": corporate_number_check_digit(number[1:])}
            )
        numbers[number] = None
    return tuple(numbers)
