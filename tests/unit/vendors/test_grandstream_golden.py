"""Grandstream renders full-vocabulary sample devices to exactly the bytes of their golden files.

Run with SONATA_UPDATE_GOLDEN=1 to rewrite these golden files after an intended change, then
review the diff key by key against the sources below. (The GXP1620 sample of test_golden.py,
tests/golden/grandstream/cfg000b82aabbcc.xml, carries the same keys for 2 accounts.)

Sources: vendors.md = /work/shared/docs/vendors.md (line numbers); "GXP16 tpl" = Grandstream's
GXP16xx config template 1.0.7.3, "GXP21 tpl" = GXP21xx template 1.0.11.16, "GRP tpl" = GRP261x
config template v2 1.0.5.15 (all in wazo-platform/wazo-provd-plugins, plugins/wazo-grandstream/
docs/config-template); "Wazo" = that plugin's base_v2.tpl / common.py.

GXP1630, P-values (tests/golden/grandstream/cfgc074ad112233.xml):
  <gs_provision version="1"> <mac> <config version="1"> ...... vendors.md l.48-57
  P212 config upgrade via 1 HTTP, P237 server path .......... vendors.md l.66-67
  P145 = 0 (DHCP 43/66 may not override the server) ......... GXP16 tpl "Upgrade and Provisioning"
  P1360/P1361 config server HTTP/HTTPS user name/password ... FS PBX-style Grandstream templates
    (GXP17xx cfgmac.xml: P1360/P1361 beside P237, from http_auth_username/password); a GXP2170's own
    metaconfig dump as published with a provisioning adapter ("P1360 / P1361 config username /
    password"); Grandstream's web UI "Config HTTP/HTTPS User Name/Password" (verify on a GXP16xx)
  P194 = 1, P193 minutes (raised to the phone's 60 minimum) .. vendors.md l.65, GXP16 tpl (60-86400)
  P6767 firmware via 2 HTTPS, P192 firmware path ............ vendors.md l.67
  P2 admin password .......................................... vendors.md l.65
  P1362 language (replaced by the vendor param P1362=fr) ..... GXP16 tpl "Language"
  P30 NTP, P144 = 0 (DHCP 42 may not override) ............... vendors.md l.34, GXP16 tpl "Date and Time"
  P64 = customize + P246 POSIX rule, P143 = 0 ................. vendors.md l.70-86, GXP16 tpl (P246 example)
  P330 1 HTTP, P331 path (phone appends phonebook.xml), P332 .. vendors.md l.67-69, GXP16 tpl (5-720)
    (Sonata's own phonebook wins over the remote one; a remote URL naming phonebook.xml is cut
    to its directory, one naming another file is skipped: grandstream_values.remote_phonebook_path)
  P6713/P6714 phonebook HTTP/HTTPS user name/password ........ GXP16 tpl and GXP21 tpl "Phonebook
    Management" (next to P330); Sonata's phonebook asks for the phone credentials, so they are
    the device's provisioning user name and password
  accounts 1-3: P271/P401/P501 enable, P270/P417/P517 name,
    P3/P407/P507 display name, P47/P402/P502 server,
    P35/P404/P504 user, P36/P405/P505 auth, P34/P406/P506 pw . vendors.md l.26-33, l.37
  P130/P448/P548 transport (0 UDP, 1 TCP, 2 TLS) .............. vendors.md l.63
  P32/P412/P512 expiry in minutes, rounded up ................. vendors.md l.63-64
  P48/P403/P503 outbound proxy ................................ vendors.md l.64
  P2312/P2412/P2512 secondary SIP server (backup) ............. GXP16 tpl "Secondary SIP Server"
  P33/P426/P526 voice mail access number ...................... GXP16 tpl, Wazo base.tpl
  P1347 BLF call-pickup prefix of account 1 ................... GXP16 tpl "BLF Call-pickup Prefix"
  line keys P1363/P1364/P1465/P1466 (+2 per key); modes 0 line,
    10 speed dial, 11 BLF ..................................... vendors.md l.87-88, GXP16 tpl "Line Keys"
    (11 BLF and 19 Call Park are "for GXP1628/1630 only" in the GXP16 tpl, and FusionPBX's
    resources/templates/provision/grandstream/gxp16xx/{$mac}.xml, firmware 1.0.4.33, lists
    neither: on GXP1610/1620/1625 line keys a BLF key is a speed dial, a park key unused)
  MPKs P323-P329 mode, P301+3k account/description/value;
    modes 0 speed dial, 1 BLF, 5 DTMF, 6 voice mail ........... vendors.md l.88-90, GXP16 tpl "MPK"
  P8 (vendor param, appended) ................................. vendorParams

GRP2614, named items (tests/golden/grandstream/cfgec74d7445566.xml):
  <config version="2"> <item name="..."> ...................... vendors.md l.58-62
  provisioning.config.protocol/serverPath,
    provisioning.override.dhcp.allowCommonOptions,
    provisioning.config.username/password (P1360/P1361) ...... FS PBX-style GRP26xx template
      ("Config Server User Name/Password", from http_auth_username/password; verify on a GRP)
    provisioning.auto.mode (No, YesUpgradeMin)/minute,
    provisioning.firmware.protocol/serverPath ................. GRP tpl "Upgrade and Provisioning"
  users.admin.password, language.gui ......................... Wazo base_v2.tpl
    (language codes per family: GXP16 tpl, GXP21 tpl and GRP tpl "Display Language"; Czech is
    cs on GXP16xx, cz on GXP21xx and GRP26xx)
  dateTime.ntp.server.1, dateTime.timezone ................... vendors.md l.62
  dateTime.timezone.custom, dateTime.override.dhcp.allowOption2/42
                                                              Grandstream-based FusionPBX-style GRP template
  phonebook.download.mode/server/interval (0,120,...,720) .... GRP tpl "Phonebook Management"
  phonebook.download.username/password (P6713/P6714) ......... FS PBX-style GRP26xx template
    ("HTTP/HTTPS User Name/Password" beside phonebook.download.mode; verify on a GRP)
  account.N.enable (Yes/No), .name, .sip.subscriber.name, .sip.server.1.address, .sip.userid,
    .sip.subscriber.userid, .sip.subscriber.password, .sip.transport (UDP, TCP, TlsOrTcp)
                                                              vendors.md l.58-62, GRP tpl
  account.N.sip.registerExpiration (minutes), .sip.outboundProxy.1.address, .sip.server.2.address,
    .sip.voicemail.number, .sip.blf.callPickup.prefix ......... GRP tpl "Account 1"
  pks.vpk.K.keyMode (Line, BLF, SpeedDial, DialDTMF, VoiceMail)/account (0-based)/description/value
                                                              vendors.md l.90, GRP tpl "VPK"
  network.cdp (vendor param, appended), language.gui replaced . vendorParams

Phonebook (tests/golden/grandstream/c074ad112233-phonebook.xml):
  <AddressBook><Contact><FirstName/><LastName/><Phone type="Work"><phonenumber/><accountindex/>
                                                              vendors.md l.91-92
"""

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
from sonata.domain.vendors.grandstream import Grandstream

ACCOUNTS = (
    Account(
        line=1,
        sip_register=HostPort("pbx.example.com"),
        sip_user="1001",
        sip_password="s3cret-1001",
        name="Reception",
        sip_name="Front Desk",
        transport=Transport.TLS,
        register_expires=3599,
        outbound_proxy=HostPort("sbc.example.com", 5061),
        backup_server=HostPort("pbx2.example.com"),
        voicemail="*97",
    ),
    Account(
        line=2,
        sip_register=HostPort("pbx.example.com", 5080),
        sip_user="1002",
        sip_password="s3cret-1002",
        name="Support",
        sip_name="Support & Sales",
        sip_auth="auth1002",
        transport=Transport.TCP,
        register_expires=600,
    ),
    Account(line=3, sip_register=None, sip_user="", enabled=False),
)
KEYS = (
    LineKey(LineKeyType.LINE, label="Reception", line=1),
    LineKey(LineKeyType.BLF, "1003", "Bob", 1, "*8"),
    LineKey(LineKeyType.SPEED_DIAL, "+4930123456", "Office", 2),
    LineKey(LineKeyType.BLF, "1004", "Carol", 2),
    LineKey(LineKeyType.KEY_EVENT, "voicemail", "Mailbox", 1),
    LineKey(LineKeyType.DTMF, "*21#", "Divert"),
)
PHONEBOOK = (
    Contact("Anna Müller", (ContactNumber("+4930111"), ContactNumber("+49170222", NumberType.MOBILE))),
    Contact("Dr. Bob <Lab>", (ContactNumber("0301234", NumberType.HOME),)),
)
COMMON = {
    "vendor": "grandstream",
    "ntp_server": "pool.ntp.org",
    "admin_password": "adm1n&co",
    "provisioning_username": "desk-1001",
    "provisioning_password": 'pr0v&<"pass"> #1',
    "resync_minutes": 30,
    "language": "de",
    "phonebook": PHONEBOOK,
    "remote_phonebooks": (RemotePhonebook("Company", "https://pbx.example.net/phonebook.xml"),),
}

SAMPLES = [
    Device(
        key="golden-gxp1630",
        model="gxp1630",
        mac="c074ad112233",
        timezone="Europe/Berlin",
        firmware_url="https://fw.example.com/grandstream/gxp1600fw.bin",
        accounts=ACCOUNTS,
        line_keys=KEYS,
        vendor_params=(("P8", "0"), ("P1362", "fr")),
        **COMMON,  # type: ignore[arg-type]
    ),
    Device(
        key="golden-grp2614",
        model="grp2614",
        mac="ec74d7445566",
        timezone="America/New_York",
        firmware_url="http://fw.example.com/grp/",
        accounts=ACCOUNTS[:2],
        line_keys=KEYS,
        vendor_params=(("network.cdp", "No"), ("language.gui", "fr")),
        **COMMON,  # type: ignore[arg-type]
    ),
]


@pytest.mark.parametrize("device", SAMPLES, ids=lambda device: device.model)
def test_config_matches_the_golden_file(device: Device) -> None:
    vendor = Grandstream()
    filename = vendor.device_filename(device)
    assert_golden(GOLDEN / "grandstream" / filename, render(vendor, device, filename))


def test_phonebook_matches_the_golden_file() -> None:
    device = SAMPLES[0]
    body = render(Grandstream(), device, "phonebook.xml")
    assert_golden(GOLDEN / "grandstream" / f"{device.mac}-phonebook.xml", body)
