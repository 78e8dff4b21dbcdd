"""What the writers behind the phones' backs share: a bounded store in memory that `flush` writes in
one transaction, every FLUSH_INTERVAL while serving and once more (or until it is empty) at the stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sonata.adapters.sql.errors import describe

FLUSH_INTERVAL = 1.0
"""Seconds between two writes: lastProvisioning is at most about this far behind (README)."""

RETRY_WHEN_STOPPING = 0.25
"""Seconds between two tries to write the last of what waits in a stopping server."""

Batch = TypeVar("Batch", bound=Collection[object])


@dataclass(frozen=True)
class WriterLog:
    """A writer's log lines: `failing` once when a write fails (`%s` the reason), `recovered` when one
    works again, `dropped` after a flush when items were dropped (`%d` of them, `%d` the bound)."""

    logger: logging.Logger
    failing: str
    recovered: str
    dropped: str


class BatchedWriter(ABC, Generic[Batch]):
    """Writes in one transaction per `flush` all that waits; never raises for a database failure: it is
    logged once until a write works again, and what failed waits for the next (as room allows)."""

    def __init__(
        self, engine: AsyncEngine, log: WriterLog, *, max_pending: int, retries_when_stopping: bool
    ) -> None:
        """`retries_when_stopping`: `run` tries again at the stop until nothing waits (the caller
        bounds how long), rather than writing once more."""
        self._engine = engine
        self._log = log
        self._max_pending = max_pending
        self._retries_when_stopping = retries_when_stopping
        self._failing = False
        self._stop = asyncio.Event()

    @property
    @abstractmethod
    def pending(self) -> int:
        """How many items wait."""

    @abstractmethod
    def _take(self) -> Batch:
        """All that waits, which then waits no longer."""

    @abstractmethod
    async def _write(self, connection: AsyncConnection, batch: Batch) -> None:
        """Write `batch` in the transaction of `connection`."""

    @abstractmethod
    def _put_back(self, batch: Batch) -> None:
        """Make a batch whose write failed wait again, behind what came in meanwhile."""

    @abstractmethod
    def _take_dropped(self) -> int:
        """How many items were dropped since the last call."""

    def _write_failed(self, error: Exception) -> None:
        """Logs the first failure of a row of them."""
        if not self._failing:
            self._log.logger.error(self._log.failing, describe(error))
            self._failing = True

    async def flush(self) -> None:
        """Write what waits; never raises for a database failure."""
        batch = self._take()
        if batch:
            try:
                async with self._engine.begin() as connection:
                    await self._write(connection, batch)
            except Exception as error:  # whatever the driver raises, the task must live on
                self._write_failed(error)
                self._put_back(batch)
            else:
                if self._failing:
                    self._log.logger.info(self._log.recovered)
                    self._failing = False
        dropped = self._take_dropped()
        if dropped:
            self._log.logger.warning(self._log.dropped, dropped, self._max_pending)

    async def _between_flushes(self, interval: float) -> None:
        """What `run` does after each flush of `interval` seconds while serving: nothing more here."""

    async def run(self, interval: float = FLUSH_INTERVAL) -> None:
        """Flush every `interval` seconds until `stop`, then once more; if retrying when stopping, a
        failed write is tried again every RETRY_WHEN_STOPPING seconds until nothing waits."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), interval)
            await self.flush()
            if self._stop.is_set():
                break
            await self._between_flushes(interval)
        while self._retries_when_stopping and self.pending:  # came in during the last flush, or put back
            await asyncio.sleep(RETRY_WHEN_STOPPING)
            await self.flush()

    def stop(self) -> None:
        self._stop.set()
