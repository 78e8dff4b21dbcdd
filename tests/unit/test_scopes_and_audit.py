"""Devices as a scoped actor sees them, and the audit entry each change leaves, against in-memory fakes."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from tests.fakes import FakeDatabase, FixedClock

from sonata.domain.access import Actor, Scope
from sonata.domain.audit import AuditEntry, Operation, changed_fields
from sonata.domain.errors import ValidationFailed
from sonata.domain.model import Account, Device, HostPort, LineKey, LineKeyType, Rules
from sonata.domain.patches import DevicePatch
from sonata.domain.services.devices import DeviceService
from sonata.domain.validation import AccountDraft, DeviceDraft

OURS, OTHERS, ALSO_OURS = "acme-phones-001", "other-phones-01", "acme-phones-002"
PASSWORD, NEW_PASSWORD = "first-sip-secret", "second-sip-secret"
ACME = Actor("acme-frontend", "192.0.2.7", Scope(frozenset({OURS, ALSO_OURS})))


@pytest.fixture
def database() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def server(database: FakeDatabase) -> DeviceService:
    """The service as the server's command line uses it: every device."""
    return DeviceService(database.unit_of_work, FixedClock())


@pytest.fixture
def acme(server: DeviceService) -> DeviceService:
    return server.acting_as(ACME)


def draft(mac: str, token: str | None = OURS, **changes: Any) -> DeviceDraft:
    account = AccountDraft(line=1, sip_register="sip.example.net", sip_user="101", sip_password=PASSWORD)
    values: dict[str, Any] = {"vendor": "yealink", "model": "t46s", "mac": mac, "token": token}
    return DeviceDraft(**{**values, "accounts": [account], **changes})


async def field_errors(saving: Any) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as failure:
        await saving
    return {error.field: error.message for error in failure.value.errors}


async def test_a_device_of_another_group_is_missing_to_a_scoped_actor(
    server: DeviceService, acme: DeviceService
) -> None:
    theirs = await server.save(draft("001565000001", OTHERS))
    missing = "no-such-key-0001"
    assert await acme.find(key=theirs.key) is None
    assert await acme.find(mac=theirs.mac) is None
    assert await acme.delete(theirs.key) is False
    for key in (theirs.key, missing):
        assert await field_errors(acme.update(key, DevicePatch(title="x"))) == {
            "key": "no device has this key"
        }
        assert await field_errors(acme.rotate_key(key, 0)) == {"key": "no device has this key"}
    assert await server.find(key=theirs.key) == theirs


async def test_a_scoped_list_holds_only_the_devices_of_its_groups(
    server: DeviceService, acme: DeviceService
) -> None:
    for index, group in enumerate([OURS, OTHERS, None, ALSO_OURS, OTHERS]):
        await server.save(draft(f"00156500000{index}", group))
    page = await acme.list(vendor=None, token=None, first=10, after=None)
    assert [(d.mac, d.token) for d in page.devices] == [("001565000000", OURS), ("001565000003", ALSO_OURS)]
    assert page.total_count == 2
    assert (await acme.list(vendor=None, token=OTHERS, first=10, after=None)).devices == []
    assert (await server.list(vendor=None, token=None, first=10, after=None)).total_count == 5


async def test_a_scoped_actor_saves_devices_of_its_groups_only(acme: DeviceService) -> None:
    assert await field_errors(acme.save(draft("001565000001", OTHERS))) == {
        "token": "must be one of the groups this API token may change"
    }
    assert set(await field_errors(acme.save(draft("001565000001", None)))) == {"token"}
    saved = await acme.save(draft("001565000001", OURS))
    moved = await acme.update(saved.key, DevicePatch(token=ALSO_OURS))
    assert moved.token == ALSO_OURS
    assert set(await field_errors(acme.update(saved.key, DevicePatch(token=OTHERS)))) == {"token"}
    assert set(await field_errors(acme.save(draft("001565000001", OTHERS, key=saved.key)))) == {"token"}
    assert (await acme.find(key=saved.key)) == moved


async def test_other_errors_and_the_scope_are_reported_together(acme: DeviceService) -> None:
    errors = await field_errors(acme.save(draft("001565000001", OTHERS, model="no-such-phone")))
    assert set(errors) == {"model", "token"}


async def test_a_scoped_save_never_replaces_a_device_of_another_group(
    server: DeviceService, acme: DeviceService
) -> None:
    theirs = await server.save(draft("001565000001", OTHERS))
    assert await field_errors(acme.save(draft(theirs.mac))) == {"mac": "belongs to another device"}
    assert await field_errors(acme.save(draft("001565000002", key=theirs.key))) == {
        "key": "belongs to another device"
    }
    assert await server.find(key=theirs.key) == theirs


async def test_an_import_saves_only_the_documents_within_the_scope(
    server: DeviceService, acme: DeviceService
) -> None:
    theirs = await server.save(draft("001565000009", OTHERS))
    documents: list[Any] = [
        {"vendor": "yealink", "model": "t46s", "mac": "001565000001", "token": OURS},
        {"vendor": "yealink", "model": "t46s", "mac": "001565000002", "token": OTHERS},
        {"vendor": "yealink", "model": "t46s", "mac": theirs.mac, "token": OURS},
        {"vendor": "yealink", "model": "t46s", "mac": "001565000003"},
    ]
    results = await acme.import_documents(documents)
    assert [sorted(e.field for e in r.errors) for r in results] == [[], ["token"], ["mac"], ["token"]]
    assert await server.find(key=theirs.key) == theirs


async def test_every_change_is_in_the_audit_log_by_field_name_only(
    acme: DeviceService, database: FakeDatabase
) -> None:
    saved = await acme.save(draft("001565000001", title="Reception"))
    account = AccountDraft(line=1, sip_register="sip.example.net", sip_user="101", sip_password=NEW_PASSWORD)
    updated = await acme.update(saved.key, DevicePatch(accounts=[account], token=ALSO_OURS))
    rotated = await acme.rotate_key(updated.key, 10)
    await acme.import_documents(
        [{"vendor": "yealink", "model": "t46s", "mac": "001565000002", "token": OURS}]
    )
    await acme.delete(rotated.key)
    entries = database.audit
    assert [(e.operation, e.mac, e.group) for e in entries] == [
        (Operation.SAVE_DEVICE, "001565000001", OURS),
        (Operation.UPDATE_DEVICE, "001565000001", ALSO_OURS),
        (Operation.ROTATE_DEVICE_KEY, "001565000001", ALSO_OURS),
        (Operation.IMPORT_DEVICES, "001565000002", OURS),
        (Operation.DELETE_DEVICE, "001565000001", ALSO_OURS),
    ]
    assert {(e.token_name, e.address) for e in entries} == {("acme-frontend", "192.0.2.7")}
    assert entries[1].changed == ("token", "accounts.0.sip_password")
    assert entries[2].changed == ("key",)
    assert {"key", "mac", "title", "accounts.0"} <= set(entries[0].changed)
    assert entries[4].changed == ()
    everything = repr(entries)
    for secret in (PASSWORD, NEW_PASSWORD, saved.key, rotated.key):
        assert secret not in everything


async def test_a_refused_change_leaves_no_audit_entry(acme: DeviceService, database: FakeDatabase) -> None:
    await field_errors(acme.save(draft("001565000001", OTHERS)))
    await field_errors(acme.update("no-such-key-0001", DevicePatch(title="x")))
    assert await acme.delete("no-such-key-0001") is False
    assert database.audit == []


async def test_the_command_line_is_recorded_without_a_token(
    server: DeviceService, database: FakeDatabase
) -> None:
    await server.save(draft("001565000001", None))
    assert [(e.token_name, e.address) for e in database.audit] == [(None, None)]


def test_a_saved_again_device_without_changes_names_no_field() -> None:
    device = Device(key="personal-key-0001", vendor="yealink", model="t46s", mac="001565000001")
    later = dataclasses.replace(device, updated_at=FixedClock().now())
    entry = AuditEntry.of_device(FixedClock().now(), Operation.SAVE_DEVICE, ACME, device, later)
    assert entry.changed == ()


def test_fields_are_named_as_field_errors_name_them_and_a_record_that_comes_or_goes_once() -> None:
    line = Account(1, HostPort("sip.example.net"), "101", PASSWORD)
    before = Device(
        key="personal-key-0001",
        vendor="yealink",
        model="t46s",
        mac="001565000001",
        accounts=(line, dataclasses.replace(line, line=2, sip_user="102")),
        vendor_params=(("static.a", "1"), ("static.b", "2")),
    )
    after = dataclasses.replace(
        before,
        accounts=(dataclasses.replace(line, sip_register=HostPort("sip.example.net", 5070)),),
        vendor_params=(("static.a", "1"), ("static.b", "3"), ("static.c", "4")),
        line_keys=(LineKey(LineKeyType.BLF, "201"),),
        rules=Rules(check_mac=True),
    )
    assert changed_fields(before, after) == (
        "accounts.0.sip_register",
        "rules.check_mac",
        "line_keys.0",
        "vendor_params.static.b",
        "vendor_params.static.c",
        "accounts.1",
    )
