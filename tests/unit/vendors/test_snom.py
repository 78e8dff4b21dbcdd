import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.vendors import samples
from tests.unit.vendors.samples import LINK, account

from sonata.domain.errors import ValidationFailed
from sonata.domain.model import (
    Account,
    Contact,
    ContactNumber,
    Device,
    HostPort,
    LineKey,
    LineKeyType,
    NumberType,
    RemotePhonebook,
    Transport,
)
from sonata.domain.validation import AccountDraft, DeviceDraft, LineKeyDraft, validate_device
from sonata.domain.vendors import VENDORS, identify_phone, mac_in_filename
from sonata.domain.vendors.base import XML, FileKind, PhoneIdentity, RenderRequest, RequestedFile
from sonata.domain.vendors.snom import Snom, firmware_name, model_id

VENDOR = Snom()
MODEL = next(m for m in VENDOR.models if m.id == "d715")
MAC = "000413aabbcc"
UPPER = MAC.upper()


device = partial(samples.device, vendor="snom", model="d715", mac=MAC)
render = partial(samples.render, VENDOR)


def root(dev: Device, filename: str | None = None, link: str = LINK) -> ET.Element:
    return ET.fromstring(render(dev, filename, link))


def settings(dev: Device, link: str = LINK) -> dict[tuple[str, str | None], str]:
    """The phone settings as {(name, idx): value}; each setting appears once."""
    section = root(dev, link=link).find("phone-settings")
    assert section is not None
    found: dict[tuple[str, str | None], str] = {}
    for element in section:
        name = (element.tag, element.get("idx"))
        assert name not in found, f"{name} written twice"
        assert element.get("perm") == ""
        found[name] = element.text or ""
    return found


def keys(dev: Device) -> list[dict[str, str]]:
    section = root(dev).find("functionKeys")
    assert section is not None
    return [{**element.attrib, "value": element.text or ""} for element in section]


# --- catalogue ------------------------------------------------------------------------------


def test_the_registry_knows_snom() -> None:
    assert isinstance(VENDORS["snom"], Snom)
    assert VENDOR.id == "snom"
    assert VENDOR.name == "Snom"


@pytest.mark.parametrize(
    ("model", "accounts", "line_keys"),
    [("d710", 4, 5), ("d712", 4, 5), ("d715", 4, 5), ("d717", 6, 3), ("d725", 12, 18),
     ("d735", 12, 32), ("d745", 12, 32), ("d765", 12, 16), ("d785", 12, 24)],
)  # fmt: skip
def test_catalogue_models_with_accounts_and_line_keys(model: str, accounts: int, line_keys: int) -> None:
    found = VENDOR.model(model)
    assert found is not None
    assert (found.name, found.accounts, found.line_keys) == (model.upper(), accounts, line_keys)


def test_the_catalogue_is_the_d7xx_series() -> None:
    assert len(VENDOR.models) == 9


@pytest.mark.parametrize(
    ("model", "spelling"),
    [("d710", "710"), ("d712", "D712"), ("d715", "715"), ("d717", "D717"), ("d725", "725"),
     ("d735", "D735"), ("d745", "D745"), ("d765", "D765"), ("d785", "D785")],
)  # fmt: skip
def test_file_names_use_the_firmware_spelling_of_the_model(model: str, spelling: str) -> None:
    assert firmware_name(model) == spelling
    assert model_id(spelling) == model
    assert model_id(spelling.lower()) == model


@pytest.mark.parametrize(
    ("code", "name"),
    [("en", "English"), ("de", "Deutsch"), ("fr", "Francais"), ("es", "Espanol"), ("it", "Italiano"),
     ("nl", "Nederlands"), ("pt", "Portugues"), ("ru", "Russian"), ("pl", "Polski"), ("tr", "Turkce")],
)  # fmt: skip
def test_languages(code: str, name: str) -> None:
    assert VENDOR.languages[code] == name
    values = settings(device(language=code))
    assert values[("language", None)] == values[("web_language", None)] == name


# --- User-Agent ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "expected"),  # expected: "model firmware mac", `-` for no MAC
    [
        # vendors.md
        (
            "Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.5-IFX-05.01.12 000413741767)",
            "d710 8.7.5.35 000413741767",
        ),
        # Wazo's snom plugin
        (
            "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 2010.12-00004-g9ba52f5 000413922D24"
            " SXM:0 UXM:0)",
            "d785 10.1.33.33 000413922d24",
        ),
        ("Mozilla/4.0 (compatible; snom710-SIP 8.7.3.19 1.1.5-IFX-05.01.12)", "d710 8.7.3.19 -"),
        ("Mozilla/4.0 (compatible; snom760-SIP 8.7.3.19 2010.06)", "760 8.7.3.19 -"),
        (
            "Mozilla/4.0 (compatible; snom320-SIP 6.5.20; snom320 jffs2 v3.36; snom320 linux 3.38)",
            "320 6.5.20 -",
        ),
        ("Mozilla/4.0 (compatible; snom320-SIP 8.4.18 1.1.3-s)", "320 8.4.18 -"),
        ("Mozilla/4.0 (compatible; snom870-SIP 8.4.35 SPEAr300 SNOM 1.4)", "870 8.4.35 -"),
        ("Mozilla/4.0 (compatible; snomPA1-SIP 8.4.35 1.1.3-s)", "pa1 8.4.35 -"),
        # the brief's D715 dialect, firmware 10
        (
            "Mozilla/4.0 (compatible; snomD715-SIP 10.1.33.33 2010.12-00004-g9ba52f5 000413A1B2C3)",
            "d715 10.1.33.33 000413a1b2c3",
        ),
        # dialects: double spaces, case, MAC spellings, hardware revision fields
        (
            "Mozilla/4.0  (compatible;  snomD735-SIP  10.1.54.13  2010.12-00004-g9ba52f5  00041398B7DC)",
            "d735 10.1.54.13 00041398b7dc",
        ),
        ("mozilla/4.0 (compatible; SNOMD765-sip 10.1.46.16 000413aabbcc)", "d765 10.1.46.16 000413aabbcc"),
        (
            "Mozilla/4.0 (compatible; snomD717-SIP 10.1.51.12 00:04:13:AA:BB:CC)",
            "d717 10.1.51.12 000413aabbcc",
        ),
        (
            "Mozilla/4.0 (compatible; snom725-SIP 10.1.39.11 2010.12-00004-g9ba52f5 000413AABB01"
            " SXM:0 UXM:0)",
            "d725 10.1.39.11 000413aabb01",
        ),
        (
            "Mozilla/4.0 (compatible; snomD745-SIP 10.1.64.14 2010.12-00004-g9ba52f5 HW:3 000413AABB02)",
            "d745 10.1.64.14 000413aabb02",
        ),
        (
            "Mozilla/4.0 (compatible; snom715-SIP 10.1.101.11 1.1.5-IFX-05.01.12 000413-AA-BB-03)",
            "d715 10.1.101.11 -",
        ),
        (
            "Mozilla/4.0 (compatible; snomD712-SIP 10.1.152.12\t000413AABB04)\r\n",
            "d712 10.1.152.12 000413aabb04",
        ),
    ],
)
def test_user_agents(user_agent: str, expected: str) -> None:
    model, firmware, mac = expected.split()
    assert VENDOR.parse_user_agent(user_agent) == PhoneIdentity(
        "snom", model, firmware, None if mac == "-" else mac
    )


def test_an_old_user_agent_without_model_still_names_the_vendor() -> None:
    assert VENDOR.parse_user_agent("Mozilla/4.0 (compatible; snom lid 3605)") == PhoneIdentity("snom")


def test_the_registry_identifies_snom_phones() -> None:
    ua = "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 2010.12-00004-g9ba52f5 000413922D24 SXM:0 UXM:0)"
    identity = identify_phone(ua)
    assert identity is not None
    assert identity.vendor == "snom"


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "   ",
        "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc",
        "Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 000b82aabbcc",
        "Fanvil X4 2.10.2.6887 0c383e07e16c",
        "Htek UC903 2.0.4.2 00:1f:c1:1c:22:a9",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
        "Mozilla/5.0 (compatible; snomnom crawler)",
        "unsnom710-SIP 8.7.5.35",
    ],
)
def test_other_user_agents_are_not_snom(user_agent: str) -> None:
    assert VENDOR.parse_user_agent(user_agent) is None


@given(st.text())
def test_user_agent_parsing_never_fails(user_agent: str) -> None:
    identity = VENDOR.parse_user_agent(user_agent)
    if identity is not None:
        assert identity.vendor == "snom"
        assert identity.mac is None or re.fullmatch(r"[0-9a-f]{12}", identity.mac)


# --- file names -----------------------------------------------------------------------------


def test_device_filename_has_the_mac_in_uppercase() -> None:
    assert VENDOR.device_filename(device()) == f"{UPPER}.xml"


@pytest.mark.parametrize("filename", [f"{UPPER}.xml", f"{MAC}.xml", "000413AaBbCc.XML"])
def test_the_device_config_in_any_case(filename: str) -> None:
    assert VENDOR.identify_file(filename) == RequestedFile(FileKind.DEVICE_CONFIG, MAC)


@pytest.mark.parametrize(
    ("filename", "model"),
    [("snomD715.htm", "d715"), ("snom715.htm", "d715"), ("SNOMd715.HTM", "d715"), ("snom710.htm", "d710"),
     ("snom725.htm", "d725"), ("snomD735.htm", "d735"), ("snomD785.htm", "d785"), ("snom320.htm", "320")],
)  # fmt: skip
def test_the_model_setting_file_list(filename: str, model: str) -> None:
    assert VENDOR.identify_file(filename) == RequestedFile(FileKind.COMMON_CONFIG, None, model)


@pytest.mark.parametrize("filename", [f"snomD715-{UPPER}.htm", f"snom715-{UPPER}.htm", f"snom715-{MAC}.htm"])
def test_the_device_setting_file_list(filename: str) -> None:
    assert VENDOR.identify_file(filename) == RequestedFile(FileKind.BOOT, MAC)


@pytest.mark.parametrize("filename", [f"tbook-{UPPER}.xml", f"tbook-{MAC}.xml"])
def test_the_phonebook_file(filename: str) -> None:
    assert VENDOR.identify_file(filename) == RequestedFile(FileKind.PHONEBOOK, MAC)


@pytest.mark.parametrize(
    "filename",
    [f"snom715-{UPPER}-firmware.xml", f"snomD715-{UPPER}-firmware.xml", f"SNOM715-{MAC}-FIRMWARE.XML"],
)
def test_the_firmware_file(filename: str) -> None:
    assert VENDOR.identify_file(filename) == RequestedFile(FileKind.FIRMWARE, MAC)


@pytest.mark.parametrize(
    "filename",
    [
        f"cfg{MAC}.xml",
        f"{MAC}.cfg",
        f"{UPPER}.htm",
        "snomD715.xml",
        "snomD715-firmware.xml",
        "snom.htm",
        "tbook.xml",
        f"../{UPPER}.xml",
        f"{UPPER}.xml.bak",
        "000413AABBC.xml",
        "000413AABBCCD.xml",
        "00:04:13:AA:BB:CC.xml",
        f"{UPPER}.xml\n",
        "",
    ],
)
def test_other_file_names_are_not_understood(filename: str) -> None:
    assert VENDOR.identify_file(filename) is None


def test_the_registry_finds_the_mac_in_snom_file_names() -> None:
    for filename in (
        f"{UPPER}.xml",
        f"snomD715-{UPPER}.htm",
        f"tbook-{UPPER}.xml",
        f"snom715-{UPPER}-firmware.xml",
    ):
        assert mac_in_filename(filename) == MAC
    assert mac_in_filename("snomD715.htm") is None


def test_a_model_file_is_served_only_to_its_model_in_either_spelling() -> None:
    dev = device()
    for filename in ("snomD715.htm", "snom715.htm"):
        requested = VENDOR.identify_file(filename)
        assert requested is not None and VENDOR.serves(dev, requested)
    other = VENDOR.identify_file("snomD725.htm")
    assert other is not None and not VENDOR.serves(dev, other)


def test_the_device_list_is_the_devices_whatever_model_its_name_says() -> None:
    requested = VENDOR.identify_file(f"snomD725-{UPPER}.htm")
    assert requested is not None
    assert VENDOR.serves(device(), requested)


@pytest.mark.parametrize(
    ("filename", "template"),
    [(f"{UPPER}.xml", "snom/device.xml.j2"), ("snomD715.htm", "snom/setting-files.xml.j2"),
     (f"snom715-{UPPER}.htm", "snom/setting-files.xml.j2"), (f"tbook-{UPPER}.xml", "snom/tbook.xml.j2"),
     (f"snom715-{UPPER}-firmware.xml", "snom/firmware.xml.j2")],
)  # fmt: skip
def test_templates_are_xml(filename: str, template: str) -> None:
    requested = VENDOR.identify_file(filename)
    assert requested is not None
    assert VENDOR.template_for(RenderRequest(device(), requested, filename, LINK)) == (template, XML)


# --- the setting file lists -------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["snomD715.htm", f"snom715-{UPPER}.htm"])
def test_setting_file_lists_name_the_device_config_and_the_phonebook_on_the_same_link(filename: str) -> None:
    body = render(device(account()), filename)
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<setting-files>\n')
    files = [element.get("url") for element in ET.fromstring(body).findall("file")]
    assert files == [f"{LINK}/{UPPER}.xml", f"{LINK}/tbook-{UPPER}.xml"]


def test_setting_file_lists_follow_the_common_link() -> None:
    common = "https://sonata.example.net/v1/token/group-token-0001/"
    files = [e.get("url") for e in root(device(), "snomD715.htm", common).findall("file")]
    assert files == [f"{common}{UPPER}.xml", f"{common}tbook-{UPPER}.xml"]


# --- the device config ----------------------------------------------------------------------


def test_the_file_head_is_a_settings_document() -> None:
    body = render(device(account()))
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<settings>\n  <phone-settings e="2">\n')
    tree = ET.fromstring(body)
    assert tree.tag == "settings"
    assert [child.tag for child in tree] == ["phone-settings", "functionKeys"]


def test_two_accounts_are_written_with_their_identity_index() -> None:
    dev = device(
        account(1, name="Reception", sip_name="Alice", sip_password="s1", sip_auth="auth1", voicemail="*97"),
        account(2, sip_register=HostPort("10.0.0.1", 5062), name="Second", sip_name="Bob", sip_password="s2"),
    )
    values = settings(dev)
    assert {k: v for k, v in values.items() if k[1] is not None} == {
        ("user_active", "1"): "on", ("user_idle_text", "1"): "Reception", ("user_realname", "1"): "Alice",
        ("user_name", "1"): "1001", ("user_pname", "1"): "auth1", ("user_pass", "1"): "s1",
        ("user_host", "1"): "pbx.example.com:5060", ("user_outbound", "1"): "", ("user_mailbox", "1"): "*97",
        ("user_active", "2"): "on", ("user_idle_text", "2"): "Second", ("user_realname", "2"): "Bob",
        ("user_name", "2"): "1002", ("user_pname", "2"): "1002", ("user_pass", "2"): "s2",
        ("user_host", "2"): "10.0.0.1:5062", ("user_outbound", "2"): "", ("user_mailbox", "2"): "",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "outbound"),
    [
        ({}, ""),
        ({"transport": Transport.TCP}, "pbx.example.com:5060;transport=tcp"),
        ({"transport": Transport.TLS, "sip_register": HostPort("pbx.example.com", 5061)},
         "pbx.example.com:5061;transport=tls"),
        ({"outbound_proxy": HostPort("proxy.example.com", 5070)}, "proxy.example.com:5070;transport=udp"),
        ({"outbound_proxy": HostPort("proxy.example.com"), "transport": Transport.TLS},
         "proxy.example.com:5061;transport=tls"),
    ],
)  # fmt: skip
def test_transport_and_outbound_proxy_go_to_user_outbound(fields: dict[str, object], outbound: str) -> None:
    assert settings(device(account(**fields)))[("user_outbound", "1")] == outbound


def identity(values: dict[tuple[str, str | None], str], idx: str) -> dict[str, str]:
    return {name: value for (name, index), value in values.items() if index == idx}


def test_a_backup_server_becomes_a_hidden_failover_identity_on_the_first_free_index() -> None:
    # Wazo's snom base.tpl: a second identity with user_host = the backup registrar, named by
    # user_failover_identity on the primary.
    primary = account(
        1,
        name="Reception",
        sip_name="Alice",
        sip_password="s1",
        sip_auth="auth1",
        voicemail="*97",
        register_expires=600,
        backup_server=HostPort("backup.example.com", 5070),
    )
    values = settings(device(primary, account(3)))
    assert values[("user_failover_identity", "1")] == "2"
    assert identity(values, "2") == {
        "user_active": "on", "user_idle_text": "Reception", "user_realname": "Alice", "user_name": "1001",
        "user_pname": "auth1", "user_pass": "s1", "user_host": "backup.example.com:5070",
        "user_outbound": "", "user_expiry": "600", "user_mailbox": "*97", "hide_identity": "true",
    }  # fmt: skip
    assert ("user_failover_identity", "3") not in values
    assert ("hide_identity", "1") not in values and ("hide_identity", "3") not in values
    assert values[("user_host", "1")] == "pbx.example.com:5060"


def test_backup_identities_follow_the_accounts() -> None:
    body = render(device(account(2), account(1, backup_server=HostPort("backup.example.com")))).decode()
    assert body.index('<user_active idx="2"') < body.index('<user_active idx="3"')


@pytest.mark.parametrize(
    ("fields", "outbound"),
    [
        ({}, ""),
        ({"transport": Transport.TCP}, "backup.example.com:5060;transport=tcp"),
        ({"outbound_proxy": HostPort("proxy.example.com", 5070), "transport": Transport.TLS},
         "proxy.example.com:5070;transport=tls"),
    ],
)  # fmt: skip
def test_the_backup_identity_reaches_the_backup_through_the_outbound_proxy_or_directly(
    fields: dict[str, object], outbound: str
) -> None:
    values = settings(device(account(backup_server=HostPort("backup.example.com"), **fields)))
    assert values[("user_outbound", "2")] == outbound


def test_each_backup_takes_the_next_free_index_until_none_is_left() -> None:
    backup = {"backup_server": HostPort("backup.example.com")}
    # D715: 4 identities. Accounts 1, 2, 4 leave index 3 free: account 1's backup takes it,
    # account 2's backup finds no free index and is not written.
    values = settings(device(account(1, **backup), account(2, **backup), account(4)))
    assert values[("user_failover_identity", "1")] == "3"
    assert values[("user_host", "3")] == "backup.example.com:5060"
    assert ("user_failover_identity", "2") not in values
    assert {index for _, index in values} == {None, "1", "2", "3", "4"}


def test_without_a_free_identity_the_backup_server_is_left_out() -> None:
    dev = device(*(account(line, backup_server=HostPort("backup.example.com")) for line in range(1, 5)))
    values = settings(dev)
    assert not any(name in ("user_failover_identity", "hide_identity") for name, _ in values)
    assert "backup.example.com" not in render(dev).decode()


def test_a_larger_model_has_room_for_more_backup_identities() -> None:
    backup = {"backup_server": HostPort("backup.example.com")}
    values = settings(device(*(account(line, **backup) for line in range(1, 5)), model="d735"))
    assert [values[("user_failover_identity", str(line))] for line in range(1, 5)] == ["5", "6", "7", "8"]
    assert values[("user_name", "8")] == "1004"


def test_a_disabled_account_gets_no_backup_identity() -> None:
    values = settings(device(account(enabled=False, backup_server=HostPort("backup.example.com"))))
    assert ("user_failover_identity", "1") not in values
    assert identity(values, "2") == {}


def test_register_expiry_is_written_in_seconds_when_set() -> None:
    assert settings(device(account(register_expires=600)))[("user_expiry", "1")] == "600"
    assert ("user_expiry", "1") not in settings(device(account()))


def test_a_disabled_account_is_off() -> None:
    values = settings(device(account(1), Account(line=2, sip_register=None, sip_user="", enabled=False)))
    assert values[("user_active", "2")] == "off"
    assert values[("user_host", "2")] == ""


def test_an_ipv6_registrar_is_bracketed() -> None:
    values = settings(device(account(sip_register=HostPort("2001:db8::1", 5070))))
    assert values[("user_host", "1")] == "[2001:db8::1]:5070"


def test_accounts_are_written_in_line_order() -> None:
    body = render(device(account(2), account(1))).decode()
    assert body.index('<user_active idx="1"') < body.index('<user_active idx="2"')


def test_the_config_points_back_at_the_link_it_came_from() -> None:
    values = settings(device(account()))
    assert values[("setting_server", None)] == f"{LINK}/snom715-{UPPER}.htm"
    assert values[("settings_refresh_timer", None)] == "0"
    common = "https://sonata.example.net/v1/token/group-token-0001"
    values = settings(device(model="d735", resync_minutes=90), link=common + "/")
    assert values[("setting_server", None)] == f"{common}/snomD735-{UPPER}.htm"
    assert values[("settings_refresh_timer", None)] == "5400"


def test_the_setting_server_list_is_one_the_phone_can_fetch_back() -> None:
    name = settings(device())[("setting_server", None)].rsplit("/", 1)[1]
    requested = VENDOR.identify_file(name)
    assert requested == RequestedFile(FileKind.BOOT, MAC)


@pytest.mark.parametrize(
    ("zone", "utc_offset", "dst"),
    [
        ("Europe/Berlin", "+3600", "3600 03.05.07 02:00:00 10.05.07 03:00:00"),
        ("America/New_York", "-18000", "3600 03.02.07 02:00:00 11.01.07 02:00:00"),
        ("Australia/Sydney", "+36000", "3600 10.01.07 02:00:00 04.01.07 03:00:00"),
        ("America/St_Johns", "-12600", "3600 03.02.07 02:00:00 11.01.07 02:00:00"),
        ("Australia/Lord_Howe", "+37800", "1800 10.01.07 02:00:00 04.01.07 02:00:00"),
        # negative DST in the zone rule: winter offset as standard, shift forward in summer
        ("Europe/Dublin", "+0", "3600 03.05.07 01:00:00 10.05.07 02:00:00"),
        ("Asia/Kolkata", "+19800", ""),
        ("UTC", "+0", ""),
    ],
)
def test_iana_zones_become_utc_offset_and_dst(zone: str, utc_offset: str, dst: str) -> None:
    values = settings(device(timezone=zone))
    assert values[("timezone", None)] == ""
    assert values[("utc_offset", None)] == utc_offset
    assert values[("dst", None)] == dst


@pytest.mark.parametrize(
    ("zone", "year", "dst"),
    [
        # Friday 02:00 after the fourth Thursday of March (POSIX `M3.4.4/26`): the last Friday in
        # 2024 and 2025, the fourth in 2026 and 2027; weekday 5 = Friday.
        ("Asia/Jerusalem", 2024, "3600 03.05.05 02:00:00 10.05.07 02:00:00"),
        ("Asia/Jerusalem", 2026, "3600 03.04.05 02:00:00 10.05.07 02:00:00"),
        # Saturday 23:00 before the last Sunday of March (`M3.5.0/-1`): the fourth Saturday in 2026
        # and 2027.
        ("America/Nuuk", 2026, "3600 03.04.06 23:00:00 10.05.07 00:00:00"),
    ],
)
def test_changes_outside_the_day_are_written_for_the_year_and_the_next(
    zone: str, year: int, dst: str
) -> None:
    body = render(device(timezone=zone), year=year).decode()
    assert f'<dst perm="">{dst}</dst>' in body


@pytest.mark.parametrize(
    ("offset", "seconds"), [("GMT+03", "+10800"), ("GMT-05", "-18000"), ("GMT+05:45", "+20700")]
)
def test_fixed_offsets_have_no_daylight_saving(offset: str, seconds: str) -> None:
    values = settings(device(timezone_offset=offset))
    assert (values[("utc_offset", None)], values[("dst", None)]) == (seconds, "")


def test_the_iana_zone_wins_over_the_offset() -> None:
    assert (
        settings(device(timezone="Europe/Berlin", timezone_offset="GMT-05"))[("utc_offset", None)] == "+3600"
    )


def test_without_zone_ntp_language_and_password_those_settings_are_left_out() -> None:
    assert set(settings(device())) == {
        ("setting_server", None),
        ("settings_refresh_timer", None),
        ("http_client_user", None),
        ("http_client_pass", None),
    }


def test_the_config_gives_the_phone_its_provisioning_credentials() -> None:
    password = "p&ss<w>\"rd' 1:@/"
    dev = device(provisioning_username="desk-0001@acme", provisioning_password=password)
    values = settings(dev)
    assert (values[("http_client_user", None)], values[("http_client_pass", None)]) == (
        "desk-0001@acme",
        password,
    )
    # In their own settings, not in the URL the phone comes back to.
    assert values[("setting_server", None)] == f"{LINK}/snom715-{UPPER}.htm"


def test_without_provisioning_credentials_the_phones_are_cleared() -> None:
    values = settings(device())
    assert (values[("http_client_user", None)], values[("http_client_pass", None)]) == ("", "")


def test_ntp_admin_password_firmware_and_remote_phonebook() -> None:
    dev = device(
        ntp_server="pool.ntp.org",
        admin_password="s3cret",
        firmware_url="http://fw.example.com/snom/snomD715-10.1.159.12-SIP-r.bin",
        remote_phonebooks=(
            RemotePhonebook("Corp", "http://dir.example.com/a.xml"),
            RemotePhonebook("B", "http://b"),
        ),
    )
    values = settings(dev)
    assert values[("ntp_server", None)] == "pool.ntp.org"
    assert values[("admin_mode_password", None)] == values[("http_pass", None)] == "s3cret"
    assert values[("http_user", None)] == "admin"
    assert values[("update_policy", None)] == "auto_update"
    assert values[("dkey_directory", None)] == "url http://dir.example.com/a.xml"


def test_the_firmware_url_goes_into_the_firmware_file_that_firmware_status_names() -> None:
    # Snom reads <firmware-settings> only from the file whose URL firmware_status gives, and that
    # URL only from <phone-settings> (Snom wiki, "Firmware configuration file").
    dev = device(firmware_url="http://fw.example.com/snom/snomD715-10.1.159.12-SIP-r.bin")
    values = settings(dev)
    assert values[("firmware_status", None)] == f"{LINK}/snom715-{UPPER}-firmware.xml"
    assert values[("update_policy", None)] == "auto_update"
    assert [section.tag for section in root(dev)] == ["phone-settings", "functionKeys"]
    body = render(dev, f"snom715-{UPPER}-firmware.xml")
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<firmware-settings>\n')
    firmware = ET.fromstring(body)
    assert [(element.tag, element.attrib, element.text) for element in firmware] == [
        ("firmware", {"perm": ""}, dev.firmware_url)
    ]


def test_firmware_status_follows_the_link_the_phone_used() -> None:
    common = "https://sonata.example.net/v1/token/group-token-0001"
    dev = device(model="d785", firmware_url="http://fw.example.com/a.bin")
    assert settings(dev, link=common)[("firmware_status", None)] == f"{common}/snomD785-{UPPER}-firmware.xml"


def test_without_a_firmware_url_there_is_no_firmware_status() -> None:
    values = settings(device())
    assert ("firmware_status", None) not in values and ("update_policy", None) not in values


def test_line_keys_in_order_with_their_identity() -> None:
    dev = device(
        account(1),
        account(2, sip_register=HostPort("pbx2.example.com")),
        line_keys=(
            LineKey(LineKeyType.LINE, label="Line 1"),
            LineKey(LineKeyType.BLF, "1002", "Bob", line=2, pickup_code="*8"),
            LineKey(LineKeyType.BLF, "1003@other.example.com", "Carol"),
            LineKey(LineKeyType.BLF, "sip:1004@pbx.example.com", "Dan"),
            LineKey(LineKeyType.SPEED_DIAL, "+4930123456", "Office"),
            LineKey(LineKeyType.DTMF, "*21#", "Forward"),
            LineKey(LineKeyType.KEY_EVENT, "F_ADR_BOOK", "Book"),
        ),
    )
    assert keys(dev) == [
        {"idx": "0", "context": "1", "label": "Line 1", "perm": "", "value": "line"},
        {
            "idx": "1",
            "context": "2",
            "label": "Bob",
            "perm": "",
            "value": "blf <sip:1002@pbx2.example.com>|*8",
        },
        {
            "idx": "2",
            "context": "1",
            "label": "Carol",
            "perm": "",
            "value": "blf <sip:1003@other.example.com>",
        },
        {"idx": "3", "context": "1", "label": "Dan", "perm": "", "value": "blf <sip:1004@pbx.example.com>"},
        {"idx": "4", "context": "1", "label": "Office", "perm": "", "value": "speed +4930123456"},
        {"idx": "5", "context": "1", "label": "Forward", "perm": "", "value": "dtmf *21#"},
        {"idx": "6", "context": "1", "label": "Book", "perm": "", "value": "keyevent F_ADR_BOOK"},
    ]


@pytest.mark.parametrize(
    ("event", "written"),
    [("dnd", "F_DND"), ("DND", "F_DND"), ("conference", "F_CONFERENCE"), ("transfer", "F_TRANSFER"),
     ("hold", "F_HOLD"), ("redial", "F_REDIAL"), ("mute", "F_MUTE"), ("directory", "F_ADR_BOOK"),
     ("voicemail", "F_RETRIEVE"), ("Voice Mail", "F_RETRIEVE"), ("record", "F_REC"),
     ("missed-calls", "F_MISSED_LIST"), ("F_ADR_BOOK", "F_ADR_BOOK"), ("f_dnd", "F_DND"), ("park", "F_PARK")],
)  # fmt: skip
def test_key_events_are_written_with_snoms_f_names(event: str, written: str) -> None:
    assert VENDOR.check_key_event(event) is None
    assert (
        keys(device(line_keys=(LineKey(LineKeyType.KEY_EVENT, event),)))[0]["value"] == f"keyevent {written}"
    )


@pytest.mark.parametrize(
    "event", ["frobnicate", "F_FROBNICATE", "keyevent F_DND", "F_DND F_HOLD", "reboot", "F_", ""]
)
def test_a_key_event_snom_has_not_is_refused_with_what_snom_takes(event: str) -> None:
    problem = VENDOR.check_key_event(event)
    assert problem is not None
    assert "dnd (F_DND)" in problem and "directory (F_ADR_BOOK)" in problem


def test_a_stored_key_event_snom_has_not_leaves_the_key_unused() -> None:
    # Saved before Snom's key events were checked: the key is written as Snom's "none", not a guess.
    assert keys(device(line_keys=(LineKey(LineKeyType.KEY_EVENT, "frobnicate"),)))[0]["value"] == "none"


def _snom_draft(*line_keys: LineKeyDraft) -> DeviceDraft:
    accounts = [AccountDraft(line=1, sip_register="pbx.example.com", sip_user="1001")]
    return DeviceDraft(vendor="snom", model="d715", mac=MAC, accounts=accounts, line_keys=list(line_keys))


def test_saving_a_key_event_snom_has_not_is_a_field_error_on_that_key() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValidationFailed) as failure:
        validate_device(
            _snom_draft(
                LineKeyDraft(LineKeyType.KEY_EVENT, "dnd"), LineKeyDraft(LineKeyType.KEY_EVENT, "frobnicate")
            ),
            None,
            now,
        )
    [error] = failure.value.errors
    assert error.field == "line_keys.1.value"
    assert "F_DND" in error.message
    saved = validate_device(_snom_draft(LineKeyDraft(LineKeyType.KEY_EVENT, "dnd")), None, now)
    assert saved.line_keys[0].value == "dnd"


def test_a_blf_key_of_an_account_without_registrar_names_the_bare_extension() -> None:
    dev = device(line_keys=(LineKey(LineKeyType.BLF, "1002"),))
    assert keys(dev)[0]["value"] == "blf <sip:1002>"


def test_rendering_is_deterministic() -> None:
    dev = device(
        account(1, sip_password="x"), account(2), timezone="Europe/Berlin", ntp_server="ntp.example.org"
    )
    assert render(dev) == render(dev)


# --- the phonebook --------------------------------------------------------------------------


def test_the_phonebook_has_one_item_per_number() -> None:
    dev = device(
        phonebook=(
            Contact("Anna Müller", (ContactNumber("100"), ContactNumber("+49170123", NumberType.MOBILE))),
            Contact("Home Office", (ContactNumber("+4930555", NumberType.HOME),)),
        )
    )
    tbook = root(dev, f"tbook-{UPPER}.xml")
    assert (tbook.tag, tbook.get("e"), tbook.get("complete")) == ("tbook", "2", "true")
    items = [
        (item.attrib, item.findtext("name"), item.findtext("number"), item.findtext("number_type"))
        for item in tbook.findall("item")
    ]
    assert items == [
        ({"context": "active", "type": "none", "index": "0"}, "Anna Müller", "100", "business"),
        ({"context": "active", "type": "none", "index": "1"}, "Anna Müller", "+49170123", "mobile"),
        ({"context": "active", "type": "none", "index": "2"}, "Home Office", "+4930555", "home"),
    ]


def test_an_empty_phonebook_leaves_the_phones_entries_alone() -> None:
    tbook = root(device(), f"tbook-{UPPER}.xml")
    assert (tbook.tag, tbook.attrib, list(tbook)) == ("tbook", {"e": "2"}, [])


# --- vendor params --------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["language", "user_dtmf_info[1]", "fkey[0]", "codec_priority_list[12]", "a"])
def test_valid_params(key: str) -> None:
    assert VENDOR.check_param(MODEL, key, "value") is None


@pytest.mark.parametrize(
    "key",
    ["", "Language", "1abc", "user host", "user_host[x]", "user_host[1", "user_host]1[", "fkey", "<a>", "a.b",
     "user_host[1234]", "language\n", "user_host[\u0661]", "x" * 65],
)  # fmt: skip
def test_invalid_param_keys(key: str) -> None:
    assert VENDOR.check_param(MODEL, key, "value")


@pytest.mark.parametrize("value", ["a\nb", "tab\there", "nul\x00", "\ufffe"])
def test_invalid_param_values(value: str) -> None:
    assert VENDOR.check_param(MODEL, "language", value)


def test_params_replace_rendered_settings_and_add_new_ones() -> None:
    dev = device(
        account(1),
        account(2),
        language="de",
        line_keys=(LineKey(LineKeyType.LINE),),
        vendor_params=(
            ("language", "English"),
            ("user_pass[2]", "new <&> pass"),
            ("user_dtmf_info[1]", "sip_info_only"),
            ("call_waiting", "off"),
            ("fkey[0]", "speed 1"),
            ("fkey[4]", "keyevent F_DND"),
        ),
    )
    values = settings(dev)
    assert values[("language", None)] == "English"
    assert values[("web_language", None)] == "Deutsch"
    assert values[("user_pass", "2")] == "new <&> pass"
    assert values[("user_pass", "1")] == ""
    assert values[("user_dtmf_info", "1")] == "sip_info_only"
    assert values[("call_waiting", None)] == "off"
    assert keys(dev) == [
        {"idx": "0", "context": "1", "label": "", "perm": "", "value": "speed 1"},
        {"idx": "4", "context": "active", "perm": "", "value": "keyevent F_DND"},
    ]


def test_params_go_only_into_the_device_config() -> None:
    dev = device(firmware_url="http://fw.example.com/a.bin", vendor_params=(("language", "English"),))
    assert b"English" not in render(dev, "snomD715.htm")
    assert b"English" not in render(dev, f"tbook-{UPPER}.xml")
    assert b"English" not in render(dev, f"snom715-{UPPER}-firmware.xml")


def test_output_with_params_is_deterministic_and_declared() -> None:
    dev = device(account(), vendor_params=(("language", "English"),))
    assert render(dev) == render(dev)
    assert render(dev).startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<settings>')
