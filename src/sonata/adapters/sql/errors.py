"""Database failures as one log line."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

MAX_DESCRIPTION = 300


def describe(error: BaseException) -> str:
    """The exception's type and the first line of its message (the engines hide statement parameters)."""
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return text if len(text) <= MAX_DESCRIPTION else text[:MAX_DESCRIPTION] + "…"


def is_database_error(error: BaseException) -> bool:
    """Whether the database failed: an error of SQLAlchemy (which wraps the drivers'), or of the
    connection to the database server (refused, reset, timed out), raised or as the cause."""
    seen: BaseException | None = error
    for _ in range(4):  # a cause of a cause of …: a few are enough
        if seen is None:
            return False
        if isinstance(seen, SQLAlchemyError | OSError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
