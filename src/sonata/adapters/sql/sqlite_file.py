"""The SQLite database file: created private, checked before use, watched while served."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote


class DatabaseUnusable(Exception):
    """A database Sonata cannot open; the message names it and says what to do."""


@dataclass(frozen=True)
class SqliteFile:
    path: Path
    created: bool
    identity: tuple[int, int]  # (st_dev, st_ino) of the file opened, to notice it being deleted or replaced


def open_sqlite_file(path: Path, *, create: bool) -> SqliteFile:
    """Check that `path` is a SQLite database Sonata can use; with `create`, make a missing one.

    A new file is created readable by its owner only; SQLite gives its -wal and -shm files the
    same mode. Any problem is a DatabaseUnusable with one line naming the path.
    """
    path = path.absolute()
    try:
        created = create and _create_private(path)
        status = path.stat()
    except FileNotFoundError:
        if create:
            raise DatabaseUnusable(
                f"cannot create the database {path}: the directory {path.parent} does not exist;"
                " create it or fix SONATA_DATABASE_URL"
            ) from None
        raise DatabaseUnusable(
            f"no database at {path}: check SONATA_DATABASE_URL (the path of an existing sonata.db)"
        ) from None
    except PermissionError:
        raise DatabaseUnusable(
            f"cannot open the database {path}: permission denied; give the user running Sonata"
            " access to the file and its directory"
        ) from None
    if not stat.S_ISREG(status.st_mode):
        raise DatabaseUnusable(f"{path} is not a file: point SONATA_DATABASE_URL at a database file")
    _check_readable(path)
    return SqliteFile(path, created, (status.st_dev, status.st_ino))


def _create_private(path: Path) -> bool:
    """Create an empty file with mode 0600 (SQLite accepts it as an empty database); False if it exists."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return False
    return True


def _check_readable(path: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True)
    except sqlite3.Error as error:
        raise DatabaseUnusable(f"cannot open the database {path}: {error}; check its permissions") from None
    try:
        tables = {
            name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    except sqlite3.DatabaseError as error:
        raise DatabaseUnusable(
            f"{path} is not a usable SQLite database ({error}): restore it from a backup"
            " or point SONATA_DATABASE_URL at another file"
        ) from None
    finally:
        connection.close()
    if tables and "alembic_version" not in tables:
        # Sonata's migrations would add their tables beside another program's, or fail on a clash.
        raise DatabaseUnusable(
            f"{path} is a SQLite database of another program (it has no Sonata schema): point"
            " SONATA_DATABASE_URL at Sonata's own database or a new file"
        )


class FileWatch:
    """Tells whether a database file is still where it was opened; looks at most once per `interval`."""

    def __init__(self, file: SqliteFile, interval: float = 1.0) -> None:
        self._file = file
        self._interval = interval
        self._checked_at: float | None = None
        self._in_place = True

    @property
    def path(self) -> Path:
        return self._file.path

    def in_place(self) -> bool:
        now = time.monotonic()
        if self._checked_at is None or now - self._checked_at >= self._interval:
            self._checked_at = now
            try:
                status = os.stat(self._file.path)
            except OSError:
                self._in_place = False
            else:
                self._in_place = (status.st_dev, status.st_ino) == self._file.identity
        return self._in_place
