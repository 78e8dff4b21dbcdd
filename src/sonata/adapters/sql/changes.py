"""Following the database's change sequence, so every worker and instance drops what another changed.

Triggers on the devices table write the key of every inserted, updated or deleted device to
`device_changes` (migration 0002), whoever writes. Each process polls the rows after the last
it saw and tells its cache to drop those devices; a sequence number skipped is watched as a gap
until it shows up or `gap_patience` passes (id_watch.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from sonata.adapters.cache import DeviceCache
from sonata.adapters.sql.errors import describe
from sonata.adapters.sql.id_watch import IdWatch
from sonata.adapters.sql.tables import DeviceChangeRow

log = logging.getLogger("sonata.changes")

FRESHNESS_BOUND = 1.0
"""Seconds after its commit by which every process serves a change (README: Workers and instances)."""
POLL_INTERVAL = 0.25
RETENTION_SECONDS = 3600
"""How long change rows are kept: far longer than a follower may lag before it drops its cache anyway."""
BATCH = 5_000

_CHANGES = DeviceChangeRow.__table__  # type: ignore[attr-defined]
_LAST_SEQ = select(func.coalesce(func.max(_CHANGES.c.seq), 0))
_AFTER: Select[Any] = (
    select(_CHANGES.c.seq, _CHANGES.c.key)
    .where(_CHANGES.c.seq > bindparam("last"))
    .order_by(_CHANGES.c.seq)
    .limit(BATCH)
)
_AFTER_OR_IN_GAPS: Select[Any] = (
    select(_CHANGES.c.seq, _CHANGES.c.key)
    .where(or_(_CHANGES.c.seq > bindparam("last"), _CHANGES.c.seq.in_(bindparam("gaps", expanding=True))))
    .order_by(_CHANGES.c.seq)
    .limit(BATCH)
)
_PRUNE = {
    "sqlite": text(
        f"DELETE FROM device_changes WHERE changed_at < datetime('now', '-{RETENTION_SECONDS} seconds')"
    ),
    "postgresql": text(
        f"DELETE FROM device_changes WHERE changed_at < now() - interval '{RETENTION_SECONDS} seconds'"
    ),
}


class ChangeFollower:
    """Polls `device_changes` every `interval` seconds and drops the devices named there from `cache`.

    After each poll the cache may serve from memory until `bound` seconds after the poll began;
    when polls fail or fall behind for longer, the cache reads through until one succeeds again, so
    nothing is served staler than `bound`. A failure is logged once, and again when polls recover.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        cache: DeviceCache,
        *,
        interval: float = POLL_INTERVAL,
        bound: float = FRESHNESS_BOUND,
        gap_patience: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._cache = cache
        self._interval = interval
        self._bound = bound
        self._clock = clock
        self._watch = IdWatch(gap_patience)
        self._failing = False
        self._polled_at: float | None = None

    async def poll(self) -> None:
        """Read the changes since the last poll and drop their devices; raises on a database failure."""
        started = self._clock()
        if self._polled_at is not None and started - self._polled_at > RETENTION_SECONDS / 2:
            self._cache.clear()  # the rows of what changed meanwhile may be pruned already
        async with self._engine.connect() as connection:
            if self._watch.last is None:
                # Nothing is held yet, so whatever came before is already in the database.
                self._watch.last = (await connection.execute(_LAST_SEQ)).scalar_one()
            while True:
                rows = (await connection.execute(*self._query())).all()
                self._apply([(row.seq, row.key) for row in rows], started)
                if len(rows) < BATCH:
                    break
        self._polled_at = started
        self._cache.hold_until(started + self._bound)

    async def run(self) -> None:
        """Poll every `interval` seconds until cancelled."""
        while True:
            try:
                await self.poll()
            except Exception as error:  # whatever the driver raises, the task must live on
                if not self._failing:
                    log.error(
                        "cannot follow device changes, serving from the database meanwhile: %s",
                        describe(error),
                    )
                    self._failing = True
            else:
                if self._failing:
                    log.info("following device changes again")
                    self._failing = False
            await asyncio.sleep(self._interval)

    def _query(self) -> tuple[Select[Any], dict[str, Any]]:
        gaps = self._watch.gaps
        if gaps:
            return _AFTER_OR_IN_GAPS, {"last": self._watch.last, "gaps": gaps}
        return _AFTER, {"last": self._watch.last}

    def _apply(self, rows: list[tuple[int, str]], now: float) -> None:
        if not self._watch.seen([seq for seq, _ in rows], now):
            self._cache.clear()  # changes may have been missed: trust nothing held
        if rows:
            self._cache.forget([key for _, key in rows])


async def prune_changes(engine: AsyncEngine) -> None:
    """Delete change rows older than RETENTION_SECONDS."""
    async with engine.begin() as connection:
        await connection.execute(_PRUNE[engine.dialect.name])
