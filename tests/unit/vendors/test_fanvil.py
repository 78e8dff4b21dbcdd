import xml.etree.ElementTree as ET
from functools import partial

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.vendors import samples
from tests.unit.vendors.samples import LINK, account
from tests.unit.vendors.samples import xml_clean as clean

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
from sonata.domain.timezones import UtcOffset
from sonata.domain.vendors import VENDORS, fanvil_values, mac_in_filename
from sonata.domain.vendors.base import (
    TEXT,
    XML,
    FileKind,
    PhoneIdentity,
    PhoneModel,
    RenderRequest,
    RequestedFile,
)
from sonata.domain.vendors.fanvil import SYSCONF, VOIP_CONFIG_FILE, Fanvil, FanvilModel

VENDOR = Fanvil()
MAC = "0c383e07e16c"


device = partial(samples.device, vendor="fanvil", model="x4", mac=MAC)
render = partial(samples.render, VENDOR)


def parse(dev: Device, filename: str | None = None, link: str = LINK) -> ET.Element:
    return ET.fromstring(render(dev, filename, link))


def children(element: ET.Element | None) -> dict[str, str]:
    assert element is not None
    return {child.tag: child.text or "" for child in element}


def global_config(dev: Device) -> dict[str, str]:
    module = parse(dev).find("GLOBAL_CONFIG_MODULE")
    return {} if module is None else children(module)


def lines(dev: Device) -> dict[str, dict[str, str]]:
    """Each SIP_Line_List_Entry by its ID, as a tag -> text mapping."""
    found = {}
    for entry in parse(dev).findall("SIP_CONFIG_MODULE/SIP_Line_List/SIP_Line_List_Entry"):
        values = children(entry)
        found[values.pop("ID")] = values
    return found


def sys_lines(dev: Device) -> dict[str, dict[str, str]]:
    return {line.get("index", ""): children(line) for line in parse(dev).findall("sip/line")}


# --- catalogue ------------------------------------------------------------------------------


def test_the_registry_knows_fanvil() -> None:
    assert isinstance(VENDORS["fanvil"], Fanvil)


@pytest.mark.parametrize(
    ("model", "accounts", "keys", "file_format"),
    [
        ("x3s", 2, 2, VOIP_CONFIG_FILE),
        ("x4", 4, 4, VOIP_CONFIG_FILE),
        ("x5s", 6, 6, VOIP_CONFIG_FILE),
        ("x6u", 20, 65, SYSCONF),
        ("v62", 4, 15, SYSCONF),
        ("v64", 12, 21, SYSCONF),
        ("v65", 20, 27, SYSCONF),
        ("v67", 20, 29, SYSCONF),
    ],
)
def test_catalogue_models_accounts_keys_and_format(
    model: str, accounts: int, keys: int, file_format: object
) -> None:
    found = VENDOR.model(model)
    assert isinstance(found, FanvilModel)
    assert (found.accounts, found.line_keys, found.format) == (accounts, keys, file_format)
    if found.format is SYSCONF:
        assert found.line_keys == sum(bank.per_page * bank.pages for bank in found.key_banks)


def test_catalogue_size() -> None:
    assert len(VENDOR.models) == 8


@pytest.mark.parametrize("code", ["en", "de", "fr", "es", "it", "nl", "pt", "ru", "pl", "tr"])
def test_languages_cover_the_required_codes(code: str) -> None:
    assert code in VENDOR.languages


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
        # Wazo's plugin regex: model, version, MAC (X3S, X6V2 spellings); V-series as in its model list
        ("Fanvil X6U-Pro 2.12.16.17 0c383e2cd782", "x6u", "2.12.16.17", "0c383e2cd782"),
        ("Fanvil V64 2.12.16.4 0c383e6a1b2c", "v64", "2.12.16.4", "0c383e6a1b2c"),
        ("Fanvil V62 Pro 2.12.20 0c383e6a1b2d", "v62", "2.12.20", "0c383e6a1b2d"),
        ("Fanvil V67 2.6.6.201 0C-38-3E-6A-1B-2E", "v67", "2.6.6.201", "0c383e6a1b2e"),
        ("Fanvil X6V2 1.12.2 0c383e000001", "x6v2", "1.12.2", "0c383e000001"),
        ("Fanvil X4 hw1.0 2.10.2.6887 0c383e07e16c", "x4", "2.10.2.6887", "0c383e07e16c"),
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
    ("filename", "model"),
    [
        ("f0X3shw1.100.cfg", "x3s"),
        ("f0X4hw1.100.cfg", "x4"),
        ("F0V00X5S0000.cfg", "x5s"),
        ("F0V0X6U00000.cfg", "x6u"),
        ("F0V0V6200000.cfg", "v62"),
        ("F0V0V6400000.cfg", "v64"),
        ("F0V0V6500000.cfg", "v65"),
        ("F0V0V6700000.cfg", "v67"),
        ("f0x4hw1.100.CFG", "x4"),
    ],
)
def test_common_files_name_their_model(filename: str, model: str) -> None:
    assert VENDOR.identify_file(filename) == RequestedFile(FileKind.COMMON_CONFIG, model=model)


def test_the_phonebook_file_carries_the_mac() -> None:
    assert VENDOR.identify_file("0C383E07E16C-phonebook.xml") == RequestedFile(FileKind.PHONEBOOK, MAC)
    assert mac_in_filename("0c383e07e16c-phonebook.xml") == MAC


@pytest.mark.parametrize(
    ("filename", "model"),
    [
        # Fanvil's manuals: `vendor_model_hw10.txt`, spaces as underscores; Wazo serie_v lists
        # `fanvil_v67_hw1_1.txt`, `fanvil_v62_hwv1_0.txt`, `fanvil_v62_pro_hwv1_0.txt`.
        ("fanvil_x6u_hw10.txt", "x6u"),
        ("fanvil_v67_hw1_1.txt", "v67"),
        ("fanvil_v62_hwv1_0.txt", "v62"),
        ("fanvil_v62_pro_hwv1_0.txt", "v62"),
        ("fanvil_x6u_v2_hw10.txt", "x6u"),
        ("Fanvil_X6U_Pro_hw10.TXT", "x6u"),
    ],
)
def test_firmware_descriptors_name_their_model(filename: str, model: str) -> None:
    assert VENDOR.identify_file(filename) == RequestedFile(FileKind.FIRMWARE, model=model)


@pytest.mark.parametrize("filename", ["fanvil_update.txt", "fanvil_x6u.txt", "fanvil_x6u_hw10.txt.bak.txt"])
def test_other_fanvil_text_files_are_not_served(filename: str) -> None:
    assert VENDOR.identify_file(filename) == RequestedFile(FileKind.NOT_SERVED)


@pytest.mark.parametrize(
    "filename",
    [
        "F0V00X600000.cfg",  # X6 and X5U-V2: common files of models outside the catalogue
        "F0V5UV200000.cfg",
        "cfg0c383e07e16c.xml",
        "0c383e07e16c.xml",
        "0c383e07e16c.cfg.bak",
        "phonebook.xml",
        "",
    ],
)
def test_other_file_names_are_not_understood(filename: str) -> None:
    assert VENDOR.identify_file(filename) is None


def test_a_common_file_is_served_only_to_its_model() -> None:
    requested = VENDOR.identify_file("f0X4hw1.100.cfg")
    assert requested is not None
    assert VENDOR.serves(device(model="x4"), requested)
    assert not VENDOR.serves(device(model="x3s"), requested)


@pytest.mark.parametrize(
    ("model", "filename", "template"),
    [
        ("x4", MAC + ".cfg", "fanvil/device.xml.j2"),
        ("x4", "f0X4hw1.100.cfg", "fanvil/common.xml.j2"),
        ("x6u", MAC + ".cfg", "fanvil/sysconf-device.xml.j2"),
        ("v64", "F0V0V6400000.cfg", "fanvil/sysconf-common.xml.j2"),
        ("v64", MAC + "-phonebook.xml", "fanvil/phonebook.xml.j2"),
    ],
)
def test_templates_follow_the_model_format(model: str, filename: str, template: str) -> None:
    requested = VENDOR.identify_file(filename)
    assert requested is not None
    assert VENDOR.template_for(RenderRequest(device(model=model), requested, filename, LINK)) == (
        template,
        XML,
    )


def test_the_firmware_descriptor_is_text() -> None:
    requested = RequestedFile(FileKind.FIRMWARE, model="x6u")
    request = RenderRequest(device(model="x6u"), requested, "fanvil_x6u_hw10.txt", LINK)
    assert VENDOR.template_for(request) == ("fanvil/firmware.txt.j2", TEXT)


# --- rendering: VOIP_CONFIG_FILE ------------------------------------------------------------


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
    found = lines(dev)
    assert found["SIP1"] == {
        "Phone_Number": "1001",
        "Display_Name": "Alice",
        "Register_Addr": "pbx.example.com",
        "Register_Port": "5060",
        "Register_User": "auth1",
        "Register_Pswd": "s1",
        "Enable_Reg": "1",
        "Transport": "0",
        "Proxy_Addr": "",
        "Proxy_Port": "",
        "Backup_Addr": "",
        "Backup_Port": "",
        "Backup_Transpo": "0",
        "MWI_Num": "",
    }
    assert (found["SIP2"]["Register_Addr"], found["SIP2"]["Register_Port"]) == ("10.0.0.1", "5062")
    assert found["SIP2"]["Register_User"] == "1002"


def test_the_whole_account_vocabulary() -> None:
    entry = lines(
        device(
            account(
                transport=Transport.TLS,
                register_expires=600,
                outbound_proxy=HostPort("proxy.example.com", 5070),
                backup_server=HostPort("backup.example.com"),
                voicemail="*97",
            )
        )
    )["SIP1"]
    assert entry["Transport"] == entry["Backup_Transpo"] == "2"
    assert entry["Register_Port"] == "5061"  # TLS default
    assert entry["Register_TTL"] == entry["Backup_TTL"] == "600"
    assert (entry["Proxy_Addr"], entry["Proxy_Port"]) == ("proxy.example.com", "5070")
    assert (entry["Backup_Addr"], entry["Backup_Port"]) == ("backup.example.com", "5061")
    assert entry["MWI_Num"] == "*97"


@pytest.mark.parametrize(
    ("transport", "code"), [(Transport.UDP, "0"), (Transport.TCP, "1"), (Transport.TLS, "2")]
)
def test_voip_transport_codes(transport: Transport, code: str) -> None:
    assert lines(device(account(transport=transport)))["SIP1"]["Transport"] == code


def test_the_account_name_is_not_written() -> None:
    assert b"Reception" not in render(device(account(name="Reception")))


def test_a_disabled_account_is_written_with_enable_reg_0() -> None:
    found = lines(device(account(1), Account(line=2, sip_register=None, sip_user="", enabled=False)))
    assert found["SIP1"]["Enable_Reg"] == "1"
    assert found["SIP2"]["Enable_Reg"] == "0"
    assert found["SIP2"]["Register_Addr"] == ""


def test_a_device_without_accounts_writes_no_empty_sip_module() -> None:
    assert parse(device()).find("SIP_CONFIG_MODULE") is None


def test_ntp_server_enables_sntp() -> None:
    assert global_config(device(ntp="pool.ntp.org")) == {"SNTP_Server": "pool.ntp.org", "Enable_SNTP": "1"}


@pytest.mark.parametrize(
    ("offset", "quarters", "name"),
    [
        ("GMT+03", "12", "UTC+3"),
        ("GMT-05", "-20", "UTC-05"),
        ("GMT-01", "-4", "UTC-01"),
        ("GMT-10", "-40", "UTC-10"),
        ("GMT+12", "48", "UTC+12"),
        ("GMT+05:30", "22", "UTC+5:30"),
        ("GMT+05:45", "23", "UTC+5:45"),
        ("GMT-03:30", "-14", "UTC-03:30"),
        ("GMT-09:30", "-38", "UTC-09:30"),
        ("GMT-12", "-48", "UTC-12"),
        ("GMT+14", "56", "UTC+14"),
        ("GMT", "0", "UCT"),
    ],
)
def test_time_zone_counts_quarter_hours(offset: str, quarters: str, name: str) -> None:
    assert global_config(device(tz=offset)) == {
        "Time_Zone": quarters,
        "Time_Zone_Name": name,
        "Enable_DST": "0",
    }


# Wazo's `_TZ_INFO` (wazo-fanvil serie-x/entry.py and serie-v/entry.py), whole hours -12..+12.
WAZO_TZ_INFO = {
    -12: "UTC-12", -11: "UTC-11", -10: "UTC-10", -9: "UTC-09", -8: "UTC-08", -7: "UTC-07",
    -6: "UTC-06", -5: "UTC-05", -4: "UTC-04", -3: "UTC-03", -2: "UTC-02", -1: "UTC-01",
    0: "UCT", 1: "UTC+1", 2: "UTC+2", 3: "UTC+3", 4: "UTC+4", 5: "UTC+5", 6: "UTC+6",
    7: "UTC+7", 8: "UTC+8", 9: "UTC+9", 10: "UTC+10", 11: "UTC+11", 12: "UTC+12",
}  # fmt: skip


@pytest.mark.parametrize(("hours", "name"), sorted(WAZO_TZ_INFO.items()))
def test_time_zone_names_are_spelled_as_in_wazos_table(hours: int, name: str) -> None:
    assert fanvil_values.time_zone_name(UtcOffset(hours * 60)) == name
    assert fanvil_values.TIME_ZONE_NAMES[hours * 60] == name
    assert len(fanvil_values.TIME_ZONE_NAMES) == len(WAZO_TZ_INFO)


@pytest.mark.parametrize(
    ("timezone", "name"),
    [("America/New_York", "UTC-05"), ("Europe/London", "UCT"), ("America/Sao_Paulo", "UTC-03")],
)
def test_an_iana_zone_is_named_by_its_standard_offset(timezone: str, name: str) -> None:
    assert global_config(device(timezone=timezone))["Time_Zone_Name"] == name


def test_an_iana_zone_writes_daylight_saving_rules() -> None:
    config = global_config(device(timezone="Europe/Berlin", tz="GMT+05"))
    assert config == {
        "Time_Zone": "4",
        "Time_Zone_Name": "UTC+1",
        "Enable_DST": "2",
        "DST_Fixed_Type": "2",
        "DST_Min_Offset": "60",
        "DST_Start_Mon": "3",
        "DST_Start_Week": "-1",
        "DST_Start_Wday": "0",
        "DST_Start_Hour": "2",
        "DST_Start_Min": "0",
        "DST_End_Mon": "10",
        "DST_End_Week": "-1",
        "DST_End_Wday": "0",
        "DST_End_Hour": "3",
        "DST_End_Min": "0",
    }


def test_american_rules_use_week_numbers() -> None:
    config = global_config(device(timezone="America/New_York"))
    assert (config["Time_Zone"], config["Time_Zone_Name"]) == ("-20", "UTC-05")
    assert (config["DST_Start_Mon"], config["DST_Start_Week"], config["DST_Start_Hour"]) == ("3", "2", "2")
    assert (config["DST_End_Mon"], config["DST_End_Week"], config["DST_End_Hour"]) == ("11", "1", "2")


def test_negative_summer_time_is_turned_around() -> None:
    """Europe/Dublin's rule has standard IST and winter GMT; Fanvil only adds daylight time."""
    config = global_config(device(timezone="Europe/Dublin"))
    assert (config["Time_Zone"], config["DST_Min_Offset"]) == ("0", "60")
    assert (config["DST_Start_Mon"], config["DST_Start_Hour"]) == ("3", "1")
    assert (config["DST_End_Mon"], config["DST_End_Hour"]) == ("10", "2")


def test_a_zone_without_daylight_saving() -> None:
    assert global_config(device(timezone="Asia/Kolkata")) == {
        "Time_Zone": "22",
        "Time_Zone_Name": "UTC+5:30",
        "Enable_DST": "0",
    }


@pytest.mark.parametrize(
    ("code", "value"), [("en", "0"), ("de", "16"), ("fr", "4"), ("es", "10"), ("it", "7")]
)
def test_voip_language_is_an_index(code: str, value: str) -> None:
    assert global_config(device(language=code))["Language"] == value


def test_voip_language_without_a_known_index_is_not_written() -> None:
    assert "Language" not in global_config(device(language="pl", ntp="pool.ntp.org"))


def test_without_time_zone_ntp_and_language_no_global_module_is_written() -> None:
    assert parse(device(account())).find("GLOBAL_CONFIG_MODULE") is None


def test_admin_password_is_the_web_admin_account() -> None:
    entry = parse(device(admin_password="Adm1n!")).find("MMI_CONFIG_MODULE/MMI_Account/MMI_Account_Entry")
    assert children(entry) == {"ID": "Account1", "Name": "admin", "Password": "Adm1n!", "Level": "10"}
    assert parse(device()).find("MMI_CONFIG_MODULE") is None


def test_provisioning_points_back_at_the_link() -> None:
    config = children(parse(device()).find("AUTOUPDATE_CONFIG_MODULE"))
    assert config == {
        "Download_Server_IP": LINK,
        "Download_Username": "",
        "Download_Password": "",
        "Config_File_Name": "$mac.cfg",
        "Download_Protocol": "4",
        "Download_Mode": "1",
        "Download_CommonConf": "1",
        "Download_DeviceConf": "1",
    }


CREDENTIALS = {"provisioning_username": "desk-0001@acme", "provisioning_password": "p&ss<w>\"rd' 1"}


@pytest.mark.parametrize(
    ("model", "filename", "section", "names"),
    [
        ("x4", "0c383e07e16c.cfg", "AUTOUPDATE_CONFIG_MODULE", ("Download_Username", "Download_Password")),
        ("x4", "f0X4hw1.100.cfg", "AUTOUPDATE_CONFIG_MODULE", ("Download_Username", "Download_Password")),
        ("v64", "0c383e07e16c.cfg", "ap", ("DefaultUsername", "DefaultPassword")),
        ("v64", "F0V0V6400000.cfg", "ap", ("DefaultUsername", "DefaultPassword")),
    ],
)
def test_device_and_common_files_give_the_phone_its_provisioning_credentials(
    model: str, filename: str, section: str, names: tuple[str, str]
) -> None:
    config = children(parse(device(model=model, **CREDENTIALS), filename).find(section))
    assert (config[names[0]], config[names[1]]) == ("desk-0001@acme", "p&ss<w>\"rd' 1")


def test_resync_minutes_make_the_phone_check_repeatedly_in_hours() -> None:
    config = children(parse(device(resync_minutes=90)).find("AUTOUPDATE_CONFIG_MODULE"))
    assert (config["Download_Mode"], config["Download_Interval"], config["update_PB_Interval"]) == (
        "2",
        "2",
        "90",
    )
    assert (
        children(parse(device(resync_minutes=5)).find("AUTOUPDATE_CONFIG_MODULE"))["Download_Interval"] == "1"
    )


def test_an_https_link_uses_the_https_protocol_and_loses_its_trailing_slash() -> None:
    link = "https://sonata.example.net/v1/token/T0K3N/"
    config = children(parse(device(), link=link).find("AUTOUPDATE_CONFIG_MODULE"))
    assert (config["Download_Server_IP"], config["Download_Protocol"]) == (link.rstrip("/"), "5")


def test_firmware_url_is_the_auto_image_url() -> None:
    url = "http://fw.example.com/fanvil/x4-2.10.2.6887.z"
    assert children(parse(device(firmware_url=url)).find("AUTOUPDATE_CONFIG_MODULE"))["Auto_Image_URL"] == url


def test_the_common_file_holds_provisioning_and_firmware_only() -> None:
    url = "http://fw.example.com/x4.z"
    root = parse(device(account(), firmware_url=url, resync_minutes=60), "f0X4hw1.100.cfg")
    assert [child.tag for child in root] == ["version", "AUTOUPDATE_CONFIG_MODULE"]
    config = children(root.find("AUTOUPDATE_CONFIG_MODULE"))
    assert (config["Download_Server_IP"], config["Auto_Image_URL"], config["Download_Interval"]) == (
        LINK,
        url,
        "1",
    )


def test_phonebooks_fill_every_remote_phonebook_slot() -> None:
    remote = (RemotePhonebook("Company", "https://dir.example.com/company.xml"),)
    entries = parse(device(remote_phonebooks=remote)).findall(
        "PHONE_CONFIG_MODULE/Xml_PhoneBook/Xml_PhoneBook_Entry"
    )
    assert [children(e) for e in entries[:3]] == [
        {"ID": "XML-PBook1", "Name": "Phonebook", "Addr": f"{LINK}/{MAC}-phonebook.xml", "Auth": ":"},
        {"ID": "XML-PBook2", "Name": "Company", "Addr": "https://dir.example.com/company.xml", "Auth": ":"},
        {"ID": "XML-PBook3", "Name": "", "Addr": "", "Auth": ":"},
    ]
    assert len(entries) == 8


def test_sonatas_phonebook_is_downloaded_with_the_phone_credentials_and_only_it() -> None:
    # Sonata asks for the credentials on <mac>-phonebook.xml too. VOIP_CONFIG_FILE: the entry's
    # Auth, `user:password`; sysConf: the xmlContact's UserName and PassWd.
    remote = (RemotePhonebook("Company", "https://dir.example.com/company.xml"),)
    entries = parse(device(remote_phonebooks=remote, **CREDENTIALS)).findall(
        "PHONE_CONFIG_MODULE/Xml_PhoneBook/Xml_PhoneBook_Entry"
    )
    assert [e.findtext("Auth") for e in entries[:3]] == ["desk-0001@acme:p&ss<w>\"rd' 1", ":", ":"]
    assert entries[0].findtext("Addr") == f"{LINK}/{MAC}-phonebook.xml"
    contacts = parse(device(model="v64", remote_phonebooks=remote, **CREDENTIALS)).findall("phone/xmlContact")
    assert [(c.findtext("UserName"), c.findtext("PassWd")) for c in contacts[:3]] == [
        ("desk-0001@acme", "p&ss<w>\"rd' 1"),
        ("", ""),
        ("", ""),
    ]
    assert contacts[0].findtext("Addr") == f"{LINK}/{MAC}-phonebook.xml"


def test_without_phone_credentials_sonatas_phonebook_has_none() -> None:
    entry = parse(device()).find("PHONE_CONFIG_MODULE/Xml_PhoneBook/Xml_PhoneBook_Entry")
    assert entry is not None and entry.findtext("Auth") == ":"
    contact = parse(device(model="x6u")).find("phone/xmlContact")
    assert contact is not None and (contact.findtext("UserName"), contact.findtext("PassWd")) == ("", "")


def test_remote_phonebooks_beyond_the_slots_are_left_out() -> None:
    remote = tuple(RemotePhonebook(f"Book {i}", f"http://dir.example.com/{i}.xml") for i in range(10))
    entries = parse(device(remote_phonebooks=remote)).findall(
        "PHONE_CONFIG_MODULE/Xml_PhoneBook/Xml_PhoneBook_Entry"
    )
    assert [e.findtext("Name") for e in entries][-1] == "Book 6"


KEYS = (
    LineKey(LineKeyType.LINE, label="Line 1", line=1),
    LineKey(LineKeyType.BLF, "1003", "Carl", line=1, pickup_code="*8"),
    LineKey(LineKeyType.SPEED_DIAL, "0049301234", "Office", line=2),
    LineKey(LineKeyType.KEY_EVENT, "F_MWI", "Mail"),
)


def test_line_keys_are_function_keys_in_order() -> None:
    entries = parse(device(line_keys=KEYS)).findall("PHONE_CONFIG_MODULE/Function_Key/Function_Key_Entry")
    assert [children(e) for e in entries] == [
        {"ID": "Fkey1", "Type": "2", "Value": "SIP1", "Title": "Line 1"},
        {"ID": "Fkey2", "Type": "1", "Value": "1003@1/ba*81003", "Title": "Carl"},
        {"ID": "Fkey3", "Type": "1", "Value": "0049301234@2/f", "Title": "Office"},
        {"ID": "Fkey4", "Type": "3", "Value": "F_MWI", "Title": "Mail"},
    ]


def test_unused_key_slots_are_cleared_and_a_blf_without_pickup_is_plain() -> None:
    keys = (LineKey(LineKeyType.BLF, "1004", "Dora", line=1), LineKey(LineKeyType.DTMF, "*21#", "DND"))
    entries = parse(device(line_keys=keys)).findall("PHONE_CONFIG_MODULE/Function_Key/Function_Key_Entry")
    assert [(e.findtext("Type"), e.findtext("Value")) for e in entries] == [
        ("1", "1004@1/ba"),
        ("5", "*21#"),
        ("0", ""),
        ("0", ""),
    ]


def test_without_line_keys_the_phone_keeps_its_own() -> None:
    assert parse(device()).find("PHONE_CONFIG_MODULE/Function_Key") is None


def test_the_phonebook_file() -> None:
    contacts = (
        Contact("Anna Müller", (ContactNumber("100"), ContactNumber("0170", NumberType.MOBILE))),
        Contact("Ben", (ContactNumber("200", NumberType.HOME), ContactNumber("201", NumberType.HOME))),
        Contact("No number"),
    )
    root = parse(device(phonebook=contacts), f"{MAC}-phonebook.xml")
    assert root.tag == "PhoneBook"
    assert [children(e) for e in root] == [
        {"Name": "Anna Müller", "Telephone": "100", "Mobile": "0170", "Other": ""},
        {"Name": "Ben", "Telephone": "", "Mobile": "", "Other": "200"},
        {"Name": "Ben", "Telephone": "", "Mobile": "", "Other": "201"},
        {"Name": "No number", "Telephone": "", "Mobile": "", "Other": ""},
    ]


def test_vendor_params_apply_only_to_the_device_file() -> None:
    dev = device(account(), vendor_params=(("AUTOUPDATE_CONFIG_MODULE.Download_Mode", "0"),))
    assert children(parse(dev).find("AUTOUPDATE_CONFIG_MODULE"))["Download_Mode"] == "0"
    assert children(parse(dev, "f0X4hw1.100.cfg").find("AUTOUPDATE_CONFIG_MODULE"))["Download_Mode"] == "1"


def test_rendering_is_deterministic() -> None:
    dev = device(
        account(1, sip_password="x"), account(2), tz="GMT+05:30", ntp="ntp.example.org", line_keys=KEYS
    )
    assert render(dev) == render(dev)


# --- rendering: sysConf ---------------------------------------------------------------------


def test_the_sysconf_head() -> None:
    body = render(device(account(), model="x6u"))
    assert body.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<sysConf>\n    <Version>2.0000000000</Version>\n'
    )


def test_sysconf_accounts_are_indexed_lines() -> None:
    dev = device(
        account(
            1, sip_name="Alice", sip_password="s1", sip_auth="auth1", register_expires=300, voicemail="*97"
        ),
        account(
            2,
            transport=Transport.TLS,
            outbound_proxy=HostPort("proxy.example.com"),
            backup_server=HostPort("b", 5090),
        ),
        model="v64",
    )
    found = sys_lines(dev)
    assert found["1"] == {
        "PhoneNumber": "1001",
        "DisplayName": "Alice",
        "RegisterAddr": "pbx.example.com",
        "RegisterPort": "5060",
        "RegisterUser": "auth1",
        "RegisterPswd": "s1",
        "RegisterTTL": "300",
        "EnableReg": "1",
        "Transport": "0",
        "ProxyAddr": "",
        "ProxyPort": "",
        "BackupAddr": "",
        "BackupPort": "",
        "BackupTransport": "0",
        "BackupTTL": "300",
        "MWINum": "*97",
    }
    assert found["2"]["Transport"] == found["2"]["BackupTransport"] == "3"
    assert (found["2"]["ProxyAddr"], found["2"]["ProxyPort"]) == ("proxy.example.com", "5061")
    assert (found["2"]["BackupAddr"], found["2"]["BackupPort"]) == ("b", "5090")


@pytest.mark.parametrize(
    ("model", "switches"),
    [
        # FusionPBX x6u ("optimized for firmware 2.2.10 and newer") writes Enable_DST and
        # DST_Fixed_Type; Wazo's X6U template (base-new.tpl, firmware 2.4.5.2) EnableDST and
        # DSTFixedType: the X6U gets both spellings, the same values.
        ("x6u", ["EnableDST", "Enable_DST", "DSTFixedType", "DST_Fixed_Type"]),
        # V-series: Wazo's base-V-series.tpl is the one sysConf source.
        ("v64", ["EnableDST", "DSTFixedType"]),
    ],
)
def test_the_dst_switches_in_each_models_spelling(model: str, switches: list[str]) -> None:
    date = parse(device(model=model, timezone="Europe/Berlin")).find("phone/date")
    assert date is not None
    written = [child.tag for child in date if "DST" in child.tag and child.tag.endswith(("DST", "Type"))]
    assert written == switches
    assert {date.findtext(tag) for tag in switches if "Enable" in tag} == {"2"}
    assert len({date.findtext(tag) for tag in switches if "Type" in tag}) == 1


def test_sysconf_date_language_and_admin() -> None:
    root = parse(
        device(
            model="v62", ntp="pool.ntp.org", timezone="Australia/Sydney", language="pl", admin_password="pw"
        )
    )
    date = children(root.find("phone/date"))
    assert (date["SNTPServer"], date["EnableSNTP"], date["TimeZone"], date["TimeZoneName"]) == (
        "pool.ntp.org",
        "1",
        "40",
        "UTC+10",
    )
    assert (date["EnableDST"], date["DSTStartMon"], date["DSTStartWeek"], date["DSTEndMon"]) == (
        "2",
        "10",
        "1",
        "4",
    )
    assert (date["DSTStartHour"], date["DSTEndHour"], date["DSTMinOffset"]) == ("2", "3", "60")
    assert root.findtext("phone/display/DefaultLanguage") == "pl"
    assert children(root.find("web/account[@index='1']")) == {
        "Name": "admin",
        "Password": "pw",
        "Level": "10",
    }


def test_sysconf_provisioning_firmware_and_phonebooks() -> None:
    url = "https://fw.example.com/v64.z"
    root = parse(
        device(model="v64", firmware_url=url, resync_minutes=1440), link="https://p.example.com/v1/token/T"
    )
    assert children(root.find("ap")) == {
        "FlashServerIP": "https://p.example.com/v1/token/T",
        "DefaultUsername": "",
        "DefaultPassword": "",
        "FlashFileName": "$mac.cfg",
        "FlashProtocol": "5",
        "FlashMode": "2",
        "FlashInterval": "24",
        "DownloadCommonConf": "1",
        "DownloadDeviceConf": "1",
        "updatePBInterval": "1440",
    }
    # The directory where the phone reads fanvil_<model>_hw….txt, which names the image.
    assert children(root.find("fwCheck")) == {
        "EnableAutoUpgrade": "1",
        "UpgradeServer1": "https://p.example.com/v1/token/T",
        "AutoUpgradeInterval": "24",
    }
    contacts = root.findall("phone/xmlContact")
    assert [c.get("index") for c in contacts] == ["1", "2", "3", "4", "5"]
    assert contacts[0].findtext("Addr") == f"https://p.example.com/v1/token/T/{MAC}-phonebook.xml"


@pytest.mark.parametrize("filename", ["0c383e07e16c.cfg", "F0V0V6400000.cfg"])
def test_the_firmware_directory_carries_the_phone_credentials(filename: str) -> None:
    # Sonata asks for them on fanvil_<model>_hw….txt too; fwCheck has no user name or password
    # setting, so they go into UpgradeServer1 (user:password@host).
    dev = device(model="v64", firmware_url="https://fw.example.com/v64.z", **CREDENTIALS)
    root = parse(dev, filename)
    directory = httpx.URL(root.findtext("fwCheck/UpgradeServer1") or "")
    assert (directory.username, directory.password) == ("desk-0001@acme", "p&ss<w>\"rd' 1")
    assert str(directory.copy_with(username=None, password=None)) == LINK
    assert root.findtext("ap/FlashServerIP") == LINK


def test_sysconf_without_firmware_writes_no_upgrade_check() -> None:
    assert parse(device(model="x6u")).find("fwCheck") is None


def descriptor(url: str, model: str = "x6u") -> list[str]:
    body = render(device(model=model, firmware_url=url), f"fanvil_{model}_hw10.txt")
    return body.decode("utf-8").split("\n")


def test_the_firmware_descriptor_names_the_image_by_its_full_url() -> None:
    # Fanvil's manuals (H2U, GA10, PA2S "Upgrade server"): Version, Firmware (relative or
    # absolute, told apart by the scheme), BuildTime, Info=TXT|XML, then description lines;
    # Wazo common/templates/common/model-v6x.tpl writes the same lines with a full URL.
    url = "https://fw.example.com/fanvil/x6u-6915-P0.18.23.89-2.4.5.2-3594T2022-07-28-17.32.21.z"
    assert descriptor(url) == [
        "Version=2.4.5.2",
        f"Firmware={url}",
        "BuildTime=",
        "Info=TXT|XML",
        "X6U_2.4.5.2",
        "Fanvil",
        "",
    ]


@pytest.mark.parametrize(
    ("image", "version"),
    [
        # Image names of Wazo's plugins (serie_x, serie_v MODEL_FIRMWARE_MAPPING)
        ("x6upro-fanvil-release-ff01-6916-2.12.4.1-krnvUT2022-05-18-17.47.06.z", "2.12.4.1"),
        ("v62-fanvil-release-ff01-5944-2.12.20-krnlvUT2024-07-16-04.36.28.z", "2.12.20"),
        ("v67_fanvil_2.6.10.1992_20241023_full.zip", "2.6.10.1992"),
        ("x6upro-2.12.16.17.z", "2.12.16.17"),
        # No version of its own in the name: the name stands for it.
        ("x42.10.2.6887T20191122095252.z", "x42.10.2.6887T20191122095252.z"),
        ("latest.z?build=1.2.3", "latest.z"),
    ],
)
def test_the_descriptor_version_is_read_from_the_image_name(image: str, version: str) -> None:
    assert descriptor(f"http://fw.example.com/{image}")[0] == f"Version={version}"


def test_a_long_dotted_run_glued_to_a_letter_is_no_version() -> None:
    name = "1." * 2000 + "1x.z"
    assert fanvil_values.firmware_version(f"http://fw.example.com/{name}") == name


def test_the_sysconf_common_file() -> None:
    root = parse(device(account(), model="v67", firmware_url="http://fw/v67.zip"), "F0V0V6700000.cfg")
    assert [child.tag for child in root] == ["Version", "ap", "fwCheck"]


@pytest.mark.parametrize(
    ("model", "banks"),
    [
        # The keys beside the screen first, five on one `dssSide` page, then the side screen's
        # pages of 12: Wazo serie_x entry.py (TOP_FUNCTION_KEYS and LINE_KEYS_PER_PAGE 5,
        # FUNCTION_KEYS_PER_PAGE 12) with base-new.tpl; FusionPBX x6u (dssSide index 1,
        # internal index 1-5).
        ("x6u", [("dssSide", 5, 1), ("internal", 12, 5)]),
        # V-series: `dssSide` pages only (Wazo serie_v FUNCTION_KEYS_PER_PAGE with
        # base-V-series.tpl; FusionPBX v62: 5 keys x 3 pages); the V67's touch screen is one
        # `internal` page of 29 (Wazo base-V67.tpl).
        ("v62", [("dssSide", 5, 3)]),
        ("v64", [("dssSide", 7, 3)]),
        ("v65", [("dssSide", 9, 3)]),
        ("v67", [("internal", 29, 1)]),
    ],
)
def test_sysconf_keys_fill_the_banks_in_order(model: str, banks: list[tuple[str, int, int]]) -> None:
    total = sum(per_page * pages for _, per_page, pages in banks)
    keys = tuple(LineKey(LineKeyType.SPEED_DIAL, f"{n}", f"K{n}") for n in range(1, total))
    dsskey = parse(device(model=model, line_keys=keys)).find("dsskey")
    assert dsskey is not None
    layout = [(page.tag, page.get("index"), [key.get("index") for key in page]) for page in dsskey]
    assert layout == [
        (section, str(page), [str(i) for i in range(1, per_page + 1)])
        for section, per_page, pages in banks
        for page in range(1, pages + 1)
    ]
    written = [children(key) for page in dsskey for key in page]
    assert written[0] == {"Type": "1", "Value": "1@1/f", "Title": "K1"}
    assert [key["Value"] for key in written] == [f"{n}@1/f" for n in range(1, total)] + [""]
    assert written[-1]["Type"] == "0"


def test_sysconf_line_and_blf_keys() -> None:
    root = parse(device(model="v65", line_keys=KEYS))
    first = root.findall("dsskey/dssSide[@index='1']/Fkey")
    assert [(k.findtext("Type"), k.findtext("Value")) for k in first[:4]] == [
        ("2", "SIP1"),
        ("1", "1003@1/ba*81003"),
        ("1", "0049301234@2/f"),
        ("3", "F_MWI"),
    ]


# --- vendor params --------------------------------------------------------------------------


catalogued = partial(samples.catalogued, VENDOR)


X4, X6U, V64 = catalogued("x4"), catalogued("x6u"), catalogued("v64")
VOIP_KEYS = [
    "GLOBAL_CONFIG_MODULE.SNTP_Timeout",
    "SIP_CONFIG_MODULE.S.Timer_Expire",
    "SIP_CONFIG_MODULE.SIP_Line_List[SIP1].Register_TTL",
    "PHONE_CONFIG_MODULE.Xml_PhoneBook[XML-PBook3].Addr",
    "QOS_CONFIG_MODULE.Enable_VLAN",
]
SYSCONF_KEYS = [
    "sip.line.1.RegisterTTL",
    "net.EnableDHCP",
    "phone.date.SNTPTimeout",
    "dsskey.dssSide.1.Fkey.3.Type",
    "mm.G726-16PayloadType",
]


@pytest.mark.parametrize("key", VOIP_KEYS)
def test_voip_config_file_models_accept_module_keys(key: str) -> None:
    assert VENDOR.check_param(X4, key, "1") is None


@pytest.mark.parametrize("key", SYSCONF_KEYS)
@pytest.mark.parametrize("model", [X6U, V64])
def test_sysconf_models_accept_sysconf_paths(model: PhoneModel, key: str) -> None:
    assert VENDOR.check_param(model, key, "1") is None


@pytest.mark.parametrize("key", SYSCONF_KEYS)
def test_a_sysconf_path_is_refused_on_a_voip_config_file_model(key: str) -> None:
    problem = VENDOR.check_param(X4, key, "1")
    assert problem is not None and "X4" in problem and "VOIP_CONFIG_FILE" in problem


@pytest.mark.parametrize("key", VOIP_KEYS)
def test_a_module_key_is_refused_on_a_sysconf_model(key: str) -> None:
    problem = VENDOR.check_param(X6U, key, "1")
    assert problem is not None and "X6U" in problem and "sysConf" in problem


@pytest.mark.parametrize(
    "key",
    [
        "",
        "SNTP_Timeout",
        "P8",
        "GLOBAL_CONFIG_MODULE",
        "GLOBAL_CONFIG_MODULE.",
        "GLOBAL_CONFIG_MODULE.<x>",
        "SIP_CONFIG_MODULE.SIP_Line_List[SIP 1].Register_TTL",
        "SIP_CONFIG_MODULE.SIP_Line_List[].Register_TTL",
        "SIP_CONFIG_MODULE.SIP_Line_List[SIP1]",
        "sip",
        "sip.line.1",
        "sip..line",
        "1.sip",
        "sip.1.2.x",
        "Version.x",
        "net.Enable DHCP",
        'net.a"b',
        "net.x&y",
        "phone.date.SNTPTimeout.",
    ],
)
@pytest.mark.parametrize("model", [X4, X6U])
def test_invalid_keys(model: PhoneModel, key: str) -> None:
    assert VENDOR.check_param(model, key, "1") is not None


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "\x00", "tab\there"])
def test_values_with_control_characters_are_refused(value: str) -> None:
    assert VENDOR.check_param(X6U, "net.EnableDHCP", value) is not None
    assert VENDOR.check_param(X4, "GLOBAL_CONFIG_MODULE.SNTP_Timeout", value) is not None


def test_a_rendered_setting_is_replaced_not_repeated() -> None:
    dev = device(
        account(register_expires=600),
        ntp="pool.ntp.org",
        vendor_params=(
            ("SIP_CONFIG_MODULE.SIP_Line_List[SIP1].Register_TTL", "30"),
            ("GLOBAL_CONFIG_MODULE.SNTP_Server", "ntp.example.org"),
        ),
    )
    body = render(dev).decode()
    assert body.count("<Register_TTL>") == 1
    assert body.count("<SNTP_Server>") == 1
    assert lines(dev)["SIP1"]["Register_TTL"] == "30"
    assert global_config(dev)["SNTP_Server"] == "ntp.example.org"


def test_missing_modules_entries_and_sections_are_created() -> None:
    dev = device(
        account(),
        vendor_params=(
            ("GLOBAL_CONFIG_MODULE.SNTP_Timeout", "60"),
            ("SIP_CONFIG_MODULE.SIP_Line_List[SIP3].Phone_Number", "3003"),
            ("QOS_CONFIG_MODULE.Enable_VLAN", "1"),
        ),
    )
    root = parse(dev)
    assert global_config(dev) == {"SNTP_Timeout": "60"}
    assert lines(dev)["SIP3"] == {"Phone_Number": "3003"}
    assert root.findtext("QOS_CONFIG_MODULE/Enable_VLAN") == "1"


def test_sysconf_params_replace_and_create() -> None:
    dev = device(
        account(register_expires=600),
        model="x6u",
        vendor_params=(
            ("sip.line.1.RegisterTTL", "30"),
            ("sip.line.3.PhoneNumber", "3003"),
            ("net.EnableDHCP", "1"),
            ("ap.FlashMode", "0"),
        ),
    )
    body = render(dev).decode()
    assert body.count("<RegisterTTL>") == 1
    root = ET.fromstring(body)
    assert root.findtext("sip/line[@index='1']/RegisterTTL") == "30"
    assert root.findtext("sip/line[@index='3']/PhoneNumber") == "3003"
    assert root.findtext("net/EnableDHCP") == "1"
    assert root.findtext("ap/FlashMode") == "0"
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<sysConf>\n    <Version>')


def test_keys_of_the_other_format_are_not_written() -> None:
    # check_param refuses such keys; rendering keeps a stored one out all the same.
    params = (("sip.line.1.RegisterTTL", "30"), ("SIP_CONFIG_MODULE.SIP_Line_List[SIP1].Register_TTL", "40"))
    assert b"<RegisterTTL>" not in render(device(account(), vendor_params=params))
    assert b"<Register_TTL>" not in render(device(account(), model="v64", vendor_params=params))


def test_a_key_naming_a_section_or_going_below_a_setting_changes_nothing() -> None:
    plain = device(account(), model="v64")
    params = (("sip.line", "x"), ("sip.line.1.PhoneNumber.x", "y"), ("phone.xmlContact.1", "z"))
    assert ET.canonicalize(render(plain)) == ET.canonicalize(
        render(device(account(), model="v64", vendor_params=params))
    )


@pytest.mark.parametrize("value", ["</Value><Type>9</Type>", "a & b", "<![CDATA[x]]>", '"quoted"', "日本語"])
def test_param_values_are_text(value: str) -> None:
    root = parse(device(account(), vendor_params=(("GLOBAL_CONFIG_MODULE.SNTP_Server", value),)))
    assert root.findtext("GLOBAL_CONFIG_MODULE/SNTP_Server") == value
    assert [child.tag for child in root.find("GLOBAL_CONFIG_MODULE") or []] == ["SNTP_Server"]


# --- hostile text ---------------------------------------------------------------------------

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
    "key = value",
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("model", ["x4", "v64"])
def test_hostile_values_stay_inside_their_element(value: str, model: str) -> None:
    dev = device(
        account(sip_name=value, sip_password=value, sip_user=value, sip_auth=value, voicemail=value),
        model=model,
        ntp=value,
        admin_password=value,
        line_keys=(LineKey(LineKeyType.SPEED_DIAL, value, value),),
        remote_phonebooks=(RemotePhonebook(value, value),),
        phonebook=(Contact(value, (ContactNumber(value),)),),
    )
    expected = clean(value)
    root = parse(dev)
    texts = [element.text or "" for element in root.iter()]
    assert texts.count(expected) >= 7
    book = ET.fromstring(render(dev, f"{MAC}-phonebook.xml"))
    assert book[0].findtext("Name") == book[0].findtext("Telephone") == expected


@given(st.text(), st.text())
def test_any_text_gives_well_formed_xml(display: str, password: str) -> None:
    entry = lines(device(account(sip_name=display, sip_password=password)))["SIP1"]
    assert (entry["Display_Name"], entry["Register_Pswd"]) == (clean(display), clean(password))
