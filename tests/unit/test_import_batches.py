"""importDevices saves in batches with exactly the outcome of saving each document on its own."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Collection
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.fakes import FakeDatabase, FakeDeviceRepository, FakeUnitOfWork, FixedClock

from sonata.domain.documents import draft_from_document
from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.model import Device
from sonata.domain.services import devices as devices_module
from sonata.domain.services.devices import DeviceService, SaveResult, repeats_in_import


class CountingDatabase(FakeDatabase):
    """Counts the units of work begun: one per batch when the batch is written in one go."""

    def __init__(self) -> None:
        super().__init__()
        self.units = 0

    def unit_of_work(self) -> FakeUnitOfWork:
        self.units += 1
        return super().unit_of_work()


class RecordedChanges:
    def __init__(self) -> None:
        self.keys: list[str] = []

    def changed(self, key: str) -> None:
        self.keys.append(key)


def document(mac: str, **changes: Any) -> dict[str, Any]:
    return {
        "vendor": "yealink",
        "model": "t46s",
        "mac": mac,
        "accounts": [
            {"line": 1, "sip_register": "sip.example.net", "sip_user": "101", "sip_password": "s3cret"}
        ],
        **changes,
    }


@pytest.fixture
def database() -> CountingDatabase:
    return CountingDatabase()


@pytest.fixture
def changes() -> RecordedChanges:
    return RecordedChanges()


@pytest.fixture
def service(database: CountingDatabase, changes: RecordedChanges) -> DeviceService:
    return DeviceService(database.unit_of_work, FixedClock(), changes)


async def test_good_documents_are_saved_in_one_unit_of_work_and_bad_ones_not_at_all(
    service: DeviceService, database: CountingDatabase, changes: RecordedChanges
) -> None:
    documents = [
        document("001565000001"),
        document("001565000002", model="no-such-phone"),
        "not an object",
        document("001565000003", accounts=[{"line": 1, "sip_register": "sip.example.net"}]),
        document("001565000004", title="last"),
    ]
    results = await service.import_documents(documents)
    assert [r.device is not None for r in results] == [True, False, False, False, True]
    assert results[1].errors[0].field == "model"
    assert results[2].errors == [FieldError("document", "must be a JSON object")]
    assert results[3].errors == [FieldError("accounts.0.sip_user", "is required")]
    assert sorted(d.mac for d in database.devices.values()) == ["001565000001", "001565000004"]
    assert database.units == 1
    assert sorted(changes.keys) == sorted(r.device.key for r in results if r.device)


async def test_a_mac_or_key_repeated_past_the_first_batch_still_names_the_earlier_document(
    service: DeviceService, database: CountingDatabase
) -> None:
    batch = devices_module.IMPORT_BATCH
    documents = [document(f"0015650{n:05x}") for n in range(batch + 3)]
    documents[0]["key"] = "first-device-key"
    documents[batch] = document("00-15-65-00-00-00", title="again")
    documents[batch + 1] = document("0015650fffff", key="first-device-key")
    results = await service.import_documents(documents)
    assert results[batch].errors == [FieldError("mac", "is the same MAC as document 0 of this import")]
    assert results[batch + 1].errors == [FieldError("key", "is the same key as document 0 of this import")]
    assert [n for n, r in enumerate(results) if r.device is None] == [batch, batch + 1]
    assert len(database.devices) == batch + 1
    assert database.units == 2  # the good documents fill one batch and start a second


async def test_a_mac_of_another_stored_device_is_the_mac_error(service: DeviceService) -> None:
    [stored] = await service.import_documents([document("001565000001", key="stored-device-key")])
    results = await service.import_documents(
        [document("001565000001", key="another-device-key"), document("001565000002")]
    )
    assert results[0].errors == [FieldError("mac", "belongs to another device")]
    assert results[1].device is not None
    assert await service.find(mac="001565000001") == stored.device


async def test_omitted_passwords_keep_the_stored_ones(service: DeviceService) -> None:
    await service.import_documents([document("001565000001", admin_password="admin-secret")])
    account = {"line": 1, "sip_register": "sip.example.net", "sip_user": "102"}
    [result] = await service.import_documents([document("00:15:65:00:00:01", accounts=[account])])
    assert result.device is not None
    assert result.device.accounts[0].sip_user == "102"
    assert result.device.accounts[0].sip_password == "s3cret"
    assert result.device.admin_password == "admin-secret"


async def test_a_device_may_take_the_mac_an_earlier_document_moved_away_from(
    service: DeviceService, database: CountingDatabase
) -> None:
    await service.import_documents([document("001565000001", key="moving-device-key")])
    database.units = 0
    results = await service.import_documents(
        [document("001565000002", key="moving-device-key"), document("001565000001", title="new")]
    )
    assert [r.errors for r in results] == [[], []]
    assert {d.mac: d.title for d in database.devices.values()} == {"001565000002": "", "001565000001": "new"}
    assert database.units == 1


class RacedDatabase(CountingDatabase):
    """Between the first batch's read and its write, a concurrent save stores `intruder`."""

    def __init__(self, intruder: Device) -> None:
        super().__init__()
        self.intruder: Device | None = intruder

    def unit_of_work(self) -> FakeUnitOfWork:
        self.units += 1
        return RacedUnitOfWork(self)


class RacedUnitOfWork(FakeUnitOfWork):
    def __init__(self, database: RacedDatabase) -> None:
        super().__init__(database)
        self._raced = database

    async def __aenter__(self) -> RacedUnitOfWork:
        await super().__aenter__()
        self.devices = RacedRepository(self._devices, self._raced)
        return self


class RacedRepository(FakeDeviceRepository):
    def __init__(self, store: dict[str, Device], database: RacedDatabase) -> None:
        super().__init__(store)
        self._raced = database

    async def find_all(self, *, keys: Collection[str], macs: Collection[str]) -> list[Device]:
        found = await super().find_all(keys=keys, macs=macs)
        if (intruder := self._raced.intruder) is not None:
            self._raced.intruder = None
            self._raced.devices = {**self._raced.devices, intruder.key: intruder}
            await self.save(intruder)  # what the batch's write now runs into
        return found


async def test_a_batch_the_database_refuses_is_saved_one_by_one(changes: RecordedChanges) -> None:
    helper = DeviceService(FakeDatabase().unit_of_work, FixedClock())
    [made] = await helper.import_documents([document("001565000002", key="intruding-device")])
    assert made.device is not None
    database = RacedDatabase(made.device)
    service = DeviceService(database.unit_of_work, FixedClock(), changes)
    documents = [
        document("001565000001"),
        document("001565000002", key="importing-device"),
        document("001565000003"),
    ]
    results = await service.import_documents(documents)
    assert [r.errors for r in results] == [[], [FieldError("mac", "belongs to another device")], []]
    assert sorted((d.mac, d.key == "intruding-device") for d in database.devices.values()) == [
        ("001565000001", False),
        ("001565000002", True),
        ("001565000003", False),
    ]
    assert database.units == 1 + len(documents)
    assert sorted(changes.keys) == sorted(r.device.key for r in results if r.device)


# The oracle: importDevices as it was before batching, each document saved in its own unit of work.
async def one_by_one(service: DeviceService, documents: list[Any]) -> list[SaveResult]:
    results = []
    first_with: dict[tuple[str, str], int] = {}
    for index, item in enumerate(documents):
        repeated = repeats_in_import(item, index, first_with)
        if repeated:
            results.append(SaveResult(None, repeated))
            continue
        try:
            draft = draft_from_document(item)
        except ValidationFailed as failure:
            results.append(SaveResult(None, failure.errors))
            continue
        results.append(await service.save_reporting(draft))
    return results


KEYS = [f"device-key-{n:03d}" for n in range(4)]
MACS = [f"0015650000{n:02x}" for n in range(6)]
stored_devices = st.lists(
    st.tuples(st.sampled_from(KEYS), st.sampled_from(MACS)),
    min_size=2,
    max_size=4,
    unique_by=(lambda stored: stored[0], lambda stored: stored[1]),
)
imported = st.fixed_dictionaries(
    {"mac": st.sampled_from([*MACS, "00:15:65:00:00:05", "not-a-mac"])},
    optional={
        "key": st.sampled_from([*KEYS, "bad key!"]),
        "title": st.sampled_from(["a", "b"]),
        "model": st.sampled_from(["t46s", "no-such-phone"]),
        "admin_password": st.sampled_from(["admin-new"]),
        "accounts": st.sampled_from(
            [
                [{"line": 1, "sip_register": "sip.example.net", "sip_user": "7"}],
                [{"line": 1, "sip_register": "sip.example.net", "sip_user": "8", "sip_password": "new"}],
                [{"line": 1, "sip_register": "", "sip_user": "9"}],
            ]
        ),
    },
).map(lambda changes: {"vendor": "yealink", "model": "t46s", **changes})


def comparable(device: Device | None) -> Device | None:
    """Keys Sonata generates are random: only whether a key was generated can be compared."""
    if device is None or device.key in KEYS:
        return device
    return dataclasses.replace(device, key="generated")


@settings(max_examples=300)
@given(stored=stored_devices, documents=st.lists(imported, min_size=2, max_size=8), batch=st.integers(1, 5))
def test_batches_give_each_document_the_outcome_of_saving_it_alone(
    stored: list[tuple[str, str]], documents: list[dict[str, Any]], batch: int
) -> None:
    async def run(import_: Any) -> tuple[list[Any], list[Device | None]]:
        database = FakeDatabase()
        service = DeviceService(database.unit_of_work, FixedClock())
        await one_by_one(service, [document(mac, key=key, admin_password="admin-old") for key, mac in stored])
        results = await import_(service, documents)
        outcome = [(comparable(r.device), r.errors) for r in results]
        return outcome, sorted((comparable(d) for d in database.devices.values()), key=repr)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(devices_module, "IMPORT_BATCH", batch)
        batched = asyncio.run(run(DeviceService.import_documents))
    assert batched == asyncio.run(run(one_by_one))
