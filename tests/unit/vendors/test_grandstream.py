import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from functools import partial
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.fakes import FakeDatabase, FixedClock, provisioning_service
from tests.unit.vendors import samples
from tests.unit.vendors.samples import ENGINE, LINK, account
from tests.unit.vendors.samples import xml_clean as clean

from sonata.domain.errors import ValidationFailed
from sonata.domain.model import (
    Account,
    Contact,
    ContactNumber,
    Device,
    HostPort,
    LineKey,
    LineKeyType,
    LinkKind,
    NumberType,
    RemotePhonebook,
    Transport,
)
from sonata.domain.services.devices import DeviceService
from sonata.domain.services.provisioning import ProvisioningRequest, Refusal
from sonata.domain.validation import AccountDraft, ContactDraft, DeviceDraft
from sonata.domain.vendors import VENDORS
from sonata.domain.vendors.base import (
    XML,
    FileKind,
    PhoneIdentity,
    PhoneModel,
    RenderedFile,
    RenderRequest,
    RequestedFile,
)
from sonata.domain.vendors.grandstream import Grandstream, GrandstreamModel
from sonata.domain.vendors.grandstream_values import Family

VENDOR = Grandstream()
MAC = "000b82aabbcc"


device = partial(samples.device, vendor="grandstream", model="gxp1620", mac=MAC)
render = partial(samples.render, VENDOR)


def config(dev: Device, link: str = LINK) -> ET.Element:
    root = ET.fromstring(render(dev, link=link))
    found = root.find("config")
    assert found is not None
    return found


# Settings every GXP config carries whatever the device: provisioning (and its credentials, empty
# without any), periodic check, phonebook.
ALWAYS = {"P212", "P237", "P145", "P1360", "P1361", "P194", "P330"}
CREDENTIALS = {"provisioning_username": "desk-0001@acme", "provisioning_password": "p&ss<w>\"rd' 1"}


def p_values(dev: Device, link: str = LINK) -> dict[str, str]:
    values: dict[str, str] = {}
    for element in config(dev, link):
        assert element.tag not in values, f"{element.tag} written twice"
        values[element.tag] = element.text or ""
    return values


def own(dev: Device) -> dict[str, str]:
    """The P-values beyond those every config carries."""
    return {key: value for key, value in p_values(dev).items() if key not in ALWAYS}


def items(dev: Device, link: str = LINK) -> dict[str, str]:
    found = config(dev, link)
    assert found.get("version") == "2"
    values: dict[str, str] = {}
    for element in found:
        name = element.get("name")
        assert element.tag == "item" and name is not None and name not in values
        values[name] = element.text or ""
    return values


def grp(*accounts: Account, **fields: Any) -> Device:
    return device(*accounts, model=fields.pop("model", "grp2614"), **fields)


# --- catalogue ------------------------------------------------------------------------------


def test_the_registry_knows_grandstream() -> None:
    assert isinstance(VENDORS["grandstream"], Grandstream)
    assert VENDOR.id == "grandstream"


GXP16, GXP21, GRP = Family.GXP16XX, Family.GXP21XX, Family.GRP26XX
MODEL_TABLE = [
    ("gxp1610", 1, 2, GXP16),
    ("gxp1620", 2, 2, GXP16),
    ("gxp1625", 2, 2, GXP16),
    ("gxp1628", 2, 10, GXP16),
    ("gxp1630", 3, 11, GXP16),
    ("gxp2130", 3, 11, GXP21),
    ("gxp2135", 4, 8, GXP21),
    ("gxp2140", 4, 4, GXP21),
    ("gxp2160", 6, 30, GXP21),
    ("gxp2170", 6, 12, GXP21),
    ("grp2612", 2, 16, GRP),
    ("grp2613", 3, 24, GRP),
    ("grp2614", 4, 16, GRP),
    ("grp2615", 5, 40, GRP),
    ("grp2616", 6, 16, GRP),
]


@pytest.mark.parametrize(("model", "accounts", "line_keys", "family"), MODEL_TABLE)
def test_catalogue_models(model: str, accounts: int, line_keys: int, family: Family) -> None:
    found = VENDOR.model(model)
    assert isinstance(found, GrandstreamModel)
    assert (found.accounts, found.line_keys, found.family) == (accounts, line_keys, family)
    assert found.name == model.upper()
    assert len(VENDOR.models) == 15


# The display language codes each family's config template lists (P1362 / language.gui, "Display
# Language"; wazo-platform/wazo-provd-plugins plugins/wazo-grandstream/docs/config-template/
# gxp16xx_config_1.0.7.3.txt, gxp2130_40_60_70_35_config_1.0.11.16.txt, grp261x_config_v2_1.0.5.15.xml,
# the GRP list also in FusionPBX resources/templates/provision/grandstream/grp261x/{$mac}.xml),
# without zh-tw, auto and the downloaded language, which have no ISO 639-1 code of their own.
TEMPLATE_LANGUAGES = {
    GXP16: "ar cs de en es fr he hr hu it ja ko lv nl pl pt ru sl se tr zh",
    GXP21: "ar cz de en es fr he hr hu it ja ko lv nl pl pt ru sl se tr zh",
    GRP: "ar cz de en es fr he hr hu it ja ko lv nl pl pt ru sl se tr zh",
}


@pytest.mark.parametrize(("model", "family"), [(model, family) for model, _, _, family in MODEL_TABLE])
def test_each_model_takes_the_language_codes_of_its_familys_template(model: str, family: Family) -> None:
    found = VENDOR.model(model)
    assert found is not None
    languages = VENDOR.model_languages(found)
    assert sorted(languages.values()) == sorted(TEMPLATE_LANGUAGES[family].split())
    assert all(code == value for code, value in languages.items() if code not in ("sv", "cs"))
    assert languages["sv"] == "se"  # Grandstream's code for Svenska


@pytest.mark.parametrize(
    ("model", "czech"), [("gxp1610", "cs"), ("gxp1630", "cs"), ("gxp2130", "cz"), ("gxp2170", "cz")]
)
def test_czech_is_written_the_familys_way(model: str, czech: str) -> None:
    assert p_values(device(model=model, language="cs"))["P1362"] == czech


def test_czech_on_grp_models_is_cz() -> None:
    assert items(grp(language="cs"))["language.gui"] == "cz"


async def test_a_language_is_checked_against_the_models_own_list_at_save() -> None:
    service = DeviceService(FakeDatabase().unit_of_work, FixedClock())
    base = DeviceDraft(vendor="grandstream", model="gxp2170", mac=MAC, language="cs")
    assert (await service.save(base)).language == "cs"
    with pytest.raises(ValidationFailed) as failure:
        await service.save(replace(base, mac="000b82aabbcd", language="eo"))
    [error] = failure.value.errors
    assert (error.field, error.message) == (
        "language",
        "GXP2170 phones take: ar, cs, de, en, es, fr, he, hr, hu, it, ja, ko, lv, nl, pl, pt, ru, sl, sv, tr, zh",
    )


# --- User-Agent ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "expected"),  # expected: "model firmware mac", `-` for no MAC
    [
        # vendors.md
        ("Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 000b82aabbcc", "gxp1620 1.0.4.128 000b82aabbcc"),
        (
            "Grandstream Model HW GXP2200 V2.2A SW 1.0.1.33 DevId 000b82462d97",
            "gxp2200 1.0.1.33 000b82462d97",
        ),
        (
            "Grandstream GXP2000 (gxp2000e.bin:1.2.5.3/boot55e.bin:1.1.6.9) DevId 000b822726c8",
            "gxp2000 1.2.5.3 000b822726c8",
        ),
        # wazo-provd-plugins (Grandstream plugin comments)
        ("Grandstream Model HW GXP1405 SW 1.0.4.23 DevId 000b8240d55c", "gxp1405 1.0.4.23 000b8240d55c"),
        (
            "Grandstream Model HW GXV3240 V1.6B SW 1.0.1.27 DevId 000b82632815",
            "gxv3240 1.0.1.27 000b82632815",
        ),
        ("Grandstream Model HW GXV3350  V1.3A SW 1.0.1.8 DevId c074ad150b88", "gxv3350 1.0.1.8 c074ad150b88"),
        ("Grandstream Model HW GRP2614 SW 1.0.5.15 DevId c074ad0b63ee", "grp2614 1.0.5.15 c074ad0b63ee"),
        ("Grandstream Model HW HT801 V1.1A SW 1.0.17.5 DevId c074ad273a10", "ht801 1.0.17.5 c074ad273a10"),
        # dialects: double spaces, case, MAC spellings, hardware revisions, trailing fields
        (
            "Grandstream  Model HW  GXP1628 SW 1.0.4.138  DevId  c074ad2bd859",
            "gxp1628 1.0.4.138 c074ad2bd859",
        ),
        ("grandstream model hw gxp2170 sw 1.0.11.16 devid EC74D7AABBCC", "gxp2170 1.0.11.16 ec74d7aabbcc"),
        ("GRANDSTREAM Model HW GXP1610 SW 1.0.7.13 DevId 000B82112233", "gxp1610 1.0.7.13 000b82112233"),
        (
            "Grandstream Model HW GXP2140 SW 1.0.11.16 DevId ec:74:d7:aa:bb:cc",
            "gxp2140 1.0.11.16 ec74d7aabbcc",
        ),
        (
            "Grandstream Model HW GRP2616 V1.0B SW 1.0.9.64 DevId c0-74-ad-aa-bb-cc",
            "grp2616 1.0.9.64 c074adaabbcc",
        ),
        ("Grandstream Model HW GXP1630\tSW 1.0.7.13 DevId c074ad000001\r\n", "gxp1630 1.0.7.13 c074ad000001"),
        (
            "Grandstream Model HW GXP2135 V1.0A SW 1.0.11.16 DevId c074ad000002 (lang=en)",
            "gxp2135 1.0.11.16 c074ad000002",
        ),
        # SIP dialect: no MAC
        ("Grandstream GXP2130 1.0.4.17", "gxp2130 1.0.4.17 -"),
        ("Grandstream GRP2612 1.0.5.33", "grp2612 1.0.5.33 -"),
    ],
)
def test_user_agents(user_agent: str, expected: str) -> None:
    model, firmware, mac = expected.split()
    assert VENDOR.parse_user_agent(user_agent) == PhoneIdentity(
        "grandstream", model, firmware, None if mac == "-" else mac
    )


def test_a_malformed_device_id_gives_no_mac_but_keeps_the_rest() -> None:
    identity = VENDOR.parse_user_agent("Grandstream Model HW GXP1620 SW 1.0.4.128 DevId not-a-mac")
    assert identity == PhoneIdentity("grandstream", "gxp1620", "1.0.4.128", None)


def test_a_truncated_user_agent_still_names_the_vendor() -> None:
    assert VENDOR.parse_user_agent("Grandstream Model HW") == PhoneIdentity("grandstream")


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "   ",
        "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc",
        "Fanvil X4 2.10.2.6887 0c383e07e16c",
        "Htek UC903 2.0.4.2 00:1f:c1:1c:22:a9",
        "Mozilla/5.0 (X11; Linux x86_64)",
        "Grandstreamer Model HW GXP1620 SW 1.0.4.128 DevId 000b82aabbcc",
        "NotGrandstream Model HW GXP1620",
    ],
)
def test_other_user_agents_are_not_grandstream(user_agent: str) -> None:
    assert VENDOR.parse_user_agent(user_agent) is None


@given(st.text())
def test_user_agent_parsing_never_fails(user_agent: str) -> None:
    identity = VENDOR.parse_user_agent(user_agent)
    if identity is not None:
        assert identity.vendor == "grandstream"
        assert identity.mac is None or re.fullmatch(r"[0-9a-f]{12}", identity.mac)


# --- file names -----------------------------------------------------------------------------


def test_device_filename() -> None:
    assert VENDOR.device_filename(device()) == "cfg000b82aabbcc.xml"


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("cfg000b82aabbcc.xml", RequestedFile(FileKind.DEVICE_CONFIG, MAC)),
        ("cfg000B82AABBCC.xml", RequestedFile(FileKind.DEVICE_CONFIG, MAC)),
        ("CFG000b82AaBbCc.XML", RequestedFile(FileKind.DEVICE_CONFIG, MAC)),
        ("cfg000b82aabbcc", RequestedFile(FileKind.NOT_SERVED, MAC)),  # binary format
        ("cfg000B82AABBCC", RequestedFile(FileKind.NOT_SERVED, MAC)),
        ("cfggxp1620.xml", RequestedFile(FileKind.COMMON_CONFIG, model="gxp1620")),
        ("cfgGRP2614.xml", RequestedFile(FileKind.COMMON_CONFIG, model="grp2614")),
        ("cfg.xml", RequestedFile(FileKind.COMMON_CONFIG)),
        ("phonebook.xml", RequestedFile(FileKind.PHONEBOOK)),
    ],
)
def test_the_files_grandstream_phones_request(filename: str, expected: RequestedFile) -> None:
    assert VENDOR.identify_file(filename) == expected


@pytest.mark.parametrize(
    "filename",
    [
        "000b82aabbcc.cfg",
        "001565aabbcc.cfg",
        "cfg000b82aabbc.xml",
        "cfg000b82aabbccd.xml",
        "cfg000b82aabbcg.xml",
        "cfg00:0b:82:aa:bb:cc.xml",
        "../cfg000b82aabbcc.xml",
        "cfg000b82aabbcc.xml.bak",
        "cfg000b82aabbcc.xml\n",
        "cfg.xml.bak",
        "cfggxp.xml",
        "cfg1620.xml",
        "phonebook.xml.bak",
        "000b82aabbcc-phonebook.xml",
        "",
    ],
)
def test_other_file_names_are_not_understood(filename: str) -> None:
    assert VENDOR.identify_file(filename) is None


@pytest.mark.parametrize(
    ("filename", "served"),
    [("cfggxp1620.xml", True), ("cfggxp1630.xml", False), ("cfg.xml", True), ("phonebook.xml", True)],
)
def test_a_model_file_belongs_to_devices_of_that_model(filename: str, served: bool) -> None:
    requested = VENDOR.identify_file(filename)
    assert requested is not None
    assert VENDOR.serves(device(), requested) is served


@pytest.mark.parametrize("filename", ["cfggxp1620.xml", "cfg.xml"])
def test_common_files_carry_the_whole_device_config_vendor_params_included(filename: str) -> None:
    dev = device(account(1, sip_password="pw"), vendor_params=(("P8", "1"),))
    assert render(dev, filename) == render(dev)
    assert b"<P8>1</P8>" in render(dev, filename)


@pytest.mark.parametrize(
    ("model", "kind", "template"),
    [
        ("gxp1620", FileKind.DEVICE_CONFIG, "grandstream/device.xml.j2"),
        ("gxp2170", FileKind.COMMON_CONFIG, "grandstream/device.xml.j2"),
        ("grp2614", FileKind.DEVICE_CONFIG, "grandstream/grp.xml.j2"),
        ("grp2612", FileKind.PHONEBOOK, "grandstream/phonebook.xml.j2"),
    ],
)
def test_templates(model: str, kind: FileKind, template: str) -> None:
    request = RenderRequest(device(model=model), RequestedFile(kind), "x", LINK)
    assert VENDOR.template_for(request) == (template, XML)


# --- GXP rendering: head, provisioning ---------------------------------------------------------


def test_the_file_head_is_the_gs_provision_document() -> None:
    body = render(device(account()))
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<gs_provision version="1">\n')
    root = ET.fromstring(body)
    assert root.tag == "gs_provision"
    assert root.get("version") == "1"
    assert root.findtext("mac") == MAC
    assert root.find("config").get("version") == "1"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("link", "protocol", "path"),
    [
        (LINK, "1", "sonata.example.net:8080/v1/device/device-key-0001"),
        (
            "https://prov.example.org/v1/token/group-token-14/",
            "2",
            "prov.example.org/v1/token/group-token-14",
        ),
        ("http://[2001:db8::5]:8080/v1/device/k", "1", "[2001:db8::5]:8080/v1/device/k"),
        ("http://10.0.0.5/v1/device/k?x=1", "1", "10.0.0.5/v1/device/k"),
    ],
)
def test_the_config_points_the_phone_back_at_its_link(link: str, protocol: str, path: str) -> None:
    values = p_values(device(), link)
    assert (values["P212"], values["P237"], values["P145"]) == (protocol, path, "0")


@pytest.mark.parametrize("filename", ["cfg000b82aabbcc.xml", "cfggxp1620.xml", "cfg.xml"])
def test_every_config_gives_the_phone_its_provisioning_credentials(filename: str) -> None:
    config = ET.fromstring(render(device(**CREDENTIALS), filename)).find("config")
    assert config is not None
    assert (config.findtext("P1360"), config.findtext("P1361")) == ("desk-0001@acme", "p&ss<w>\"rd' 1")


def test_without_provisioning_credentials_the_phones_are_cleared() -> None:
    values = p_values(device())
    assert (values["P1360"], values["P1361"]) == ("", "")


def test_without_a_usable_link_the_provisioning_settings_are_left_alone() -> None:
    assert not {"P212", "P237", "P145"} & p_values(device(), "").keys()


@pytest.mark.parametrize(("resync", "p194", "p193"), [(None, "0", None), (1440, "1", "1440"), (5, "1", "60")])
def test_periodic_check(resync: int | None, p194: str, p193: str | None) -> None:
    values = p_values(device(resync_minutes=resync))
    assert values["P194"] == p194
    assert values.get("P193") == p193


@pytest.mark.parametrize(
    ("url", "protocol", "path"),
    [
        ("http://fw.example.com/grandstream/gxp1600fw.bin", "1", "fw.example.com/grandstream"),
        ("https://fw.example.com/gs/", "2", "fw.example.com/gs"),
        ("tftp://10.0.0.1/firmware", "0", "10.0.0.1/firmware"),
        ("ftp://fw.example.com:2121/gs/gxp2100fw.bin", "3", "fw.example.com:2121/gs"),
    ],
)
def test_firmware_location(url: str, protocol: str, path: str) -> None:
    values = own(device(firmware_url=url))
    assert values == {"P6767": protocol, "P192": path}


def test_firmware_credentials_go_to_their_own_settings() -> None:
    values = own(device(firmware_url="https://fw%40user:s3cret@fw.example.com/gs"))
    assert values == {"P6767": "2", "P192": "fw.example.com/gs", "P6768": "fw@user", "P6769": "s3cret"}


def test_admin_password_and_language() -> None:
    assert own(device(admin_password="adm1n", language="pt")) == {"P2": "adm1n", "P1362": "pt"}
    assert not {"P2", "P1362"} & p_values(device()).keys()


# --- time zone ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "p64"),
    [("GMT+03", "TZQ-3"), ("GMT-01", "TZM+1"), ("GMT", "TZN+0"), ("GMT-12", "TZA+12"),
     ("GMT-11", "TZB+11"), ("GMT-10", "HAW10"), ("GMT-04:30", "TZf+4:30"), ("GMT-03", "TZK+3"),
     ("GMT-02", "TZL+2"), ("GMT+02", "TZP-2"), ("GMT+04", "TZR-4"), ("GMT+05", "TZS-5"),
     ("GMT+05:30", "TZT-5:30"), ("GMT+05:45", "TZU-5:45"), ("GMT+06", "TZV-6"), ("GMT+06:30", "TZW-6:30"),
     ("GMT+07", "TZX-7"), ("GMT+08", "TZY-8"), ("GMT+09", "TZZ-9"), ("GMT+10", "TZb-10"),
     ("GMT+11", "TZc-11"), ("GMT+12", "TZd-12"), ("GMT+13", "TZe-13")],
)  # fmt: skip
def test_offsets_of_the_phone_list_go_to_p64(offset: str, p64: str) -> None:
    assert own(device(tz=offset)) == {"P64": p64, "P143": "0"}


@pytest.mark.parametrize(
    ("offset", "posix"),
    [("GMT+01", "UTC-1"), ("GMT-05", "UTC+5"), ("GMT-08", "UTC+8"), ("GMT+03:30", "UTC-3:30"),
     ("GMT-09:30", "UTC+9:30"), ("GMT+08:45", "UTC-8:45"), ("GMT+14", "UTC-14")],
)  # fmt: skip
def test_offsets_missing_from_the_phone_list_are_customised_in_p246(offset: str, posix: str) -> None:
    assert own(device(tz=offset)) == {"P64": "customize", "P246": posix, "P143": "0"}


@pytest.mark.parametrize(
    ("zone", "p64", "p246"),
    [
        # identical to the phone's own list entries for Berlin and London
        ("Europe/Berlin", "customize", "CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00"),
        ("Europe/London", "customize", "GMT+0BST-1,M3.5.0/01:00:00,M10.5.0/02:00:00"),
        ("America/New_York", "customize", "EST+5EDT+4,M3.2.0/02:00:00,M11.1.0/02:00:00"),
        ("America/St_Johns", "customize", "NST+3:30NDT+2:30,M3.2.0/02:00:00,M11.1.0/02:00:00"),
        ("Australia/Sydney", "customize", "AEST-10AEDT-11,M10.1.0/02:00:00,M4.1.0/03:00:00"),
        ("Asia/Jerusalem", "customize", "IST-2IDT-3,M3.4.4/26:00:00,M10.5.0/02:00:00"),
        ("America/Nuuk", "customize", "UTC+2DST+1,M3.5.0/-01:00:00,M10.5.0/00:00:00"),
        ("Australia/Lord_Howe", "customize", "UTC-10:30DST-11,M10.1.0/02:00:00,M4.1.0/02:00:00"),
        # no daylight saving: the phone's fixed-offset entry
        ("Asia/Tokyo", "TZZ-9", None),
        ("Asia/Kolkata", "TZT-5:30", None),
        ("Europe/Istanbul", "TZQ-3", None),
        ("UTC", "TZN+0", None),
        ("Australia/Eucla", "customize", "UTC-8:45"),
    ],
)
def test_iana_zones_with_their_daylight_saving(zone: str, p64: str, p246: str | None) -> None:
    values = own(device(timezone=zone))
    assert values.pop("P143") == "0"
    assert values == ({"P64": p64, "P246": p246} if p246 else {"P64": p64})


def test_an_iana_zone_wins_over_the_offset() -> None:
    assert own(device(tz="GMT+03", timezone="Asia/Tokyo"))["P64"] == "TZZ-9"


def test_ntp_server_goes_to_p30_and_dhcp_may_not_replace_it() -> None:
    assert own(device(ntp="pool.ntp.org")) == {"P30": "pool.ntp.org", "P144": "0"}


def test_without_time_zone_and_ntp_server_those_settings_are_left_out() -> None:
    assert not {"P30", "P64", "P246", "P143", "P144"} & p_values(device(account())).keys()


# --- accounts -----------------------------------------------------------------------------------

ACCOUNT_P = {
    # line: enable, name, display, server, user, auth, password, transport, expires, proxy, backup, voicemail
    1: "P271 P270 P3 P47 P35 P36 P34 P130 P32 P48 P2312 P33",
    2: "P401 P417 P407 P402 P404 P405 P406 P448 P412 P403 P2412 P426",
    3: "P501 P517 P507 P502 P504 P505 P506 P548 P512 P503 P2512 P526",
    4: "P601 P617 P607 P602 P604 P605 P606 P648 P612 P603 P2612 P626",
    5: "P1701 P1717 P1707 P1702 P1704 P1705 P1706 P1748 P1712 P1703 P2712 P1726",
    6: "P1801 P1817 P1807 P1802 P1804 P1805 P1806 P1848 P1812 P1803 P2812 P1826",
}


@pytest.mark.parametrize("line", range(1, 7))
def test_every_account_field_has_its_p_value(line: int) -> None:
    dev = device(
        account(
            line, name="N", sip_name="D", sip_password="pw", sip_auth="auth", transport=Transport.TCP,
            register_expires=1800, outbound_proxy=HostPort("proxy.example.com", 5070),
            backup_server=HostPort("backup.example.com"), voicemail="*97",
        ),
        model="gxp2160",
    )  # fmt: skip
    names = ACCOUNT_P[line].split()
    expected = ["1", "N", "D", "pbx.example.com:5060", f"10{line:02d}", "auth", "pw", "1", "30",
                "proxy.example.com:5070", "backup.example.com:5060", "*97"]  # fmt: skip
    assert own(dev) == dict(zip(names, expected, strict=True))


def test_account_p_values_are_distinct() -> None:
    numbers = " ".join(ACCOUNT_P.values()).split()
    assert len(numbers) == len(set(numbers))


def test_two_accounts_are_written_with_their_own_p_values() -> None:
    dev = device(
        account(1, name="Reception", sip_name="Alice", sip_password="s1", sip_auth="auth1"),
        account(2, sip_register=HostPort("10.0.0.1", 5062), name="Second", sip_name="Bob", sip_password="s2"),
    )
    assert own(dev) == {
        "P271": "1", "P270": "Reception", "P3": "Alice", "P47": "pbx.example.com:5060",
        "P35": "1001", "P36": "auth1", "P34": "s1", "P130": "0", "P48": "", "P2312": "", "P33": "",
        "P401": "1", "P417": "Second", "P407": "Bob", "P402": "10.0.0.1:5062",
        "P404": "1002", "P405": "1002", "P406": "s2", "P448": "0", "P403": "", "P2412": "", "P426": "",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("transport", "number"), [(Transport.UDP, "0"), (Transport.TCP, "1"), (Transport.TLS, "2")]
)
def test_transport(transport: Transport, number: str) -> None:
    assert own(device(account(transport=transport)))["P130"] == number


@pytest.mark.parametrize(
    ("seconds", "minutes"), [(30, "1"), (60, "1"), (61, "2"), (3599, "60"), (3600, "60"), (604800, "10080")]
)
def test_register_expiry_is_written_in_minutes_rounded_up(seconds: int, minutes: str) -> None:
    assert own(device(account(register_expires=seconds)))["P32"] == minutes


def test_without_an_expiry_the_phone_keeps_its_own() -> None:
    assert "P32" not in own(device(account()))


def test_an_ipv6_registrar_is_bracketed() -> None:
    assert own(device(account(sip_register=HostPort("2001:db8::1", 5070))))["P47"] == "[2001:db8::1]:5070"


def test_a_disabled_account_is_written_with_enable_0() -> None:
    values = own(device(account(1), Account(line=2, sip_register=None, sip_user="", enabled=False)))
    assert (values["P271"], values["P401"], values["P402"], values["P404"]) == ("1", "0", "", "")


def test_accounts_are_written_in_line_order_and_within_the_model() -> None:
    body = render(device(account(2), account(1), account(3))).decode()
    assert body.index("<P271>") < body.index("<P401>")
    assert "<P501>" not in body  # a GXP1620 has two accounts


# --- programmable keys --------------------------------------------------------------------------

LINE = LineKey(LineKeyType.LINE, label="Line 1")
BLF = LineKey(LineKeyType.BLF, "1003", "Bob", 1, "*8")
SPEED = LineKey(LineKeyType.SPEED_DIAL, "+4930123", "Office", 2)
DTMF = LineKey(LineKeyType.DTMF, "123#", "Code")


def keys_of(model: str, *keys: LineKey) -> dict[str, str]:
    return own(device(account(1), account(2), model=model, line_keys=keys))


def without_accounts(values: dict[str, str]) -> dict[str, str]:
    accounts = set(" ".join(ACCOUNT_P.values()).split()) | {"P1347", "P481"}
    return {key: value for key, value in values.items() if key not in accounts}


def test_gxp16xx_line_keys_then_multi_purpose_keys() -> None:
    values = without_accounts(keys_of("gxp1628", LINE, BLF, SPEED, DTMF))
    assert values == {
        "P1363": "0", "P1364": "0", "P1465": "Line 1", "P1466": "",  # line key 1: line
        "P1365": "11", "P1366": "0", "P1467": "Bob", "P1468": "1003",  # line key 2: BLF
        "P323": "0", "P301": "1", "P302": "Office", "P303": "+4930123",  # MPK 1: speed dial, account 2
        "P324": "5", "P304": "0", "P305": "Code", "P306": "123#",  # MPK 2: DTMF
    }  # fmt: skip


def test_a_blf_pickup_code_sets_the_accounts_call_pickup_prefix() -> None:
    assert keys_of("gxp1628", LINE, BLF)["P1347"] == "*8"
    other = LineKey(LineKeyType.BLF, "1004", "Eve", 2, "**")
    assert keys_of("gxp1628", other, BLF)["P481"] == "**"
    assert "P1347" not in keys_of("gxp1628", LINE)


# Line-key modes 11 (BLF) and 19 (Call Park) are "for GXP1628/1630 only" in Grandstream's GXP16xx
# template 1.0.7.3; FusionPBX's gxp16xx template (firmware 1.0.4.33) lists neither for any model.
@pytest.mark.parametrize("model", ["gxp1610", "gxp1620", "gxp1625"])
def test_line_keys_without_blf_mode_call_the_extension_as_a_speed_dial(model: str) -> None:
    values = keys_of(model, BLF)
    assert (values["P1363"], values["P1466"]) == ("10", "1003")


@pytest.mark.parametrize("model", ["gxp1610", "gxp1620", "gxp1625"])
def test_line_keys_without_call_park_mode_leave_a_park_key_unused(model: str) -> None:
    values = keys_of(model, LineKey(LineKeyType.KEY_EVENT, "park", "Park"))
    assert (values["P1363"], values["P1364"], values["P1465"], values["P1466"]) == ("0", "0", "", "")


@pytest.mark.parametrize("model", ["gxp1628", "gxp1630"])
def test_gxp1628_and_gxp1630_line_keys_take_blf_and_call_park(model: str) -> None:
    values = keys_of(model, BLF, LineKey(LineKeyType.KEY_EVENT, "park", "Park", 2))
    assert (values["P1363"], values["P1365"], values["P1366"]) == ("11", "19", "1")


def test_gxp21xx_line_keys_beyond_six_and_their_mpks() -> None:
    keys = [LineKey(LineKeyType.SPEED_DIAL, str(100 + n), f"K{n}") for n in range(1, 13)]
    values = keys_of("gxp2170", *keys)
    assert (values["P1373"], values["P1476"]) == ("10", "106")  # key 6
    assert (values["P23800"], values["P23801"], values["P23802"], values["P23803"]) == (
        "10",
        "0",
        "K7",
        "107",
    )
    assert values["P23823"] == "112"  # key 12


@pytest.mark.parametrize(
    ("mpk", "numbers"),
    [(7, ("P329", "P319", "P320", "P321")), (8, ("P353", "P354", "P355", "P356")),
     (9, ("P357", "P358", "P359", "P360")), (18, ("P393", "P394", "P395", "P396")),
     (19, ("P1440", "P1441", "P1442", "P1443")), (24, ("P1460", "P1461", "P1462", "P1463"))],
)  # fmt: skip
def test_gxp2160_multi_purpose_key_numbers(mpk: int, numbers: tuple[str, ...]) -> None:
    keys = [LineKey(LineKeyType.LINE)] * 6 + [
        LineKey(LineKeyType.BLF, f"2{n:02d}", f"M{n}") for n in range(1, 25)
    ]
    values = keys_of("gxp2160", *keys)
    assert tuple(values[n] for n in numbers) == ("1", "0", f"M{mpk}", f"2{mpk:02d}")


@pytest.mark.parametrize(
    ("event", "line_mode", "mpk_mode"),
    [("voicemail", "16", "6"), ("Call Return", "17", "7"), ("transfer", "18", "8"), ("park", "19", "9"),
     ("call_park", "19", "9"), ("intercom", "20", "10"), ("LDAP", "21", "11"), ("paging", "23", "13")],
)  # fmt: skip
def test_key_events(event: str, line_mode: str, mpk_mode: str) -> None:
    key = LineKey(LineKeyType.KEY_EVENT, event, "E")
    values = keys_of("gxp1630", *[key] * 4)
    assert (values["P1363"], values["P1466"]) == (line_mode, "")
    assert values["P323"] == mpk_mode


def test_keys_the_slot_cannot_take_are_left_unused() -> None:
    unknown = LineKey(LineKeyType.KEY_EVENT, "self-destruct", "X", 2)
    values = without_accounts(keys_of("gxp2130", unknown, LINE, LINE, LINE, unknown))
    assert values == {
        "P1363": "0", "P1364": "0", "P1465": "", "P1466": "",
        **{f"P{n}": v for n, v in [(1365, "0"), (1366, "0"), (1467, "Line 1"), (1468, ""),
                                   (1367, "0"), (1368, "0"), (1469, "Line 1"), (1470, "")]},
        "P323": "-1", "P301": "0", "P302": "", "P303": "",  # a line key on an MPK: unused
        "P324": "-1", "P304": "0", "P305": "", "P306": "",  # an unknown event: unused
    }  # fmt: skip


def test_keys_beyond_the_model_are_not_written() -> None:
    values = keys_of("gxp1620", LINE, LINE, SPEED)
    assert "P323" not in values and "P1367" not in values


# --- phonebook ----------------------------------------------------------------------------------

CONTACTS = (
    Contact("Anna Müller", (ContactNumber("101"), ContactNumber("+49170", NumberType.MOBILE))),
    Contact("Bob <Home>", (ContactNumber("0301234", NumberType.HOME),)),
)


def test_the_config_points_at_sonatas_phonebook_on_the_same_link() -> None:
    values = own(device(phonebook=CONTACTS, resync_minutes=30))
    assert p_values(device(phonebook=CONTACTS))["P330"] == "1"
    assert (values["P331"], values["P332"]) == ("sonata.example.net:8080/v1/device/device-key-0001", "30")
    secure = p_values(device(phonebook=CONTACTS), "https://prov.example.org/v1/token/t")
    assert (secure["P330"], secure["P331"], secure["P332"]) == ("3", "prov.example.org/v1/token/t", "0")


def test_a_remote_phonebook_is_used_when_sonata_has_none() -> None:
    remote = (RemotePhonebook("Company", "https://pbx.example.net/pb/phonebook.xml"),)
    values = p_values(device(remote_phonebooks=remote, resync_minutes=2000))
    assert (values["P330"], values["P331"], values["P332"]) == ("3", "pbx.example.net/pb", "720")
    values = p_values(device(remote_phonebooks=remote, phonebook=CONTACTS))
    assert values["P331"].startswith("sonata.example.net")


@pytest.mark.parametrize(
    ("url", "protocol", "path"),
    [
        # The phone appends phonebook.xml to P331: a URL naming that file gives its directory.
        ("https://pbx.example.net/phonebook.xml", "3", "pbx.example.net"),
        ("http://pbx.example.net:8080/pb/phonebook.xml?v=2", "1", "pbx.example.net:8080/pb"),
        ("tftp://10.0.0.1/gs/phonebook.xml", "2", "10.0.0.1/gs"),
        # A directory is taken as it is.
        ("https://pbx.example.net/pb/", "3", "pbx.example.net/pb"),
        ("https://pbx.example.net/pb", "3", "pbx.example.net/pb"),
        ("https://pbx.example.net", "3", "pbx.example.net"),
    ],
)
def test_a_remote_phonebook_path_is_the_directory_the_phone_appends_phonebook_xml_to(
    url: str, protocol: str, path: str
) -> None:
    values = p_values(device(remote_phonebooks=(RemotePhonebook("Company", url),)))
    assert (values["P330"], values["P331"]) == (protocol, path)
    assert not values["P331"].endswith("phonebook.xml")


@pytest.mark.parametrize(
    "url",
    [
        "https://pbx.example.net/pb/company.xml",
        "https://pbx.example.net/phonebook.php?mac=x",
        "https://pbx.example.net/Phonebook.XML",  # the phone asks for the lowercase name
        "ftp://pbx.example.net/pb/",  # no phonebook download over FTP
    ],
)
def test_a_remote_phonebook_the_phone_cannot_fetch_is_skipped(url: str) -> None:
    values = p_values(device(remote_phonebooks=(RemotePhonebook("Company", url),)))
    assert values["P330"] == "0"
    assert "P331" not in values
    grp_items = items(grp(remote_phonebooks=(RemotePhonebook("Company", url),)))
    assert grp_items["phonebook.download.mode"] == "Disabled"


def test_sonatas_phonebook_is_downloaded_with_the_phone_credentials() -> None:
    # Sonata asks for the credentials on phonebook.xml too; the phonebook download has its own
    # HTTP/HTTPS user name and password (P6713/P6714, GRP phonebook.download.username|password).
    values = p_values(device(phonebook=CONTACTS, **CREDENTIALS))
    assert (values["P6713"], values["P6714"]) == ("desk-0001@acme", "p&ss<w>\"rd' 1")
    assert values["P331"] == "sonata.example.net:8080/v1/device/device-key-0001"
    grp_items = items(grp(phonebook=CONTACTS, **CREDENTIALS))
    assert (grp_items["phonebook.download.username"], grp_items["phonebook.download.password"]) == (
        "desk-0001@acme",
        "p&ss<w>\"rd' 1",
    )


def test_without_phone_credentials_the_phonebook_credentials_are_cleared() -> None:
    values = p_values(device(phonebook=CONTACTS))
    assert (values["P6713"], values["P6714"]) == ("", "")
    grp_items = items(grp(phonebook=CONTACTS))
    assert grp_items["phonebook.download.username"] == grp_items["phonebook.download.password"] == ""


def test_a_remote_phonebook_gets_the_credentials_of_its_own_url_never_the_phones() -> None:
    remote = (RemotePhonebook("Company", "https://pb%40user:s3cret@pbx.example.net/pb/phonebook.xml"),)
    values = p_values(device(remote_phonebooks=remote, **CREDENTIALS))
    assert (values["P331"], values["P6713"], values["P6714"]) == ("pbx.example.net/pb", "pb@user", "s3cret")
    plain = p_values(
        device(remote_phonebooks=(RemotePhonebook("Company", "https://pbx.example.net/"),), **CREDENTIALS)
    )
    assert (plain["P6713"], plain["P6714"]) == ("", "")


def test_without_a_phonebook_download_no_phonebook_credentials_are_written() -> None:
    assert not {"P6713", "P6714"} & p_values(device(**CREDENTIALS)).keys()


def test_the_next_remote_phonebook_takes_the_place_of_one_naming_another_file() -> None:
    remote = (
        RemotePhonebook("Company", "https://pbx.example.net/pb/company.xml"),
        RemotePhonebook("Branch", "https://branch.example.net/gs/phonebook.xml"),
        RemotePhonebook("Other", "https://other.example.net/"),
    )
    assert p_values(device(remote_phonebooks=remote))["P331"] == "branch.example.net/gs"
    grp_items = items(grp(remote_phonebooks=remote))
    assert (grp_items["phonebook.download.mode"], grp_items["phonebook.download.server"]) == (
        "EnabledUseHTTPS",
        "branch.example.net/gs",
    )


def test_sonatas_own_phonebook_link_is_never_cut() -> None:
    """The link is a directory even where its last segment has a dot."""
    values = p_values(device(phonebook=CONTACTS), "https://prov.example.org/v1/device/key.v2")
    assert values["P331"] == "prov.example.org/v1/device/key.v2"


def test_without_a_phonebook_the_download_is_off() -> None:
    values = p_values(device())
    assert values["P330"] == "0"
    assert not {"P331", "P332"} & values.keys()


def test_the_phonebook_file() -> None:
    body = render(device(phonebook=CONTACTS), "phonebook.xml")
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<AddressBook>')
    root = ET.fromstring(body)
    contacts = [
        (c.findtext("FirstName"), [(p.get("type"), p.findtext("phonenumber"), p.findtext("accountindex"))
                                   for p in c.findall("Phone")])
        for c in root.findall("Contact")
    ]  # fmt: skip
    assert contacts == [
        ("Anna Müller", [("Work", "101", "0"), ("Cell", "+49170", "0")]),
        ("Bob <Home>", [("Home", "0301234", "0")]),
    ]


def test_an_empty_phonebook_is_an_empty_address_book() -> None:
    root = ET.fromstring(render(device(), "phonebook.xml"))
    assert root.tag == "AddressBook" and len(root) == 0


def test_vendor_params_stay_out_of_the_phonebook() -> None:
    body = render(device(vendor_params=(("P8", "1"),)), "phonebook.xml")
    assert b"P8" not in body


# --- GRP26xx: named items -----------------------------------------------------------------------


def test_grp_files_are_named_items() -> None:
    body = render(grp(account()))
    assert b'<config version="2">' in body and b"<P" not in body
    root = ET.fromstring(body)
    assert root.tag == "gs_provision" and root.findtext("mac") == MAC


def test_grp_account_items() -> None:
    dev = grp(
        account(1, name="Reception", sip_name="Alice", sip_password="s1", sip_auth="auth1",
                transport=Transport.TLS, register_expires=900, outbound_proxy=HostPort("proxy.example.com"),
                voicemail="*97", backup_server=HostPort("pbx2.example.com", 5070)),
        Account(line=2, sip_register=None, sip_user="", enabled=False),
    )  # fmt: skip
    values = items(dev)
    assert {k: v for k, v in values.items() if k.startswith("account.1.")} == {
        "account.1.enable": "Yes", "account.1.name": "Reception", "account.1.sip.subscriber.name": "Alice",
        "account.1.sip.server.1.address": "pbx.example.com:5061", "account.1.sip.userid": "1001",
        "account.1.sip.subscriber.userid": "auth1", "account.1.sip.subscriber.password": "s1",
        "account.1.sip.transport": "TlsOrTcp", "account.1.sip.registerExpiration": "15",
        "account.1.sip.outboundProxy.1.address": "proxy.example.com:5061",
        "account.1.sip.server.2.address": "pbx2.example.com:5070", "account.1.sip.voicemail.number": "*97",
    }  # fmt: skip
    assert values["account.2.enable"] == "No"


def test_grp_global_items() -> None:
    dev = grp(
        account(), ntp="pool.ntp.org", timezone="America/New_York", resync_minutes=240, language="fr",
        admin_password="adm1n", firmware_url="https://fw.example.com/grp/grp2600fw.bin", phonebook=CONTACTS,
    )  # fmt: skip
    values = {k: v for k, v in items(dev).items() if not k.startswith("account.")}
    assert values == {
        "provisioning.config.protocol": "HTTP",
        "provisioning.config.serverPath": "sonata.example.net:8080/v1/device/device-key-0001",
        "provisioning.config.username": "", "provisioning.config.password": "",
        "provisioning.override.dhcp.allowCommonOptions": "No",
        "provisioning.auto.mode": "YesUpgradeMin", "provisioning.auto.minute": "240",
        "provisioning.firmware.protocol": "HTTPS", "provisioning.firmware.serverPath": "fw.example.com/grp",
        "users.admin.password": "adm1n", "language.gui": "fr",
        "dateTime.ntp.server.1": "pool.ntp.org", "dateTime.override.dhcp.allowOption42": "No",
        "dateTime.timezone": "customize",
        "dateTime.timezone.custom": "EST+5EDT+4,M3.2.0/02:00:00,M11.1.0/02:00:00",
        "dateTime.override.dhcp.allowOption2": "No",
        "phonebook.download.mode": "EnabledUseHTTP",
        "phonebook.download.username": "", "phonebook.download.password": "",
        "phonebook.download.server": "sonata.example.net:8080/v1/device/device-key-0001",
        "phonebook.download.interval": "240",
    }  # fmt: skip


@pytest.mark.parametrize("filename", ["cfg000b82aabbcc.xml", "cfggrp2614.xml", "cfg.xml"])
def test_grp_configs_give_the_phone_its_provisioning_credentials(filename: str) -> None:
    config = ET.fromstring(render(grp(**CREDENTIALS), filename)).find("config")
    assert config is not None
    values = {item.get("name"): item.text for item in config}
    assert values["provisioning.config.username"] == "desk-0001@acme"
    assert values["provisioning.config.password"] == "p&ss<w>\"rd' 1"


def test_grp_defaults_switch_the_periodic_check_and_phonebook_off() -> None:
    values = items(grp())
    assert values == {
        "provisioning.config.protocol": "HTTP",
        "provisioning.config.serverPath": "sonata.example.net:8080/v1/device/device-key-0001",
        "provisioning.config.username": "", "provisioning.config.password": "",
        "provisioning.override.dhcp.allowCommonOptions": "No",
        "provisioning.auto.mode": "No", "phonebook.download.mode": "Disabled",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("resync", "interval"), [(1, "120"), (120, "120"), (121, "240"), (500, "720"), (9999, "720")]
)
def test_grp_phonebook_interval_takes_the_phones_steps(resync: int, interval: str) -> None:
    assert items(grp(phonebook=CONTACTS, resync_minutes=resync))["phonebook.download.interval"] == interval


def test_grp_keys_are_virtual_keys_with_named_modes() -> None:
    event = LineKey(LineKeyType.KEY_EVENT, "voicemail", "VM", 2)
    unknown = LineKey(LineKeyType.KEY_EVENT, "nope", "?", 2)
    values = items(grp(account(1), account(2), line_keys=(LINE, BLF, SPEED, DTMF, event, unknown)))
    keys = {k: v for k, v in values.items() if k.startswith("pks.")}
    assert keys == {
        "pks.vpk.1.keyMode": "Line", "pks.vpk.1.account": "0", "pks.vpk.1.description": "Line 1",
        "pks.vpk.1.value": "",
        "pks.vpk.2.keyMode": "BLF", "pks.vpk.2.account": "0", "pks.vpk.2.description": "Bob",
        "pks.vpk.2.value": "1003",
        "pks.vpk.3.keyMode": "SpeedDial", "pks.vpk.3.account": "1", "pks.vpk.3.description": "Office",
        "pks.vpk.3.value": "+4930123",
        "pks.vpk.4.keyMode": "DialDTMF", "pks.vpk.4.account": "0", "pks.vpk.4.description": "Code",
        "pks.vpk.4.value": "123#",
        "pks.vpk.5.keyMode": "VoiceMail", "pks.vpk.5.account": "1", "pks.vpk.5.description": "VM",
        "pks.vpk.5.value": "",
        "pks.vpk.6.keyMode": "None", "pks.vpk.6.account": "0", "pks.vpk.6.description": "",
        "pks.vpk.6.value": "",
    }  # fmt: skip
    assert values["account.1.sip.blf.callPickup.prefix"] == "*8"


def test_grp_keys_beyond_the_model_are_not_written() -> None:
    values = items(grp(line_keys=(SPEED,) * 20, model="grp2612"))
    assert "pks.vpk.16.keyMode" in values and "pks.vpk.17.keyMode" not in values


# --- vendor params ------------------------------------------------------------------------------


catalogued = partial(samples.catalogued, VENDOR)


GXP1620, GXP2160, GRP2614 = catalogued("gxp1620"), catalogued("gxp2160"), catalogued("grp2614")


@pytest.mark.parametrize("key", ["P8", "P1362", "P99999"])
@pytest.mark.parametrize("model", [GXP1620, GXP2160])
def test_gxp_models_accept_p_values(model: PhoneModel, key: str) -> None:
    assert VENDOR.check_param(model, key, "1") is None


@pytest.mark.parametrize("key", ["account.1.sip.header.100rel", "network.802.1x.mode", "pks.vpk.3.keyMode"])
def test_grp_models_accept_item_names(key: str) -> None:
    assert VENDOR.check_param(GRP2614, key, "1") is None


@pytest.mark.parametrize("key", ["P8", "P1362"])
def test_a_p_value_is_refused_on_a_grp_model(key: str) -> None:
    problem = VENDOR.check_param(GRP2614, key, "1")
    assert problem is not None and "GRP2614" in problem and "item names" in problem


@pytest.mark.parametrize("key", ["account.1.sip.header.100rel", "network.cdp"])
def test_an_item_name_is_refused_on_a_gxp_model(key: str) -> None:
    problem = VENDOR.check_param(GXP1620, key, "1")
    assert problem is not None and "GXP1620" in problem and "P-values" in problem


@pytest.mark.parametrize(
    "key",
    ["", "P", "p8", "P123456", "8", "P8 ", "a b", "account", "account..1", ".account.1", "account.1.",
     "<P8>", "P8><P2", "item\"x", "account.1.enable\n", "P8\n", "a-b.c", "a." + "b" * 130],
)  # fmt: skip
@pytest.mark.parametrize("model", [GXP1620, GRP2614])
def test_rejected_param_keys(model: PhoneModel, key: str) -> None:
    assert VENDOR.check_param(model, key, "1") is not None


@pytest.mark.parametrize("value", ["a\nb", "x\ry", "nul\x00", "\x1b[0m", "\ud800"])
def test_rejected_param_values(value: str) -> None:
    assert VENDOR.check_param(GXP1620, "P8", value) is not None
    assert VENDOR.check_param(GRP2614, "network.cdp", value) is not None


def test_a_p_value_sonata_renders_is_replaced_not_repeated() -> None:
    dev = device(
        account(1, name="Old"), ntp="pool.ntp.org", vendor_params=(("P270", "New"), ("P30", "ntp.lan"))
    )
    values = p_values(dev)  # p_values fails on a repeated element
    assert (values["P270"], values["P30"]) == ("New", "ntp.lan")


def test_item_names_stay_out_of_gxp_files_and_p_values_out_of_grp_files() -> None:
    # check_param refuses such keys; rendering keeps a stored one out all the same.
    params = (("P8", "1"), ("network.cdp", "No"))
    assert p_values(device(vendor_params=params))["P8"] == "1"
    assert "network.cdp" not in render(device(vendor_params=params)).decode()
    values = items(grp(vendor_params=params))
    assert values["network.cdp"] == "No" and "P8" not in values


def test_an_item_sonata_renders_is_replaced_not_repeated() -> None:
    dev = grp(
        account(1), vendor_params=(("account.1.sip.transport", "TCP"), ("provisioning.auto.mode", "No"))
    )
    values = items(dev)  # items fails on a repeated item
    assert values["account.1.sip.transport"] == "TCP"


@pytest.mark.parametrize("value", ["</P8><P2>admin</P2>", '"><item name="x">', "&amp; <>", "日本語"])
def test_param_values_cannot_break_out(value: str) -> None:
    assert p_values(device(vendor_params=(("P8", value),)))["P8"] == value
    assert items(grp(vendor_params=(("network.cdp", value),)))["network.cdp"] == value


# --- determinism and hostile text -------------------------------------------------------------------


def test_rendering_is_deterministic() -> None:
    dev = device(account(1, sip_password="x"), account(2), tz="GMT+05:30", ntp="ntp.example.org",
                 line_keys=(BLF, SPEED), phonebook=CONTACTS, vendor_params=(("P8", "1"),))  # fmt: skip
    assert render(dev) == render(dev)
    assert render(replace(dev, model="grp2612")) == render(replace(dev, model="grp2612"))


HOSTILE = [
    "a\nb",
    "line\r\nbreak",
    "quote \" and ' apostrophe",
    "</P270><P2>admin</P2>",
    "<![CDATA[x]]>",
    "&amp; & &#0; &lt;",
    "日本語の名前",
    "Ελληνικά",
    "tab\there",
    "nul\x00byte\x7f",
    "-->",
    "\ufffe\uffff",
    "lone \ud800 surrogate",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_stay_inside_their_element(value: str) -> None:
    dev = device(
        account(name=value, sip_name=value, sip_password=value, sip_user=value, voicemail=value),
        ntp=value, admin_password=value, line_keys=(LineKey(LineKeyType.SPEED_DIAL, value, value),),
    )  # fmt: skip
    values = own(dev)
    expected = clean(value)
    for key in ("P30", "P270", "P3", "P35", "P36", "P34", "P33", "P2", "P1465", "P1466"):
        assert values[key] == expected
    grp_values = items(replace(dev, model="grp2614"))
    assert grp_values["account.1.name"] == grp_values["pks.vpk.1.description"] == expected


@given(st.text(), st.text(), st.text())
def test_any_text_gives_well_formed_xml(name: str, display: str, password: str) -> None:
    values = own(device(account(name=name, sip_name=display, sip_password=password)))
    assert (values["P270"], values["P3"], values["P34"]) == (clean(name), clean(display), clean(password))


# --- the boot sequence through the provisioning service ----------------------------------------

UA = "Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 000b82aabbcc"
COMMON_LINK = "http://sonata.example.net/v1/token/group-token-0001"


async def _boot(filename: str, link: LinkKind, ua: str | None) -> RenderedFile | Refusal:
    database = FakeDatabase()
    clock = FixedClock()
    await DeviceService(database.unit_of_work, clock).save(
        DeviceDraft(
            key="personal-key-0001", token="group-token-0001", vendor="grandstream", model="gxp1620", mac=MAC,
            accounts=[AccountDraft(line=1, sip_register="pbx.example.com", sip_user="1001")],
            phonebook=[ContactDraft("Anna", [ContactNumber("101")])],
        )
    )  # fmt: skip
    service = provisioning_service(database, ENGINE, clock)
    secret = "personal-key-0001" if link is LinkKind.PERSONAL else "group-token-0001"
    return await service.provision(ProvisioningRequest(link, secret, filename, "192.0.2.7", ua, COMMON_LINK))


@pytest.mark.parametrize("link", [LinkKind.PERSONAL, LinkKind.COMMON])
@pytest.mark.parametrize("filename", ["cfg000b82aabbcc.xml", "cfggxp1620.xml", "cfg.xml", "phonebook.xml"])
async def test_each_file_of_the_boot_sequence_is_served_on_both_links(filename: str, link: LinkKind) -> None:
    outcome = await _boot(filename, link, UA)
    assert isinstance(outcome, RenderedFile), outcome
    assert outcome.filename == filename
    root = ET.fromstring(outcome.body)
    assert root.tag == ("AddressBook" if filename == "phonebook.xml" else "gs_provision")


@pytest.mark.parametrize("link", [LinkKind.PERSONAL, LinkKind.COMMON])
async def test_the_binary_file_is_a_quiet_404(link: LinkKind) -> None:
    outcome = await _boot("cfg000b82aabbcc", link, UA)
    assert isinstance(outcome, Refusal) and outcome.quiet


@pytest.mark.parametrize("filename", ["cfg.xml", "cfggxp1620.xml", "phonebook.xml"])
async def test_without_a_mac_in_name_or_user_agent_the_common_link_refuses(filename: str) -> None:
    outcome = await _boot(filename, LinkKind.COMMON, "Grandstream GXP1620 1.0.4.128")
    assert isinstance(outcome, Refusal) and not outcome.quiet


async def test_another_models_file_is_refused() -> None:
    assert isinstance(await _boot("cfggxp1630.xml", LinkKind.PERSONAL, UA), Refusal)
