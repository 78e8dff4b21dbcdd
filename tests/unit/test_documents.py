"""Documents in the snake_case format of the original Sonata."""

from datetime import UTC, datetime
from typing import Any

import pytest
from tests.fakes import FakeDatabase, FixedClock

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
