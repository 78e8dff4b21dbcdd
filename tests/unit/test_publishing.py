"""Saving, replacing, deleting and listing devices, against in-memory fakes."""

from datetime import UTC, datetime

import pytest
from tests.fakes import FakeDatabase, FixedClock

from sonata.domain.errors import ValidationFailed
from sonata.domain.services.devices import DeviceService
from sonata.domain.validation import AccountDraft, DeviceDraft, RulesDraft


@pytest.fixture
def database() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def service(database: FakeDatabase) -> DeviceService:
    return DeviceService(database.unit_of_work, FixedClock())


def draft(**changes: object) -> DeviceDraft:
    values: dict[str, object] = {
        "vendor": "yealink",
        "model": "t46s",
        "mac": "00:15:65:aa:bb:cc",
        "accounts": [
            AccountDraft(line=1, sip_register="sip.example.net", sip_user="101", sip_password="s3cret")
        ],
    }
    values.update(changes)
    return DeviceDraft(**values)  # type: ignore[arg-type]


async def errors_of(service: DeviceService, device: DeviceDraft) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as failure:
        await service.save(device)
    return {e.field: e.message for e in failure.value.errors}


async def test_a_new_device_gets_a_random_url_safe_key_of_at_least_128_bits(service: DeviceService) -> None:
    first = await service.save(draft())
    second = await service.save(draft(mac="001565aabbcd"))
    assert first.key != second.key
    assert len(first.key) >= 22  # 22 base64 characters carry 132 bits
    assert all(c.isalnum() or c in "-_" for c in first.key)
    assert first.mac == "001565aabbcc"


async def test_saving_again_by_mac_replaces_and_keeps_the_key(
    service: DeviceService, database: FakeDatabase
) -> None:
    first = await service.save(draft(title="old"))
    second = await service.save(draft(title="new", mac="00-15-65-AA-BB-CC"))
    assert second.key == first.key
    assert second.created_at == first.created_at
    assert [d.title for d in database.devices.values()] == ["new"]


async def test_saving_by_key_may_change_the_mac(service: DeviceService) -> None:
    first = await service.save(draft())
    moved = await service.save(draft(key=first.key, mac="001565000001"))
    assert moved.key == first.key and moved.mac == "001565000001"
    assert await service.find(mac="001565aabbcc") is None


async def test_a_mac_of_another_device_is_an_error_on_mac(service: DeviceService) -> None:
    other = await service.save(draft(mac="001565000001"))
    given = await service.save(draft(key="my-own-key-123"))
    assert await errors_of(service, draft(key=given.key, mac="001565000001")) == {
        "mac": "belongs to another device"
    }
    assert (await service.find(key=other.key)) == other


async def test_omitted_password_keeps_the_stored_one_per_line(service: DeviceService) -> None:
    accounts = [
        AccountDraft(line=1, sip_register="sip.example.net", sip_user="101", sip_password="one"),
        AccountDraft(line=2, sip_register="sip.example.net", sip_user="102", sip_password="two"),
    ]
    await service.save(draft(accounts=accounts))
    edited = await service.save(
        draft(
            accounts=[
                AccountDraft(line=1, sip_register="sip.example.net", sip_user="101"),
                AccountDraft(line=2, sip_register="sip.example.net", sip_user="102", sip_password="changed"),
                AccountDraft(line=3, sip_register="sip.example.net", sip_user="103"),
            ]
        )
    )
    assert [a.sip_password for a in edited.accounts] == ["one", "changed", ""]


async def test_empty_password_clears_it(service: DeviceService) -> None:
    await service.save(draft())
    edited = await service.save(
        draft(
            accounts=[AccountDraft(line=1, sip_register="sip.example.net", sip_user="101", sip_password="")]
        )
    )
    assert edited.accounts[0].sip_password == ""
    assert not edited.accounts[0].has_password


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mac": "00:15:65"}, "mac"),
        ({"vendor": "acme"}, "vendor"),
        ({"model": "t99"}, "model"),
        ({"key": "short"}, "key"),
        ({"key": "has spaces in it!"}, "key"),
        ({"token": "tiny"}, "token"),
        ({"timezone_offset": "Mars/Olympus"}, "timezone_offset"),
        ({"ntp_server": "not a host"}, "ntp_server"),
        ({"accounts": [AccountDraft(line=0, sip_register="h", sip_user="u")]}, "accounts.0.line"),
        ({"accounts": [AccountDraft(line=17, sip_register="h", sip_user="u")]}, "accounts.0.line"),
        (
            {"accounts": [AccountDraft(line=1, sip_register="h:99999", sip_user="u")]},
            "accounts.0.sip_register",
        ),
        ({"accounts": [AccountDraft(line=1, sip_register="", sip_user="u")]}, "accounts.0.sip_register"),
        ({"accounts": [AccountDraft(line=1, sip_register="h", sip_user="")]}, "accounts.0.sip_user"),
        ({"accounts": [AccountDraft(line=1, sip_register="h", sip_user="u\nx")]}, "accounts.0.sip_user"),
        (
            {"accounts": [AccountDraft(line=1, sip_register="h", sip_user="u", sip_password="a\nb")]},
            "accounts.0.sip_password",
        ),
        ({"rules": RulesDraft(allowed_ips=["10.0.0.0/8", "nonsense"])}, "rules.allowed_ips.1"),
    ],
)
async def test_each_invalid_field_is_named_and_nothing_changes(
    service: DeviceService, database: FakeDatabase, changes: dict[str, object], field: str
) -> None:
    before = await service.save(draft(title="before"))
    assert field in await errors_of(service, draft(**{"title": "after", **changes}))
    assert list(database.devices.values()) == [before]


async def test_duplicate_lines_and_too_many_lines_are_field_errors(service: DeviceService) -> None:
    account = AccountDraft(line=1, sip_register="h", sip_user="u")
    errors = await errors_of(service, draft(model="t31g", accounts=[account, account]))
    assert "accounts.1.line" in errors
    errors = await errors_of(
        service, draft(model="t31g", accounts=[AccountDraft(line=3, sip_register="h", sip_user="u")])
    )
    assert "2" in errors["accounts.0.line"]  # the T31G has two accounts


async def test_unknown_vendor_error_lists_the_known_vendors_and_no_secret(service: DeviceService) -> None:
    errors = await errors_of(service, draft(vendor="acme", key="secret-key-1234567"))
    assert "grandstream" in errors["vendor"] and "yealink" in errors["vendor"]
    assert all("secret-key" not in message for message in errors.values())


async def test_a_disabled_account_may_leave_its_sip_fields_empty(service: DeviceService) -> None:
    device = await service.save(draft(accounts=[AccountDraft(line=2, enabled=False)]))
    assert device.accounts[0].sip_register is None and not device.accounts[0].enabled


async def test_auth_id_defaults_to_the_user_id(service: DeviceService) -> None:
    device = await service.save(draft())
    assert device.accounts[0].auth_id == "101"


async def test_naive_expiry_is_taken_as_utc(service: DeviceService) -> None:
    device = await service.save(draft(rules=RulesDraft(expires_at=datetime(2030, 1, 1))))
    assert device.rules.expires_at == datetime(2030, 1, 1, tzinfo=UTC)


async def test_delete(service: DeviceService) -> None:
    device = await service.save(draft())
    assert await service.delete(device.key)
    assert not await service.delete(device.key)
    assert await service.find(key=device.key) is None


async def test_listing_pages_through_devices_by_mac(service: DeviceService) -> None:
    for n in range(5):
        await service.save(draft(mac=f"00156500000{n}", token="group-token-123" if n % 2 else None))
    page = await service.list(vendor=None, token=None, first=2, after=None)
    assert [d.mac for d in page.devices] == ["001565000000", "001565000001"]
    assert page.total_count == 5 and page.has_next_page
    grouped = await service.list(vendor="yealink", token="group-token-123", first=50, after=None)
    assert [d.mac for d in grouped.devices] == ["001565000001", "001565000003"]
    with pytest.raises(ValidationFailed):
        await service.list(vendor=None, token=None, first=10, after="garbage")


def test_generated_keys_never_look_like_command_line_options() -> None:
    from sonata.domain.validation import generate_key

    keys = [generate_key() for _ in range(3000)]  # about 47 would start with "-" by chance
    assert not any(key.startswith("-") for key in keys)
    assert len(set(keys)) == len(keys)
