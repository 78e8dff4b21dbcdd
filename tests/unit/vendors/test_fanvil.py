import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sonata.adapters.templates import Jinja2TemplateEngine
from sonata.domain.model import Account, Device, HostPort
from sonata.domain.vendors import VENDORS
from sonata.domain.vendors.base import XML, FileKind, PhoneIdentity, RenderRequest, RequestedFile, single_line
from sonata.domain.vendors.fanvil import Fanvil

VENDOR = Fanvil()
ENGINE = Jinja2TemplateEngine()
LINK = "http://sonata.example.net:8080/v1/device/device-key-0001"
MAC = "0c383e07e16c"


def device(*accounts: Account, model: str = "x4", tz: str | None = None, ntp: str | None = None) -> Device:
    return Device(
        key="k1", vendor="fanvil", model=model, mac=MAC, timezone_offset=tz, ntp_server=ntp, accounts=accounts
    )


def account(line: int = 1, **fields: object) -> Account:
    values: dict[str, object] = {"sip_register": HostPort("pbx.example.com"), "sip_user": f"10{line:02d}"}
    values.update(fields)
    return Account(line=line, **values)  # type: ignore[arg-type]


def render(dev: Device) -> bytes:
    requested = RequestedFile(FileKind.DEVICE_CONFIG, MAC)
    return VENDOR.render(RenderRequest(dev, requested, VENDOR.device_filename(dev), LINK), ENGINE).body


def parse(dev: Device) -> ET.Element:
    return ET.fromstring(render(dev))


def global_config(dev: Device) -> dict[str, str]:
    module = parse(dev).find("GLOBAL_CONFIG_MODULE")
    assert module is not None
    return {element.tag: element.text or "" for element in module}


def lines(dev: Device) -> dict[str, dict[str, str]]:
    """Each SIP_Line_List_Entry by its ID, as a tag -> text mapping."""
    entries = parse(dev).findall("SIP_CONFIG_MODULE/SIP_Line_List/SIP_Line_List_Entry")
    found = {}
    for entry in entries:
        values = {element.tag: element.text or "" for element in entry}
        found[values.pop("ID")] = values
    return found


# --- catalogue ------------------------------------------------------------------------------


def test_the_registry_knows_fanvil() -> None:
    assert isinstance(VENDORS["fanvil"], Fanvil)


@pytest.mark.parametrize(("model", "accounts"), [("x3s", 2), ("x4", 4), ("x5s", 6), ("x6u", 6)])
def test_catalogue_models_and_their_sip_account_counts(model: str, accounts: int) -> None:
    found = VENDOR.model(model)
    assert found is not None
    assert found.accounts == accounts
    assert len(VENDOR.models) == 4


# --- User-Agent ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "model", "firmware", "mac"),
    [
        # vendors.md
        ("Fanvil X4 2.10.2.6887 0c383e07e16c", "x4", "2.10.2.6887", "0c383e07e16c"),
        ("Fanvil X6U Pro 0.0.10 0c383e2cd782", "x6u", "0.0.10", "0c383e2cd782"),
        ("Fanvil X5U-V2 2.12.16.17 0c383e557eb1", "x5u", "2.12.16.17", "0c383e557eb1"),
        # dialects
        ("fanvil x3s 2.10.2.6887 0C383E112233", "x3s", "2.10.2.6887", "0c383e112233"),
        ("FANVIL  X6U  Pro  2.12.1  00a859aabbcc", "x6u", "2.12.1", "00a859aabbcc"),
        ("Fanvil X5S 2.4.1 0c:38:3e:11:22:33", "x5s", "2.4.1", "0c383e112233"),
        ("Fanvil X4 2.10.2.6887", "x4", "2.10.2.6887", None),
        ("Fanvil X4 2.10.2.6887 0c383e07e16c\r\n", "x4", "2.10.2.6887", "0c383e07e16c"),
    ],
)
def test_user_agents(user_agent: str, model: str, firmware: str, mac: str | None) -> None:
    assert VENDOR.parse_user_agent(user_agent) == PhoneIdentity("fanvil", model, firmware, mac)


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc",
        "Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 000b82aabbcc",
        "Fanvils X4 2.10.2.6887 0c383e07e16c",
    ],
)
def test_other_user_agents_are_not_fanvil(user_agent: str) -> None:
    assert VENDOR.parse_user_agent(user_agent) is None


@given(st.text())
def test_user_agent_parsing_never_fails(user_agent: str) -> None:
    identity = VENDOR.parse_user_agent(user_agent)
    assert identity is None or identity.vendor == "fanvil"


# --- file names -----------------------------------------------------------------------------


def test_device_filename() -> None:
    assert VENDOR.device_filename(device()) == "0c383e07e16c.cfg"


@pytest.mark.parametrize("filename", ["0c383e07e16c.cfg", "0C383E07E16C.cfg", "0c383E07e16C.CFG"])
def test_the_device_file_in_any_case_names_the_normalised_mac(filename: str) -> None:
    assert VENDOR.identify_file(filename) == RequestedFile(FileKind.DEVICE_CONFIG, "0c383e07e16c")


@pytest.mark.parametrize(
    "filename",
    [
        "f0X4hw1.100.cfg",
        "f0X3shw1.100.cfg",
        "F0V00X600000.cfg",
        "F0V5UV200000.cfg",
        "fanvil_x6u_hw1.txt",
        "cfg0c383e07e16c.xml",
        "0c383e07e16c.xml",
        "0c383e07e16c.cfg.bak",
        "",
    ],
)
def test_other_file_names_are_not_understood(filename: str) -> None:
    assert VENDOR.identify_file(filename) is None


def test_the_template_is_xml() -> None:
    requested = RequestedFile(FileKind.DEVICE_CONFIG, MAC)
    assert VENDOR.template_for(RenderRequest(device(), requested, "x", LINK)) == ("fanvil/device.xml.j2", XML)


# --- rendering ------------------------------------------------------------------------------


def test_the_file_head_is_the_voip_config_file_document() -> None:
    body = render(device(account()))
    assert body.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<VOIP_CONFIG_FILE>\n<version>2.0002</version>\n'
    )
    root = ET.fromstring(body)
    assert root.tag == "VOIP_CONFIG_FILE"
    assert root.findtext("version") == "2.0002"


def test_accounts_are_sip_line_entries() -> None:
    dev = device(
        account(1, name="Reception", sip_name="Alice", sip_password="s1", sip_auth="auth1"),
        account(2, sip_register=HostPort("10.0.0.1", 5062), sip_name="Bob", sip_password="s2"),
    )
    assert lines(dev) == {
        "SIP1": {
            "Phone_Number": "1001",
            "Display_Name": "Alice",
            "Register_Addr": "pbx.example.com",
            "Register_Port": "5060",
            "Register_User": "auth1",
            "Register_Pswd": "s1",
            "Enable_Reg": "1",
        },
        "SIP2": {
            "Phone_Number": "1002",
            "Display_Name": "Bob",
            "Register_Addr": "10.0.0.1",
            "Register_Port": "5062",
            "Register_User": "1002",
            "Register_Pswd": "s2",
            "Enable_Reg": "1",
        },
    }


def test_the_account_name_is_not_written() -> None:
    assert b"Reception" not in render(device(account(name="Reception")))


def test_a_disabled_account_is_written_with_enable_reg_0() -> None:
    found = lines(device(account(1), Account(line=2, sip_register=None, sip_user="", enabled=False)))
    assert found["SIP1"]["Enable_Reg"] == "1"
    assert found["SIP2"]["Enable_Reg"] == "0"
    assert found["SIP2"]["Register_Addr"] == ""


def test_ntp_server_enables_sntp() -> None:
    assert global_config(device(ntp="pool.ntp.org")) == {"SNTP_Server": "pool.ntp.org", "Enable_SNTP": "1"}


@pytest.mark.parametrize(
    ("offset", "quarters", "name"),
    [
        ("GMT+03", "12", "UTC+3"),
        ("GMT-05", "-20", "UTC-5"),
        ("GMT+05:30", "22", "UTC+5:30"),
        ("GMT+05:45", "23", "UTC+5:45"),
        ("GMT-03:30", "-14", "UTC-3:30"),
        ("GMT-12", "-48", "UTC-12"),
        ("GMT+14", "56", "UTC+14"),
        ("GMT", "0", "UTC"),
    ],
)
def test_time_zone_counts_quarter_hours(offset: str, quarters: str, name: str) -> None:
    assert global_config(device(tz=offset)) == {"Time_Zone": quarters, "Time_Zone_Name": name}


def test_without_time_zone_and_ntp_server_those_settings_are_left_out() -> None:
    assert global_config(device(account())) == {}


def test_rendering_is_deterministic() -> None:
    dev = device(account(1, sip_password="x"), account(2), tz="GMT+05:30", ntp="ntp.example.org")
    assert render(dev) == render(dev)


HOSTILE = [
    "a\nb",
    "line\r\nbreak",
    "quote \" and ' apostrophe",
    "</Register_Pswd><Enable_Reg>1</Enable_Reg>",
    "&amp; & &#0; &lt;",
    "日本語の名前",
    "Ελληνικά",
    "tab\there",
    "nul\x00byte\x7f",
    "\ufffe\uffff",
    "lone \ud800 surrogate",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_stay_inside_their_element(value: str) -> None:
    dev = device(account(sip_name=value, sip_password=value, sip_user=value, sip_auth=value), ntp=value)
    expected = _clean(value)
    entry = lines(dev)["SIP1"]
    assert len(entry) == 7
    for key in ("Phone_Number", "Display_Name", "Register_User", "Register_Pswd"):
        assert entry[key] == expected
    assert global_config(dev)["SNTP_Server"] == expected


@given(st.text(), st.text())
def test_any_text_gives_well_formed_xml(display: str, password: str) -> None:
    entry = lines(device(account(sip_name=display, sip_password=password)))["SIP1"]
    assert (entry["Display_Name"], entry["Register_Pswd"]) == (_clean(display), _clean(password))


def _clean(value: str) -> str:
    return re.sub("[\ud800-\udfff\ufffe\uffff]", " ", single_line(value))
