"""A full-vocabulary Htek UC923 renders to exactly the bytes of its golden files.

Run with SONATA_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, then review
the diff key by key against the sources below.

Sources: "vendors.md" = /work/shared/docs/vendors.md; "Wazo" = wazo-platform/wazo-provd-plugins,
plugins/wazo-htek (common/common.py, 2.0.4.4.58/templates/base.tpl - its revision 77d4d93 has the
remote phonebooks - and common/model.tpl, entry.py, plugin-info); "Htek template" = an Htek UC903
configuration template as exported by the phone and used by a FusionPBX-style provisioning template
(P-values with para names, accounts 1-4); "FusionPBX" = fusionpbx/fusionpbx
resources/templates/provision/htek/uc903/{$mac}.cfg; "Htek guide" = Htek's "UC900 Series IP Phones
Provisioning" and Panic Button pages.

tests/golden/htek/cfg001fc11c22a9.xml (device config, vendor params applied; the model file
cfg0013.xml is the same bytes):
  file name cfg<mac>.xml, lowercase MAC .................... vendors.md l.160, Htek guide
  <?xml ...?><hl_provision version="1"><config version="1"> vendors.md l.160, Wazo base.tpl
  para="..." names ......................................... Htek template, Wazo base.tpl
  P212 upgrade mode, P237 config server path ............... Htek template, Wazo model.tpl (P212 = 1, HTTP)
  P194 auto upgrade, P193 check interval (minutes) ......... Htek template
  P192 firmware server path ................................ Htek template, Wazo model.tpl
  P330 / P331 / P332 phonebook download (Sonata's own) ..... Htek template (vendors.md l.67: Grandstream's)
  P4401-P4405 RemotePhoneBook1-5.Url, P3316 (book 1) and
  P3312-P3315 (books 2-5) .Name; all 5 once any is set ..... FusionPBX (Directory/RemotePhoneBook),
                                                             Wazo base.tpl at 77d4d93 (same numbers)
  P2 admin password ........................................ Htek template
  P30 NTP server ........................................... vendors.md l.160, Wazo base.tpl
  P8621 LCD language = 0 for English (the only index
  sourced; other languages write no P8621) ................ FusionPBX (P8621 = 0)
  P64 time zone code ....................................... vendors.md l.160; codes: Wazo common.py _TZ_INFO
  P75, P23117-P23125 DST by week ........................... Htek template
  P271/P401/P501 active, P47/P747/P502 server,
  P35/P735/P504 user, P36/P736/P505 auth, P34/P734/P506 password,
  P3/P703/P507 display name ................................ vendors.md l.160 (account 1), Htek template
  P967/P987/P988 failover server, P48/P748/P503 outbound,
  P130/P830/P930 transport, P20000-P20002 label,
  P32/P732/P512 register expiration, P33/P426/P526 voicemail  Htek template
  line keys: type/value/label/account/pickup at 41200+ (keys 1-4) and 20200+ (5-36);
  types 1 line, 2 speed dial, 3 BLF ........................ Wazo common.py (_gen_param_num, _add_fkeys)
  type 10 DTMF, 21 DND ..................................... Htek guide (Panic Button key types; 10: verify)
  P8 (vendor param, added), P30 (vendor param, replaced) ... vendor params

tests/golden/htek/phonebook.xml (the phone appends phonebook.xml to P331):
  <AddressBook><Contact><FirstName/><LastName/><Phone type><phonenumber/><accountindex/>
  ........................................................... vendors.md l.91-92 (Grandstream's; verify)
"""

import pytest
from tests.unit.vendors import samples
from tests.unit.vendors.samples import GOLDEN, assert_golden, full_vocabulary_device

from sonata.domain.model import RemotePhonebook
from sonata.domain.vendors import VENDORS

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


def render(filename: str) -> bytes:
    return samples.render(VENDORS["htek"], SAMPLE, filename)


@pytest.mark.parametrize("filename", FILES)
def test_rendering_matches_the_golden_file(filename: str) -> None:
    assert_golden(GOLDEN / "htek" / filename, render(filename))


def test_the_model_file_is_the_device_config() -> None:
    assert render("cfg0013.xml") == render("cfg001fc11c22a9.xml")
