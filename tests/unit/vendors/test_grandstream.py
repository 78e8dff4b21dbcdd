import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sonata.adapters.templates import Jinja2TemplateEngine
from sonata.domain.model import Account, Device, HostPort
from sonata.domain.vendors import VENDORS
from sonata.domain.vendors.base import XML, FileKind, PhoneIdentity, RenderRequest, RequestedFile, single_line
from sonata.domain.vendors.grandstream import ACCOUNT_P_VALUES, Grandstream

VENDOR = Grandstream()
ENGINE = Jinja2TemplateEngine()
LINK = "http://sonata.example.net:8080/v1/device/device-key-0001"
MAC = "000b82aabbcc"


def device(
    *accounts: Account, model: str = "gxp1620", tz: str | None = None, ntp: str | None = None
) -> Device:
    return Device(
        key="k1",
        vendor="grandstream",
        model=model,
        mac=MAC,
        timezone_offset=tz,
        ntp_server=ntp,
        accounts=accounts,
    )


def account(line: int = 1, **fields: object) -> Account:
    values: dict[str, object] = {"sip_register": HostPort("pbx.example.com"), "sip_user": f"10{line:02d}"}
    values.update(fields)
    return Account(line=line, **values)  # type: ignore[arg-type]


def render(dev: Device) -> bytes:
    requested = VENDOR.identify_file(VENDOR.device_filename(dev))
    assert requested is not None
    return VENDOR.render(RenderRequest(dev, requested, VENDOR.device_filename(dev), LINK), ENGINE).body


def config(dev: Device) -> ET.Element:
    root = ET.fromstring(render(dev))
    found = root.find("config")
    assert found is not None
    return found


def p_values(dev: Device) -> dict[str, str]:
    return {element.tag: element.text or "" for element in config(dev)}


# --- catalogue ------------------------------------------------------------------------------


def test_the_registry_knows_grandstream() -> None:
    assert isinstance(VENDORS["grandstream"], Grandstream)
    assert VENDOR.id == "grandstream"


@pytest.mark.parametrize(
    ("model", "accounts"),
    [("gxp1610", 1), ("gxp1620", 2), ("gxp1625", 2), ("gxp1628", 2), ("gxp1630", 3),
     ("gxp2130", 3), ("gxp2135", 4), ("gxp2140", 4), ("gxp2160", 6), ("gxp2170", 6)],
)  # fmt: skip
def test_catalogue_models_and_their_sip_account_counts(model: str, accounts: int) -> None:
    found = VENDOR.model(model)
    assert found is not None
    assert found.accounts == accounts
    assert found.name == model.upper()


def test_every_account_of_every_model_has_p_values() -> None:
    assert max(m.accounts for m in VENDOR.models) <= max(ACCOUNT_P_VALUES)
    assert len(VENDOR.models) == 10


def test_p_values_are_distinct_across_accounts() -> None:
    numbers = [number for values in ACCOUNT_P_VALUES.values() for number in values]
    assert len(numbers) == len(set(numbers))
    assert all(re.fullmatch(r"P\d+", number) for number in numbers)


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
        # dialects: double spaces, case, MAC spellings, hardware revisions
        ("Grandstream Model HW GXV3350  V1.3A SW 1.0.1.8 DevId c074ad150b88", "gxv3350 1.0.1.8 c074ad150b88"),
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
        ("Grandstream Model HW GXP1630\tSW 1.0.7.13 DevId c074ad000001\r\n", "gxp1630 1.0.7.13 c074ad000001"),
        ("Grandstream Model HW GRP2614 SW 1.0.5.15 DevId c074ad0b63ee", "grp2614 1.0.5.15 c074ad0b63ee"),
        ("Grandstream Model HW HT801 V1.1A SW 1.0.17.5 DevId c074ad273a10", "ht801 1.0.17.5 c074ad273a10"),
        # SIP dialect: no MAC
        ("Grandstream GXP2130 1.0.4.17", "gxp2130 1.0.4.17 -"),
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


@pytest.mark.parametrize("filename", ["cfg000b82aabbcc.xml", "cfg000B82AABBCC.xml", "CFG000b82AaBbCc.XML"])
def test_the_device_file_in_any_case_names_the_normalised_mac(filename: str) -> None:
    assert VENDOR.identify_file(filename) == RequestedFile(FileKind.DEVICE_CONFIG, "000b82aabbcc")


@pytest.mark.parametrize(
    "filename",
    [
        "cfg000b82aabbcc",  # binary format: answered 404
        "cfggxp1620.xml",
        "cfg.xml",
        "000b82aabbcc.cfg",
        "001565aabbcc.cfg",
        "cfg000b82aabbc.xml",
        "cfg000b82aabbccd.xml",
        "cfg000b82aabbcg.xml",
        "cfg00:0b:82:aa:bb:cc.xml",
        "../cfg000b82aabbcc.xml",
        "cfg000b82aabbcc.xml.bak",
        "cfg000b82aabbcc.xml\n",
        "",
    ],
)
def test_other_file_names_are_not_understood(filename: str) -> None:
    assert VENDOR.identify_file(filename) is None


def test_the_template_is_xml() -> None:
    requested = RequestedFile(FileKind.DEVICE_CONFIG, MAC)
    assert VENDOR.template_for(RenderRequest(device(), requested, "x", LINK)) == ("grandstream/device.xml.j2", XML)


# --- rendering ------------------------------------------------------------------------------


def test_the_file_head_is_the_gs_provision_document() -> None:
    body = render(device(account()))
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<gs_provision version="1">\n')
    root = ET.fromstring(body)
    assert root.tag == "gs_provision"
    assert root.get("version") == "1"
    assert root.findtext("mac") == MAC
    assert root.find("config") is not None
    assert root.find("config").get("version") == "1"  # type: ignore[union-attr]


def test_two_accounts_are_written_with_their_own_p_values() -> None:
    dev = device(
        account(1, name="Reception", sip_name="Alice", sip_password="s1", sip_auth="auth1"),
        account(2, sip_register=HostPort("10.0.0.1", 5062), name="Second", sip_name="Bob", sip_password="s2"),
    )
    assert p_values(dev) == {
        "P271": "1", "P270": "Reception", "P3": "Alice", "P47": "pbx.example.com:5060",
        "P35": "1001", "P36": "auth1", "P34": "s1",
        "P401": "1", "P417": "Second", "P407": "Bob", "P402": "10.0.0.1:5062",
        "P404": "1002", "P405": "1002", "P406": "s2",
    }  # fmt: skip


def test_an_ipv6_registrar_is_bracketed() -> None:
    values = p_values(device(account(sip_register=HostPort("2001:db8::1", 5070))))
    assert values["P47"] == "[2001:db8::1]:5070"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (3, ("P501", "P517", "P507", "P502", "P504", "P505", "P506")),
        (4, ("P601", "P617", "P607", "P602", "P604", "P605", "P606")),
        (5, ("P1701", "P1717", "P1707", "P1702", "P1704", "P1705", "P1706")),
        (6, ("P1801", "P1817", "P1807", "P1802", "P1804", "P1805", "P1806")),
    ],
)
def test_higher_accounts_use_the_config_template_numbers(line: int, expected: tuple[str, ...]) -> None:
    dev = device(account(line, name="N", sip_name="D", sip_password="pw"), model="gxp2160")
    values = p_values(dev)
    enable, name, display, server, user, auth, password = expected
    assert values == {
        enable: "1", name: "N", display: "D", server: "pbx.example.com:5060",
        user: f"10{line:02d}", auth: f"10{line:02d}", password: "pw",
    }  # fmt: skip


def test_a_disabled_account_is_written_with_enable_0() -> None:
    dev = device(account(1), Account(line=2, sip_register=None, sip_user="", enabled=False))
    values = p_values(dev)
    assert values["P271"] == "1"
    assert values["P401"] == "0"
    assert values["P402"] == ""
    assert values["P404"] == ""


def test_accounts_are_written_in_line_order() -> None:
    body = render(device(account(2), account(1))).decode()
    assert body.index("<P271>") < body.index("<P401>")


@pytest.mark.parametrize(
    ("offset", "p64"),
    [
        ("GMT+03", "TZQ-3"),
        ("GMT-01", "TZM+1"),
        ("GMT", "TZN+0"),
        ("GMT-12", "TZA+12"),
        ("GMT-11", "TZB+11"),
        ("GMT-10", "HAW10"),
        ("GMT-04:30", "TZf+4:30"),
        ("GMT-03", "TZK+3"),
        ("GMT-02", "TZL+2"),
        ("GMT+02", "TZP-2"),
        ("GMT+04", "TZR-4"),
        ("GMT+05", "TZS-5"),
        ("GMT+05:30", "TZT-5:30"),
        ("GMT+05:45", "TZU-5:45"),
        ("GMT+06", "TZV-6"),
        ("GMT+06:30", "TZW-6:30"),
        ("GMT+07", "TZX-7"),
        ("GMT+08", "TZY-8"),
        ("GMT+09", "TZZ-9"),
        ("GMT+10", "TZb-10"),
        ("GMT+11", "TZc-11"),
        ("GMT+12", "TZd-12"),
        ("GMT+13", "TZe-13"),
    ],
)
def test_offsets_of_the_phone_list_go_to_p64(offset: str, p64: str) -> None:
    values = p_values(device(tz=offset))
    assert values == {"P64": p64}


@pytest.mark.parametrize(
    ("offset", "posix"),
    [
        ("GMT+01", "UTC-1"),
        ("GMT-05", "UTC+5"),
        ("GMT-08", "UTC+8"),
        ("GMT+03:30", "UTC-3:30"),
        ("GMT-09:30", "UTC+9:30"),
        ("GMT+08:45", "UTC-8:45"),
        ("GMT+14", "UTC-14"),
    ],
)
def test_offsets_missing_from_the_phone_list_are_customised_in_p246(offset: str, posix: str) -> None:
    values = p_values(device(tz=offset))
    assert values == {"P64": "customize", "P246": posix}


def test_ntp_server_goes_to_p30() -> None:
    assert p_values(device(ntp="pool.ntp.org")) == {"P30": "pool.ntp.org"}


def test_without_time_zone_and_ntp_server_those_settings_are_left_out() -> None:
    values = p_values(device(account()))
    assert not {"P30", "P64", "P246"} & values.keys()


def test_rendering_is_deterministic() -> None:
    dev = device(account(1, sip_password="x"), account(2), tz="GMT+05:30", ntp="ntp.example.org")
    assert render(dev) == render(dev)


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
    dev = device(account(name=value, sip_name=value, sip_password=value, sip_user=value), ntp=value)
    values = p_values(dev)
    expected = _clean(value)
    assert set(values) == {"P30", "P271", "P270", "P3", "P47", "P35", "P36", "P34"}
    for key in ("P30", "P270", "P3", "P35", "P36", "P34"):
        assert values[key] == expected


@given(st.text(), st.text(), st.text())
def test_any_text_gives_well_formed_xml(name: str, display: str, password: str) -> None:
    dev = device(account(name=name, sip_name=display, sip_password=password))
    values = p_values(dev)
    assert (values["P270"], values["P3"], values["P34"]) == (_clean(name), _clean(display), _clean(password))


def _clean(value: str) -> str:
    return re.sub("[\ud800-\udfff\ufffe\uffff]", " ", single_line(value))
