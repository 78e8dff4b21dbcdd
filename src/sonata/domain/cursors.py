"""Cursors of the lists shown newest first: the id of a page's last entry, opaque to clients."""

from __future__ import annotations

import base64

from sonata.domain.errors import FieldError, ValidationFailed

MAX_ID_DIGITS = 19
"""A 64-bit id: a longer number is no cursor, and is not read."""


def encode_id_cursor(kind: str, entry_id: int) -> str:
    """The cursor after the entry `entry_id` of the list of `kind` entries."""
    return base64.urlsafe_b64encode(f"{kind}:{entry_id}".encode()).decode()


def decode_id_cursor(kind: str, cursor: str) -> int:
    """The id in a cursor `encode_id_cursor(kind, …)` made; ValidationFailed on `after` for any other text."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        text = ""
    prefix = f"{kind}:"
    number = text.removeprefix(prefix)
    if not (
        text.startswith(prefix) and number.isascii() and number.isdigit() and len(number) <= MAX_ID_DIGITS
    ):
        raise ValidationFailed([FieldError("after", "is not a cursor this API handed out")])
    return int(number)
