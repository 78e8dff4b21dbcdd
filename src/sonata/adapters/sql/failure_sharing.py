"""The failure budget shared by every process on the database: the workers of `--workers` and
instances on other machines.

Each process counts its own failures in memory (domain/failure_budget.py) and, every
EXCHANGE_INTERVAL, adds them to the per-slot sums in `client_failures` and reads back the sums of the
addresses it added to: a process then counts every process's failures of an address that fails at
it. A process that sees an address spend its budget blocks it at once and writes the block to
`client_blocks`, where the others read it at their next exchange.

The process whose write starts a block logs it, and the process whose delete ends it logs the end:
each is logged once, however many processes decided or ended it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator, Callable, Collection, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sonata.adapters.sql.errors import describe
from sonata.adapters.sql.tables import ClientBlockRow, ClientFailureRow
from sonata.domain.failure_budget import Block, FailureBudget, Slots

log = logging.getLogger("sonata.failures")

EXCHANGE_INTERVAL = 0.5
"""Seconds between two exchanges: a block reaches every process within about twice this (README)."""
PRUNE_EVERY = 60.0
READ_OVERLAP = 5.0
"""Seconds of blocks read again at each exchange, so that a block whose transaction was still in
flight, or whose process's clock is a little behind, is seen all the same."""
ROWS_PER_STATEMENT = 1000

_FAILURES = ClientFailureRow.__table__  # type: ignore[attr-defined]
_BLOCKS = ClientBlockRow.__table__  # type: ignore[attr-defined]
# Both dialects' INSERT take ON CONFLICT alike; neither is the other's type.
_INSERT: dict[str, Callable[..., Any]] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}

T = TypeVar("T")


class FailureSharing:
    """Exchanges a process's FailureBudget with the database every `interval` seconds."""

    def __init__(
        self, engine: AsyncEngine, budget: FailureBudget, *, interval: float = EXCHANGE_INTERVAL
    ) -> None:
        self._engine = engine
        self.budget = budget
        self._interval = interval
        self._insert = _INSERT[engine.dialect.name]
        self._read_since = -math.inf  # the first exchange reads every block
        self._ending: set[str] = set()  # blocks ended here that the database may still hold
        self._pruned_at = -math.inf
        self._failing = False

    async def exchange(self) -> None:
        """Share the counts and the blocks once; raises on a database failure, keeping what was not shared."""
        await self._share_counts()
        await self._share_blocks()

    async def prune(self) -> None:
        """Delete the sums of slots past the window, and forget them here."""
        async with self._engine.begin() as connection:
            await connection.execute(delete(_FAILURES).where(_FAILURES.c.slot < self.budget.oldest_slot()))
        self.budget.forget_idle()

    async def run(self) -> None:
        """Exchange every `interval` seconds, and prune every PRUNE_EVERY, until cancelled."""
        while True:
            try:
                await self.exchange()
                if self.budget.now() - self._pruned_at >= PRUNE_EVERY:
                    await self.prune()
                    self._pruned_at = self.budget.now()
            except Exception as error:  # whatever the driver raises, the task must live on
                if not self._failing:
                    log.error(
                        "cannot share failure budgets with the other processes, counting alone meanwhile: %s",
                        describe(error),
                    )
                    self._failing = True
            else:
                if self._failing:
                    log.info("sharing failure budgets again")
                    self._failing = False
            await asyncio.sleep(self._interval)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Exchange while serving; the blocks in force are known before the first phone is answered."""
        with contextlib.suppress(Exception):  # the task logs a failure and retries
            await self.exchange()
        task = asyncio.create_task(self.run())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _share_counts(self) -> None:
        sent = self.budget.take_unsent()
        if not sent:
            return
        try:
            async with self._engine.begin() as connection:
                sums = await self._add(connection, sent, self.budget.oldest_slot())
        except BaseException:
            self.budget.put_back(sent)
            raise
        self.budget.learn(sent, sums)

    async def _add(
        self, connection: AsyncConnection, sent: Mapping[str, Slots], oldest: int
    ) -> list[tuple[str, int, int]]:
        """Add `sent` to the sums; the sums of those addresses in the window, every process's."""
        rows = [
            {"address": address, "slot": slot, "failures": failures}
            for address, slots in sent.items()
            for slot, failures in slots.items()
            if slot >= oldest
        ]
        for chunk in _chunks(rows):
            insert = self._insert(_FAILURES).values(chunk)
            await connection.execute(
                insert.on_conflict_do_update(
                    index_elements=[_FAILURES.c.address, _FAILURES.c.slot],
                    set_={"failures": _FAILURES.c.failures + insert.excluded.failures},
                )
            )
        sums: list[tuple[str, int, int]] = []
        for addresses in _chunks(list(sent)):
            result = await connection.execute(
                select(_FAILURES.c.address, _FAILURES.c.slot, _FAILURES.c.failures).where(
                    _FAILURES.c.address.in_(addresses), _FAILURES.c.slot >= oldest
                )
            )
            sums.extend((row.address, row.slot, row.failures) for row in result)
        return sums

    async def _share_blocks(self) -> None:
        now = self.budget.now()
        new = self.budget.take_new_blocks()
        self._ending.update(self.budget.take_ended())
        try:
            async with self._engine.begin() as connection:
                # An expired block of an address blocked anew ends first, so its end is logged too.
                ended = await self._end(connection, self._ending | new.keys(), now)
                started = await self._start(connection, new)
                known = await self._read(connection, self._read_since)
        except BaseException:
            self.budget.put_back_blocks(new)
            raise
        self._ending.clear()
        self._read_since = now - READ_OVERLAP
        for address in ended:
            log.info("unblocked %s: its cool-down is over", address)
        for address in started:
            log.warning(
                "blocked %s: %d refused phone requests within %d s (SONATA_FAILURE_BUDGET is %d);"
                " every phone request from it gets the 404 for %d s",
                address,
                new[address].failures,
                self.budget.window,
                self.budget.budget,
                self.budget.block,
            )
        for address, until in known:
            self.budget.adopt(address, until)

    async def _end(self, connection: AsyncConnection, addresses: Collection[str], now: float) -> list[str]:
        """Delete the blocks of these addresses that are over; the addresses of those deleted here."""
        ended: list[str] = []
        for chunk in _chunks(list(addresses)):
            result = await connection.execute(
                delete(_BLOCKS)
                .where(_BLOCKS.c.address.in_(chunk), _BLOCKS.c.blocked_until <= now)
                .returning(_BLOCKS.c.address)
            )
            ended.extend(result.scalars())
        return ended

    async def _start(self, connection: AsyncConnection, blocks: Mapping[str, Block]) -> list[str]:
        """Write the blocks; the addresses whose block starts here, none being in force."""
        rows = [
            {"address": address, "blocked_at": block.at, "blocked_until": block.until}
            for address, block in blocks.items()
        ]
        started: list[str] = []
        for chunk in _chunks(rows):
            insert = self._insert(_BLOCKS).values(chunk)
            result = await connection.execute(
                insert.on_conflict_do_update(
                    index_elements=[_BLOCKS.c.address],
                    set_={
                        "blocked_at": insert.excluded.blocked_at,
                        "blocked_until": insert.excluded.blocked_until,
                    },
                    where=_BLOCKS.c.blocked_until <= insert.excluded.blocked_at,
                ).returning(_BLOCKS.c.address)
            )
            started.extend(result.scalars())
        return started

    async def _read(self, connection: AsyncConnection, since: float) -> list[tuple[str, float]]:
        query: Any = select(_BLOCKS.c.address, _BLOCKS.c.blocked_until)
        if since > -math.inf:
            query = query.where(_BLOCKS.c.blocked_at >= since)
        return [(row.address, row.blocked_until) for row in await connection.execute(query)]


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), ROWS_PER_STATEMENT):
        yield items[start : start + ROWS_PER_STATEMENT]
