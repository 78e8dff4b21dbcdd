"""Lists read newest first, page by page: the checks of `first` and the cursor `after`, and the page
cut from one entry more than it shows (whether a next page exists)."""

from __future__ import annotations

from typing import TypeVar

from sonata.domain.cursors import decode_id_cursor
from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.services.devices import MAX_PAGE_SIZE

T = TypeVar("T")


def page_start(kind: str, first: int, after: str | None, *others: FieldError) -> int | None:
    """The id of the entry a page of the list of `kind` entries starts after (None: from the newest),
    read from the cursor `after`. ValidationFailed names every error: that of `first` (from 0 to
    MAX_PAGE_SIZE), then the caller's `others`, then that of `after`."""
    errors = (
        [] if 0 <= first <= MAX_PAGE_SIZE else [FieldError("first", f"must be from 0 to {MAX_PAGE_SIZE}")]
    )
    errors.extend(others)
    start = None
    try:
        start = decode_id_cursor(kind, after) if after is not None else None
    except ValidationFailed as failure:
        errors.extend(failure.errors)
    if errors:
        raise ValidationFailed(errors)
    return start


def cut_page(entries: list[T], first: int) -> tuple[list[T], bool]:
    """The page of `first` entries out of up to `first + 1` read, and whether a next page exists."""
    return entries[:first], len(entries) > first
