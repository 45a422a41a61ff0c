"""The one error type of the review workflow (and of every write service that uses it)."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

__all__ = ["ConflictError", "FourEyesError", "ReviewError"]


class ReviewError(ValidationError):
    """Bad input, or a move the state machine does not allow.

    ``message`` is the first (or only) message, ``field`` where it is
    (``""`` when it concerns the whole record), ``code`` one of ``invalid``,
    ``conflict``, ``four_eyes``.  Several located messages may be given as a
    dict ``{field: [message, ...]}``; ``message_dict`` then has them all.
    A ``ValidationError``, so forms and ``except ValidationError`` handle it.
    """

    default_code = "invalid"
    message: str
    field: str

    def __init__(
        self,
        message: str | dict[str, list[str]],
        field: str = "",
        *,
        code: str | None = None,
    ) -> None:
        errors = (
            {k: [str(m) for m in v] for k, v in message.items()}
            if isinstance(message, dict)
            else {field or NON_FIELD_ERRORS: [str(message)]}
        )
        self.code_name = code or self.default_code
        super().__init__(errors, code=self.code_name)
        first_field, first_messages = next(iter(errors.items()))
        self.field = "" if first_field == NON_FIELD_ERRORS else first_field
        self.message = first_messages[0] if first_messages else ""
        self.code = self.code_name
        self.params = None

    @property
    def located(self) -> list[tuple[str, str]]:
        """Every message with its field (``""`` for the whole record)."""
        return [
            ("" if f == NON_FIELD_ERRORS else f, m)
            for f, messages in self.message_dict.items()
            for m in messages
        ]

    def __str__(self) -> str:
        return "; ".join(f"{f}: {m}" if f else m for f, m in self.located)


class ConflictError(ReviewError):
    """Someone else changed the record since it was read (the optimistic lock)."""

    default_code = "conflict"

    def __init__(self, message: str | None = None, field: str = "version") -> None:
        super().__init__(
            message
            or _(
                "Someone else changed this after you opened it. "
                "Reload the page to see their change, then try again."
            ),
            field,
        )


class FourEyesError(ReviewError):
    """Nobody approves what they submitted or last changed."""

    default_code = "four_eyes"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _(
                "You submitted or last changed this yourself; "
                "someone else must approve it (four eyes)."
            ),
            "",
        )
