"""lastProvisioning written in batches on a real database: coalesced, flushed at shutdown, and
never in a phone's way when the database fails."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.fakes import FixedClock
from tests.integration.conftest import TEST_BOX

from sonata.adapters.sql.database import create_engine
from sonata.adapters.sql.recorder import BatchedRecorder
from sonata.domain.model import ProvisioningRecord
from sonata.domain.services.devices import DeviceService
from sonata.domain.validation import AccountDraft, DeviceDraft
from sonata.entrypoints.phone_path import PhonePath

MOMENT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"


def record(seconds: int, filename: str = "001565aabbcc.cfg") -> ProvisioningRecord:
    return ProvisioningRecord(MOMENT + timedelta(seconds=seconds), "192.0.2.1", "UA", filename)


async def publish(unit_of_work, *macs: str) -> tuple[DeviceService, list[str]]:  # type: ignore[no-untyped-def]
    devices = DeviceService(unit_of_work, FixedClock())
    keys = []
    for index, mac in enumerate(macs):
        saved = await devices.save(
            DeviceDraft(
                key=f"personal-key-{index:04d}",
                vendor="yealink",
                model="t46s",
                mac=mac,
                accounts=[AccountDraft(line=1, sip_register="sip.example.net", sip_user="101")],
            )
        )
        keys.append(saved.key)
    return devices, keys


async def test_the_latest_record_of_each_device_is_written_in_one_flush(
    engine: AsyncEngine,
    unit_of_work,  # type: ignore[no-untyped-def]
) -> None:
    devices, (first, second) = await publish(unit_of_work, "001565000001", "001565000002")
    recorder = BatchedRecorder(engine)
    for seconds in range(3):
        recorder.record(first, record(seconds))
    recorder.record(second, record(10, "y000000000066.cfg"))
    recorder.record("no-such-device-01", record(11))  # deleted meanwhile: nothing to write
    assert recorder.pending == 3
    await recorder.flush()
    assert recorder.pending == 0
    found = [await devices.find(key=key) for key in (first, second)]
    assert [device.last_provisioning for device in found if device] == [
        record(2),
        record(10, "y000000000066.cfg"),
    ]


async def test_stopping_writes_what_is_pending(engine: AsyncEngine, unit_of_work) -> None:  # type: ignore[no-untyped-def]
    devices, (key,) = await publish(unit_of_work, "001565000001")
    recorder = BatchedRecorder(engine)
    task = asyncio.create_task(recorder.run(interval=3600))
    recorder.record(key, record(1))
    recorder.stop()
    await task
    found = await devices.find(key=key)
    assert found is not None and found.last_provisioning == record(1)


async def test_stopping_tries_again_until_the_database_takes_the_records(
    engine: AsyncEngine,
    unit_of_work,  # type: ignore[no-untyped-def]
) -> None:
    devices, (key,) = await publish(unit_of_work, "001565000001")
    recorder = BatchedRecorder(engine)
    task = asyncio.create_task(recorder.run(interval=3600))
    recorder.record(key, record(1))
    async with engine.begin() as connection:
        await connection.execute(text("ALTER TABLE devices RENAME TO devices_away"))
    recorder.stop()
    await asyncio.sleep(0.6)  # the write at the stop failed, and the next ones
    assert not task.done() and recorder.pending == 1
    async with engine.begin() as connection:
        await connection.execute(text("ALTER TABLE devices_away RENAME TO devices"))
    await asyncio.wait_for(task, 5)
    found = await devices.find(key=key)
    assert found is not None and found.last_provisioning == record(1)


async def test_a_serving_process_writes_the_last_records_on_its_way_out(
    database_url: str,
    engine: AsyncEngine,
    unit_of_work,  # type: ignore[no-untyped-def]
) -> None:
    devices, (key,) = await publish(unit_of_work, "001565000001")
    phones = PhonePath.build(
        database_url, engine, TEST_BOX, cache_mb=1, template_folders=[], forget_templates=lambda: None
    )
    async with phones.running():
        phones.recorder.record(key, record(5))
    found = await devices.find(key=key)
    assert found is not None and found.last_provisioning == record(5)


async def test_an_unreachable_database_neither_blocks_nor_floods_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = create_engine(UNREACHABLE)
    recorder = BatchedRecorder(broken, max_pending=2)
    with caplog.at_level(logging.INFO, logger="sonata.recorder"):
        recorder.record("personal-key-0001", record(1))
        await recorder.flush()
        await recorder.flush()
        recorder.record("personal-key-0001", record(2))
        recorder.record("personal-key-0002", record(3))
        recorder.record("personal-key-0003", record(4))  # a third device waiting: over the bound
        assert recorder.pending == 2
        await recorder.flush()
    await broken.dispose()
    errors = [r.message for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].startswith("cannot record lastProvisioning, will retry")
    assert any("1 fetches were not recorded" in r.message for r in caplog.records)


async def test_records_kept_through_a_failure_are_written_once_the_database_answers(
    engine: AsyncEngine,
    unit_of_work,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
) -> None:
    devices, (key,) = await publish(unit_of_work, "001565000001")
    recorder = BatchedRecorder(engine)
    recorder.record(key, record(1))
    async with engine.begin() as connection:
        await connection.execute(text("ALTER TABLE devices RENAME TO devices_away"))
    with caplog.at_level(logging.INFO, logger="sonata.recorder"):
        await recorder.flush()
        assert recorder.pending == 1
        async with engine.begin() as connection:
            await connection.execute(text("ALTER TABLE devices_away RENAME TO devices"))
        await recorder.flush()
    found = await devices.find(key=key)
    assert found is not None and found.last_provisioning == record(1)
    assert [r.levelname for r in caplog.records] == ["ERROR", "INFO"]
    assert "recording lastProvisioning again" in caplog.text


async def test_a_record_for_a_device_deleted_meanwhile_is_dropped_and_the_others_written(
    engine: AsyncEngine,
    unit_of_work,  # type: ignore[no-untyped-def]
) -> None:
    devices, (kept, deleted) = await publish(unit_of_work, "001565000001", "001565000002")
    recorder = BatchedRecorder(engine)
    recorder.record(kept, record(1))
    recorder.record(deleted, record(2))
    assert await devices.delete(deleted)
    await recorder.flush()
    assert recorder.pending == 0
    found = await devices.find(key=kept)
    assert found is not None and found.last_provisioning == record(1)
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT key FROM device_provisioning"))
        assert rows.scalars().all() == [kept]


async def test_deleting_a_device_deletes_its_record(engine: AsyncEngine, unit_of_work) -> None:  # type: ignore[no-untyped-def]
    devices, (key,) = await publish(unit_of_work, "001565000001")
    recorder = BatchedRecorder(engine)
    recorder.record(key, record(1))
    await recorder.flush()
    assert await devices.delete(key)
    _, (again,) = await publish(unit_of_work, "001565000001")  # the same key, published anew
    found = await devices.find(key=again)
    assert again == key and found is not None and found.last_provisioning is None
