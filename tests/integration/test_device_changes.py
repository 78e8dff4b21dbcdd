"""The change sequence on a real database: the triggers that fill it and the follower that reads it."""

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.fakes import FixedClock
from tests.integration.conftest import TEST_BOX

from sonata.adapters.cache import DeviceCache
from sonata.adapters.sql.changes import ChangeFollower, prune_changes
from sonata.adapters.sql.database import create_engine
from sonata.adapters.sql.device_reader import SqlPhoneDevices
from sonata.adapters.sql.id_watch import MAX_GAPS
from sonata.adapters.sql.recorder import BatchedRecorder
from sonata.adapters.sql.tables import DeviceRow
from sonata.domain.model import ProvisioningRecord
from sonata.domain.services.devices import DeviceService
from sonata.domain.validation import AccountDraft, DeviceDraft

MAC = "001565aabbcc"


def draft(**changes: object) -> DeviceDraft:
    values: dict[str, object] = {
        "key": "personal-key-0001",
        "token": "group-token-0001",
        "vendor": "yealink",
        "model": "t46s",
        "mac": MAC,
        "accounts": [AccountDraft(line=1, sip_register="sip.example.net", sip_user="101", sip_password="pw")],
    }
    values.update(changes)
    return DeviceDraft(**values)  # type: ignore[arg-type]


async def changes(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT key FROM device_changes ORDER BY seq"))
        return [row.key for row in rows]


async def execute(engine: AsyncEngine, statement: str, **values: object) -> None:
    async with engine.begin() as connection:
        await connection.execute(text(statement), values)


async def test_every_insert_update_and_delete_is_recorded(engine: AsyncEngine, unit_of_work) -> None:  # type: ignore[no-untyped-def]
    devices = DeviceService(unit_of_work, FixedClock())
    first = await devices.save(draft())
    second = await devices.save(draft(key="personal-key-0002", mac="001565000002"))
    await devices.save(draft(title="Reception"))
    assert await devices.delete(second.key)
    assert await changes(engine) == [first.key, second.key, first.key, second.key]


async def test_recording_a_fetch_is_no_change(engine: AsyncEngine, unit_of_work) -> None:  # type: ignore[no-untyped-def]
    device = await DeviceService(unit_of_work, FixedClock()).save(draft())
    recorder = BatchedRecorder(engine)
    recorder.record(device.key, ProvisioningRecord(datetime(2026, 1, 1, tzinfo=UTC), "192.0.2.1", "UA"))
    await recorder.flush()
    assert await changes(engine) == [device.key]


async def test_an_update_of_any_column_is_a_change(engine: AsyncEngine, unit_of_work) -> None:  # type: ignore[no-untyped-def]
    """lastProvisioning lives in a table of its own (migration 0003): every column of `devices` counts."""
    device = await DeviceService(unit_of_work, FixedClock()).save(draft())
    columns = [column.name for column in DeviceRow.__table__.columns]  # type: ignore[attr-defined]
    assert "last_provisioning" not in columns
    for column in columns:
        before = len(await changes(engine))
        await execute(
            engine, f'UPDATE devices SET "{column}" = "{column}" WHERE "key" = :key', key=device.key
        )
        assert len(await changes(engine)) == before + 1, column


async def test_a_changed_key_names_the_old_and_the_new_one(engine: AsyncEngine, unit_of_work) -> None:  # type: ignore[no-untyped-def]
    device = await DeviceService(unit_of_work, FixedClock()).save(draft())
    await execute(
        engine, 'UPDATE devices SET "key" = :new WHERE "key" = :old', new="renamed-key-0001", old=device.key
    )
    assert (await changes(engine))[-2:] == [device.key, "renamed-key-0001"]


async def following(
    engine: AsyncEngine, clock: list[float] | None = None
) -> tuple[DeviceCache, ChangeFollower]:
    now = clock or [0.0]
    cache = DeviceCache(SqlPhoneDevices(engine, TEST_BOX), 1024 * 1024, clock=lambda: now[0])
    follower = ChangeFollower(engine, cache, clock=lambda: now[0])
    await follower.poll()
    return cache, follower


async def test_the_follower_drops_what_another_process_changed(engine: AsyncEngine, unit_of_work) -> None:  # type: ignore[no-untyped-def]
    devices = DeviceService(unit_of_work, FixedClock())  # another process: it tells this cache nothing
    await devices.save(draft())
    cache, follower = await following(engine)
    held = await cache.by_mac_and_token(MAC, "group-token-0001")
    assert held is not None and len(cache) == 1
    await devices.save(draft(title="Reception"))
    assert await cache.by_mac_and_token(MAC, "group-token-0001") is held  # not told yet
    await follower.poll()
    assert len(cache) == 0
    fresh = await cache.by_mac_and_token(MAC, "group-token-0001")
    assert fresh is not None and fresh.title == "Reception"
    await devices.delete(fresh.key)
    await follower.poll()
    assert await cache.by_mac_and_token(MAC, "group-token-0001") is None


async def test_a_change_committed_after_a_later_one_is_still_seen(engine: AsyncEngine, unit_of_work) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL a sequence number is drawn before commit: the row of an earlier number may
    appear after a later one. Written here by hand, so that it shows on SQLite too."""
    await DeviceService(unit_of_work, FixedClock()).save(draft())
    cache, follower = await following(engine)
    assert await cache.by_key("personal-key-0001") is not None
    async with engine.connect() as connection:
        last = (await connection.execute(text("SELECT max(seq) FROM device_changes"))).scalar_one()
    await execute(
        engine, "INSERT INTO device_changes (seq, key) VALUES (:seq, 'another-key-0001')", seq=last + 2
    )
    await follower.poll()
    assert len(cache) == 1  # the other device's change
    await execute(
        engine, "INSERT INTO device_changes (seq, key) VALUES (:seq, 'personal-key-0001')", seq=last + 1
    )
    await follower.poll()
    assert len(cache) == 0


async def test_a_jump_past_what_could_be_in_flight_drops_everything(
    engine: AsyncEngine, unit_of_work
) -> None:  # type: ignore[no-untyped-def]
    await DeviceService(unit_of_work, FixedClock()).save(draft())
    cache, follower = await following(engine)
    await cache.by_key("personal-key-0001")
    await execute(
        engine, "INSERT INTO device_changes (seq, key) VALUES (:seq, 'another-key-0001')", seq=MAX_GAPS * 3
    )
    await follower.poll()
    assert len(cache) == 0


async def test_the_cache_serves_from_memory_only_while_polls_keep_up(
    engine: AsyncEngine, unit_of_work
) -> None:  # type: ignore[no-untyped-def]
    devices = DeviceService(unit_of_work, FixedClock())
    await devices.save(draft())
    now = [10.0]
    cache, follower = await following(engine, now)
    held = await cache.by_key("personal-key-0001")
    now[0] = 10.9
    assert await cache.by_key("personal-key-0001") is held
    now[0] = 11.1  # a bound (1 s) since the last poll began: no longer vouched for
    await devices.save(draft(title="Reception"))
    stale_or_not = await cache.by_key("personal-key-0001")
    assert stale_or_not is not None and stale_or_not.title == "Reception"  # read through
    await follower.poll()
    fresh = await cache.by_key("personal-key-0001")
    assert fresh is not None and fresh.title == "Reception"
    assert await cache.by_key("personal-key-0001") is fresh


async def test_old_change_rows_are_pruned(engine: AsyncEngine, unit_of_work) -> None:  # type: ignore[no-untyped-def]
    await DeviceService(unit_of_work, FixedClock()).save(draft())
    await execute(
        engine,
        "INSERT INTO device_changes (key, changed_at) VALUES ('old-key-000001', :at)",
        at=datetime(2020, 1, 1, tzinfo=UTC),
    )
    await prune_changes(engine)
    assert await changes(engine) == ["personal-key-0001"]


class CountingFollower(ChangeFollower):
    polls = 0

    async def poll(self) -> None:
        self.polls += 1
        await super().poll()


async def test_a_follower_that_cannot_reach_the_database_logs_once_and_keeps_trying(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = create_engine("postgresql://nobody@127.0.0.1:1/none")
    cache = DeviceCache(SqlPhoneDevices(broken, TEST_BOX), 1024 * 1024)
    follower = CountingFollower(broken, cache, interval=0.001)
    with caplog.at_level(logging.ERROR, logger="sonata.changes"):
        task = asyncio.create_task(follower.run())
        while follower.polls < 5:
            await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    await broken.dispose()
    assert [record.message.split(":")[0] for record in caplog.records] == [
        "cannot follow device changes, serving from the database meanwhile"
    ]
    assert not cache._usable()


async def test_every_device_is_read_in_chunks_ordered_by_key(engine: AsyncEngine, unit_of_work) -> None:  # type: ignore[no-untyped-def]
    devices = DeviceService(unit_of_work, FixedClock())
    saved = [
        await devices.save(draft(key=f"personal-key-{n:04d}", mac=f"0015650000{n:02x}")) for n in range(5)
    ]
    chunks = [chunk async for chunk in SqlPhoneDevices(engine, TEST_BOX).all(chunk=2)]
    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    assert [device for chunk in chunks for device in chunk] == sorted(saved, key=lambda device: device.key)
