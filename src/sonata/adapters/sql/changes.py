"""Following the database's change sequence, so every worker and instance drops what another changed.

Triggers on the devices table write the key of every inserted, updated or deleted device to
`device_changes` (migration 0002), whoever writes. Each process polls the rows after the last
it saw and tells its cache to drop those devices. On PostgreSQL, sequence numbers are drawn
before commit, so a row may appear after a higher one: a number skipped is watched as a gap
until it shows up or `gap_patience` passes (a rolled-back write never fills its gap).
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
from sonata.adapters.sql.tables import DeviceChangeRow

log = logging.getLogger("sonata.changes")

FRESHNESS_BOUND = 1.0
"""Seconds after its commit by which every process serves a change (README: Workers and instances)."""
POLL_INTERVAL = 0.25
RETENTION_SECONDS = 3600
"""How long change rows are kept: far longer than a follower may lag before it drops its cache anyway."""
MAX_GAPS = 10_000
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
        self._gap_patience = gap_patience
        self._clock = clock
        self._last: int | None = None
        self._gaps: dict[int, float] = {}  # sequence number not seen yet -> when it was first missed
        self._failing = False
        self._polled_at: float | None = None

    async def poll(self) -> None:
        """Read the changes since the last poll and drop their devices; raises on a database failure."""
        started = self._clock()
        if self._polled_at is not None and started - self._polled_at > RETENTION_SECONDS / 2:
            self._cache.clear()  # the rows of what changed meanwhile may be pruned already
        async with self._engine.connect() as connection:
            if self._last is None:
                # Nothing is held yet, so whatever came before is already in the database.
                self._last = (await connection.execute(_LAST_SEQ)).scalar_one()
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
        if self._gaps:
            return _AFTER_OR_IN_GAPS, {"last": self._last, "gaps": list(self._gaps)}
        return _AFTER, {"last": self._last}

    def _apply(self, rows: list[tuple[int, str]], now: float) -> None:
        assert self._last is not None
        for seq, _ in rows:
            if seq in self._gaps:
                del self._gaps[seq]
            elif seq > self._last:
                if seq - self._last - 1 > MAX_GAPS:
                    self._cache.clear()  # a jump no write in flight explains: trust nothing held
                else:
                    self._gaps.update(dict.fromkeys(range(self._last + 1, seq), now))
                self._last = seq
        for seq in [seq for seq, missed in self._gaps.items() if now - missed > self._gap_patience]:
            del self._gaps[seq]
        if len(self._gaps) > MAX_GAPS:
            # More writes in flight than can be watched: forget the oldest, and all that is held.
            for seq in list(self._gaps)[: len(self._gaps) - MAX_GAPS]:
                del self._gaps[seq]
            self._cache.clear()
        if rows:
            self._cache.forget([key for _, key in rows])


async def prune_changes(engine: AsyncEngine) -> None:
    """Delete change rows older than RETENTION_SECONDS."""
    async with engine.begin() as connection:
        await connection.execute(_PRUNE[engine.dialect.name])
