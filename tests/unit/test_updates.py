"""Changing some fields of a stored device: the rest stays as stored."""

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.fakes import FakeDatabase, FakeUnitOfWork, FixedClock

from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.model import ContactNumber, Device, LineKeyType, NumberType, Transport
from sonata.domain.patches import DevicePatch, RulesPatch, apply_patch, draft_of
from sonata.domain.services.devices import DeviceService
from sonata.domain.validation import (
    AccountDraft,
    ContactDraft,
    DeviceDraft,
    LineKeyDraft,
    RemotePhonebookDraft,
    RulesDraft,
    validate_device,
)

EXPIRY = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def database() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def service(database: FakeDatabase, clock: FixedClock) -> DeviceService:
    return DeviceService(database.unit_of_work, clock)


def full_draft(**changes: Any) -> DeviceDraft:
    values: dict[str, Any] = {
        "vendor": "yealink",
        "model": "t46s",
        "mac": "001565aabbcc",
        "token": "office-phones-2026",
        "title": "Front desk",
        "timezone_offset": "GMT+01",
        "ntp_server": "pool.ntp.org",
        "status": False,
        "accounts": [
            AccountDraft(
                line=1,
                sip_register="[2001:db8::1]:5070",
                sip_user="101",
                sip_password="one",
                name="Alice",
                sip_name="Alice A.",
                sip_auth="a101",
                transport=Transport.TLS,
                register_expires=600,
                outbound_proxy="proxy.example.net:5061",
                backup_server="sip2.example.net",
                voicemail="*97",
            ),
            AccountDraft(line=2, sip_register="sip.example.net", sip_user="102", sip_password="two"),
            AccountDraft(line=3, enabled=False),
        ],
        "rules": RulesDraft(expires_at=EXPIRY, check_mac=True, allowed_ips=["10.0.0.0/8", "2001:db8::/32"]),
        "admin_password": "admin-secret",
        "resync_minutes": 60,
        "firmware_url": "http://fw.example.net/T46S.rom",
        "language": "de",
        "timezone": "Europe/Berlin",
        "line_keys": [
            LineKeyDraft(LineKeyType.LINE, line=1, label="Line 1"),
            LineKeyDraft(LineKeyType.BLF, value="102", label="Bob", line=2, pickup_code="*8"),
        ],
        "phonebook": [
            ContactDraft("Carol", [ContactNumber("103"), ContactNumber("+49170", NumberType.MOBILE)])
        ],
        "remote_phonebooks": [RemotePhonebookDraft("Company", "https://pbx.example.net/pb.xml")],
        "vendor_params": {"static.wifi.enable": "0"},
    }
    values.update(changes)
    return DeviceDraft(**values)


async def errors_of(service: DeviceService, key: str, patch: DevicePatch) -> list[FieldError]:
    with pytest.raises(ValidationFailed) as failure:
        await service.update(key, patch)
    return failure.value.errors


def test_the_draft_of_a_device_validates_back_to_the_same_device(clock: FixedClock) -> None:
    device = validate_device(full_draft(), None, clock.now())
    later = datetime(2027, 1, 1, tzinfo=UTC)
    assert validate_device(draft_of(device), device, later) == dataclasses.replace(device, updated_at=later)


async def test_changing_the_title_keeps_status_rules_and_passwords(
    service: DeviceService, clock: FixedClock
) -> None:
    stored = await service.save(full_draft())
    clock.advance(minutes=5)
    updated = await service.update(stored.key, DevicePatch(title="Reception"))
    assert updated == dataclasses.replace(stored, title="Reception", updated_at=clock.now())
    assert not updated.status and updated.rules.expires_at == EXPIRY and updated.rules.check_mac
    assert [a.sip_password for a in updated.accounts] == ["one", "two", ""]
    assert updated.admin_password == "admin-secret"


async def test_null_clears_what_may_be_cleared(service: DeviceService) -> None:
    stored = await service.save(full_draft())
    cleared = await service.update(
        stored.key,
        DevicePatch(
            token=None,
            title=None,
            timezone_offset=None,
            ntp_server=None,
            rules=None,
            admin_password=None,
            resync_minutes=None,
            firmware_url=None,
            language=None,
            timezone=None,
            line_keys=None,
            phonebook=None,
            remote_phonebooks=None,
            vendor_params=None,
        ),
    )
    assert cleared == Device(
        key=stored.key,
        vendor="yealink",
        model="t46s",
        mac="001565aabbcc",
        status=False,
        accounts=stored.accounts,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
    )


async def test_required_fields_cannot_be_cleared_and_nothing_changes(
    service: DeviceService, database: FakeDatabase
) -> None:
    stored = await service.save(full_draft())
    errors = await errors_of(service, stored.key, DevicePatch(vendor=None, model=None, mac=None, status=None))
    assert [e.field for e in errors] == ["vendor", "model", "mac", "status"]
    assert errors[0].message == "cannot be cleared; leave it out to keep the stored value"
    assert database.devices == {stored.key: stored}


async def test_accounts_given_replace_the_list_and_keep_each_lines_password(service: DeviceService) -> None:
    stored = await service.save(full_draft())
    updated = await service.update(
        stored.key,
        DevicePatch(
            accounts=[
                AccountDraft(line=2, sip_register="pbx.example.net", sip_user="202"),
                AccountDraft(line=4, sip_register="pbx.example.net", sip_user="204"),
            ],
            line_keys=[],
        ),
    )
    assert [(a.line, a.sip_user, a.sip_password) for a in updated.accounts] == [
        (2, "202", "two"),
        (4, "204", ""),
    ]


async def test_a_rules_patch_changes_only_the_rules_it_names(service: DeviceService) -> None:
    stored = await service.save(full_draft())
    updated = await service.update(stored.key, DevicePatch(rules=RulesPatch(check_mac=False)))
    assert updated.rules == dataclasses.replace(stored.rules, check_mac=False)
    updated = await service.update(
        stored.key, DevicePatch(rules=RulesPatch(expires_at=None, allowed_ips=None))
    )
    assert updated.rules.expires_at is None and updated.rules.allowed_ips == ()
    assert not updated.rules.check_mac


async def test_new_values_are_validated_and_an_error_changes_nothing(
    service: DeviceService, database: FakeDatabase
) -> None:
    stored = await service.save(full_draft())
    errors = await errors_of(
        service,
        stored.key,
        DevicePatch(
            title="changed", timezone="Mars/Olympus", accounts=[AccountDraft(line=1, sip_password="a\nb")]
        ),
    )
    assert {e.field for e in errors} == {
        "timezone",
        "accounts.0.sip_password",
        "accounts.0.sip_register",
        "accounts.0.sip_user",
        "line_keys.1.line",  # the BLF key's line 2 is gone
    }
    assert database.devices == {stored.key: stored}


async def test_an_unknown_key_is_an_error_on_key(service: DeviceService) -> None:
    await service.save(full_draft())
    for key in ("no-such-key-123", "k" * 100_000):
        assert await errors_of(service, key, DevicePatch(title="x")) == [
            FieldError("key", "no device has this key")
        ]


async def test_the_mac_of_another_device_is_refused(service: DeviceService, database: FakeDatabase) -> None:
    other = await service.save(full_draft(mac="001565000001"))
    stored = await service.save(full_draft())
    errors = await errors_of(service, stored.key, DevicePatch(mac="00:15:65:00:00:01"))
    assert errors == [FieldError("mac", "belongs to another device")]
    assert database.devices == {other.key: other, stored.key: stored}


async def test_an_update_is_one_unit_of_work(database: FakeDatabase, clock: FixedClock) -> None:
    opened: list[FakeUnitOfWork] = []

    def counting() -> FakeUnitOfWork:
        opened.append(database.unit_of_work())
        return opened[-1]

    service = DeviceService(counting, clock)
    stored = await service.save(full_draft())
    opened.clear()
    await service.update(stored.key, DevicePatch(title="x"))
    assert len(opened) == 1


def test_a_patch_without_fields_describes_the_stored_device(clock: FixedClock) -> None:
    device = validate_device(full_draft(), None, clock.now())
    assert apply_patch(device, DevicePatch()) == draft_of(device)
