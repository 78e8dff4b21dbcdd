"""Every size of a device has a documented maximum, checked as a field error before anything parses it."""

from typing import Any

import pytest
from tests.fakes import FakeDatabase, FixedClock

from sonata.domain import limits
from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.model import ContactNumber, LineKeyType
from sonata.domain.services.devices import DeviceService
from sonata.domain.validation import (
    AccountDraft,
    ContactDraft,
    DeviceDraft,
    LineKeyDraft,
    RemotePhonebookDraft,
    RulesDraft,
)

FIVE_MB = 5 * 1024 * 1024


@pytest.fixture
def database() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def service(database: FakeDatabase) -> DeviceService:
    return DeviceService(database.unit_of_work, FixedClock())


def account(line: int = 1, **changes: Any) -> AccountDraft:
    return AccountDraft(
        **{"line": line, "sip_register": "sip.example.net", "sip_user": f"10{line}", **changes}
    )


def draft(**changes: Any) -> DeviceDraft:
    values: dict[str, Any] = {
        "vendor": "fanvil",  # the X6U: the most accounts (20) and keys (65) of the catalogue
        "model": "x6u",
        "mac": "0c383e000001",
        "accounts": [account(sip_password="s3cret")],
    }
    values.update(changes)
    return DeviceDraft(**values)


async def errors_of(service: DeviceService, device: DeviceDraft) -> list[FieldError]:
    with pytest.raises(ValidationFailed) as failure:
        await service.save(device)
    return failure.value.errors


def contacts(count: int, numbers: int) -> list[ContactDraft]:
    return [ContactDraft(f"Contact {n}", [ContactNumber("100")] * numbers) for n in range(count)]


async def test_a_5_mb_sip_password_is_refused_before_any_pattern_reads_it(
    service: DeviceService, database: FakeDatabase
) -> None:
    # Line breaks would be an error of their own: only the length is reported, so no pattern ran.
    errors = await errors_of(service, draft(accounts=[account(sip_password="\n" * FIVE_MB)]))
    assert errors == [FieldError("accounts.0.sip_password", "must be at most 128 characters")]
    errors = await errors_of(service, draft(admin_password="\u2028" * FIVE_MB))
    assert errors == [FieldError("admin_password", "must be at most 128 characters")]
    assert database.devices == {}


async def test_a_phonebook_of_2000_contacts_with_500_numbers_each_is_refused(
    service: DeviceService, database: FakeDatabase
) -> None:
    errors = await errors_of(service, draft(phonebook=contacts(2000, 500)))
    assert len(errors) == 2000
    assert errors[0] == FieldError("phonebook.0.numbers", "holds at most 10 numbers")
    assert {e.message for e in errors} == {"holds at most 10 numbers"}
    errors = await errors_of(service, draft(phonebook=contacts(2001, 1)))
    assert errors == [FieldError("phonebook", "holds at most 2000 contacts")]
    assert database.devices == {}


async def test_everything_at_its_maximum_is_accepted(service: DeviceService) -> None:
    device = await service.save(
        draft(
            title="t" * limits.MAX_TEXT,
            admin_password="a" * limits.MAX_PASSWORD,
            accounts=[account(n, sip_password="p" * limits.MAX_PASSWORD) for n in range(1, 21)],
            firmware_url="http://fw.example.net/" + "f" * (limits.MAX_URL - 22),
            line_keys=[LineKeyDraft(LineKeyType.LINE, label="k" * limits.MAX_TEXT)] * 65,
            phonebook=contacts(limits.MAX_CONTACTS, limits.MAX_NUMBERS_PER_CONTACT),
            remote_phonebooks=[RemotePhonebookDraft("Book", "http://pb.example.net/x.xml")]
            * limits.MAX_REMOTE_PHONEBOOKS,
            rules=RulesDraft(allowed_ips=[f"10.0.{n}.0/24" for n in range(limits.MAX_ALLOWED_IPS)]),
            vendor_params={f"custom.setting{n}": "v" * limits.MAX_VENDOR_VALUE for n in range(500)},
        )
    )
    assert len(device.phonebook) == 2000 and len(device.firmware_url or "") == limits.MAX_URL
    assert len(device.vendor_params) == limits.MAX_VENDOR_PARAMS


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "t" * 257}, "title", "must be at most 256 characters"),
        ({"accounts": [account(name="n" * 257)]}, "accounts.0.name", "must be at most 256 characters"),
        (
            {"accounts": [account(sip_user="1" * 257)]},
            "accounts.0.sip_user",
            "must be at most 256 characters",
        ),
        (
            {"accounts": [account(sip_password="p" * 129)]},
            "accounts.0.sip_password",
            "must be at most 128 characters",
        ),
        ({"admin_password": "a" * 129}, "admin_password", "must be at most 128 characters"),
        ({"accounts": [account(n) for n in range(1, 34)]}, "accounts", "holds at most 32 accounts"),
        (
            {"line_keys": [LineKeyDraft(LineKeyType.LINE)] * 257},
            "line_keys",
            "holds at most 256 keys",
        ),
        (
            {"line_keys": [LineKeyDraft(LineKeyType.SPEED_DIAL, value="1", label="l" * 257)]},
            "line_keys.0.label",
            "must be at most 256 characters",
        ),
        ({"phonebook": contacts(1, 11)}, "phonebook.0.numbers", "holds at most 10 numbers"),
        (
            {"phonebook": [ContactDraft("n" * 257, [ContactNumber("1")])]},
            "phonebook.0.name",
            "must be at most 256 characters",
        ),
        (
            {"remote_phonebooks": [RemotePhonebookDraft("B", "http://pb.example.net/")] * 11},
            "remote_phonebooks",
            "holds at most 10 phonebooks",
        ),
        (
            {"remote_phonebooks": [RemotePhonebookDraft("B", "http://pb.example.net/" + "x" * 1003)]},
            "remote_phonebooks.0.url",
            "must be at most 1024 characters",
        ),
        (
            {"firmware_url": "http://fw.example.net/" + "x" * 1003},
            "firmware_url",
            "must be at most 1024 characters",
        ),
        (
            {"rules": RulesDraft(allowed_ips=["10.0.0.1"] * 65)},
            "rules.allowed_ips",
            "holds at most 64 entries",
        ),
        (
            {"rules": RulesDraft(allowed_ips=["1" * 65])},
            "rules.allowed_ips.0",
            "must be at most 64 characters",
        ),
        (
            {"vendor_params": {f"custom.{n}": "1" for n in range(501)}},
            "vendor_params",
            "holds at most 500 settings",
        ),
        (
            {"vendor_params": {"custom.x": "v" * 1025}},
            "vendor_params.custom.x",
            "must be at most 1024 characters",
        ),
        ({"mac": "0" * 65}, "mac", "must be at most 64 characters"),
        (
            {"token": "t" * 129},
            "token",
            "must be 12 to 128 URL-safe characters (letters, digits, '-' and '_')",
        ),
    ],
)
async def test_each_size_over_its_maximum_is_a_field_error(
    service: DeviceService, changes: dict[str, Any], field: str, message: str
) -> None:
    assert FieldError(field, message) in await errors_of(service, draft(**changes))


async def test_a_long_vendor_key_is_refused_and_shown_cut(service: DeviceService) -> None:
    key = "custom." + "k" * 10_000
    [error] = await errors_of(service, draft(vendor_params={key: "1"}))
    assert error.field == f"vendor_params.{key[:128]}…"
    assert error.message == "the key must be at most 128 characters"


@pytest.mark.parametrize(
    "changes",
    [
        {"ntp_server": "a." * FIVE_MB},
        {"timezone": "Europe/" * FIVE_MB},
        {"timezone_offset": "+" * FIVE_MB},
        {"accounts": [account(sip_register="h" * FIVE_MB)]},
        {"firmware_url": "http://" + "x" * FIVE_MB},
        {"rules": RulesDraft(allowed_ips=["1" * FIVE_MB])},
        {"mac": ":" * FIVE_MB},
    ],
)
async def test_a_value_too_long_gets_one_error_and_no_parsing(
    service: DeviceService, changes: dict[str, Any]
) -> None:
    [error] = await errors_of(service, draft(**changes))
    assert error.message.startswith("must be at most")
