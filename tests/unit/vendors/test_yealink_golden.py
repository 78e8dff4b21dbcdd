"""Yealink renders a full-vocabulary sample device to exactly the bytes of its golden files.

Run with SONATA_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, then review
the diff key by key against /work/shared/docs/vendors.md ("vendors.md" below).

Where each key of the golden files comes from:

Firmware 8x keys, T54W (tests/golden/yealink/805ec0aabbcc.*, y000000000096.cfg):
  file names <mac>.boot, y000000000000.boot, y0000000000NN.cfg, <mac>.cfg ..... vendors.md l.99-102
  common id 96 for the T54W ............................................... vendors.md l.103-104
  first line #!version:1.0.0.1, `#` comments, `key = value` lines ......... vendors.md l.111-112
  include:config "…" lines, common file first, then the device file ....... vendors.md l.99-101
    (full URLs on the link: our choice, see yealink.py _includes)
  static.auto_provision.server.url, .repeat.enable|minutes ................. vendors.md l.116-117
  static.auto_provision.server.username|password (device file only) ....... vendors.md l.116
  static.firmware.url ...................................................... vendors.md l.117
  static.security.user_password = admin:SECRET ............................. vendors.md l.118
  account.N.enable|label|display_name|user_name|auth_name|password ......... vendors.md l.26-33, l.37
  account.N.sip_server.1.address|port ...................................... vendors.md l.29, l.113
  account.N.sip_server.M.transport_type (0 UDP, 1 TCP, 2 TLS), .expires .... vendors.md l.113-114
  account.N.sip_server.2.* (backup registrar) .............................. Yealink admin guides
    ("server redundancy"); Wazo provd Yealink v86 base.tpl writes the same keys
  account.N.outbound_proxy_enable, outbound_proxy.1.address|port ........... vendors.md l.114-115
  voice_mail.number.N ...................................... Yealink admin guides; Wazo base.tpl
  local_time.ntp_server1 ................................................... vendors.md l.34
  local_time.time_zone (+1) ................................................ vendors.md l.35
    local_time.time_zone_name (vendors.md l.115) is left out: it takes a name of Yealink's own
    zone list (AutoDST file, "Germany(Berlin)"), read only when summer_time is 2 (automatic), and no
    public source maps IANA zones to those names; Wazo's Yealink plugin leaves it out as well
    (wazo-platform/wazo-provd-plugins plugins/wazo-yealink/common/common.py _format_tz_info)
  local_time.summer_time|dst_time_type|start_time|end_time|offset_time ..... Yealink admin guides ("DST",
    AutoDST `3/5/7/2` = month/week(5 last)/weekday(7 Sunday)/hour); Wazo common.py writes the same keys
  lang.gui, lang.wui ....................................... Yealink admin guides; Wazo base.tpl
  remote_phonebook.data.N.url|name (1 = Sonata's <mac>-phonebook.xml) ...... vendors.md l.119
    with the phone credentials as userinfo (desk-2001:pr0v&%3C%22pass%22%3E%20%231@, RFC 3986
    3.2.1 escapes): the remote phonebook has no credential keys; a user:password@ URL is the form
    Yealink's guides give for an authenticated server URL (verify for the remote phonebook)
  linekey.N.type|value|line|label, types 15 line, 16 BLF, 13 speed dial .... vendors.md l.119-120
  types 11 DTMF, 10 call park (key event) ............ Yealink admin guides ("DSS key types")
  linekey.N.pickup_value, linekey.N.extension (BLF pickup code) .. Yealink admin guides; Wazo common.py
  a vendor param replacing account.1.label and adding static.wifi.enable ... issue 3, section 3
  phonebook <YealinkIPPhoneDirectory><DirectoryEntry><Name/><Telephone/> ... vendors.md l.122

Firmware 7x keys, T28P (tests/golden/yealink/001565123456.cfg, y000000000000.cfg):
  common file y000000000000.cfg for the T28P ............................... Wazo provd Yealink v73 entry.py
  account.N.sip_server_host|sip_server_port ................................ vendors.md l.121
  account.N.transport, account.N.expires, account.N.outbound_host|port ..... Yealink 7x sample configs
  auto_provision.*, firmware.url, security.user_password (no "static.") .... Yealink 7x sample configs
    (auto_provision.server.username|password: public 7x templates, e.g. a v70-style
    auto_provision block with server.url, .username, .password; verify on a T28P)
  linekey.1-6 then memorykey.1-10 .......................................... Wazo provd Yealink common.py
  account.N.sip_server.2.address|port (backup registrar; %NULL% for both when unset)
    .............................. Wazo provd Yealink v73 templates/base.tpl (T28P firmware 2.73.0.50)
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
from sonata.domain.vendors import VENDORS


def sample(model: str, mac: str) -> Device:
    return Device(
        key="golden-yealink-full",
        vendor="yealink",
        model=model,
        mac=mac,
        title="Reception desk",
        timezone="Europe/Berlin",
        timezone_offset="GMT+03",  # the IANA zone wins
        ntp_server="pool.ntp.org",
        accounts=(
            Account(
                line=1,
                sip_register=HostPort("pbx.example.com"),
                sip_user="2001",
                sip_password="s3cret-2001",
                name="Office",
                sip_name="Anna Müller",
                sip_auth="auth2001",
                transport=Transport.TLS,
                register_expires=600,
                outbound_proxy=HostPort("sbc.example.com", 5070),
                backup_server=HostPort("pbx2.example.com"),
                voicemail="*97",
            ),
            Account(
                line=2,
                sip_register=HostPort("10.0.0.10", 5062),
                sip_user="2002",
                sip_password="s3cret-2002",
                name="Support & Sales",
                sip_name='Night "line" <2>',
                transport=Transport.TCP,
            ),
            Account(line=3, sip_register=None, sip_user="2003", enabled=False),
        ),
        admin_password="adm1n-pass",
        provisioning_username="desk-2001",
        provisioning_password='pr0v&<"pass"> #1',
        resync_minutes=120,
        firmware_url="http://fw.example.net/yealink/T54W-96.86.0.70.rom",
        language="de",
        line_keys=(
            LineKey(LineKeyType.LINE, label="Office", line=1),
            LineKey(LineKeyType.LINE, label="Support", line=2),
            LineKey(LineKeyType.BLF, "2010", "Boss", line=1, pickup_code="*8"),
            LineKey(LineKeyType.SPEED_DIAL, "+4930123456", "Head office"),
            LineKey(LineKeyType.KEY_EVENT, "park", "Park"),
            LineKey(LineKeyType.DTMF, "*1#", "Menu"),
            LineKey(LineKeyType.BLF, "2011", "Ben", line=1, pickup_code="*8"),
            LineKey(LineKeyType.SPEED_DIAL, "112", "Emergency"),
        ),
        phonebook=(
            Contact(
                "Anna Müller", (ContactNumber("2001"), ContactNumber("+491701234567", NumberType.MOBILE))
            ),
            Contact("Smith & Sons <Ltd>", (ContactNumber("+441234567890"),)),
            Contact("Служба поддержки", (ContactNumber("2005", NumberType.HOME),)),
        ),
        remote_phonebooks=(RemotePhonebook("Company", "https://pbx.example.com/phonebook/yealink.xml"),),
        vendor_params=(("account.1.label", "Front desk"), ("static.wifi.enable", "0")),
    )


NEW_KEYS = sample("t54w", "805ec0aabbcc")
OLD_KEYS = sample("t28p", "001565123456")

CASES = [
    (NEW_KEYS, "805ec0aabbcc.boot"),
    (NEW_KEYS, "y000000000096.cfg"),
    (NEW_KEYS, "805ec0aabbcc.cfg"),
    (NEW_KEYS, "805ec0aabbcc-phonebook.xml"),
    (OLD_KEYS, "y000000000000.cfg"),
    (OLD_KEYS, "001565123456.cfg"),
]


@pytest.mark.parametrize(("device", "filename"), CASES, ids=[f"{d.model}-{f}" for d, f in CASES])
def test_rendering_matches_the_golden_file(device: Device, filename: str) -> None:
    vendor = VENDORS["yealink"]
    requested = vendor.identify_file(filename)
    assert requested is not None and vendor.serves(device, requested)
    assert_golden(GOLDEN / "yealink" / filename, render(vendor, device, filename))


def test_the_generic_boot_file_is_the_device_boot_file() -> None:
    vendor = VENDORS["yealink"]
    bodies = {render(vendor, NEW_KEYS, filename) for filename in ("805ec0aabbcc.boot", "y000000000000.boot")}
    assert bodies == {(GOLDEN / "yealink" / "805ec0aabbcc.boot").read_bytes()}
