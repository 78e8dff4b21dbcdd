"""Provisioning events on a real database: written in batches, read newest first page by page within a
scope, deleted past the retention (a fixed clock), and followed live by group across engines (each one
standing for a serving process), including an event whose id was drawn before a later one committed."""

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.fakes import FixedClock

from sonata.adapters.sql import provisioning_events
from sonata.adapters.sql.database import create_engine
from sonata.adapters.sql.event_feed import EventFeed
from sonata.adapters.sql.event_writer import BatchedEventWriter
from sonata.adapters.sql.provisioning_events import EVENTS, SqlProvisioningEvents, event_values
from sonata.domain.access import Scope
from sonata.domain.errors import ValidationFailed
from sonata.domain.phone_fetch import RefusalKind
from sonata.domain.provisioning_events import ProvisioningEvent
from sonata.domain.services.provisioning_history import ProvisioningHistory, encode_event_cursor

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
MAC, OTHER_MAC = "001565000001", "001565000002"
RETENTION = timedelta(days=30)


def event(
    mac: str = MAC, group: str | None = "group-a-0001", minutes: float = 0, **changes: object
) -> ProvisioningEvent:
    values: dict[str, object] = {
        "at": NOW + timedelta(minutes=minutes),
        "mac": mac,
        "group": group,
        "address": "192.0.2.10",
        "user_agent": "Yealink SIP-T46S 66.86.0.15 00:15:65:00:00:01",
        "filename": f"{mac}.cfg",
    }
    values.update(changes)
    return ProvisioningEvent(**values)  # type: ignore[arg-type]


def writer(engine: AsyncEngine, clock: FixedClock | None = None, **options: int) -> BatchedEventWriter:
    return BatchedEventWriter(engine, clock or FixedClock(NOW), RETENTION, **options)


def history(engine: AsyncEngine) -> ProvisioningHistory:
    return ProvisioningHistory(SqlProvisioningEvents(engine), EventFeed(engine))


async def stored(engine: AsyncEngine) -> list[ProvisioningEvent]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(EVENTS).order_by(EVENTS.c.id))
        return [provisioning_events.event_from_row(row) for row in rows]


def without_id(events: list[ProvisioningEvent]) -> list[tuple[object, ...]]:
    return [(e.at, e.mac, e.group, e.address, e.user_agent, e.filename, e.refusal, e.reason) for e in events]


async def test_a_flush_writes_every_event_as_it_was(engine: AsyncEngine) -> None:
    events = writer(engine)
    served = event()
    refused = event(
        minutes=1, refusal=RefusalKind.WINDOW, reason="the publish window closed", user_agent=None
    )
    events.append(served)
    events.append(refused)
    assert await stored(engine) == []
    await events.flush()
    assert without_id(await stored(engine)) == without_id([served, refused])
    assert events.pending == 0


async def test_a_device_s_events_page_newest_first_within_the_scope(engine: AsyncEngine) -> None:
    events = writer(engine)
    for minute in range(5):
        events.append(event(minutes=minute))
    events.append(event(OTHER_MAC, minutes=9))
    events.append(event(group="group-b-0001", minutes=10, filename="moved-to-b.cfg"))
    await events.flush()
    reader = history(engine)
    everything = Scope()
    first = await reader.page(mac=MAC, first=4, after=None, scope=everything)
    assert [e.at.minute for e in first.events] == [10, 4, 3, 2] and first.has_next_page
    rest = await reader.page(mac=MAC, first=4, after=encode_event_cursor(first.events[-1]), scope=everything)
    assert [e.at.minute for e in rest.events] == [1, 0] and not rest.has_next_page
    scoped = await reader.page(
        mac="00:15:65:00:00:01", first=50, after=None, scope=Scope(frozenset({"group-b-0001"}))
    )
    assert [e.filename for e in scoped.events] == ["moved-to-b.cfg"]
    nothing = await reader.page(mac=MAC, first=50, after=None, scope=Scope(frozenset({"group-c-0001"})))
    assert nothing.events == []


async def test_bad_arguments_are_field_errors(engine: AsyncEngine) -> None:
    with pytest.raises(ValidationFailed) as failure:
        await history(engine).page(mac="not-a-mac", first=1001, after="bm90LWEtY3Vyc29y", scope=Scope())
    assert sorted(e.field for e in failure.value.errors) == ["after", "first", "mac"]


async def test_events_past_the_retention_are_deleted(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(provisioning_events, "PRUNE_ROWS", 2)  # several transactions
    clock = FixedClock(NOW)
    events = writer(engine, clock)
    for day in (40, 35, 31, 30.5, 29, 1):
        events.append(event(minutes=-day * 24 * 60))
    await events.flush()
    assert await events.prune() == 4
    assert sorted(e.at for e in await stored(engine)) == [NOW - timedelta(days=29), NOW - timedelta(days=1)]
    clock.advance(days=2)
    assert await events.prune() == 1
    assert [e.at for e in await stored(engine)] == [NOW - timedelta(days=1)]


async def test_a_full_queue_drops_the_oldest_and_says_how_many(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    events = writer(engine, max_pending=3)
    for minute in range(5):
        events.append(event(minutes=minute))
    assert events.pending == 3
    with caplog.at_level(logging.WARNING, logger="sonata.events"):
        await events.flush()
    assert [e.at.minute for e in await stored(engine)] == [2, 3, 4]
    assert "2 provisioning events were dropped: 3 were already waiting" in caplog.text


async def test_events_wait_while_the_database_fails_and_are_written_once_it_recovers(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    events = writer(engine, max_pending=3)
    events.append(event(minutes=0))
    events.append(event(minutes=1))
    async with engine.begin() as connection:
        await connection.execute(text("ALTER TABLE provisioning_events RENAME TO events_away"))
    with caplog.at_level(logging.INFO, logger="sonata.events"):
        await events.flush()
        events.append(event(minutes=2))
        events.append(event(minutes=3))
        await events.flush()
        assert events.pending == 3  # the oldest went
        async with engine.begin() as connection:
            await connection.execute(text("ALTER TABLE events_away RENAME TO provisioning_events"))
        await events.flush()
    assert [e.at.minute for e in await stored(engine)] == [1, 2, 3]
    assert caplog.text.count("cannot write provisioning events") == 1
    assert "writing provisioning events again" in caplog.text


async def test_running_prunes_at_start_and_stopping_writes_what_waits(engine: AsyncEngine) -> None:
    events = writer(engine)
    events.append(event(minutes=-31 * 24 * 60))
    await events.flush()
    task = asyncio.create_task(events.run(interval=3600))
    await asyncio.sleep(0.3)
    assert await stored(engine) == []
    events.append(event())
    events.stop()
    await asyncio.wait_for(task, 5)
    assert without_id(await stored(engine)) == without_id([event()])


@pytest.fixture
async def other_process(database_url: str, engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """An engine of its own, as another serving process has."""
    other = create_engine(database_url)
    yield other
    await other.dispose()


async def next_event(events: AsyncIterator[ProvisioningEvent]) -> ProvisioningEvent:
    return await asyncio.wait_for(anext(events), 5)


async def test_followers_get_the_events_of_their_groups_stored_by_any_process(
    engine: AsyncEngine, other_process: AsyncEngine
) -> None:
    events = writer(engine)
    events.append(event(minutes=-1))
    await events.flush()  # before anyone follows: not live
    feed = EventFeed(other_process, interval=0.05)
    async with (
        feed.follow(frozenset({"group-a-0001"})) as group_a,
        feed.follow(frozenset({"group-b-0001"})) as group_b,
        feed.follow(None) as every_group,
    ):
        events.append(event(minutes=1))
        events.append(event(OTHER_MAC, group="group-b-0001", minutes=2))
        events.append(event(group=None, minutes=3))
        await events.flush()
        assert (await next_event(group_a)).at.minute == 1
        assert (await next_event(group_b)).mac == OTHER_MAC
        assert [(await next_event(every_group)).at.minute for _ in range(3)] == [1, 2, 3]
        events.append(event(OTHER_MAC, group="group-b-0001", minutes=4))
        await events.flush()
        assert (await next_event(group_b)).at.minute == 4
        assert (await next_event(every_group)).at.minute == 4
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(group_a), 0.3)


async def test_an_event_committed_after_a_later_one_still_reaches_the_followers(
    engine: AsyncEngine, other_process: AsyncEngine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: ids are committed in order")
    feed = EventFeed(other_process, interval=0.05)
    async with feed.follow(None) as followed:
        async with engine.connect() as slow:
            transaction = await slow.begin()
            await slow.execute(insert(EVENTS), [event_values(event(minutes=1))])  # its id is drawn now
            events = writer(engine)
            events.append(event(minutes=2))
            await events.flush()
            assert (await next_event(followed)).at.minute == 2
            await transaction.commit()
        assert (await next_event(followed)).at.minute == 1


async def test_closing_the_feed_ends_every_subscription(engine: AsyncEngine) -> None:
    feed = EventFeed(engine, interval=0.05)
    async with feed.follow(None) as followed:
        feed.close()
        with pytest.raises(StopAsyncIteration):
            await next_event(followed)


async def test_a_scoped_token_follows_only_its_own_groups(engine: AsyncEngine) -> None:
    scope = Scope(frozenset({"group-a-0001"}))
    with pytest.raises(ValidationFailed) as failure:
        history(engine).follow("group-b-0001", scope)
    assert [(e.field, e.message) for e in failure.value.errors] == [
        ("group", "is not one of the API token's groups")
    ]
    feed = EventFeed(engine, interval=0.05)
    async with ProvisioningHistory(SqlProvisioningEvents(engine), feed).follow(None, scope) as followed:
        events = writer(engine)
        events.append(event(OTHER_MAC, group="group-b-0001"))
        events.append(event(group=None))
        events.append(event(minutes=1))
        await events.flush()
        assert (await next_event(followed)).at.minute == 1
