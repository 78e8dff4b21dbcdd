import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sonata.adapters.templates import Jinja2TemplateEngine
from sonata.domain.model import Account, Device, HostPort
from sonata.domain.vendors import VENDORS
from sonata.domain.vendors.base import TEXT, FileKind, PhoneIdentity, RenderRequest, RequestedFile, single_line
from sonata.domain.vendors.yealink import Yealink

VENDOR = Yealink()
ENGINE = Jinja2TemplateEngine()
LINK = "http://sonata.example.net:8080/v1/device/device-key-0001"
MAC = "001565aabbcc"
LINE = re.compile(r"(?P<key>[a-z0-9_.]+) = (?P<value>.*)")


def device(*accounts: Account, model: str = "t46s", tz: str | None = None, ntp: str | None = None) -> Device:
    return Device(
        key="k1",
        vendor="yealink",
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


def render(dev: Device) -> str:
    requested = RequestedFile(FileKind.DEVICE_CONFIG, MAC)
    return VENDOR.render(RenderRequest(dev, requested, VENDOR.device_filename(dev), LINK), ENGINE).body.decode("utf-8")


def settings(dev: Device) -> dict[str, str]:
    """Every `key = value` line; fails on any line that is neither that, a comment nor blank."""
    text = render(dev)
    found: dict[str, str] = {}
    for line in text.split("\n"):
        if not line.strip() or line.startswith("#"):
            continue
        match = LINE.fullmatch(line)
        assert match, f"not a key = value line: {line!r}"
        assert match["key"] not in found, f"duplicate key {match['key']}"
        found[match["key"]] = match["value"]
    return found


# --- catalogue ------------------------------------------------------------------------------


def test_the_registry_knows_yealink() -> None:
    assert isinstance(VENDORS["yealink"], Yealink)


@pytest.mark.parametrize(
    ("model", "accounts"), [("t31g", 2), ("t46s", 16), ("t46u", 16), ("t48s", 16), ("t54w", 16)]
)
def test_catalogue_models_and_their_sip_account_counts(model: str, accounts: int) -> None:
    found = VENDOR.model(model)
    assert found is not None
    assert found.accounts == accounts
    assert len(VENDOR.models) == 5


# --- User-Agent ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "model", "firmware", "mac"),
    [
        # vendors.md
        ("Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc", "t46s", "66.86.0.15", "001565aabbcc"),
        ("Yealink SIP-T31G 124.85.257.55 80:5e:c0:d5:7d:72", "t31g", "124.85.257.55", "805ec0d57d72"),
        ("Yealink W90DM 130.87.0.10 80:5e:c0:d9:c7:44", "w90dm", "130.87.0.10", "805ec0d9c744"),
        # T5x without colons, very old firmware without MAC
        ("Yealink SIP-T54W 96.86.0.100 805ec0aabbcc", "t54w", "96.86.0.100", "805ec0aabbcc"),
        ("Yealink SIP-T28P 2.73.0.50", "t28p", "2.73.0.50", None),
        # dialects
        ("yealink sip-t48s 65.86.0.15 00:15:65:AA:BB:CC", "t48s", "65.86.0.15", "001565aabbcc"),
        ("YEALINK  SIP-T46U  108.86.0.20  c4fc22aabbcc", "t46u", "108.86.0.20", "c4fc22aabbcc"),
        ("Yealink SIP VP-T49G 51.80.0.100 00:15:65:12:34:56", "vp-t49g", "51.80.0.100", "001565123456"),
        ("Yealink SIP-T21P_E2 52.84.0.15 00:15:65:11:22:33", "t21p_e2", "52.84.0.15", "001565112233"),
        ("Yealink W60B 77.83.0.85 80-5E-C0-11-22-33", "w60b", "77.83.0.85", "805ec0112233"),
        ("Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc\r\n", "t46s", "66.86.0.15", "001565aabbcc"),
    ],
)
def test_user_agents(user_agent: str, model: str, firmware: str, mac: str | None) -> None:
    assert VENDOR.parse_user_agent(user_agent) == PhoneIdentity("yealink", model, firmware, mac)


def test_a_mac_is_never_taken_for_the_model() -> None:
    assert VENDOR.parse_user_agent("Yealink c4fc22aabbcc") == PhoneIdentity("yealink", mac="c4fc22aabbcc")


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 000b82aabbcc",
        "Fanvil X4 2.10.2.6887 0c383e07e16c",
        "Mozilla/5.0 Yealink",
        "Yealinks SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc",
    ],
)
def test_other_user_agents_are_not_yealink(user_agent: str) -> None:
    assert VENDOR.parse_user_agent(user_agent) is None


@given(st.text())
def test_user_agent_parsing_never_fails(user_agent: str) -> None:
    identity = VENDOR.parse_user_agent(user_agent)
    assert identity is None or identity.vendor == "yealink"


# --- file names -----------------------------------------------------------------------------


def test_device_filename() -> None:
    assert VENDOR.device_filename(device()) == "001565aabbcc.cfg"


@pytest.mark.parametrize("filename", ["001565aabbcc.cfg", "001565AABBCC.cfg", "001565AaBbCc.CFG"])
def test_the_device_file_in_any_case_names_the_normalised_mac(filename: str) -> None:
    assert VENDOR.identify_file(filename) == RequestedFile(FileKind.DEVICE_CONFIG, "001565aabbcc")


@pytest.mark.parametrize(
    "filename",
    [
        "y000000000066.cfg",
        "y000000000000.boot",
        "001565aabbcc.boot",
        "001565aabbcc-local.cfg",
        "001565aabbcc-contact.xml",
        "cfg001565aabbcc.xml",
        "00:15:65:aa:bb:cc.cfg",
        "001565aabbc.cfg",
        "001565aabbcc.cfg\n",
        "",
    ],
)
def test_other_file_names_are_not_understood(filename: str) -> None:
    assert VENDOR.identify_file(filename) is None


def test_the_template_is_text() -> None:
    requested = RequestedFile(FileKind.DEVICE_CONFIG, MAC)
    assert VENDOR.template_for(RenderRequest(device(), requested, "x", LINK)) == ("yealink/device.cfg.j2", TEXT)


# --- rendering ------------------------------------------------------------------------------


def test_the_first_line_is_exactly_the_version_header() -> None:
    text = render(device(account(), tz="GMT+03", ntp="pool.ntp.org"))
    assert text.split("\n", 1)[0] == "#!version:1.0.0.1"
    assert text.startswith("#!version:1.0.0.1\n")


def test_accounts_and_time_settings() -> None:
    dev = device(
        account(1, name="Reception", sip_name="Alice", sip_password="s1", sip_auth="auth1"),
        account(2, sip_register=HostPort("10.0.0.1", 5062), name="Second", sip_name="Bob", sip_password="s2"),
        tz="GMT+03",
        ntp="pool.ntp.org",
    )
    assert settings(dev) == {
        "account.1.enable": "1",
        "account.1.label": "Reception",
        "account.1.display_name": "Alice",
        "account.1.sip_server.1.address": "pbx.example.com",
        "account.1.sip_server.1.port": "5060",
        "account.1.user_name": "1001",
        "account.1.auth_name": "auth1",
        "account.1.password": "s1",
        "account.2.enable": "1",
        "account.2.label": "Second",
        "account.2.display_name": "Bob",
        "account.2.sip_server.1.address": "10.0.0.1",
        "account.2.sip_server.1.port": "5062",
        "account.2.user_name": "1002",
        "account.2.auth_name": "1002",
        "account.2.password": "s2",
        "local_time.ntp_server1": "pool.ntp.org",
        "local_time.time_zone": "+3",
        "local_time.time_zone_name": "UTC+3",
    }


def test_a_disabled_account_is_written_with_enable_0_and_its_emptied_values_cleared() -> None:
    values = settings(device(account(1), Account(line=2, sip_register=None, sip_user="", enabled=False)))
    assert values["account.1.enable"] == "1"
    assert values["account.2.enable"] == "0"
    assert values["account.2.sip_server.1.address"] == "%NULL%"
    assert values["account.2.sip_server.1.port"] == "5060"
    assert values["account.2.password"] == "%NULL%"


@pytest.mark.parametrize(
    ("offset", "time_zone", "name"),
    [
        ("GMT+03", "+3", "UTC+3"),
        ("GMT-05", "-5", "UTC-5"),
        ("GMT+05:30", "+5:30", "UTC+5:30"),
        ("GMT+05:45", "+5:45", "UTC+5:45"),
        ("GMT-03:30", "-3:30", "UTC-3:30"),
        ("GMT-12", "-12", "UTC-12"),
        ("GMT+14", "+14", "UTC+14"),
        ("GMT", "0", "UTC"),
    ],
)
def test_time_zones(offset: str, time_zone: str, name: str) -> None:
    values = settings(device(tz=offset))
    assert values == {"local_time.time_zone": time_zone, "local_time.time_zone_name": name}


def test_without_time_zone_and_ntp_server_those_settings_are_left_out() -> None:
    values = settings(device(account()))
    assert not [key for key in values if key.startswith("local_time.")]


def test_rendering_is_deterministic() -> None:
    dev = device(account(1, sip_password="x"), account(2), tz="GMT+05:30", ntp="ntp.example.org")
    assert render(dev) == render(dev)


HOSTILE = [
    "a\nb",
    "line\r\nbreak",
    "\naccount.1.password = stolen",
    "x\n#!version:1.0.0.1",
    "quote \" and ' apostrophe",
    "<tag> & ampersand",
    "日本語の名前",
    "Ελληνικά",
    "tab\there",
    "nul\x00byte\x7f",
    "lone \ud800 surrogate",
    "pass#word = 1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_stay_on_their_own_line(value: str) -> None:
    dev = device(account(name=value, sip_name=value, sip_password=value, sip_user=value), ntp=value)
    values = settings(dev)
    expected = single_line(value).replace("\ud800", " ")
    assert len(values) == 9
    for key in ("account.1.label", "account.1.display_name", "account.1.password", "account.1.user_name"):
        assert values[key] == expected
    assert values["local_time.ntp_server1"] == expected


@given(st.text(), st.text(), st.text())
def test_any_text_keeps_one_setting_per_line(name: str, display: str, password: str) -> None:
    text = render(device(account(name=name, sip_name=display, sip_password=password)))
    assert text.startswith("#!version:1.0.0.1\n")
    values = settings(device(account(name=name, sip_name=display, sip_password=password)))
    assert len(values) == 8
    for key, value in (("label", name), ("display_name", display), ("password", password)):
        cleaned = single_line(value)
        assert values[f"account.1.{key}"] == (cleaned if cleaned.strip() else "%NULL%")
