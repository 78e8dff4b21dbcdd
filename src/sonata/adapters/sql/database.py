"""Engine creation: plain SQLAlchemy URLs in, the async driver chosen here."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, func, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from sonata.adapters.sql.tables import DeviceRow

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(
            "SONATA_DATABASE_URL is not a database URL: use sqlite:///… or postgresql://…"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise ValueError(
            f"unsupported database {backend!r} in SONATA_DATABASE_URL: use sqlite:///… or postgresql://…"
        )
    return parsed


def async_url(url: str) -> str:
    """`sqlite:///x.db` -> `sqlite+aiosqlite:///x.db`; `postgresql://…` -> `postgresql+asyncpg://…`."""
    parsed = _parse(url)
    return parsed.set(drivername=_ASYNC_DRIVERS[parsed.drivername.split("+")[0]]).render_as_string(
        hide_password=False
    )


def sqlite_path(url: str) -> Path | None:
    """The file a `sqlite:///…` URL names; None for another database. An in-memory database is refused."""
    parsed = _parse(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database in (None, "", ":memory:") or "memory" in parsed.query.get("mode", ""):
        raise ValueError(
            "SONATA_DATABASE_URL names an in-memory database, which would lose every device at exit:"
            " give a file path, such as sqlite:///./sonata.db"
        )
    if parsed.query or parsed.database.startswith("file:"):
        raise ValueError(
            "SONATA_DATABASE_URL must be a plain file path without SQLite URI options,"
            " such as sqlite:///./sonata.db"
        )
    return Path(parsed.database)


def server_label(url: str) -> str:
    """A database server's URL fit for a log line: no password, no query parameters."""
    parsed = _parse(url)
    return URL.create(
        parsed.drivername, parsed.username, None, parsed.host, parsed.port, parsed.database
    ).render_as_string()


def create_engine(url: str, *, readers: int = 1) -> AsyncEngine:
    """On SQLite, an engine of one connection, or of `readers` for an engine that only reads."""
    converted = async_url(url)
    if not converted.startswith("sqlite"):
        return create_async_engine(converted, pool_pre_ping=True, hide_parameters=True)
    # One connection: SQLite has a single writer anyway, and queueing in the pool is cheaper
    # than SQLite's busy-wait sleeps when several connections contend for the write lock. Readers
    # never wait for one another (WAL), so an engine that only reads may have several.
    engine = create_async_engine(
        converted, connect_args={"timeout": 30}, pool_size=readers, max_overflow=0, hide_parameters=True
    )
    event.listen(engine.sync_engine, "connect", _tune_sqlite)
    return engine


def _tune_sqlite(connection: Any, record: Any) -> None:
    """WAL lets phones read while a save writes; NORMAL sync is safe with WAL and far faster."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _migrations() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _upgrade(connection: Connection) -> None:
    config = _migrations()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def schema_revisions(engine: AsyncEngine) -> tuple[str | None, list[str]]:
    """The migration the database is at (None: no schema yet), and those this Sonata ships, oldest first."""
    return await current_revision(engine), shipped_revisions()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The migration the database is at; None: no schema yet."""
    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())


def shipped_revisions() -> list[str]:
    """The migrations this Sonata ships, oldest first (read from their files: some milliseconds)."""
    shipped = [script.revision for script in ScriptDirectory.from_config(_migrations()).walk_revisions()]
    return shipped[::-1]


class SchemaState(Enum):
    """Where a database's schema stands against the migrations this Sonata ships."""

    EMPTY = "empty"
    """No Sonata tables: a start of `sonata serve` makes them."""
    OLDER = "older"
    """A start of `sonata serve` migrates it to the newest."""
    CURRENT = "current"
    NEWER = "newer"
    """Made by a newer Sonata: this one cannot serve it."""


def schema_state(current: str | None, shipped: Sequence[str]) -> SchemaState:
    """Where a database at migration `current` (None: no schema) stands against `shipped`, oldest first."""
    if current is None:
        return SchemaState.EMPTY
    if current not in shipped:
        return SchemaState.NEWER
    return SchemaState.CURRENT if current == shipped[-1] else SchemaState.OLDER


async def create_schema(engine: AsyncEngine) -> None:
    """Bring the database to the newest schema with the Alembic migrations shipped in the package."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


# Any fixed number will do: PostgreSQL advisory locks are numbers the applications agree on.
_PREPARE_LOCK = 0x534F4E415441  # "SONATA"


@contextlib.asynccontextmanager
async def one_start_at_a_time(engine: AsyncEngine) -> AsyncIterator[None]:
    """Instances starting together on one PostgreSQL database prepare it in turn, not at once.

    SQLite is not locked: instances sharing a file share one machine, where they are started one
    after the other, or are one `sonata serve --workers N`.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    async with engine.connect() as connection:
        await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PREPARE_LOCK})
        try:
            yield
        finally:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PREPARE_LOCK})


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def count_devices(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(DeviceRow))).scalar_one()
