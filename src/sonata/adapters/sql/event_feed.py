"""Provisioning events as they are stored, for the live subscriptions of this process.

The database is the bus: whichever process served a phone wrote its event, so each process reads
the events table by id (one poller, only while someone follows) and hands every new event to its
followers of that group. An event reaches them about FLUSH_INTERVAL + POLL_INTERVAL seconds after
the fetch at most (README: History and live events), plus the time the queries take.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sonata.adapters.drop_oldest import DropOldestQueue
from sonata.adapters.sql.errors import describe
from sonata.adapters.sql.id_watch import IdWatch
from sonata.adapters.sql.provisioning_events import EVENTS, event_from_row
from sonata.domain.provisioning_events import ProvisioningEvent

log = logging.getLogger("sonata.events")

POLL_INTERVAL = 0.5
BATCH = 1_000
MAX_QUEUED = 10_000
"""Events waiting for one follower that reads slower than they come; past it the oldest go."""
GAP_PATIENCE = 60.0
"""Seconds an id skipped is waited for: a batch of events takes far less to commit."""

_LAST_ID = select(func.coalesce(func.max(EVENTS.c.id), 0))
_AFTER: Select[Any] = select(EVENTS).where(EVENTS.c.id > bindparam("last")).order_by(EVENTS.c.id).limit(BATCH)
_AFTER_OR_IN_GAPS: Select[Any] = (
    select(EVENTS)
    .where(or_(EVENTS.c.id > bindparam("last"), EVENTS.c.id.in_(bindparam("gaps", expanding=True))))
    .order_by(EVENTS.c.id)
    .limit(BATCH)
)


class _Follower:
    def __init__(self, groups: frozenset[str] | None, limit: int) -> None:
        self.groups = groups
        self._queue: DropOldestQueue[ProvisioningEvent] = DropOldestQueue(limit)
        self._woken = asyncio.Event()
        self._ended = False

    def admits(self, event: ProvisioningEvent) -> bool:
        return self.groups is None or event.group in self.groups

    def put(self, event: ProvisioningEvent) -> None:
        self._queue.put(event)
        self._woken.set()

    def end(self) -> None:
        self._ended = True
        self._woken.set()

    async def events(self) -> AsyncIterator[ProvisioningEvent]:
        while True:
            await self._woken.wait()
            self._woken.clear()
            dropped = self._queue.take_dropped()
            if dropped:
                log.warning("a live subscriber read too slowly: %d provisioning events it missed", dropped)
            for event in self._queue.take_all():
                yield event
            if self._ended:
                return


class EventFeed:
    """The LiveProvisioningEvents port: one poller per process, shared by every follower."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        interval: float = POLL_INTERVAL,
        max_queued: int = MAX_QUEUED,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._interval = interval
        self._max_queued = max_queued
        self._clock = clock
        self._followers: set[_Follower] = set()
        self._poller: asyncio.Task[None] | None = None
        self._started = asyncio.Event()
        """Set once the poller knows the last id stored: the events after it are live."""
        self._failing = False

    @contextlib.asynccontextmanager
    async def follow(self, groups: frozenset[str] | None) -> AsyncIterator[AsyncIterator[ProvisioningEvent]]:
        """Entered once the events from then on are sure to come (it waits while the database is
        unavailable)."""
        follower = _Follower(groups, self._max_queued)
        self._followers.add(follower)
        try:
            if self._poller is None:
                self._started = asyncio.Event()
                self._poller = asyncio.create_task(self._poll_while_followed(self._started))
            await self._started.wait()
            yield follower.events()
        finally:
            self._followers.discard(follower)

    def close(self) -> None:
        """End every subscription (the server stops): each one's events end after what it has."""
        for follower in self._followers:
            follower.end()
        self._followers.clear()

    async def _poll_while_followed(self, started: asyncio.Event) -> None:
        watch = IdWatch(GAP_PATIENCE)
        try:
            while self._followers:
                try:
                    async with self._engine.connect() as connection:
                        await self._poll(connection, watch)
                except Exception as error:  # whatever the driver raises, the followers wait on
                    if not self._failing:
                        log.error("cannot read provisioning events for live subscribers: %s", describe(error))
                        self._failing = True
                else:
                    started.set()
                    if self._failing:
                        log.info("reading provisioning events for live subscribers again")
                        self._failing = False
                await asyncio.sleep(self._interval)
        finally:
            self._poller = None

    async def _poll(self, connection: AsyncConnection, watch: IdWatch) -> None:
        if watch.last is None:  # events stored before the first follower came are not live
            watch.last = (await connection.execute(_LAST_ID)).scalar_one()
        while True:
            gaps = watch.gaps
            if gaps:
                rows = (await connection.execute(_AFTER_OR_IN_GAPS, {"last": watch.last, "gaps": gaps})).all()
            else:
                rows = (await connection.execute(_AFTER, {"last": watch.last})).all()
            if not watch.seen([row.id for row in rows], self._clock()):
                log.warning("live subscribers may have missed provisioning events: too many writes in flight")
            for event in map(event_from_row, rows):
                for follower in self._followers:
                    if follower.admits(event):
                        follower.put(event)
            if len(rows) < BATCH:
                return
