"""Each vendor renders a fixed sample device to exactly the bytes of its golden file.

Run with SONATA_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change,
then review the diff key by key against shared/docs/vendors.md ("vendors.md" below).

These samples carry the core vocabulary. The keys every config gained with the whole
vocabulary (provisioning link and resync, transport, outbound proxy, backup server, voicemail,
daylight saving, phonebook slots) are listed with their sources in test_<vendor>_golden.py.

Where each core key of the golden files comes from (vendors.md line numbers):

Grandstream, tests/golden/grandstream/cfg000b82aabbcc.xml (gxp1620, 2 accounts):
  file name cfg<mac>.xml .............................. l.41-42
  <?xml ...?> <gs_provision version="1"> <mac>
  <config version="1"> ................................ l.48-56
  P30 NTP server ...................................... l.34
  P64 = TZQ-3 for GMT+03 .............................. l.35, l.70-78 (table row GMT+3)
  P271 / P401 account enabled (1/0) ................... l.33
  P270 / P417 account name ............................ l.27
  P3 / P407 display name .............................. l.28
  P47 / P402 registrar host:port (5060 by default) .... l.29
  P35 / P404 SIP user id .............................. l.30
  P36 / P405 auth id (user id when none is given) ..... l.31, l.37
  P34 / P406 password ................................. l.32
  P1360 / P1361 empty: the device has no phone credentials, so any the phone holds
  are cleared ......................................... test_grandstream_golden.py

Yealink, tests/golden/yealink/001565aabbcc.cfg (t46s, account 2 disabled):
  file name <mac>.cfg ................................. l.101
  first line #!version:1.0.0.1, `#` comments,
  `key = value` lines ................................. l.111-112
  account.N.enable (1/0) .............................. l.33
  account.N.label ..................................... l.27
  account.N.display_name .............................. l.28
  account.N.sip_server.1.address / .port .............. l.29, l.113
  account.N.user_name ................................. l.30
  account.N.auth_name (user id when none is given) .... l.31, l.37
  account.N.password .................................. l.32
  local_time.ntp_server1 .............................. l.34
  local_time.time_zone = +5:30 for GMT+05:30 .......... l.35
  local_time.time_zone_name: left out (see test_yealink_golden.py and templates/yealink/_time.cfg.j2)
  `%NULL%` for the emptied values of the disabled account: not in vendors.md (see yealink.py)
  static.auto_provision.server.username|password = %NULL%: the device has no phone
  credentials, so any the phone holds are cleared ..... l.116 (test_yealink_golden.py)

Fanvil, tests/golden/fanvil/0c383e07e16c.cfg (x4, 2 accounts):
  file name <mac>.cfg ................................. l.129
  <?xml ...?><VOIP_CONFIG_FILE><version>2.0002</version> l.137
  <GLOBAL_CONFIG_MODULE> SNTP_Server, Enable_SNTP = 1 . l.34, l.138
  Time_Zone = -20 for GMT-05 (quarter hours) .......... l.35, l.138
  Time_Zone_Name = UTC-05 for GMT-05 .................. l.138 (value: Wazo's spelling, serie-x/
                                                        entry.py _TZ_INFO; see fanvil_values.py)
  <SIP_CONFIG_MODULE><SIP_Line_List>
  <SIP_Line_List_Entry><ID>SIPn</ID> .................. l.26, l.139
  Phone_Number (SIP user id) .......................... l.30, l.140
  Display_Name ........................................ l.28, l.140
  Register_Addr / Register_Port ....................... l.29, l.140
  Register_User (auth id, user id when none) .......... l.31, l.37, l.140
  Register_Pswd ....................................... l.32, l.141
  Enable_Reg (1/0) .................................... l.33, l.141
  account name: not written (no per-line label) ...... l.27
  Download_Username / Download_Password empty, Xml_PhoneBook_Entry Auth `:`: the
  device has no phone credentials, so any the phone holds are cleared . test_fanvil_golden.py
"""

import pytest
from tests.unit.vendors.samples import GOLDEN, assert_golden, render

from sonata.domain.model import Account, Device, HostPort
from sonata.domain.vendors import VENDORS

SAMPLES = [
    Device(
        key="golden-grandstream",
        vendor="grandstream",
        model="gxp1620",
        mac="000b82aabbcc",
        timezone_offset="GMT+03",
        ntp_server="pool.ntp.org",
        accounts=(
            Account(
                line=1,
                sip_register=HostPort("pbx.example.com"),
                sip_user="1001",
                sip_password="s3cret-1001",
                name="Reception",
                sip_name="Front Desk",
            ),
            Account(
                line=2,
                sip_register=HostPort("pbx.example.com", 5080),
                sip_user="1002",
                sip_password="s3cret-1002",
                name="Support",
                sip_name="Support & Sales",
                sip_auth="auth1002",
            ),
        ),
    ),
    Device(
        key="golden-yealink",
        vendor="yealink",
        model="t46s",
        mac="001565aabbcc",
        timezone_offset="GMT+05:30",
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
            ),
            Account(line=2, sip_register=None, sip_user="2002", enabled=False),
        ),
    ),
    Device(
        key="golden-fanvil",
        vendor="fanvil",
        model="x4",
        mac="0c383e07e16c",
        timezone_offset="GMT-05",
        ntp_server="time.example.org",
        accounts=(
            Account(
                line=1,
                sip_register=HostPort("10.0.0.10"),
                sip_user="3001",
                sip_password="s3cret-3001",
                name="Lobby",
                sip_name="Lobby Phone",
            ),
            Account(
                line=2,
                sip_register=HostPort("sip.example.net", 5062),
                sip_user="3002",
                sip_password="s3cret-3002",
                sip_name="Night <line>",
                sip_auth="auth3002",
            ),
        ),
    ),
]


@pytest.mark.parametrize("device", SAMPLES, ids=lambda device: device.vendor)
def test_rendering_matches_the_golden_file(device: Device) -> None:
    vendor = VENDORS[device.vendor]
    filename = vendor.device_filename(device)
    assert_golden(GOLDEN / device.vendor / filename, render(vendor, device, filename))
