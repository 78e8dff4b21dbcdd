"""A full-vocabulary Snom D715 renders to exactly the bytes of its golden files.

Run with SONATA_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, then review
the diff key by key against the sources below.

Sources: "vendors.md" = /work/shared/docs/vendors.md; "Wazo" = wazo-platform/wazo-provd-plugins,
plugins/wazo-snom (common/common.py, common/templates/base.tpl, */plugin-info); "FusionPBX" =
fusionpbx/fusionpbx resources/templates/provision/snom/D715/{$mac}.xml; "Snom wiki" = Snom's
service wiki pages on <phone-settings>, <tbook> and configuration files.

tests/golden/snom/000413AABBCC.xml (device config, vendor params applied):
  file name <MAC>.xml, MAC uppercase ....................... vendors.md l.157, Wazo common.py
  <?xml ...?><settings><phone-settings e="2"> .............. vendors.md l.157, Snom wiki
  perm="" on every setting ................................. FusionPBX, Snom wiki
  setting_server (the snom715-<MAC>.htm list on the link) .. Wazo base.tpl (setting_server), FusionPBX
  settings_refresh_timer (seconds) ......................... FusionPBX
  ntp_server ............................................... vendors.md l.157, Wazo base.tpl
  timezone (empty) / utc_offset (s) / dst .................. vendors.md l.157 (timezone); Wazo common.py
                                                             (_format_tzinfo: empty timezone, utc_offset
                                                             in seconds, dst "3600 MM.WW.DD HH:MM:SS ...")
  language / web_language = Deutsch ........................ Wazo common.py (_LOCALE), base.tpl
  admin_mode_password, http_user, http_pass ................ Wazo base.tpl, FusionPBX
  update_policy = auto_update + firmware-settings/firmware . FusionPBX
  dkey_directory = url <remote phonebook> .................. Wazo base.tpl
  user_active idx=N (on/off) ............................... vendors.md l.157
  user_idle_text (account name) ............................ Wazo base.tpl
  user_realname (display name) ............................. vendors.md l.157
  user_name (user id), user_pname (auth id) ................ vendors.md l.157, Wazo base.tpl
  user_pass ................................................ vendors.md l.157
  user_host (registrar host[:port]) ........................ vendors.md l.157, FusionPBX
  user_outbound (proxy;transport=udp|tcp|tls) .............. Wazo base.tpl, FusionPBX
  user_expiry (seconds), user_mailbox ...................... FusionPBX
  user_failover_identity idx=1 = 4: account 1's backup server
  on identity 4, the first index no account uses (D715: 4),
  a copy of identity 1 with user_host = backup, user_active
  on, hide_identity true ................................... Wazo base.tpl (backup_proxy_ip; Wazo takes N+1)
  user_dtmf_info[1], call_waiting .......................... vendor params (Wazo base.tpl names them)
  <functionKeys e="2"><fkey idx context label perm> ........ Wazo common.py (_add_fkeys: idx from 0),
                                                             FusionPBX (context = identity number)
  values line / blf <sip:..>|*8 / speed / dtmf / keyevent .. Wazo common.py, Snom wiki (function keys)

tests/golden/snom/snom715.htm (setting-file list; the device's snom715-<MAC>.htm is the same list):
  file name snom<model>.htm, 715 for the D715 .............. vendors.md l.157, Wazo build.py ('715')
  <setting-files><file url=".."/> .......................... Wazo other/base.htm.tpl, snom-model.htm.tpl

tests/golden/snom/tbook-000413AABBCC.xml (phonebook; Sonata chooses the name: it carries the MAC):
  <tbook e="2" complete="true"><item context type index> ... Snom wiki (<tbook> tag)
  name, number, number_type (business/mobile/home) ......... Snom wiki (<tbook> tag, 2.0 number types)
"""

import os
from pathlib import Path

import pytest

from sonata.adapters.templates import Jinja2TemplateEngine
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
from sonata.domain.vendors.base import RenderRequest

LINK = "http://sonata.example.net:8080/v1/device/device-key-0001"
GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "snom"
UPDATE = os.environ.get("SONATA_UPDATE_GOLDEN") == "1"

SAMPLE = Device(
    key="golden-snom",
    vendor="snom",
    model="d715",
    mac="000413aabbcc",
    title="Front desk",
    timezone="Europe/Berlin",
    timezone_offset="GMT+01",
    ntp_server="pool.ntp.org",
    accounts=(
        Account(
            line=1,
            sip_register=HostPort("pbx.example.com"),
            sip_user="2001",
            sip_password="s3cret-2001",
            name="Reception",
            sip_name="Anna Müller",
            sip_auth="auth2001",
            transport=Transport.TLS,
            register_expires=600,
            outbound_proxy=HostPort("proxy.example.com", 5061),
            backup_server=HostPort("backup.example.com"),
            voicemail="*97",
        ),
        Account(
            line=2,
            sip_register=HostPort("pbx.example.com", 5080),
            sip_user="2002",
            sip_password="s3cret-2002",
            name="Support & Sales",
            sip_name="Support <line>",
            transport=Transport.TCP,
            voicemail="*98",
        ),
        Account(line=3, sip_register=None, sip_user="", enabled=False),
    ),
    admin_password="4dm1n-s3cret",
    resync_minutes=60,
    firmware_url="http://fw.example.com/snom/snomD715-10.1.159.12-SIP-r.bin",
    language="de",
    line_keys=(
        LineKey(LineKeyType.LINE, label="Line 1"),
        LineKey(LineKeyType.BLF, "2010", "Bob", line=1, pickup_code="*8"),
        LineKey(LineKeyType.SPEED_DIAL, "+4930123456", "Office", line=2),
        LineKey(LineKeyType.DTMF, "*21#", "Forward"),
        LineKey(LineKeyType.KEY_EVENT, "F_ADR_BOOK", "Contacts"),
    ),
    phonebook=(
        Contact("Anna Müller", (ContactNumber("100"), ContactNumber("+491701234567", NumberType.MOBILE))),
        Contact("Pizza Roma", (ContactNumber("+4930555", NumberType.HOME),)),
    ),
    remote_phonebooks=(RemotePhonebook("Company", "https://dir.example.com/snom/directory.xml"),),
    vendor_params=(("user_dtmf_info[1]", "sip_info_only"), ("call_waiting", "off")),
)

FILES = ["000413AABBCC.xml", "snom715.htm", "tbook-000413AABBCC.xml"]


def render(filename: str) -> bytes:
    vendor = VENDORS["snom"]
    requested = vendor.identify_file(filename)
    assert requested is not None
    return vendor.render(RenderRequest(SAMPLE, requested, filename, LINK), Jinja2TemplateEngine()).body


@pytest.mark.parametrize("filename", FILES)
def test_rendering_matches_the_golden_file(filename: str) -> None:
    body = render(filename)
    golden = GOLDEN / filename
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(body)
    assert golden.is_file(), f"missing {golden}; run with SONATA_UPDATE_GOLDEN=1 to write it"
    assert body == golden.read_bytes()


def test_the_devices_own_list_is_the_model_list() -> None:
    assert render("snom715-000413AABBCC.htm") == render("snom715.htm")
