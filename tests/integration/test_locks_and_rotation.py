"""The address lock and key rotation on a real database: who locks first across processes, what a
save clears, where a rotated device and its old keys are found, and migration 0005 both ways."""

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.fakes import FixedClock
from tests.integration.conftest import TEST_BOX, write_record
from tests.integration.test_migrations import device, migrate

from sonata.adapters.sql.address_locks import SqlAddressLocks
from sonata.adapters.sql.database import create_engine, create_schema
from sonata.adapters.sql.device_reader import SqlPhoneDevices
from sonata.adapters.sql.mapping import device_values
from sonata.adapters.sql.tables import DeviceRow
from sonata.domain.errors import ValidationFailed
from sonata.domain.model import ProvisioningRecord
from sonata.domain.services.devices import DeviceService
from sonata.domain.validation import AccountDraft, DeviceDraft

KEY = "personal-key-0001"
MAC = "001565aabbcc"


class Changes:
    def __init__(self) -> None:
        self.keys: list[str] = []

    def changed(self, key: str) -> None:
        self.keys.append(key)


def draft(**changes: object) -> DeviceDraft:
    values: dict[str, object] = {
        "key": KEY,
        "token": "group-token-0001",
        "vendor": "yealink",
        "model": "t46s",
        "mac": MAC,
        "accounts": [AccountDraft(line=1, sip_register="sip.example.net", sip_user="101", sip_password="pw")],
    }
    values.update(changes)
    return DeviceDraft(**values)  # type: ignore[arg-type]


async def change_rows(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list(
            (await connection.execute(sa.text("SELECT key FROM device_changes ORDER BY seq"))).scalars()
        )


@pytest.fixture
def devices(unit_of_work) -> DeviceService:  # type: ignore[no-untyped-def]
    return DeviceService(unit_of_work, FixedClock())


async def test_the_first_address_locks_and_a_save_frees_it(
    engine: AsyncEngine, devices: DeviceService
) -> None:
    await devices.save(draft())
    changes = Changes()
    locks = SqlAddressLocks(engine, changes)
    assert await locks.lock(KEY, "192.0.2.10") == "192.0.2.10"
    assert await locks.lock(KEY, "198.51.100.7") == "192.0.2.10"
    assert changes.keys == [KEY, KEY]  # this process re-reads the device
    assert await change_rows(engine) == [KEY, KEY]  # the save, then the one update that locked
    assert (await SqlPhoneDevices(engine, TEST_BOX).by_key(KEY)) == (await devices.find(key=KEY))
    assert (await devices.find(key=KEY)).locked_address == "192.0.2.10"  # type: ignore[union-attr]
    await devices.save(draft(title="Reception"))
    assert (await devices.find(key=KEY)).locked_address is None  # type: ignore[union-attr]
    assert await locks.lock(KEY, "198.51.100.7") == "198.51.100.7"
    assert await locks.lock("personal-key-0404", "192.0.2.10") is None


async def test_processes_racing_for_the_lock_all_see_one_winner(
    engine: AsyncEngine, devices: DeviceService, database_url: str
) -> None:
    await devices.save(draft())
    engines = [create_engine(database_url) for _ in range(4)]
    try:
        addresses = [f"192.0.2.{n}" for n in range(1, 9)]
        locked = await asyncio.gather(
            *(SqlAddressLocks(engines[n % 4], Changes()).lock(KEY, a) for n, a in enumerate(addresses))
        )
    finally:
        for each in engines:
            await each.dispose()
    assert len(set(locked)) == 1 and locked[0] in addresses
    assert (await devices.find(key=KEY)).locked_address == locked[0]  # type: ignore[union-attr]


async def test_a_rotated_device_is_found_by_its_new_key_and_for_its_phone_by_the_old(
    engine: AsyncEngine, devices: DeviceService
) -> None:
    await devices.save(draft())
    record = ProvisioningRecord(datetime(2026, 11, 26, 9, tzinfo=UTC), "192.0.2.10", "UA")
    await write_record(engine, KEY, record)
    await SqlAddressLocks(engine, Changes()).lock(KEY, "192.0.2.10")
    stored = await devices.find(key=KEY)
    rotated = await devices.rotate_key(KEY, 60)
    until = FixedClock().now() + timedelta(minutes=60)

    phones = SqlPhoneDevices(engine, TEST_BOX)
    assert await devices.find(key=KEY) is None and await phones.by_key(KEY) is None
    found = await devices.find(key=rotated.key)
    assert found == rotated and found.last_provisioning == record and found.locked_address == "192.0.2.10"  # type: ignore[union-attr]
    assert stored is not None and found == dataclasses.replace(stored, key=rotated.key)
    previous = await phones.by_previous_key(KEY)
    assert previous is not None
    assert (previous.device.key, previous.until) == (rotated.key, until)
    assert await phones.by_previous_key(rotated.key) is None
    assert (await change_rows(engine))[-2:] == [KEY, rotated.key]

    third = await devices.rotate_key(rotated.key, 120)
    assert [
        (p.device.key, p.until) for p in [await phones.by_previous_key(k) for k in (KEY, rotated.key)] if p
    ] == [
        (third.key, until),
        (third.key, until + timedelta(minutes=60)),
    ]
    with pytest.raises(ValidationFailed) as failure:
        await devices.save(draft(mac="001565000002"))  # KEY names no new device
    assert [error.field for error in failure.value.errors] == ["key"]
    assert await devices.delete(third.key)
    assert await phones.by_previous_key(KEY) is None and await phones.by_previous_key(rotated.key) is None
    assert (await devices.save(draft(mac="001565000002"))).key == KEY


# Migration 0005


@pytest.fixture
async def at_0004(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: DeviceRow.metadata.drop_all(sync))
        await connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        await connection.run_sync(migrate, "0004")
    yield engine
    await engine.dispose()


async def test_migration_0005_adds_the_lock_and_old_keys_and_takes_them_away(at_0004: AsyncEngine) -> None:
    stored = device(1)
    values = device_values(stored, TEST_BOX)
    del values["locked_address"]
    async with at_0004.begin() as connection:
        await connection.execute(sa.insert(DeviceRow.__table__), values)  # type: ignore[attr-defined]
    await create_schema(at_0004)
    assert await SqlPhoneDevices(at_0004, TEST_BOX).by_key(stored.key) == stored
    locks = SqlAddressLocks(at_0004, Changes())
    assert await locks.lock(stored.key, "192.0.2.10") == "192.0.2.10"

    async with at_0004.begin() as connection:
        await connection.run_sync(migrate, "0004", down=True)
    async with at_0004.connect() as connection:
        tables = await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names())
        columns = await connection.run_sync(lambda sync: sa.inspect(sync).get_columns("devices"))
    assert "device_previous_keys" not in tables
    assert "locked_address" not in [column["name"] for column in columns]
    async with at_0004.begin() as connection:  # the change triggers live on
        await connection.execute(sa.text("UPDATE devices SET model = 't48s'"))
    assert (await change_rows(at_0004))[-1] == stored.key
