"""Provisioning events written behind the phones' backs: queued in memory, written in batches, and
deleted once older than the retention."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sonata.adapters.drop_oldest import DropOldestQueue
from sonata.adapters.sql.batched_writer import FLUSH_INTERVAL, BatchedWriter, WriterLog
from sonata.adapters.sql.errors import describe
from sonata.adapters.sql.provisioning_events import EVENTS, event_values, prune_events
from sonata.domain.ports import Clock
from sonata.domain.provisioning_events import ProvisioningEvent

log = logging.getLogger("sonata.events")
_LOG = WriterLog(
    log,
    failing="cannot write provisioning events, will retry: %s",
    recovered="writing provisioning events again",
    dropped="%d provisioning events were dropped: %d were already waiting for the database",
)

MAX_PENDING = 100_000
"""Events waiting for the database at most (a few hundred bytes each); past it the oldest go."""
PRUNE_INTERVAL = 3600.0
"""Seconds between two deletions of the events past the retention, the first at start."""


class BatchedEventWriter(BatchedWriter[list[ProvisioningEvent]]):
    """Queues each event (`append` never waits) and writes all that wait in one transaction per `flush`.

    At most `max_pending` events wait: a new one beyond them pushes the oldest out, and the log says
    how many went. A failed flush is logged once until one succeeds; its events wait for the next.
    At the stop, `run` tries again until they are written.
    """

    def __init__(
        self, engine: AsyncEngine, clock: Clock, retention: timedelta, *, max_pending: int = MAX_PENDING
    ) -> None:
        super().__init__(engine, _LOG, max_pending=max_pending, retries_when_stopping=True)
        self._clock = clock
        self._retention = retention
        self._pending: DropOldestQueue[ProvisioningEvent] = DropOldestQueue(max_pending)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def append(self, event: ProvisioningEvent) -> None:
        self._pending.put(event)

    def _take(self) -> list[ProvisioningEvent]:
        return self._pending.take_all()

    async def _write(self, connection: AsyncConnection, batch: list[ProvisioningEvent]) -> None:
        await connection.execute(insert(EVENTS), [event_values(event) for event in batch])

    def _put_back(self, batch: list[ProvisioningEvent]) -> None:
        self._pending.put_back(batch)

    def _take_dropped(self) -> int:
        return self._pending.take_dropped()

    async def prune(self) -> int:
        """Delete the events older than the retention; how many. Raises for a database failure."""
        pruned = await prune_events(self._engine, self._clock.now() - self._retention)
        if pruned:
            log.info("deleted %d provisioning events older than %d days", pruned, self._retention.days)
        return pruned

    async def run(self, interval: float = FLUSH_INTERVAL, prune_interval: float = PRUNE_INTERVAL) -> None:
        """Prune now and every `prune_interval` seconds while flushing as BatchedWriter.run does."""
        pruning = asyncio.create_task(self._keep_pruned(prune_interval))
        try:
            await super().run(interval)
        finally:
            pruning.cancel()

    async def _keep_pruned(self, interval: float) -> None:
        while True:
            try:
                await self.prune()
            except Exception as error:  # tried again later; old rows cost only disk meanwhile
                log.warning("cannot delete old provisioning events: %s", describe(error))
            await asyncio.sleep(interval)
