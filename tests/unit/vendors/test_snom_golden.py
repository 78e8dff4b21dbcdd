"""A full-vocabulary Snom D715 renders to exactly the bytes of its golden files.

Run with SONATA_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, then review
the diff key by key against the sources below.

Sources: "vendors.md" = /work/shared/docs/vendors.md; "Wazo" = wazo-platform/wazo-provd-plugins,
plugins/wazo-snom (common/common.py, common/templates/base.tpl, */plugin-info); "FusionPBX" =
fusionpbx/fusionpbx resources/templates/provision/snom/D715/{$mac}.xml; "Snom wiki" = Snom's
service wiki pages on <phone-settings>, <tbook>, <functionKeys>, function key types and configuration
files ("Firmware configuration file": service.snom.com/x/u733DQ, formerly wiki.snom.com Features/
Mass_Deployment/Setting_Files/XML/Firmware); "GS3" = amooma/GS3
opt/gemeinschaft/htdocs/prov/snom/settings.php.

tests/golden/snom/000413AABBCC.xml (device config, vendor params applied):
  file name <MAC>.xml, MAC uppercase ....................... vendors.md l.157, Wazo common.py
  <?xml ...?><settings><phone-settings e="2"> .............. vendors.md l.157, Snom wiki
  perm="" on every setting ................................. FusionPBX, Snom wiki
  setting_server (the snom715-<MAC>.htm list on the link) .. Wazo base.tpl (setting_server), FusionPBX
  settings_refresh_timer (seconds) ......................... FusionPBX
  http_client_user / http_client_pass (phone credentials) .. Tine 2.0 tine20/tine20 tine20/Voipmanager/
                                                             Backend/Snom/Xml.php (_appendPhoneSettings);
                                                             an FS PBX-style Snom template (verify)
  ntp_server ............................................... vendors.md l.157, Wazo base.tpl
  timezone (empty) / utc_offset (s) / dst .................. vendors.md l.157 (timezone); Wazo common.py
                                                             (_format_tzinfo: empty timezone, utc_offset
                                                             in seconds, dst "3600 MM.WW.DD HH:MM:SS ...")
  language / web_language = Deutsch ........................ Wazo common.py (_LOCALE), base.tpl
  admin_mode_password, http_user, http_pass ................ Wazo base.tpl, FusionPBX
  update_policy = auto_update ............................. FusionPBX, GS3
  firmware_status = the snom715-<MAC>-firmware.xml on the
  link (no <firmware-settings> here: Snom reads them only
  from the file firmware_status names, which is set only
  in <phone-settings>) ..................................... Snom wiki (Firmware configuration file),
                                                             Wazo snom-model.xml.tpl (firmware_status),
                                                             GS3 (firmware_status, a per-MAC URL)
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
  values line / blf <sip:..>|*8 / speed / dtmf ............ Wazo common.py, Snom wiki (function keys)
  keyevent F_ADR_BOOK for the key event "directory" ........ Snom wiki (function key types: keyevent),
                                                             Wazo templates/300.tpl, GS3 (dkey_directory)
                                                             (snom.py KEY_EVENTS: the source of each name)

tests/golden/snom/snom715.htm (setting-file list; the device's snom715-<MAC>.htm is the same list):
  file name snom<model>.htm, 715 for the D715 .............. vendors.md l.157, Wazo build.py ('715')
  <setting-files><file url=".."/> .......................... Wazo other/base.htm.tpl, snom-model.htm.tpl

tests/golden/snom/tbook-000413AABBCC.xml (phonebook; Sonata chooses the name: it carries the MAC):
  <tbook e="2" complete="true"><item context type index> ... Snom wiki (<tbook> tag)
  name, number, number_type (business/mobile/home) ......... Snom wiki (<tbook> tag, 2.0 number types)

tests/golden/snom/snom715-000413AABBCC-firmware.xml (firmware settings; Sonata chooses the name):
  name snom<model>-firmware.xml, the MAC added .............. Snom wiki example (snom300-firmware.xml),
                                                             Wazo common.py (snom%s-firmware.xml)
  <firmware-settings><firmware perm="">image URL ............ Snom wiki (Firmware configuration file),
                                                             Wazo snom-model-firmware.xml.tpl.btpl
"""

import pytest
from tests.unit.vendors import samples
from tests.unit.vendors.samples import GOLDEN, assert_golden, full_vocabulary_device

from sonata.domain.model import RemotePhonebook
from sonata.domain.vendors import VENDORS

# Accounts, line keys and contacts as in samples.full_vocabulary_device (shared with the Htek test).
SAMPLE = full_vocabulary_device(
    vendor="snom",
    model="d715",
    mac="000413aabbcc",
    numbers="20",
    key_event=("directory", "Contacts"),
    firmware_url="http://fw.example.com/snom/snomD715-10.1.159.12-SIP-r.bin",
    language="de",
    remote_phonebooks=(RemotePhonebook("Company", "https://dir.example.com/snom/directory.xml"),),
    vendor_params=(("user_dtmf_info[1]", "sip_info_only"), ("call_waiting", "off")),
)

FILES = ["000413AABBCC.xml", "snom715.htm", "tbook-000413AABBCC.xml", "snom715-000413AABBCC-firmware.xml"]


def render(filename: str) -> bytes:
    return samples.render(VENDORS["snom"], SAMPLE, filename)


@pytest.mark.parametrize("filename", FILES)
def test_rendering_matches_the_golden_file(filename: str) -> None:
    assert_golden(GOLDEN / "snom" / filename, render(filename))


def test_the_devices_own_list_is_the_model_list() -> None:
    assert render("snom715-000413AABBCC.htm") == render("snom715.htm")
