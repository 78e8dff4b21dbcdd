"""Provisioning events written behind the phones' backs: queued in memory, written in batches, and
deleted once older than the retention."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from sonata.adapters.drop_oldest import DropOldestQueue
from sonata.adapters.sql.errors import describe
from sonata.adapters.sql.provisioning_events import EVENTS, event_values, prune_events
from sonata.adapters.sql.recorder import FLUSH_INTERVAL, RETRY_WHEN_STOPPING
from sonata.domain.ports import Clock
from sonata.domain.provisioning_events import ProvisioningEvent

log = logging.getLogger("sonata.events")

MAX_PENDING = 100_000
"""Events waiting for the database at most (a few hundred bytes each); past it the oldest go."""
PRUNE_INTERVAL = 3600.0
"""Seconds between two deletions of the events past the retention, the first at start."""


class BatchedEventWriter:
    """Queues each event (`append` never waits) and writes all that wait in one transaction per `flush`.

    At most `max_pending` events wait: a new one beyond them pushes the oldest out, and the log says
    how many went. A failed flush is logged once until one succeeds; its events wait for the next.
    """

    def __init__(
        self, engine: AsyncEngine, clock: Clock, retention: timedelta, *, max_pending: int = MAX_PENDING
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._retention = retention
        self._pending: DropOldestQueue[ProvisioningEvent] = DropOldestQueue(max_pending)
        self._max_pending = max_pending
        self._failing = False
        self._stop = asyncio.Event()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def append(self, event: ProvisioningEvent) -> None:
        self._pending.put(event)

    async def flush(self) -> None:
        """Write what waits; never raises for a database failure."""
        batch = self._pending.take_all()
        if batch:
            try:
                async with self._engine.begin() as connection:
                    await connection.execute(insert(EVENTS), [event_values(event) for event in batch])
            except Exception as error:  # whatever the driver raises, the task must live on
                if not self._failing:
                    log.error("cannot write provisioning events, will retry: %s", describe(error))
                    self._failing = True
                self._pending.put_back(batch)
            else:
                if self._failing:
                    log.info("writing provisioning events again")
                    self._failing = False
        dropped = self._pending.take_dropped()
        if dropped:
            log.warning(
                "%d provisioning events were dropped: %d were already waiting for the database",
                dropped,
                self._max_pending,
            )

    async def prune(self) -> int:
        """Delete the events older than the retention; how many. Raises for a database failure."""
        pruned = await prune_events(self._engine, self._clock.now() - self._retention)
        if pruned:
            log.info("deleted %d provisioning events older than %d days", pruned, self._retention.days)
        return pruned

    async def run(self, interval: float = FLUSH_INTERVAL, prune_interval: float = PRUNE_INTERVAL) -> None:
        """Prune now and every `prune_interval` seconds, flush every `interval` seconds until `stop`;
        then until nothing waits, a failed write tried again every RETRY_WHEN_STOPPING seconds (the
        caller bounds how long)."""
        pruning = asyncio.create_task(self._keep_pruned(prune_interval))
        try:
            while not self._stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), interval)
                await self.flush()
            while self._pending:
                await asyncio.sleep(RETRY_WHEN_STOPPING)
                await self.flush()
        finally:
            pruning.cancel()

    def stop(self) -> None:
        self._stop.set()

    async def _keep_pruned(self, interval: float) -> None:
        while True:
            try:
                await self.prune()
            except Exception as error:  # tried again later; old rows cost only disk meanwhile
                log.warning("cannot delete old provisioning events: %s", describe(error))
            await asyncio.sleep(interval)
