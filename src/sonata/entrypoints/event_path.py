"""The provisioning events wired: the batched writer the phones' path feeds, the history the API reads,
and the live feed of the subscriptions, with their background task in one serving process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from sonata.adapters.sql.database import create_engine
from sonata.adapters.sql.event_feed import EventFeed
from sonata.adapters.sql.event_writer import BatchedEventWriter
from sonata.adapters.sql.provisioning_events import SqlProvisioningEvents
from sonata.domain.ports import Clock
from sonata.domain.services.provisioning_history import ProvisioningHistory
from sonata.entrypoints.phone_path import SHUTDOWN_FLUSH_SECONDS

log = logging.getLogger("sonata")


@dataclass(frozen=True)
class EventPath:
    writer: BatchedEventWriter
    feed: EventFeed
    history: ProvisioningHistory
    reads: AsyncEngine
    """The history's and the feed's own engine: neither waits for a save or a batch being written."""

    @classmethod
    def build(cls, database_url: str, engine: AsyncEngine, clock: Clock, retention_days: int) -> EventPath:
        """`engine` is the one saves use; it writes the events."""
        reads = create_engine(database_url)
        feed = EventFeed(reads)
        writer = BatchedEventWriter(engine, clock, timedelta(days=retention_days))
        return cls(writer, feed, ProvisioningHistory(SqlProvisioningEvents(reads), feed), reads)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Write events (and prune old ones) while serving; on the way out, end the subscriptions and
        write the last events."""
        writing = asyncio.create_task(self.writer.run())
        try:
            yield
        finally:
            self.feed.close()
            self.writer.stop()
            try:
                await asyncio.wait_for(writing, SHUTDOWN_FLUSH_SECONDS)
            except TimeoutError:
                log.error(
                    "the database took no provisioning events for %s s: the last %d are lost",
                    SHUTDOWN_FLUSH_SECONDS,
                    self.writer.pending,
                )
            await self.reads.dispose()
