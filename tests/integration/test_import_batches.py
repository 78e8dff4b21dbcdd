"""importDevices against a real database: one transaction per batch, one by one when the database
refuses it because a concurrent save got there first."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col
from tests.fakes import FixedClock
from tests.integration.conftest import TEST_BOX, write_record

from sonata.adapters.sql.database import create_engine
from sonata.adapters.sql.repository import SqlDeviceRepository
from sonata.adapters.sql.tables import DeviceRow
from sonata.adapters.sql.unit_of_work import SqlUnitOfWork
from sonata.domain.errors import FieldError
from sonata.domain.model import Device, ProvisioningRecord
from sonata.domain.services.devices import DeviceService

Meanwhile = Callable[[], Awaitable[None]]


def document(mac: str, **changes: Any) -> dict[str, Any]:
    return {
        "vendor": "yealink",
        "model": "t46s",
        "mac": mac,
        "token": "group-token-0001",
        "accounts": [
            {"line": 1, "sip_register": "sip.example.net", "sip_user": "101", "sip_password": "stored-pw"}
        ],
        **changes,
    }


class RacedRepository(SqlDeviceRepository):
    """Reads as usual; then, once, another connection changes the database before the batch writes."""

    def __init__(self, unit: RacedUnitOfWork) -> None:
        super().__init__(unit.session, TEST_BOX)
        self._unit = unit

    async def find_all(self, *, keys: Collection[str], macs: Collection[str]) -> list[Device]:
        found = await super().find_all(keys=keys, macs=macs)
        meanwhile, self._unit.factory.meanwhile = self._unit.factory.meanwhile, None
        if meanwhile is not None:
            await meanwhile()
        return found


class RacedUnitOfWork(SqlUnitOfWork):
    def __init__(self, factory: Units) -> None:
        super().__init__(factory.sessions, TEST_BOX)
        self.factory = factory

    async def __aenter__(self) -> SqlUnitOfWork:
        await super().__aenter__()
        self.session = self._session
        self.devices = RacedRepository(self)
        return self


class Units:
    """Units of work over the engine, counted; `meanwhile` runs once between a batch's read and write."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.count = 0
        self.meanwhile: Meanwhile | None = None

    def __call__(self) -> SqlUnitOfWork:
        self.count += 1
        return RacedUnitOfWork(self)


@pytest.fixture
def units(engine: AsyncEngine) -> Units:
    return Units(engine)


@pytest.fixture
async def other_connection(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A second engine on the same database: another process's saves."""
    other = create_engine(database_url)
    yield other
    await other.dispose()


async def test_a_batch_replaces_moves_and_adds_devices_in_one_transaction(units: Units) -> None:
    service = DeviceService(units, FixedClock())
    await service.import_documents(
        [document("001565000001", key="moving-device-key"), document("001565000003", admin_password="adm")]
    )
    async with units() as uow:
        by_mac = await uow.devices.get_by_mac("001565000003")
        assert by_mac is not None
    fetched = ProvisioningRecord(at=datetime(2026, 11, 26, 11, 0, tzinfo=UTC), ip="10.0.0.7")
    await write_record(units.engine, by_mac.key, fetched)
    units.count = 0
    account = {"line": 1, "sip_register": "sip.example.net", "sip_user": "202"}
    results = await service.import_documents(
        [
            document("001565000002", key="moving-device-key", title="moved"),
            document("001565000001", title="took the old MAC"),
            document("00:15:65:00:00:03", accounts=[account], title="replaced by MAC"),
            document("001565000004", model="no-such-phone"),
        ]
    )
    assert [bool(r.errors) for r in results] == [False, False, False, True]
    assert units.count == 1
    stored = {mac: await service.find(mac=mac) for mac in ("001565000001", "001565000002", "001565000003")}
    assert {mac: d.title for mac, d in stored.items() if d} == {
        "001565000001": "took the old MAC",
        "001565000002": "moved",
        "001565000003": "replaced by MAC",
    }
    moved, replaced = stored["001565000002"], stored["001565000003"]
    assert moved is not None and moved.key == "moving-device-key"
    assert replaced is not None and replaced.key == by_mac.key
    assert (replaced.accounts[0].sip_user, replaced.accounts[0].sip_password) == ("202", "stored-pw")
    assert replaced.admin_password == "adm"
    assert replaced.last_provisioning == fetched
    assert await service.find(mac="001565000004") is None
    assert [r.device for r in results[:3]] == [moved, stored["001565000001"], replaced]


async def test_a_mac_a_concurrent_save_takes_is_refused_and_the_rest_saved(
    units: Units, other_connection: AsyncEngine
) -> None:
    service = DeviceService(units, FixedClock())
    other = DeviceService(lambda: SqlUnitOfWork(async_sessionmaker(other_connection), TEST_BOX), FixedClock())

    async def other_saves() -> None:
        await other.import_documents([document("001565000002", key="concurrent-device")])

    units.meanwhile = other_saves
    documents = [document(f"00156500000{n}", key=f"imported-device-{n}") for n in (1, 2, 3)]
    results = await service.import_documents(documents)
    assert [r.errors for r in results] == [[], [FieldError("mac", "belongs to another device")], []]
    assert units.count == 1 + len(documents)
    assert [getattr(await service.find(mac=f"00156500000{n}"), "key", None) for n in (1, 2, 3)] == [
        "imported-device-1",
        "concurrent-device",
        "imported-device-3",
    ]


async def test_a_device_deleted_meanwhile_is_saved_anew(units: Units, other_connection: AsyncEngine) -> None:
    service = DeviceService(units, FixedClock())
    await service.import_documents([document("001565000001", key="deleted-device-key")])

    async def other_deletes() -> None:
        async with other_connection.begin() as connection:
            await connection.execute(delete(DeviceRow).where(col(DeviceRow.key) == "deleted-device-key"))

    units.meanwhile = other_deletes
    units.count = 0
    results = await service.import_documents(
        [document("001565000001", key="deleted-device-key", title="again"), document("001565000002")]
    )
    assert [r.errors for r in results] == [[], []]
    assert units.count == 3
    again = await service.find(key="deleted-device-key")
    assert again is not None and again.title == "again"
    assert await service.find(mac="001565000002") is not None
