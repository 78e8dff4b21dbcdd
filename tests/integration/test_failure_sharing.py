"""Two processes' failure budgets shared through one real database (each with its own engine), with
the exchanges made by the test, against a clock the test moves."""

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from sonata.adapters.sql.database import create_engine
from sonata.adapters.sql.failure_sharing import FailureSharing
from sonata.domain.failure_budget import FailureBudget

SCANNER = "203.0.113.7"
BUDGET, WINDOW, BLOCK = 5, 100, 60


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Process:
    budget: FailureBudget
    sharing: FailureSharing

    def fail(self, times: int, address: str = SCANNER) -> None:
        for _ in range(times):
            self.budget.failed(address)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def engines(engine: AsyncEngine, database_url: str) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    other = create_engine(database_url)
    yield engine, other
    await other.dispose()


@pytest.fixture
def processes(engines: tuple[AsyncEngine, AsyncEngine], clock: Clock) -> Iterator[tuple[Process, Process]]:
    def process(engine: AsyncEngine) -> Process:
        budget = FailureBudget(BUDGET, WINDOW, BLOCK, clock=clock)
        return Process(budget, FailureSharing(engine, budget))

    yield process(engines[0]), process(engines[1])


def lines(caplog: pytest.LogCaptureFixture, start: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.getMessage().startswith(start)]


async def test_failures_counted_by_two_processes_add_up(processes: tuple[Process, Process]) -> None:
    first, second = processes
    first.fail(3)
    await first.sharing.exchange()
    second.fail(1)
    assert not second.budget.blocked(SCANNER)
    await second.sharing.exchange()
    assert second.budget.count(SCANNER) == 4
    second.fail(1)
    assert second.budget.blocked(SCANNER)


async def test_a_block_reaches_a_process_that_never_saw_the_address_fail(
    processes: tuple[Process, Process], clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "sonata.failures")
    first, second = processes
    await second.sharing.exchange()
    first.fail(BUDGET)
    await first.sharing.exchange()
    assert not second.budget.blocked(SCANNER)
    await second.sharing.exchange()
    assert second.budget.blocked(SCANNER)
    [blocked] = lines(caplog, "blocked")
    assert blocked.levelno == logging.WARNING
    assert blocked.getMessage() == (
        f"blocked {SCANNER}: 5 refused phone requests within 100 s (SONATA_FAILURE_BUDGET is 5);"
        " every phone request from it gets the 404 for 60 s"
    )
    clock.now += BLOCK
    assert not first.budget.blocked(SCANNER) and not second.budget.blocked(SCANNER)
    await second.sharing.exchange()
    await first.sharing.exchange()
    [unblocked] = lines(caplog, "unblocked")
    assert (
        unblocked.levelno == logging.INFO
        and unblocked.getMessage() == f"unblocked {SCANNER}: its cool-down is over"
    )


async def test_a_block_decided_by_both_processes_at_once_is_logged_once_and_so_is_its_end(
    processes: tuple[Process, Process], clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "sonata.failures")
    first, second = processes
    first.fail(BUDGET)
    clock.now += 0.2
    second.fail(BUDGET)
    for _ in range(2):
        await first.sharing.exchange()
        await second.sharing.exchange()
    assert len(lines(caplog, "blocked")) == 1
    clock.now += BLOCK - 0.1  # past the end of the block the database holds, the first's
    for _ in range(2):
        await first.sharing.exchange()
        await second.sharing.exchange()
    assert not first.budget.blocked(SCANNER) and second.budget.blocked(SCANNER)
    assert len(lines(caplog, "unblocked")) == 1
    clock.now += 0.1
    for _ in range(2):
        await second.sharing.exchange()
        await first.sharing.exchange()
    assert not second.budget.blocked(SCANNER)
    assert len(lines(caplog, "blocked")) == 1
    assert len(lines(caplog, "unblocked")) == 1


async def test_an_address_blocked_again_after_its_cool_down_is_logged_again(
    processes: tuple[Process, Process], clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """The first process ends the block before the second, which never learns of its end, blocks
    anew: the end of the first block is logged all the same."""
    caplog.set_level(logging.INFO, "sonata.failures")
    first, second = processes
    second.fail(BUDGET)
    await second.sharing.exchange()
    await first.sharing.exchange()
    clock.now += WINDOW + BLOCK
    second.budget.take_ended()  # as if the second had missed the end of its own block
    second.fail(BUDGET)
    await second.sharing.exchange()
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        f"blocked {SCANNER}",
        f"unblocked {SCANNER}",
        f"blocked {SCANNER}",
    ]
    await first.sharing.exchange()
    assert first.budget.blocked(SCANNER)


async def test_what_the_database_did_not_take_is_shared_at_the_next_exchange(
    processes: tuple[Process, Process], engine: AsyncEngine
) -> None:
    first, second = processes
    first.fail(2)
    async with engine.begin() as connection:
        await connection.execute(text("ALTER TABLE client_failures RENAME TO client_failures_away"))
    with pytest.raises(Exception, match="client_failures"):
        await first.sharing.exchange()
    assert first.budget.count(SCANNER) == 2
    first.fail(1)
    async with engine.begin() as connection:
        await connection.execute(text("ALTER TABLE client_failures_away RENAME TO client_failures"))
    await first.sharing.exchange()
    second.fail(1)
    await second.sharing.exchange()
    assert second.budget.count(SCANNER) == 4


async def test_a_block_the_database_did_not_take_is_written_and_logged_at_the_next_exchange(
    processes: tuple[Process, Process], engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = processes
    first.fail(BUDGET)
    async with engine.begin() as connection:
        await connection.execute(text("ALTER TABLE client_blocks RENAME TO client_blocks_away"))
    with pytest.raises(Exception, match="client_blocks"):
        await first.sharing.exchange()
    async with engine.begin() as connection:
        await connection.execute(text("ALTER TABLE client_blocks_away RENAME TO client_blocks"))
    assert lines(caplog, "blocked") == []
    await first.sharing.exchange()
    await second.sharing.exchange()
    assert len(lines(caplog, "blocked")) == 1
    assert second.budget.blocked(SCANNER)


async def test_sums_past_the_window_are_deleted(
    processes: tuple[Process, Process], engine: AsyncEngine, clock: Clock
) -> None:
    first, _ = processes
    first.fail(2)
    first.fail(1, "198.51.100.9")
    await first.sharing.exchange()
    clock.now += WINDOW * 0.6
    first.fail(1)
    await first.sharing.exchange()
    clock.now += WINDOW * 0.6
    await first.sharing.prune()
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT address, failures FROM client_failures"))).all()
    assert [tuple(row) for row in rows] == [(SCANNER, 1)]
    assert first.budget.tracked() == 1 and first.budget.count(SCANNER) == 1


async def test_a_block_over_while_no_process_ran_ends_at_the_next_start(
    processes: tuple[Process, Process], engine: AsyncEngine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "sonata.failures")
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO client_blocks VALUES (:address, :at, :until)"),
            {"address": SCANNER, "at": clock.now - 100, "until": clock.now - 40},
        )
    first, _ = processes
    await first.sharing.exchange()
    assert not first.budget.blocked(SCANNER)
    await first.sharing.exchange()
    assert [r.getMessage() for r in lines(caplog, "unblocked")] == [
        f"unblocked {SCANNER}: its cool-down is over"
    ]
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM client_blocks"))).scalar_one() == 0


async def test_a_database_that_fails_is_logged_once_and_its_recovery_once(
    engine: AsyncEngine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "sonata.failures")
    budget = FailureBudget(BUDGET, WINDOW, BLOCK, clock=clock)
    sharing = FailureSharing(engine, budget, interval=0.01)

    async def rename(table: str, to: str) -> None:
        async with engine.begin() as connection:
            await connection.execute(text(f"ALTER TABLE {table} RENAME TO {to}"))

    async def logged(start: str) -> int:
        for _ in range(500):
            if lines(caplog, start):
                break
            await asyncio.sleep(0.01)
        return len(lines(caplog, start))

    await rename("client_blocks", "client_blocks_away")
    task = asyncio.create_task(sharing.run())
    try:
        assert await logged("cannot share failure budgets") == 1
        budget.failed(SCANNER)
        await asyncio.sleep(0.2)  # many more rounds fail
        await rename("client_blocks_away", "client_blocks")
        assert await logged("sharing failure budgets again") == 1
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert len(lines(caplog, "cannot share failure budgets")) == 1
    assert [r.levelno for r in lines(caplog, "cannot share")] == [logging.ERROR]
