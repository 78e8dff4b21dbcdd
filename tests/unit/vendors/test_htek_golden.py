"""A full-vocabulary Htek UC923 and a UC926 with accounts past 4 render to exactly the bytes of their
golden files.

Run with SONATA_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, then review
the diff key by key against the sources below.

Sources: "vendors.md" = /work/shared/docs/vendors.md; "Wazo" = wazo-platform/wazo-provd-plugins,
plugins/wazo-htek (common/common.py, 2.0.4.4.58/templates/base.tpl - its revision 77d4d93 has the
remote phonebooks - and common/model.tpl, entry.py, plugin-info); "Wazo profiles" = the same
repository's plugins/wazo_htek/v2_0_4_4_58/templates/base.tpl at 8dfc2dd (built for 2.0.4.4.58 and
2.0.4.6.41: Profile1 and accounts 1-16); "Rahulcse79" = Rahulcse79/Auto_provision_spring_bakend,
src/main/java/com/coraltele/autoprovisioning/component/service/DeviceManagerService.java (account and
profile P-values of accounts 1-16, server of profiles 1-6); "Htek template" = an Htek UC903
configuration template as exported by the phone and used by a FusionPBX-style provisioning template
(P-values with para names, accounts 1-4); "FusionPBX" = fusionpbx/fusionpbx
resources/templates/provision/htek/uc903/{$mac}.cfg and uc926/{$mac}.cfg; "Htek guide" = Htek's
"UC900 Series IP Phones Provisioning", "Manage Accounts" (profiles) and Panic Button pages.

tests/golden/htek/cfg001fc11c22a9.xml (UC923 device config, vendor params applied; the model file
cfg0013.xml is the same bytes):
  file name cfg<mac>.xml, lowercase MAC .................... vendors.md l.160, Htek guide
  <?xml ...?><hl_provision version="1"><config version="1"> vendors.md l.160, Wazo base.tpl
  para="..." names ......................................... Htek template, Wazo base.tpl
  P212 upgrade mode 1 for an http:// link, P237 config
  server path .............................................. Htek template, Wazo model.tpl (P212 = 1)
  P212 = 2 for an https:// link (test_htek.py) ............. Grandstream's numbering (0 TFTP, 1 HTTP,
      2 HTTPS; vendors.md l.66), which Wazo's 1 for HTTP follows. FusionPBX writes 3 whatever the
      link's scheme (http:// in uc903, https:// in uc926): a constant, no code for HTTPS (3 is
      Grandstream's FTP). Decided: 2.
  P145 = 0 (FirmwareUpGrade.ToOverrideServer) ............. FusionPBX (the name; it writes 1, with
      P1145 = 66, to let DHCP option 66 in); 0 = no override, as Grandstream's P145 (verify)
  P1360/P1361 config server user name/password ............. Htek template (FirmwareUpGrade.UserName
      / .Password, filled from http_auth_username/password beside P237); Grandstream's P1360/P1361
      (test_grandstream_golden.py) (verify on an Htek phone)
  P194 auto upgrade, P193 check interval (minutes) ......... Htek template
  P192 firmware server path ................................ Htek template, Wazo model.tpl
  P330 / P331 / P332 phonebook download (Sonata's own) ..... Htek template (vendors.md l.67: Grandstream's)
      P331 with the phone credentials as userinfo (desk-3001:pr0v&%3C%22pass%22%3E%20%231@, RFC 3986
      escapes): the template has no phonebook user name/password setting (verify on an Htek phone)
  P4401-P4405 RemotePhoneBook1-5.Url, P3316 (book 1) and
  P3312-P3315 (books 2-5) .Name; all 5 once any is set ..... FusionPBX (Directory/RemotePhoneBook),
                                                             Wazo base.tpl at 77d4d93 (same numbers)
  P2 admin password ........................................ Htek template
  P30 NTP server ........................................... vendors.md l.160, Wazo base.tpl
  P144 = 0 (DHCPOverrideNTP) ............................... FusionPBX uc926 (P144 = 0)
  P8621 LCD language = 0 for English (the only index
  sourced; other languages write no P8621) ................ FusionPBX (P8621 = 0)
  P64 time zone code ....................................... vendors.md l.160; codes: Wazo common.py _TZ_INFO
  P143 = 0 (Preference.DHCPTime) ........................... Wazo base.tpl, Wazo profiles, FusionPBX (all 0)
  P75, P23117-P23125 DST by week ........................... Htek template
  P271/P401/P501 active, P35/P735/P504 user, P36/P736/P505 auth,
  P34/P734/P506 password, P3/P703/P507 display name ........ vendors.md l.160 (account 1), Htek template
  P20000-P20002 label, P33/P426/P526 voicemail ............. Htek template
  P24082/P24083/P24084 profile (0 = profile 1) ............. Wazo profiles, Rahulcse79 (0-based)
  profiles 1-3: P47/P747/P502 server, P967/P987/P988 failover,
  P48/P748/P503 outbound, P130/P830/P930 transport,
  P32/P732/P512 register expiration ........................ Htek template (as account 1-3 settings),
                                                             Wazo profiles (P47... as Profile1),
                                                             Rahulcse79 (P47/P747/P502: profile server)
  line keys: type/value/label/account/pickup at 41200+ (keys 1-4) and 20200+ (5-36);
  types 1 line, 2 speed dial, 3 BLF ........................ Wazo common.py (_gen_param_num, _add_fkeys)
  type 10 DTMF, 21 DND ..................................... Htek guide (Panic Button key types; 10: verify)
  P8 (vendor param, added), P30 (vendor param, replaced) ... vendor params

tests/golden/htek/uc926/cfg001fc1aa0926.xml (UC926, accounts 1, 2, 5 and 16):
  accounts 1 and 2 with their own profiles 0 and 1 ......... as above
  P1360/P1361 empty: no phone credentials, the phone's are
  cleared .................................................. as above
  account 5: P20360 active, P24086 profile, P20378 label,
  P1704 user, P1705 auth, P1706 password, P1707 display
  name, P1726 voicemail .................................... Wazo profiles, Rahulcse79 (all but voicemail)
  account 16: P24099 active, P24109 label, P24119 user,
  P24129 auth, P24139 password, P24149 display name,
  P24179 voicemail (blocks of 10 from account 7) ........... Wazo profiles (24090 + n ... 24170 + n)
  account 16 profile P24727 (accounts 9-16: P24720 + n) .... Rahulcse79; Wazo's 24088 + n would put
                                                             account 9's profile on account 7's P24090
  an account past 4 takes the profile of the first of
  accounts 1-4 with its server settings (5 -> 1, 16 -> 0) .. Htek guide (an account is bonded to a
                                                             profile); no source gives profiles 5+
  line key account 15 for account 16, 4 for account 5 ...... as the UC923 keys (0 = account 1; verify)

tests/golden/htek/phonebook.xml (the phone appends phonebook.xml to P331):
  <AddressBook><Contact><FirstName/><LastName/><Phone type><phonenumber/><accountindex/>
  ........................................................... vendors.md l.91-92 (Grandstream's; verify)
"""

from typing import Any

import pytest
from tests.unit.vendors import samples
from tests.unit.vendors.samples import GOLDEN, assert_golden, full_vocabulary_device

from sonata.domain.model import Account, Device, HostPort, LineKey, LineKeyType, RemotePhonebook, Transport
from sonata.domain.vendors import VENDORS

VENDOR = VENDORS["htek"]

# Accounts, line keys and contacts as in samples.full_vocabulary_device (shared with the Snom test).
SAMPLE = full_vocabulary_device(
    vendor="htek",
    model="uc923",
    mac="001fc11c22a9",
    numbers="30",
    key_event=("dnd", "Quiet"),
    firmware_url="http://fw.example.com/htek/uc923/fw923.rom",
    language="en",
    remote_phonebooks=(
        RemotePhonebook("Company", "https://dir.example.com/htek/directory.xml"),
        RemotePhonebook("Sales & Partners", "https://dir.example.com/htek/sales.xml?group=1&sort=name"),
    ),
    vendor_params=(("P8", "0"), ("P30", "time.example.org")),
)

FILES = ["cfg001fc11c22a9.xml", "phonebook.xml"]

# Accounts 5 and 16 register through the server settings of accounts 2 and 1.
TLS: dict[str, Any] = {
    "sip_register": HostPort("pbx.example.com"),
    "transport": Transport.TLS,
    "register_expires": 600,
    "outbound_proxy": HostPort("proxy.example.com"),
    "backup_server": HostPort("backup.example.com"),
}
TCP: dict[str, Any] = {"sip_register": HostPort("pbx.example.com", 5080), "transport": Transport.TCP}
UC926 = Device(
    key="golden-htek-uc926",
    vendor="htek",
    model="uc926",
    mac="001fc1aa0926",
    accounts=(
        Account(
            line=1, sip_user="4001", sip_password="s3cret-4001", name="Reception", voicemail="*97", **TLS
        ),
        Account(line=2, sip_user="4002", sip_password="s3cret-4002", name="Support", **TCP),
        Account(
            line=5,
            sip_user="4005",
            sip_auth="auth4005",
            sip_password="s3cret-4005",
            name="Sales & Partners",
            sip_name="Sales <queue>",
            voicemail="*98",
            **TCP,
        ),
        Account(line=16, sip_user="4016", sip_password="s3cret-4016", name="Night", sip_name="Night", **TLS),
    ),
    line_keys=(
        LineKey(LineKeyType.LINE, label="Line 1"),
        LineKey(LineKeyType.LINE, label="Night", line=16),
        LineKey(LineKeyType.BLF, "4010", "Bob", line=5, pickup_code="*8"),
    ),
)


def render(filename: str) -> bytes:
    return samples.render(VENDOR, SAMPLE, filename)


@pytest.mark.parametrize("filename", FILES)
def test_rendering_matches_the_golden_file(filename: str) -> None:
    assert_golden(GOLDEN / "htek" / filename, render(filename))


def test_the_model_file_is_the_device_config() -> None:
    assert render("cfg0013.xml") == render("cfg001fc11c22a9.xml")


def test_a_uc926_with_accounts_past_4_matches_its_golden_file() -> None:
    assert_golden(GOLDEN / "htek" / "uc926" / "cfg001fc1aa0926.xml", samples.render(VENDOR, UC926))
