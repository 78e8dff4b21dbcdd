"""Fanvil renders full-vocabulary sample devices to exactly the bytes of their golden files.

Run with SONATA_UPDATE_GOLDEN=1 to rewrite them after an intended change, then review the diff
key by key against the sources below. "vendors.md" is /work/shared/docs/vendors.md (line
numbers); "Wazo" is wazo-platform/wazo-provd-plugins plugins/wazo-fanvil (common/common.py,
common/templates/base*.tpl, common/templates/common/model-v.tpl, serie-*/entry.py); "FusionPBX"
is fusionpbx/fusionpbx resources/templates/provision/fanvil/{x4,x6u}/{$mac}.cfg. Where sources
disagree, fanvil.py / fanvil_values.py say which one we follow and why (look for "verify").

tests/golden/fanvil/x4/ (VOIP_CONFIG_FILE format: x4, 4 accounts, 4 keys):
  file names <mac>.cfg, f0X4hw1.100.cfg ............... vendors.md l.129; Wazo serie-x/entry.py
  file name <mac>-phonebook.xml ....................... our choice (fanvil.py docstring)
  <?xml ...?><VOIP_CONFIG_FILE><version>2.0002</version> vendors.md l.137
  GLOBAL_CONFIG_MODULE SNTP_Server, Enable_SNTP ....... vendors.md l.34, l.138
  Time_Zone (quarter hours) ........................... vendors.md l.35, l.138
  Time_Zone_Name (UTC+1 for Europe/Berlin's standard
  offset; UTC-05, UCT, UTC+1 spellings) ............... Wazo serie-x/entry.py, serie-v/entry.py _TZ_INFO
  Enable_DST, DST_Fixed_Type, DST_Min_Offset,
  DST_{Start,End}_{Mon,Week,Wday,Hour,Min} ............ Wazo base.tpl + common.py (-1 = last week,
                                                        Enable_DST 2), FusionPBX x4 (Fixed_Type 2)
  Language (list index, de = 16) ...................... Wazo serie-x/entry.py _LOCALE
  SIP_Line_List_Entry ID SIPn, Phone_Number,
  Display_Name, Register_Addr/Port, Register_User,
  Register_Pswd, Register_TTL, Enable_Reg ............. vendors.md l.26-33, l.139-141
  Transport (0 UDP, 1 TCP, 2 TLS) ..................... vendors.md l.148; FusionPBX x4 (TLS 2)
  Proxy_Addr/Proxy_Port (outbound proxy) .............. FusionPBX x4, Wazo base.tpl
  Backup_Addr/Backup_Port/Backup_Transpo/Backup_TTL ... Wazo base.tpl
  MWI_Num (voicemail) ................................. Wazo base.tpl, FusionPBX x4
  MMI_CONFIG_MODULE MMI_Account_Entry Account1 admin .. Wazo base.tpl, FusionPBX x4
  PHONE_CONFIG_MODULE Xml_PhoneBook_Entry XML-PBookN
  Name/Addr (Sonata's phonebook first, 8 slots) ....... FusionPBX x4
  Auth `user:password` (the phone credentials on
  Sonata's phonebook, `:` on the others) .............. a phone's exported VOIP_CONFIG_FILE
                                                        (`<Auth>:</Auth>` after ID/Name/Addr);
                                                        thin source: verify on an X4
  Function_Key_Entry FkeyN Type/Value/Title ........... vendors.md l.149-150; Wazo common.py
                                                        (`/ba` + pickup code + extension)
  AUTOUPDATE_CONFIG_MODULE Download_Server_IP,
  Config_File_Name, Download_Protocol, Download_Mode,
  Download_Interval, Download_CommonConf/DeviceConf,
  update_PB_Interval .................................. FusionPBX x4, Wazo base.tpl (values:
                                                        fanvil_values.py)
  Download_Protocol 4 for HTTP (left open by the review:
  Wazo's X4 templates write 2) ........................ one numbering in both formats: FusionPBX
                                                        x4 Download_Protocol and x6u FlashProtocol
                                                        both 5 for HTTPS, Wazo plugins/wazo_fanvil/
                                                        common/templates/base-V-series.tpl
                                                        FlashProtocol 4 for HTTP; Wazo's 2 began in
                                                        common/model.tpl beside a bare {{ ip }}
                                                        (provd's HTTP has its own port, its TFTP
                                                        serves the same files): TFTP. Verify on an X4
  Auto_Image_URL (firmware) ........................... Wazo base.tpl
  Download_Username/Download_Password (phone
  credentials, device and common file) ................ Wazo plugins/wazo_fanvil/common/templates/
                                                        common/model.tpl (named, left empty: verify)
  raw settings GLOBAL_CONFIG_MODULE.SNTP_Timeout and
  SIP_Line_List[SIP2].Register_TTL (replacing ours) ... key grammar: fanvil_params.py
  PhoneBook/DirectoryEntry Name/Telephone/Mobile ...... vendors.md l.151; Other: verify

tests/golden/fanvil/x6u/ (sysConf format: x6u, 2 accounts, 65 keys: 5 beside the screen, 5 pages of 12):
  file names <mac>.cfg, F0V0X6U00000.cfg .............. vendors.md l.129; common name: verify
  <?xml ...?><sysConf><Version>2.0000000000</Version> . vendors.md l.142
  sip/line index=N PhoneNumber, DisplayName,
  RegisterAddr/Port, RegisterUser, RegisterPswd,
  EnableReg ........................................... vendors.md l.142-144
  RegisterTTL, Transport (TLS 3), ProxyAddr/Port,
  BackupAddr/Port/Transport/TTL, MWINum ............... Wazo base-V-series.tpl; FusionPBX x6u
  phone/display/DefaultLanguage (ISO code) ............ FusionPBX x6u
  phone/date SNTPServer, EnableSNTP, TimeZone,
  TimeZoneName, EnableDST, DSTFixedType, DSTMinOffset,
  DST{Start,End}{Mon,Week,Wday,Hour,Min} .............. Wazo base-V-series.tpl; FusionPBX x6u
  Enable_DST, DST_Fixed_Type beside EnableDST and
  DSTFixedType, same values (left open by the review) . FusionPBX x6u ("optimized for firmware
                                                        2.2.10 and newer") writes Enable_DST and
                                                        DST_Fixed_Type; Wazo plugins/wazo_fanvil/
                                                        common/templates/base-new.tpl (its X6U,
                                                        image 2.4.5.2) EnableDST and DSTFixedType;
                                                        both written, verify which one the firmware
                                                        reads (fanvil.py, UNDERSCORED_DST)
  TimeZoneName value (Wazo's spelling, UTC+1) ......... Wazo serie-v/entry.py _TZ_INFO
  phone/xmlContact index=N Name/Addr (5 slots) ........ Wazo base-V67.tpl; FusionPBX x6u
  xmlContact UserName/PassWd (the phone credentials
  on Sonata's phonebook, empty on the others) ......... Wazo base-new.tpl, base-V-series.tpl
                                                        (named, left empty); FS PBX-style sysConf
                                                        templates (from their HTTP auth user
                                                        name and password)
  dsskey/dssSide index=1/Fkey index=1-5, then
  dsskey/internal index=1-5/Fkey index=1-12
  Type/Value/Title .................................... Wazo plugins/wazo_fanvil/serie_x/entry.py
                                                        (TOP_FUNCTION_KEYS and LINE_KEYS_PER_PAGE
                                                        X6U 5, FUNCTION_KEYS_PER_PAGE 12) with
                                                        common/templates/base-new.tpl (top keys in
                                                        dssSide, the rest in internal); FusionPBX
                                                        x6u (dssSide index 1, internal index 1-5)
  web/account index=1 Name admin, Password, Level 10 .. Wazo base-V-series.tpl
  ap FlashServerIP, FlashFileName, FlashProtocol,
  FlashMode, FlashInterval, DownloadCommonConf/
  DeviceConf, updatePBInterval ........................ Wazo base-V67.tpl, FusionPBX x6u
  ap DefaultUsername/DefaultPassword (phone credentials,
  device and common file) ............................. Wazo base-V67.tpl (named, left empty);
                                                        FS PBX-style sysConf templates (filled
                                                        from their HTTP auth user and password)
  fwCheck EnableAutoUpgrade, UpgradeServer1 (the link:
  the directory of the descriptor, the phone credentials
  as its userinfo, desk-4001:pr0v&%3C%22pass%22%3E%20%231@:
  no source names fwCheck credentials; verify),
  AutoUpgradeInterval ................................. Wazo plugins/wazo_fanvil/common/templates/
                                                        common/model-v.tpl, base-V-series.tpl
                                                        (`<server>/Fanvil`, where the descriptors are)
  file name fanvil_x6u_hw10.txt (firmware descriptor) . Fanvil manuals (H2U, GA10, PA2S "Upgrade
                                                        server": vendor_model_hw10.txt); Wazo
                                                        serie_v/entry.py COMMON_FILES (fanvil_v62_
                                                        hwv1_0.txt, fanvil_v67_hw1_1.txt)
  Version= (read from the image name), Firmware= (the
  image's full URL), BuildTime= (empty: not known),
  Info=TXT|XML, description lines X6U_<version>, Fanvil
                                                        Fanvil manuals as above (Firmware relative or
                                                        absolute, told apart by the scheme); Wazo
                                                        common/templates/common/model-v6x.tpl
                                                        (full URL, same lines); Version and
                                                        BuildTime: verify (fanvil_values.py)
  raw settings phone.date.SNTPTimeout,
  sip.line.2.RegisterTTL (replacing ours) ............. key grammar: fanvil_params.py
"""

import xml.etree.ElementTree as ET

import pytest
from tests.unit.vendors.samples import GOLDEN, assert_golden, render

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
from sonata.domain.vendors import VENDORS
from sonata.domain.vendors.base import FileKind

ACCOUNTS = (
    Account(
        line=1,
        sip_register=HostPort("pbx.example.com"),
        sip_user="4001",
        sip_password="s3cret-4001",
        name="Reception",
        sip_name="Front Desk & Co",
        sip_auth="auth4001",
        transport=Transport.TLS,
        register_expires=600,
        outbound_proxy=HostPort("sbc.example.com", 5071),
        backup_server=HostPort("pbx2.example.com"),
        voicemail="*97",
    ),
    Account(
        line=2,
        sip_register=HostPort("10.0.0.10", 5080),
        sip_user="4002",
        sip_password="s3cret-4002",
        sip_name="Anna Müller",
        transport=Transport.TCP,
        register_expires=300,
    ),
)
KEYS = (
    LineKey(LineKeyType.LINE, label="Line 1", line=1),
    LineKey(LineKeyType.BLF, "4003", "Carl <BLF>", line=1, pickup_code="*8"),
    LineKey(LineKeyType.SPEED_DIAL, "+49301234567", "Office", line=2),
    LineKey(LineKeyType.KEY_EVENT, "F_MWI", "Mail"),
)
PHONEBOOK = (
    Contact("Anna Müller", (ContactNumber("4002"), ContactNumber("+491701234567", NumberType.MOBILE))),
    Contact("Ben & Co", (ContactNumber("+4930999", NumberType.HOME),)),
)
COMMON = {
    "admin_password": "Adm1n-Secret",
    "provisioning_username": "desk-4001",
    "provisioning_password": 'pr0v&<"pass"> #1',
    "resync_minutes": 90,
    "language": "de",
    "timezone": "Europe/Berlin",
    "ntp_server": "pool.ntp.org",
    "line_keys": KEYS,
    "phonebook": PHONEBOOK,
    "remote_phonebooks": (RemotePhonebook("Company", "https://dir.example.com/company.xml"),),
}

SAMPLES = {
    "x4": Device(
        key="golden-fanvil-x4",
        vendor="fanvil",
        model="x4",
        mac="0c383e0a0b04",
        accounts=ACCOUNTS,
        firmware_url="http://firmware.example.com/fanvil/x42.14.0.7386T20210730173312.z",
        vendor_params=(
            ("GLOBAL_CONFIG_MODULE.SNTP_Timeout", "60"),
            ("SIP_CONFIG_MODULE.SIP_Line_List[SIP2].Register_TTL", "120"),
        ),
        **COMMON,  # type: ignore[arg-type]
    ),
    "x6u": Device(
        key="golden-fanvil-x6u",
        vendor="fanvil",
        model="x6u",
        mac="0c383e0a0b06",
        accounts=ACCOUNTS,
        firmware_url="https://firmware.example.com/fanvil/x6upro-2.12.16.17.z",
        vendor_params=(("phone.date.SNTPTimeout", "60"), ("sip.line.2.RegisterTTL", "120")),
        **COMMON,  # type: ignore[arg-type]
    ),
}
COMMON_FILES = {"x4": "f0X4hw1.100.cfg", "x6u": "F0V0X6U00000.cfg"}


def _files() -> list[tuple[str, str]]:
    found = []
    for model, device in SAMPLES.items():
        found += [
            (model, f"{device.mac}.cfg"),
            (model, COMMON_FILES[model]),
            (model, f"{device.mac}-phonebook.xml"),
        ]
    return [*found, ("x6u", "fanvil_x6u_hw10.txt")]


@pytest.mark.parametrize(("model", "filename"), _files(), ids=lambda value: str(value))
def test_rendering_matches_the_golden_file(model: str, filename: str) -> None:
    device = SAMPLES[model]
    vendor = VENDORS["fanvil"]
    requested = vendor.identify_file(filename)
    assert requested is not None and requested.kind is not FileKind.NOT_SERVED
    assert vendor.serves(device, requested)
    body = render(vendor, device, filename)
    if not filename.endswith(".txt"):
        ET.fromstring(body)
    assert_golden(GOLDEN / "fanvil" / model / filename, body)
