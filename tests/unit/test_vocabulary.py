"""The whole device vocabulary: validation, stored secrets, the original Sonata's documents."""

from typing import Any

import pytest
from tests.fakes import FakeDatabase, FixedClock

from sonata.domain.errors import ValidationFailed
from sonata.domain.model import ContactNumber, LineKeyType, NumberType, Transport
from sonata.domain.services.devices import DeviceService
from sonata.domain.validation import (
    AccountDraft,
    ContactDraft,
    DeviceDraft,
    LineKeyDraft,
    RemotePhonebookDraft,
)


@pytest.fixture
def service() -> DeviceService:
    return DeviceService(FakeDatabase().unit_of_work, FixedClock())


def draft(**changes: Any) -> DeviceDraft:
    values: dict[str, Any] = {
        "vendor": "yealink",
        "model": "t46s",
        "mac": "001565aabbcc",
        "accounts": [
            AccountDraft(
                line=1,
                sip_register="sip.example.net",
                sip_user="101",
                sip_password="pw",
                transport=Transport.TLS,
                register_expires=600,
                outbound_proxy="proxy.example.net:5061",
                backup_server="sip2.example.net",
                voicemail="*97",
            ),
            AccountDraft(line=2, sip_register="sip.example.net", sip_user="102"),
        ],
        "admin_password": "admin-secret",
        "resync_minutes": 60,
        "firmware_url": "http://fw.example.net/T46S-66.86.0.15.rom",
        "language": "de",
        "timezone": "Europe/Berlin",
        "line_keys": [
            LineKeyDraft(LineKeyType.LINE, line=1, label="Line 1"),
            LineKeyDraft(LineKeyType.BLF, value="102", label="Bob", line=1, pickup_code="*8"),
            LineKeyDraft(LineKeyType.SPEED_DIAL, value="+4930123456", label="Office"),
        ],
        "phonebook": [
            ContactDraft("Alice", [ContactNumber("101"), ContactNumber("+491701234", NumberType.MOBILE)])
        ],
        "remote_phonebooks": [RemotePhonebookDraft("Company", "https://pbx.example.net/phonebook.xml")],
        "vendor_params": {"static.wifi.enable": "0"},
    }
    values.update(changes)
    return DeviceDraft(**values)


async def errors_of(service: DeviceService, device: DeviceDraft) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as failure:
        await service.save(device)
    return {e.field: e.message for e in failure.value.errors}


async def test_the_whole_vocabulary_is_kept(service: DeviceService) -> None:
    device = await service.save(draft())
    account = device.accounts[0]
    assert account.transport is Transport.TLS and account.register_expires == 600
    assert (
        str(account.outbound_proxy) == "proxy.example.net:5061"
        and str(account.backup_server) == "sip2.example.net"
    )
    assert account.voicemail == "*97"
    assert (device.admin_password, device.resync_minutes, device.language, device.timezone) == (
        "admin-secret",
        60,
        "de",
        "Europe/Berlin",
    )
    assert [k.type for k in device.line_keys] == [LineKeyType.LINE, LineKeyType.BLF, LineKeyType.SPEED_DIAL]
    assert device.line_keys[1].pickup_code == "*8"
    assert device.phonebook[0].numbers[1].type is NumberType.MOBILE
    assert device.remote_phonebooks[0].url == "https://pbx.example.net/phonebook.xml"
    assert device.vendor_params == (("static.wifi.enable", "0"),)


async def test_an_omitted_admin_password_keeps_the_stored_one(service: DeviceService) -> None:
    await service.save(draft())
    assert (await service.save(draft(admin_password=None))).admin_password == "admin-secret"
    assert (await service.save(draft(admin_password=""))).admin_password == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"accounts": [AccountDraft(line=1, sip_register="h", sip_user="u", register_expires=5)]},
            "accounts.0.register_expires",
        ),
        (
            {"accounts": [AccountDraft(line=1, sip_register="h", sip_user="u", outbound_proxy="a b")]},
            "accounts.0.outbound_proxy",
        ),
        (
            {"accounts": [AccountDraft(line=1, sip_register="h", sip_user="u", backup_server="h:0")]},
            "accounts.0.backup_server",
        ),
        (
            {"accounts": [AccountDraft(line=1, sip_register="h", sip_user="u", voicemail="*9\n7")]},
            "accounts.0.voicemail",
        ),
        ({"admin_password": "a\nb"}, "admin_password"),
        ({"resync_minutes": 0}, "resync_minutes"),
        ({"firmware_url": "fw example.net/x.rom"}, "firmware_url"),
        ({"language": "xx"}, "language"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"line_keys": [LineKeyDraft(LineKeyType.BLF)]}, "line_keys.0.value"),
        (
            {"line_keys": [LineKeyDraft(LineKeyType.SPEED_DIAL, value="1", pickup_code="*8")]},
            "line_keys.0.pickup_code",
        ),
        ({"line_keys": [LineKeyDraft(LineKeyType.LINE, line=3)]}, "line_keys.0.line"),
        ({"line_keys": [LineKeyDraft(LineKeyType.LINE)] * 200}, "line_keys"),
        ({"phonebook": [ContactDraft("Nobody", [])]}, "phonebook.0.numbers"),
        ({"phonebook": [ContactDraft("", [ContactNumber("1")])]}, "phonebook.0.name"),
        (
            {"remote_phonebooks": [RemotePhonebookDraft("x", "ftp://example.net/pb.xml")]},
            "remote_phonebooks.0.url",
        ),
        ({"vendor_params": {"static.wifi.enable": 0}}, "vendor_params.static.wifi.enable"),
        ({"vendor_params": {"bad key": "1"}}, "vendor_params.bad key"),
        (
            {"vendor_params": {"static.wifi.enable": "0\nstatic.security.user_password = admin:x"}},
            "vendor_params.static.wifi.enable",
        ),
        ({"vendor_params": ["P8", "1"]}, "vendor_params"),
    ],
)
async def test_each_invalid_field_of_the_vocabulary_is_named(
    service: DeviceService, changes: dict[str, Any], field: str
) -> None:
    assert field in await errors_of(service, draft(**changes))


async def test_vendor_params_must_be_of_the_models_config_format(service: DeviceService) -> None:
    errors = await errors_of(service, draft(vendor="grandstream", model="grp2614", vendor_params={"P8": "1"}))
    assert list(errors) == ["vendor_params.P8"] and "GRP2614" in errors["vendor_params.P8"]
    saved = await service.save(draft(vendor="grandstream", model="gxp1630", vendor_params={"P8": "1"}))
    assert saved.vendor_params == (("P8", "1"),)


async def test_an_unknown_model_leaves_the_vendor_keys_unchecked_but_not_the_value_types(
    service: DeviceService,
) -> None:
    errors = await errors_of(service, draft(model="t99", vendor_params={"bad key": "1", "a.b": 2}))
    assert set(errors) == {"model", "vendor_params.a.b"}


async def test_the_model_bounds_the_line_keys(service: DeviceService) -> None:
    errors = await errors_of(service, draft(line_keys=[LineKeyDraft(LineKeyType.LINE)] * 200))
    assert "T46S" in errors["line_keys"]


async def test_original_sonata_documents_keep_importing(service: DeviceService) -> None:
    document = {
        "key": "legacy-key-0001",
        "title": "Reception",
        "vendor": "yealink",
        "model": "t46s",
        "mac": "001565aabbcc",
        "accounts": [{"line": 1, "sip_register": "sip.example.net", "sip_user": "101", "sip_password": "pw"}],
        "phonebooks": [{"name": "Company", "url": "http://pbx.example.net/pb.xml"}],
        "firmware": {"url": "http://fw.example.net/T46S.rom"},
        "functionkeys": [
            {"name": "Reception", "type": "speeddial", "value": "100"},
            {"name": "Line", "type": "line", "value": ""},
            {"name": "Park", "type": "keyevent", "value": "park"},
            {"name": "Menu", "type": "dtmf", "value": "*1"},
        ],
    }
    [result] = await service.import_documents([document])
    assert result.errors == []
    device = result.device
    assert device is not None and device.title == "Reception"
    assert device.firmware_url == "http://fw.example.net/T46S.rom"
    assert [(p.name, p.url) for p in device.remote_phonebooks] == [
        ("Company", "http://pbx.example.net/pb.xml")
    ]
    assert [(k.type, k.label, k.value) for k in device.line_keys] == [
        (LineKeyType.SPEED_DIAL, "Reception", "100"),
        (LineKeyType.LINE, "Line", ""),
        (LineKeyType.KEY_EVENT, "Park", "park"),
        (LineKeyType.DTMF, "Menu", "*1"),
    ]
    [plain] = await service.import_documents([{**document, "firmware": True}])
    assert plain.device is not None and plain.device.firmware_url is None


async def test_snake_case_documents_carry_the_new_vocabulary(service: DeviceService) -> None:
    document = {
        "vendor": "yealink",
        "model": "t46s",
        "mac": "001565aabbcc",
        "timezone": "America/New_York",
        "language": "fr",
        "resync_minutes": 30,
        "admin_password": "x-admin",
        "firmware_url": "https://fw.example.net/f",
        "accounts": [
            {
                "line": 1,
                "sip_register": "h.example.net",
                "sip_user": "1",
                "transport": "tcp",
                "register_expires": "300",
                "outbound_proxy": "p.example.net",
                "voicemail": "*97",
            }
        ],
        "line_keys": [{"type": "blf", "value": "2", "pickup_code": "*8"}],
        "phonebook": [{"name": "Bob", "numbers": [{"number": "2", "type": "home"}]}],
        "remote_phonebooks": [{"name": "All", "url": "http://pbx.example.net/all.xml"}],
        "vendor_params": {"features.dnd.enable": "1"},
    }
    [result] = await service.import_documents([document])
    assert result.errors == []
    device = result.device
    assert device is not None
    assert device.accounts[0].transport is Transport.TCP and device.accounts[0].register_expires == 300
    assert (
        device.line_keys[0].type is LineKeyType.BLF and device.phonebook[0].numbers[0].type is NumberType.HOME
    )
    [bad] = await service.import_documents([{**document, "line_keys": [{"type": "rocket"}]}])
    assert [e.field for e in bad.errors] == ["line_keys.0.type"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"key": "abcdefghijkl\n"}, "key"),
        ({"token": "abcdefghijkl\n"}, "token"),
        ({"vendor_params": {"static.wifi.enable\n": "0"}}, "vendor_params.static.wifi.enable\n"),
        ({"vendor_params": {"P8\n": "1"}, "vendor": "grandstream", "model": "gxp1620"}, "vendor_params.P8\n"),
    ],
)
async def test_a_trailing_line_break_cannot_slip_through_a_pattern(
    service: DeviceService, changes: dict[str, Any], field: str
) -> None:
    extra = {"line_keys": [], "language": None} if "vendor" in changes else {}
    assert field in await errors_of(service, draft(**{**extra, **changes}))
