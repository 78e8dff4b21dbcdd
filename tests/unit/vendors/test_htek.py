import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from functools import partial

import httpx
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
from sonata.domain.validation import AccountDraft, DeviceDraft, validate_device
from sonata.domain.vendors import VENDORS, identify_phone, mac_in_filename
from sonata.domain.vendors.base import XML, FileKind, PhoneIdentity, RenderRequest, RequestedFile
from sonata.domain.vendors.htek import (
    ACCOUNT_P_VALUES,
    DEVICE_CODES,
    PROFILE_P_VALUES,
    REMOTE_PHONEBOOK_P_VALUES,
    Htek,
    firmware_directory,
    key_p_values,
)

VENDOR = Htek()
MODEL = next(m for m in VENDOR.models if m.id == "uc923")
MAC = "001fc11c22a9"


device = partial(samples.device, vendor="htek", model="uc923", mac=MAC)
render = partial(samples.render, VENDOR)


def p_values(
    dev: Device, filename: str | None = None, link: str = LINK, year: int | None = None
) -> dict[str, str]:
    config = ET.fromstring(render(dev, filename, link, year)).find("config")
    assert config is not None
    found: dict[str, str] = {}
    for element in config:
        assert element.tag not in found, f"{element.tag} written twice"
        found[element.tag] = element.text or ""
    return found


# Written for every device: provisioning (P145 = 0: DHCP option 66 does not replace P237; the
# credentials P1360/P1361, empty without any) and phonebook download.
ALWAYS = {"P212", "P237", "P145", "P1360", "P1361", "P194", "P330", "P331", "P332"}
CREDENTIALS = {"provisioning_username": "desk-0001@acme", "provisioning_password": "p&ss<w>\"rd' 1"}


def own(values: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in values.items() if key not in ALWAYS}


# --- catalogue ------------------------------------------------------------------------------


def test_the_registry_knows_htek() -> None:
    assert isinstance(VENDORS["htek"], Htek)
    assert (VENDOR.id, VENDOR.name) == ("htek", "Htek")


@pytest.mark.parametrize(
    ("model", "accounts", "line_keys"),
    [("uc902", 4, 0), ("uc903", 6, 20), ("uc912", 4, 12), ("uc912g", 4, 12), ("uc921", 6, 20),
     ("uc923", 8, 20), ("uc924", 12, 28), ("uc926", 16, 36)],
)  # fmt: skip
def test_catalogue_models_with_accounts_and_line_keys(model: str, accounts: int, line_keys: int) -> None:
    found = VENDOR.model(model)
    assert found is not None
    assert (found.name, found.accounts, found.line_keys) == (model.upper(), accounts, line_keys)


def test_the_catalogue_is_the_uc9xx_series() -> None:
    assert len(VENDOR.models) == 8


ACCOUNT_NUMBERS = [
    *(number for values in ACCOUNT_P_VALUES.values() for number in values),
    *(number for values in PROFILE_P_VALUES for number in values),
]


def test_p_values_are_distinct_across_accounts_and_profiles() -> None:
    # Wazo's template numbers the profile of accounts 7-16 P24088 + n, which would make account 9's
    # profile account 7's Active (P24090): accounts 9-16 take P24720 + n (see htek.py).
    assert set(ACCOUNT_P_VALUES) == set(range(1, 17))
    assert len(ACCOUNT_NUMBERS) == len(set(ACCOUNT_NUMBERS))
    assert all(re.fullmatch(r"P\d+", number) for number in ACCOUNT_NUMBERS)


def test_line_key_p_values_never_collide() -> None:
    numbers = [number for key in range(1, 37) for number in key_p_values(key)]
    assert len(numbers) == len(set(numbers))
    assert not set(ACCOUNT_NUMBERS) & set(numbers)


def test_remote_phonebook_p_values_never_collide() -> None:
    numbers = [number for slot in REMOTE_PHONEBOOK_P_VALUES for number in slot]
    assert len(numbers) == len(set(numbers)) == 10
    others = set(ACCOUNT_NUMBERS)
    others |= {number for key in range(1, 37) for number in key_p_values(key)}
    others |= ALWAYS | {"P193", "P192", "P2", "P30", "P144", "P8621", "P64", "P143", "P75"}
    assert not others & set(numbers)


@pytest.mark.parametrize(
    ("key", "expected"),
    [(1, ("P41200", "P41300", "P41400", "P41500", "P41600")),
     (4, ("P41203", "P41303", "P41403", "P41503", "P41603")),
     (5, ("P20200", "P20201", "P20202", "P20203", "P20204")),
     (12, ("P20235", "P20236", "P20237", "P20238", "P20239")),
     (36, ("P20355", "P20356", "P20357", "P20358", "P20359")),
     (37, ("P23000", "P23001", "P23002", "P23003", "P23004"))],
)  # fmt: skip
def test_line_key_numbering(key: int, expected: tuple[str, ...]) -> None:
    assert tuple(key_p_values(key)) == expected


def test_english_goes_to_the_lcd_language_as_index_0() -> None:
    assert own(p_values(device(language="en"))) == {"P8621": "0"}


@pytest.mark.parametrize("code", ["de", "fr", "es", "it", "nl", "pt", "ru", "pl", "tr"])
def test_languages_without_a_sourced_index_are_accepted_but_write_nothing(code: str) -> None:
    # No source gives their P8621 index: a guessed one would set some other language.
    assert code in VENDOR.languages
    assert own(p_values(device(language=code))) == {}


def test_a_language_index_set_by_hand_still_goes_to_p8621() -> None:
    assert own(p_values(device(language="de", vendor_params=(("P8621", "4"),)))) == {"P8621": "4"}


# --- User-Agent ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "expected"),  # expected: "model firmware mac", `-` for no MAC
    [
        # vendors.md, Wazo's htek plugin
        ("Htek UC903 2.0.4.2 00:1f:c1:1c:22:a9", "uc903 2.0.4.2 001fc11c22a9"),
        # dialects: double spaces, case, MAC spellings, hardware revision, no MAC
        ("Htek  UC926E  2.0.4.4.58  00:1f:c1:aa:bb:cc", "uc926e 2.0.4.4.58 001fc1aabbcc"),
        ("htek UC912G 2.42.6.3.36 001fc1aabbcd", "uc912g 2.42.6.3.36 001fc1aabbcd"),
        ("HTEK uc924 V2.0.4.6.41 00-1F-C1-AA-BB-CE", "uc924 2.0.4.6.41 001fc1aabbce"),
        ("Htek UC923 V1.0 2.0.4.4.58 00:1f:c1:aa:bb:cf", "uc923 2.0.4.4.58 001fc1aabbcf"),
        ("Htek UC921 2.42.6.3.36 00:1F:C1:AA:BB:D0\r\n", "uc921 2.42.6.3.36 001fc1aabbd0"),
        ("Htek UC902 2.0.4.2", "uc902 2.0.4.2 -"),
        ("Htek UC862 2.0.4.4.58 00:1f:c1:12:34:56", "uc862 2.0.4.4.58 001fc1123456"),
    ],
)
def test_user_agents(user_agent: str, expected: str) -> None:
    model, firmware, mac = expected.split()
    assert VENDOR.parse_user_agent(user_agent) == PhoneIdentity(
        "htek", model, firmware, None if mac == "-" else mac
    )


def test_a_truncated_user_agent_still_names_the_vendor() -> None:
    assert VENDOR.parse_user_agent("Htek") == PhoneIdentity("htek")


def test_the_registry_identifies_htek_phones() -> None:
    identity = identify_phone("Htek UC903 2.0.4.2 00:1f:c1:1c:22:a9")
    assert identity == PhoneIdentity("htek", "uc903", "2.0.4.2", "001fc11c22a9")


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc",
        "Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 000b82aabbcc",
        "Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.5-IFX-05.01.12 000413741767)",
        "Htekker UC903 2.0.4.2 00:1f:c1:1c:22:a9",
        "NotHtek UC903",
    ],
)
def test_other_user_agents_are_not_htek(user_agent: str) -> None:
    assert VENDOR.parse_user_agent(user_agent) is None


@given(st.text())
def test_user_agent_parsing_never_fails(user_agent: str) -> None:
    identity = VENDOR.parse_user_agent(user_agent)
    if identity is not None:
        assert identity.vendor == "htek"
        assert identity.mac is None or re.fullmatch(r"[0-9a-f]{12}", identity.mac)


# --- file names -----------------------------------------------------------------------------


def test_device_filename() -> None:
    assert VENDOR.device_filename(device()) == f"cfg{MAC}.xml"


@pytest.mark.parametrize("filename", [f"cfg{MAC}.xml", f"cfg{MAC.upper()}.xml", "CFG001FC11C22A9.XML"])
def test_the_device_file_in_any_case(filename: str) -> None:
    assert VENDOR.identify_file(filename) == RequestedFile(FileKind.DEVICE_CONFIG, MAC)


@pytest.mark.parametrize(
    ("filename", "model"),
    [("cfg0010.xml", "uc926"), ("cfg0012.xml", "uc924"), ("cfg0013.xml", "uc923"), ("cfg0016.xml", "uc903"),
     ("cfg0017.xml", "uc902"), ("cfg0019.xml", "uc912"), ("cfg0018.xml", None)],
)  # fmt: skip
def test_model_files_by_device_code(filename: str, model: str | None) -> None:
    assert VENDOR.identify_file(filename) == RequestedFile(FileKind.COMMON_CONFIG, None, model)


@pytest.mark.parametrize(
    ("filename", "mac"),
    [(f"cfg{MAC}", MAC), (f"{MAC}.cfg", MAC), ("factory0001.bin", None), ("Factory0012.bin", None)],
)
def test_files_htek_phones_ask_for_but_sonata_does_not_serve(filename: str, mac: str | None) -> None:
    assert VENDOR.identify_file(filename) == RequestedFile(FileKind.NOT_SERVED, mac)


def test_the_phonebook_file() -> None:
    assert VENDOR.identify_file("phonebook.xml") == RequestedFile(FileKind.PHONEBOOK)


@pytest.mark.parametrize(
    "filename",
    ["cfgUC903.xml", "cfg.xml", "cfg012.xml", "cfg00123.xml", f"{MAC}.xml", f"cfg{MAC}.xml.bak",
     f"../cfg{MAC}.xml", "cfg001fc11c22a.xml", "y000000000066.cfg", "phonebook.xml.bak", ""],
)  # fmt: skip
def test_other_file_names_are_not_understood(filename: str) -> None:
    assert VENDOR.identify_file(filename) is None


def test_the_registry_finds_the_mac_in_htek_file_names() -> None:
    assert mac_in_filename(f"cfg{MAC}.xml") == MAC
    assert mac_in_filename("cfg0013.xml") is None


@pytest.mark.parametrize(
    ("model", "filename", "served"),
    [("uc923", "cfg0013.xml", True), ("uc923", "cfg0012.xml", False), ("uc912", "cfg0019.xml", True),
     ("uc912g", "cfg0019.xml", True), ("uc921", "cfg0018.xml", True), ("uc921", "cfg0013.xml", False)],
)  # fmt: skip
def test_a_model_file_is_served_to_the_models_sharing_its_code(
    model: str, filename: str, served: bool
) -> None:
    requested = VENDOR.identify_file(filename)
    assert requested is not None
    assert VENDOR.serves(device(model=model), requested) is served


def test_every_code_names_catalogue_models() -> None:
    assert set(DEVICE_CODES) <= {model.id for model in VENDOR.models}


def test_templates_are_xml() -> None:
    for filename, template in (
        (f"cfg{MAC}.xml", "htek/device.xml.j2"),
        ("cfg0013.xml", "htek/device.xml.j2"),
        ("phonebook.xml", "htek/phonebook.xml.j2"),
    ):
        requested = VENDOR.identify_file(filename)
        assert requested is not None
        assert VENDOR.template_for(RenderRequest(device(), requested, filename, LINK)) == (template, XML)


# --- rendering ------------------------------------------------------------------------------


def test_the_file_head_is_the_hl_provision_document() -> None:
    body = render(device(account()))
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<hl_provision version="1">\n')
    tree = ET.fromstring(body)
    assert (tree.tag, tree.get("version")) == ("hl_provision", "1")
    config = tree.find("config")
    assert config is not None and config.get("version") == "1"


def test_the_model_file_is_the_device_config() -> None:
    dev = device(account(), vendor_params=(("P8", "1"),))
    assert render(dev, "cfg0013.xml") == render(dev)
    assert p_values(dev, "cfg0013.xml")["P8"] == "1"


def test_every_p_value_carries_its_htek_name() -> None:
    config = ET.fromstring(render(device(account(), timezone="Europe/Berlin"))).find("config")
    assert config is not None
    assert all(element.get("para") for element in config)
    assert config.find("P271") is not None and config.find("P271").get("para") == "Account1.Active"  # type: ignore[union-attr]


def test_four_accounts_are_written_with_their_own_p_values() -> None:
    first = account(
        1,
        name="Reception",
        sip_name="Alice",
        sip_password="s1",
        sip_auth="auth1",
        voicemail="*97",
        transport=Transport.TLS,
        register_expires=600,
        outbound_proxy=HostPort("proxy.example.com", 5070),
        backup_server=HostPort("backup.example.com"),
    )
    second = account(
        2,
        sip_register=HostPort("10.0.0.1", 5062),
        name="Second",
        sip_name="Bob",
        sip_password="s2",
        transport=Transport.TCP,
    )
    dev = device(
        first, second, account(3, sip_password="s3"), account(4, sip_password="s4", register_expires=90)
    )
    assert own(p_values(dev)) == {
        "P271": "1", "P24082": "0", "P47": "pbx.example.com:5061", "P967": "backup.example.com:5061",
        "P48": "proxy.example.com:5070", "P130": "2", "P20000": "Reception", "P35": "1001", "P36": "auth1",
        "P34": "s1", "P3": "Alice", "P32": "10", "P33": "*97",
        "P401": "1", "P24083": "1", "P747": "10.0.0.1:5062", "P987": "", "P748": "", "P830": "1", "P20001": "Second",
        "P735": "1002", "P736": "1002", "P734": "s2", "P703": "Bob", "P426": "",
        "P501": "1", "P24084": "2", "P502": "pbx.example.com:5060", "P988": "", "P503": "", "P930": "0", "P20002": "",
        "P504": "1003", "P505": "1003", "P506": "s3", "P507": "", "P526": "",
        "P601": "1", "P24085": "3", "P602": "pbx.example.com:5060", "P989": "", "P603": "", "P1030": "0", "P20003": "",
        "P604": "1004", "P605": "1004", "P606": "s4", "P607": "", "P612": "2", "P626": "",
    }  # fmt: skip


def test_the_catalogue_offers_only_accounts_with_known_p_values() -> None:
    for model in VENDOR.models:
        assert set(range(1, model.accounts + 1)) <= set(ACCOUNT_P_VALUES), model.id


# Accounts 5-16: Wazo's htek base.tpl (plugins/wazo_htek/v2_0_4_4_58/templates/base.tpl at 8dfc2dd,
# also built for 2.0.4.6.41) for 5-8 and every field but the profile of 9-16, which comes from
# Rahulcse79/Auto_provision_spring_bakend (DeviceManagerService.java): active, profile, label,
# user id, auth id, password, display name, voicemail.
@pytest.mark.parametrize(
    ("line", "expected"),
    [(5, ("P20360", "P24086", "P20378", "P1704", "P1705", "P1706", "P1707", "P1726")),
     (6, ("P20361", "P24087", "P20379", "P1804", "P1805", "P1806", "P1807", "P1826")),
     (7, ("P24090", "P24088", "P24100", "P24110", "P24120", "P24130", "P24140", "P24170")),
     (8, ("P24091", "P24089", "P24101", "P24111", "P24121", "P24131", "P24141", "P24171")),
     (9, ("P24092", "P24720", "P24102", "P24112", "P24122", "P24132", "P24142", "P24172")),
     (16, ("P24099", "P24727", "P24109", "P24119", "P24129", "P24139", "P24149", "P24179"))],
)  # fmt: skip
def test_accounts_5_to_16_are_written_with_their_own_p_values(line: int, expected: tuple[str, ...]) -> None:
    extra = account(line, name=f"Line {line}", sip_name=f"Agent {line}", sip_password="pw", voicemail="*98")
    dev = device(account(1), extra, model="uc926")
    values = own(p_values(dev))
    written = {number: values.pop(number) for number in expected}
    assert written == dict(
        zip(
            expected,
            ("1", "0", f"Line {line}", f"10{line:02d}", f"10{line:02d}", "pw", f"Agent {line}", "*98"),
            strict=True,
        )
    )
    # What is left is account 1 and its profile: account `line` writes no server of its own.
    assert values == own(p_values(device(account(1), model="uc926")))


def test_an_account_past_4_registers_through_the_profile_it_shares_with_an_account_of_1_to_4() -> None:
    tls = {
        "transport": Transport.TLS,
        "register_expires": 300,
        "outbound_proxy": HostPort("proxy.example.com"),
    }
    dev = device(
        account(1),
        account(2, sip_register=HostPort("pbx2.example.com"), **tls),
        account(5, sip_register=HostPort("pbx2.example.com"), **tls),
        account(16),
        model="uc926",
    )
    values = p_values(dev)
    assert (values["P24082"], values["P24083"], values["P24086"], values["P24727"]) == ("0", "1", "1", "0")


def test_an_account_past_4_without_a_profile_of_its_own_is_found_by_the_check() -> None:
    accounts = (account(1), account(5, transport=Transport.TCP), account(6), account(2, sip_register=None))
    assert list(VENDOR.check_accounts(accounts)) == [(1, PROFILE_PROBLEM)]
    assert list(VENDOR.check_accounts((account(5),))) == [(0, PROFILE_PROBLEM)]
    assert list(VENDOR.check_accounts((account(1), account(5, enabled=False, sip_register=None)))) == []


PROFILE_PROBLEM = (
    "an Htek account on line 5 to 16 registers with the server settings of one of lines 1 to 4 "
    "(its profile): give it the registrar, backup server, outbound proxy, transport and register "
    "expiry of one of them"
)


def _uc926_draft(*accounts: AccountDraft) -> DeviceDraft:
    return DeviceDraft(vendor="htek", model="uc926", mac=MAC, accounts=list(accounts))


def test_saving_an_account_past_4_with_server_settings_no_account_of_1_to_4_has_is_refused() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    first = AccountDraft(line=1, sip_register="pbx.example.com", sip_user="1001")
    with pytest.raises(ValidationFailed) as failure:
        validate_device(
            _uc926_draft(first, AccountDraft(line=5, sip_register="other.example.com", sip_user="1005")),
            None,
            now,
        )
    assert [(error.field, error.message) for error in failure.value.errors] == [
        ("accounts.1", PROFILE_PROBLEM)
    ]
    saved = validate_device(
        _uc926_draft(first, AccountDraft(line=16, sip_register="pbx.example.com:5060", sip_user="1016")),
        None,
        now,
    )
    assert [a.line for a in saved.accounts] == [1, 16]


def test_a_disabled_account_past_4_without_a_profile_is_written_inactive_and_without_one() -> None:
    values = p_values(device(account(1), Account(line=7, sip_register=None, sip_user="", enabled=False)))
    assert (values["P24090"], values["P24110"]) == ("0", "")
    assert "P24088" not in values


def test_a_disabled_account_is_written_with_active_0() -> None:
    values = p_values(device(account(1), Account(line=2, sip_register=None, sip_user="", enabled=False)))
    assert (values["P401"], values["P747"], values["P735"]) == ("0", "", "")


def test_an_ipv6_registrar_is_bracketed() -> None:
    assert (
        p_values(device(account(sip_register=HostPort("2001:db8::1", 5070))))["P47"] == "[2001:db8::1]:5070"
    )


@pytest.mark.parametrize(("seconds", "minutes"), [(30, "1"), (60, "1"), (61, "2"), (3600, "60")])
def test_register_expiry_is_written_in_minutes(seconds: int, minutes: str) -> None:
    assert p_values(device(account(register_expires=seconds)))["P32"] == minutes


def test_provisioning_points_back_at_the_link() -> None:
    values = p_values(device())
    assert {key: values[key] for key in ALWAYS} == {
        "P212": "1", "P237": LINK, "P145": "0", "P1360": "", "P1361": "", "P194": "0", "P330": "1",
        "P331": LINK, "P332": "0",
    }  # fmt: skip
    common = "https://sonata.example.net/v1/token/group-token-0001"
    values = p_values(device(resync_minutes=120), link=common + "/")
    assert {key: values[key] for key in (*ALWAYS, "P193")} == {
        "P212": "2", "P237": common, "P145": "0", "P1360": "", "P1361": "", "P194": "1", "P193": "120",
        "P330": "3", "P331": common, "P332": "120",
    }  # fmt: skip


@pytest.mark.parametrize("filename", ["cfg001fc11c22a9.xml", "cfg0013.xml"])
def test_every_config_gives_the_phone_its_provisioning_credentials(filename: str) -> None:
    values = p_values(device(**CREDENTIALS), filename)
    assert (values["P1360"], values["P1361"]) == ("desk-0001@acme", "p&ss<w>\"rd' 1")


@pytest.mark.parametrize("filename", ["cfg001fc11c22a9.xml", "cfg0013.xml"])
def test_the_phonebook_download_url_carries_the_phone_credentials(filename: str) -> None:
    # Sonata asks for the credentials on phonebook.xml too; Htek's phonebook download has no user
    # name or password setting, so they go into the URL (user:password@host).
    url = httpx.URL(p_values(device(**CREDENTIALS), filename)["P331"])
    assert (url.username, url.password) == ("desk-0001@acme", "p&ss<w>\"rd' 1")
    assert str(url.copy_with(username=None, password=None)) == LINK
    assert p_values(device(**CREDENTIALS), filename)["P237"] == LINK


def test_dhcp_options_replace_neither_the_provisioning_server_nor_the_time_settings() -> None:
    # P145 = 0: DHCP option 66 does not replace P237 (written with every file); P144 = 0: option 42
    # does not replace the NTP server; P143 = 0: option 2 does not replace the zone. Each only with
    # the setting it protects, as the Grandstream renderer writes its P145/P144/P143.
    assert p_values(device())["P145"] == "0"
    assert not {"P143", "P144"} & set(p_values(device()))
    assert p_values(device(ntp_server="ntp.example.org"))["P144"] == "0"
    assert p_values(device(timezone="Europe/Berlin"))["P143"] == "0"
    assert "P143" not in p_values(device(timezone="Asia/Kathmandu"))  # no zone code: zone left alone


# FusionPBX's UC903 template and Wazo's htek base.tpl: URL P4401-P4405, name P3316 then P3312-P3315.
BOOK_SLOTS = [("P4401", "P3316"), ("P4402", "P3312"), ("P4403", "P3313"), ("P4404", "P3314"),
              ("P4405", "P3315")]  # fmt: skip


def test_without_remote_phonebooks_no_slot_is_written() -> None:
    values = p_values(device())
    assert not {number for slot in BOOK_SLOTS for number in slot} & set(values)


def test_remote_phonebooks_fill_their_slots_and_clear_the_others() -> None:
    dev = device(
        remote_phonebooks=(
            RemotePhonebook("Company", "https://dir.example.com/a.xml"),
            RemotePhonebook("Sales", "http://dir.example.com/b.xml?x=1&y=2"),
        )
    )
    values = p_values(dev)
    assert own(values) == {
        "P4401": "https://dir.example.com/a.xml", "P3316": "Company",
        "P4402": "http://dir.example.com/b.xml?x=1&y=2", "P3312": "Sales",
        "P4403": "", "P3313": "", "P4404": "", "P3314": "", "P4405": "", "P3315": "",
    }  # fmt: skip
    # Sonata's own phonebook keeps the phonebook download.
    assert (values["P330"], values["P331"]) == ("1", LINK)
    config = ET.fromstring(render(dev)).find("config")
    assert config is not None
    assert config.find("P4401").get("para") == "RemotePhoneBook1.Url"  # type: ignore[union-attr]
    assert config.find("P3312").get("para") == "RemotePhoneBook2.Name"  # type: ignore[union-attr]


def test_a_sixth_remote_phonebook_is_not_written() -> None:
    books = tuple(RemotePhonebook(f"Book {n}", f"http://dir.example.com/{n}.xml") for n in range(1, 8))
    values = own(p_values(device(remote_phonebooks=books)))
    assert values == {
        number: value
        for n, (url_p, name_p) in enumerate(BOOK_SLOTS, start=1)
        for number, value in ((url_p, f"http://dir.example.com/{n}.xml"), (name_p, f"Book {n}"))
    }
    assert "http://dir.example.com/6.xml" not in render(device(remote_phonebooks=books)).decode()


def test_ntp_admin_password_and_firmware() -> None:
    dev = device(
        ntp_server="pool.ntp.org", admin_password="s3cret", firmware_url="http://fw.example.com/htek/fw.rom"
    )
    assert own(p_values(dev)) == {
        "P30": "pool.ntp.org", "P144": "0", "P2": "s3cret", "P192": "http://fw.example.com/htek",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("url", "directory"),
    [
        ("http://fw.example.com/htek/uc923.rom", "http://fw.example.com/htek"),
        ("http://fw.example.com/htek/", "http://fw.example.com/htek"),
        ("https://fw.example.com/uc923.rom?v=2", "https://fw.example.com"),
        ("http://fw.example.com", "http://fw.example.com"),
        ("tftp://10.0.0.1/fw/a.rom", "tftp://10.0.0.1/fw"),
    ],
)
def test_the_firmware_path_is_the_directory_of_the_firmware_url(url: str, directory: str) -> None:
    assert firmware_directory(url) == directory


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        (
            "Europe/Berlin",
            {
                "P64": "49",
                "P143": "0",
                "P75": "1",
                "P23117": "1",
                "P23118": "3",
                "P23119": "5",
                "P23120": "0",
                "P23121": "2",
                "P23122": "10",
                "P23123": "5",
                "P23124": "0",
                "P23125": "3",
            },
        ),
        (
            "America/New_York",
            {
                "P64": "18",
                "P143": "0",
                "P75": "1",
                "P23117": "1",
                "P23118": "3",
                "P23119": "2",
                "P23120": "0",
                "P23121": "2",
                "P23122": "11",
                "P23123": "1",
                "P23124": "0",
                "P23125": "2",
            },
        ),
        (
            "Europe/Dublin",
            {
                "P64": "33",
                "P143": "0",
                "P75": "1",
                "P23117": "1",
                "P23118": "3",
                "P23119": "5",
                "P23120": "0",
                "P23121": "1",
                "P23122": "10",
                "P23123": "5",
                "P23124": "0",
                "P23125": "2",
            },
        ),
        (
            "Asia/Jerusalem",
            {
                "P64": "57",
                "P143": "0",
                "P75": "1",
                "P23117": "1",
                "P23118": "3",
                "P23119": "4",
                "P23120": "5",
                "P23121": "2",
                "P23122": "10",
                "P23123": "5",
                "P23124": "0",
                "P23125": "2",
            },
        ),
        ("Asia/Kolkata", {"P64": "84", "P143": "0", "P75": "0"}),
        ("Asia/Tokyo", {"P64": "93", "P143": "0", "P75": "0"}),
        ("Asia/Kathmandu", {}),
    ],
)
def test_iana_zones_become_zone_code_and_dst_rule(zone: str, expected: dict[str, str]) -> None:
    # Rendered in 2026: Asia/Jerusalem's Friday after the fourth Thursday of March is then the
    # fourth Friday (test_dst_against_tzdata has the other years).
    assert own(p_values(device(timezone=zone), year=2026)) == expected


@pytest.mark.parametrize(
    ("offset", "code"), [("GMT+03", "73"), ("GMT-05", "18"), ("GMT", "33"), ("GMT+05:30", "84")]
)
def test_fixed_offsets(offset: str, code: str) -> None:
    assert own(p_values(device(timezone_offset=offset))) == {"P64": code, "P143": "0", "P75": "0"}


def test_line_keys_in_order() -> None:
    dev = device(
        account(1),
        account(2),
        line_keys=(
            LineKey(LineKeyType.LINE, label="Line 1"),
            LineKey(LineKeyType.BLF, "1002", "Bob", line=2, pickup_code="*8"),
            LineKey(LineKeyType.SPEED_DIAL, "+4930123456", "Office"),
            LineKey(LineKeyType.DTMF, "*21#", "Forward"),
            LineKey(LineKeyType.KEY_EVENT, "DND", "Quiet"),
            LineKey(LineKeyType.KEY_EVENT, "25", "Rec"),
            LineKey(LineKeyType.KEY_EVENT, "F_UNKNOWN", "Nothing"),
        ),
    )
    values = p_values(dev)
    written = [tuple(values[p] for p in key_p_values(number)) for number in range(1, 8)]
    assert written == [
        ("1", "", "Line 1", "0", ""),
        ("3", "1002", "Bob", "1", "*8"),
        ("2", "+4930123456", "Office", "0", ""),
        ("10", "*21#", "Forward", "0", ""),
        ("21", "", "Quiet", "0", ""),
        ("25", "", "Rec", "0", ""),
        ("0", "", "Nothing", "0", ""),
    ]
    assert key_p_values(8).type not in values  # key 8 is left alone


def test_rendering_is_deterministic() -> None:
    dev = device(
        account(1, sip_password="x"), account(2), timezone="Europe/Berlin", ntp_server="ntp.example.org"
    )
    assert render(dev) == render(dev)


# --- the phonebook --------------------------------------------------------------------------


def test_the_phonebook_is_an_address_book() -> None:
    dev = device(
        phonebook=(
            Contact("Anna Müller", (ContactNumber("100"), ContactNumber("+49170123", NumberType.MOBILE))),
            Contact("Home", (ContactNumber("+4930555", NumberType.HOME),)),
        )
    )
    book = ET.fromstring(render(dev, "phonebook.xml"))
    assert book.tag == "AddressBook"
    contacts = [
        (
            contact.findtext("FirstName"),
            contact.findtext("LastName"),
            [
                (p.get("type"), p.findtext("phonenumber"), p.findtext("accountindex"))
                for p in contact.findall("Phone")
            ],
        )
        for contact in book.findall("Contact")
    ]
    assert contacts == [
        ("Anna Müller", "", [("Work", "100", "0"), ("Mobile", "+49170123", "0")]),
        ("Home", "", [("Home", "+4930555", "0")]),
    ]


def test_an_empty_phonebook_is_an_empty_address_book() -> None:
    book = ET.fromstring(render(device(), "phonebook.xml"))
    assert (book.tag, list(book)) == ("AddressBook", [])


# --- vendor params --------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["P8", "P20000", "P99999"])
def test_valid_params(key: str) -> None:
    assert VENDOR.check_param(MODEL, key, "1") is None


@pytest.mark.parametrize(
    "key", ["", "p8", "P", "P123456", "8", "P8 ", "P8\n", "P\u0663", "<P8>", "Account1.Active"]
)
def test_invalid_param_keys(key: str) -> None:
    assert VENDOR.check_param(MODEL, key, "1")


def test_invalid_param_values() -> None:
    assert VENDOR.check_param(MODEL, "P8", "a\nb")


def test_params_replace_rendered_p_values_and_add_new_ones() -> None:
    dev = device(
        account(), ntp_server="pool.ntp.org", vendor_params=(("P30", "ntp2.example.org"), ("P8", "<1>"))
    )
    values = p_values(dev)
    assert values["P30"] == "ntp2.example.org"
    assert values["P8"] == "<1>"


def test_params_do_not_go_into_the_phonebook() -> None:
    dev = device(vendor_params=(("P8", "1"),))
    assert b"P8" not in render(dev, "phonebook.xml")
