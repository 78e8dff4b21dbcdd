"""Database failures as one log line."""

from __future__ import annotations

MAX_DESCRIPTION = 300


def describe(error: BaseException) -> str:
    """The exception's type and the first line of its message (the engines hide statement parameters)."""
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return text if len(text) <= MAX_DESCRIPTION else text[:MAX_DESCRIPTION] + "…"
