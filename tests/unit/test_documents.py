"""Documents in the snake_case format of the original Sonata."""

from datetime import UTC, datetime
from typing import Any

import pytest
from tests.fakes import FakeDatabase, FixedClock

from sonata.domain.errors import FieldError
from sonata.domain.services.devices import DeviceService

SEED_DOCUMENT: dict[str, Any] = {
    "key": "a1b2c3d4e5f6g",
    "token": "group-token-14",
    "model": "gxp1620",
    "vendor": "grandstream",
    "mac": "001565113af8",
    "timezone_offset": "GMT+03",
    "ntp_server": "pool.ntp.org",
    "status": True,
    "accounts": [
        {
            "name": "",
            "line": 1,
            "sip_register": "sip.example.net",
            "sip_name": "sip102",
            "sip_user": "sip102",
            "sip_password": "4321",
            "sip_auth": "sip102",
        }
    ],
}


@pytest.fixture
def service() -> DeviceService:
    return DeviceService(FakeDatabase().unit_of_work, FixedClock())


async def test_the_seed_example_document_imports(service: DeviceService) -> None:
    [result] = await service.import_documents([SEED_DOCUMENT])
    assert result.errors == []
    device = result.device
    assert device is not None
    assert (device.key, device.token, device.vendor, device.model, device.mac) == (
        "a1b2c3d4e5f6g",
        "group-token-14",
        "grandstream",
        "gxp1620",
        "001565113af8",
    )
    account = device.accounts[0]
    assert (account.line, account.sip_user, account.sip_password, account.auth_id) == (
        1,
        "sip102",
        "4321",
        "sip102",
    )
    assert str(account.sip_register) == "sip.example.net"


async def test_legacy_rules_are_understood(service: DeviceService) -> None:
    document = {
        **SEED_DOCUMENT,
        "rules": {"time": {"until": "2027-01-31T12:00:00Z"}, "mac": True, "ip": "10.0.0.0/8"},
    }
    [result] = await service.import_documents([document])
    assert result.device is not None
    rules = result.device.rules
    assert rules.expires_at == datetime(2027, 1, 31, 12, tzinfo=UTC)
    assert rules.check_mac
    assert [str(n) for n in rules.allowed_ips] == ["10.0.0.0/8"]
    document["rules"] = {"ip": ["10.0.0.0/8", "2001:db8::/32"]}
    [result] = await service.import_documents([document])
    assert result.device is not None
    assert [str(n) for n in result.device.rules.allowed_ips] == ["10.0.0.0/8", "2001:db8::/32"]


async def test_one_bad_document_does_not_stop_the_others(service: DeviceService) -> None:
    bad_type = {**SEED_DOCUMENT, "mac": "001565000001", "key": None, "accounts": "nope"}
    bad_value = {**SEED_DOCUMENT, "mac": "not-a-mac", "key": None}
    second = {**SEED_DOCUMENT, "mac": "001565000002", "key": None}
    results = await service.import_documents([SEED_DOCUMENT, bad_type, "not an object", bad_value, second])
    assert [r.device is not None for r in results] == [True, False, False, False, True]
    assert results[1].errors[0].field == "accounts"
    assert results[2].errors[0].field == "document"
    assert results[3].errors[0].field == "mac"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "yes"}, "status"),
        ({"accounts": [{"line": "x"}]}, "accounts.0.line"),
        ({"rules": {"ip": 5}}, "rules.ip"),
        ({"rules": {"time": {"until": "soon"}}}, "rules.time.until"),
        ({"vendor": None}, "vendor"),
        ({"accounts": [{"line": 1, "sip_user": ["x"]}]}, "accounts.0.sip_user"),
    ],
)
async def test_wrongly_typed_fields_are_named(
    service: DeviceService, change: dict[str, Any], field: str
) -> None:
    [result] = await service.import_documents([{**SEED_DOCUMENT, **change}])
    assert result.device is None
    assert field in [e.field for e in result.errors]


@pytest.mark.parametrize(
    ("change", "field", "suggestion"),
    [
        ({"tokne": "x"}, "tokne", "token"),
        (
            {"accounts": [{**SEED_DOCUMENT["accounts"][0], "sip_pasword": "x"}]},
            "accounts.0.sip_pasword",
            "sip_password",
        ),
        ({"rules": {"allowed_ip": ["10.0.0.0/8"]}}, "rules.allowed_ip", "allowed_ips"),
        ({"rules": {"time": {"untill": "2030-01-01"}}}, "rules.time.untill", "until"),
        ({"line_keys": [{"type": "blf", "value": "1", "lable": "x"}]}, "line_keys.0.lable", "label"),
        ({"functionkeys": [{"type": "dtmf", "value": "1", "nmae": "x"}]}, "functionkeys.0.nmae", "name"),
        (
            {"phonebook": [{"name": "A", "numbers": [{"number": "1"}], "nmae": "B"}]},
            "phonebook.0.nmae",
            "name",
        ),
        (
            {"phonebook": [{"name": "A", "numbers": [{"numbr": "1"}]}]},
            "phonebook.0.numbers.0.numbr",
            "number",
        ),
        (
            {"remote_phonebooks": [{"name": "A", "uri": "http://x.example/"}]},
            "remote_phonebooks.0.uri",
            "url",
        ),
        ({"phonebooks": [{"name": "A", "url": "http://x.example/", "nam": "B"}]}, "phonebooks.0.nam", "name"),
        ({"firmware": {"ulr": "http://fw.example/"}}, "firmware.ulr", "url"),
    ],
)
async def test_an_unknown_key_is_named_with_the_nearest_known_one(
    service: DeviceService, change: dict[str, Any], field: str, suggestion: str
) -> None:
    [result] = await service.import_documents([{**SEED_DOCUMENT, **change}])
    assert result.device is None
    assert (field, f"unknown key; did you mean `{suggestion}`?") in [
        (e.field, e.message) for e in result.errors
    ]
    assert await service.find(mac=SEED_DOCUMENT["mac"]) is None


async def test_a_key_like_no_known_one_gets_the_list_of_known_keys(service: DeviceService) -> None:
    long_key = "z" * 100_000
    [result] = await service.import_documents([{**SEED_DOCUMENT, "qqq": 1, long_key: 1}])
    errors = {e.field: e.message for e in result.errors}
    assert errors["qqq"].startswith(
        "unknown key; known keys: accounts, admin_password, config_encryption, config_encryption_key, firmware"
    )
    assert errors[long_key[:128] + "…"].startswith("unknown key; known keys:")


async def test_the_keys_the_original_sonata_writes_are_accepted(service: DeviceService) -> None:
    exported = {
        **SEED_DOCUMENT,
        "_id": {"$oid": "5c41f2a3b1e4c20011a0c0de"},
        "__v": 0,
        "id": "sdgjdeu9443908590sfdsf8u984",
        "created_at": "2019-01-18T15:39:15.645Z",
        "updated_at": "2019-01-18T15:39:15.645Z",
        "profiles": [{"sip_register": "sip.example.net", "id": 0}],
        "accounts": [{**SEED_DOCUMENT["accounts"][0], "profile_id": 0}],
        "functionkeys": [{"id": 1, "name": "emergency", "type": "dtmf", "value": "01"}],
        "rules": {"time": {"until": "2099-01-01"}, "mac": False, "ip": "10.0.0.0/8"},
    }
    [result] = await service.import_documents([exported])
    assert result.errors == []


async def test_original_and_new_rules_are_not_mixed(service: DeviceService) -> None:
    [result] = await service.import_documents([{**SEED_DOCUMENT, "rules": {"mac": True, "allowed_ips": []}}])
    assert [e.field for e in result.errors] == ["rules"]


async def test_a_later_document_with_the_same_mac_is_refused_naming_the_earlier(
    service: DeviceService,
) -> None:
    first = {**SEED_DOCUMENT, "key": None, "mac": "000b82000001", "title": "first"}
    other = {**SEED_DOCUMENT, "key": None, "mac": "000b82000002"}
    again = {**SEED_DOCUMENT, "key": None, "mac": "00:0B:82:00:00:01", "title": "second"}
    results = await service.import_documents([other, "not an object", first, other, again])
    assert [r.device is not None for r in results] == [True, False, True, False, False]
    assert results[3].errors == [FieldError("mac", "is the same MAC as document 0 of this import")]
    assert results[4].errors == [FieldError("mac", "is the same MAC as document 2 of this import")]
    stored = await service.find(mac="000b82000001")
    assert stored is not None and stored.title == "first"


async def test_lists_over_their_maximum_are_refused_before_their_items_are_read(
    service: DeviceService,
) -> None:
    huge_phonebook = [{"name": f"C{n}", "numbers": [{"number": "1"}] * 500} for n in range(2000)]
    [result] = await service.import_documents([{**SEED_DOCUMENT, "phonebook": huge_phonebook}])
    assert len(result.errors) == 2000
    assert {e.message for e in result.errors} == {"holds at most 10 numbers"}
    too_many = [{"name": "C", "numbers": [{"bad": "item never read"}]}] * 2001
    [result] = await service.import_documents([{**SEED_DOCUMENT, "phonebook": too_many}])
    assert result.errors == [FieldError("phonebook", "holds at most 2000 contacts")]
    [result] = await service.import_documents(
        [{**SEED_DOCUMENT, "accounts": [{"x": 1}] * 33, "rules": {"ip": " ".join(["10.0.0.1"] * 65)}}]
    )
    assert {(e.field, e.message) for e in result.errors} == {
        ("accounts", "holds at most 32 accounts"),
        ("rules.ip", "holds at most 64 entries"),
    }


async def test_a_5_mb_password_in_a_document_is_refused(service: DeviceService) -> None:
    account = {**SEED_DOCUMENT["accounts"][0], "sip_password": "p" * (5 * 1024 * 1024)}
    [result] = await service.import_documents([{**SEED_DOCUMENT, "accounts": [account]}])
    assert result.errors == [FieldError("accounts.0.sip_password", "must be at most 128 characters")]


@pytest.mark.parametrize("line", ["²", "1" * 5000, "٣"])
async def test_numbers_written_as_odd_strings_are_field_errors(service: DeviceService, line: str) -> None:
    account = {**SEED_DOCUMENT["accounts"][0], "line": line}
    [result] = await service.import_documents([{**SEED_DOCUMENT, "accounts": [account]}])
    assert result.errors == [FieldError("accounts.0.line", "must be a whole number")]


async def test_a_later_document_with_the_same_key_is_refused_naming_the_earlier(
    service: DeviceService,
) -> None:
    """Same key, other MAC: saving both would silently move the earlier device to the later MAC."""
    first = {**SEED_DOCUMENT, "key": "shared-key-000001", "mac": "000b82000011", "title": "first"}
    again = {**SEED_DOCUMENT, "key": "shared-key-000001", "mac": "000b82000012", "title": "second"}
    results = await service.import_documents([first, again])
    assert results[0].device is not None
    assert results[1].errors == [FieldError("key", "is the same key as document 0 of this import")]
    stored = await service.find(key="shared-key-000001")
    assert stored is not None and stored.mac == "000b82000011" and stored.title == "first"
