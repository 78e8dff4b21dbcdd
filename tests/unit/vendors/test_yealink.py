import re
import xml.etree.ElementTree as ET
from functools import partial

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.vendors import samples
from tests.unit.vendors.samples import LINK, account, key_values

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
from sonata.domain.vendors import VENDORS, mac_in_filename
from sonata.domain.vendors.base import (
    TEXT,
    XML,
    FileKind,
    PhoneIdentity,
    RenderRequest,
    RequestedFile,
    single_line,
)
from sonata.domain.vendors.yealink import MODELS, Yealink, YealinkModel

VENDOR = Yealink()
MODEL = next(m for m in VENDOR.models if m.id == "t46s")
MAC = "001565aabbcc"
LINE = re.compile(r"(?P<key>[a-z0-9_.]+) = (?P<value>.*)")
PROVISIONING = {
    "static.auto_provision.server.url": LINK + "/",
    "static.auto_provision.repeat.enable": "0",
    # A device without phone credentials clears those the phone may hold.
    "static.auto_provision.server.username": "%NULL%",
    "static.auto_provision.server.password": "%NULL%",
}


device = partial(samples.device, vendor="yealink", model="t46s", mac=MAC)


def render(dev: Device, filename: str | None = None, link: str = LINK) -> str:
    return samples.render(VENDOR, dev, filename, link).decode("utf-8")


def settings(dev: Device, filename: str | None = None, link: str = LINK) -> dict[str, str]:
    """Every `key = value` line; fails on any line that is neither that, a comment nor blank."""
    return key_values(render(dev, filename, link), LINE)


def without_provisioning(values: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if k not in PROVISIONING}


# --- catalogue ------------------------------------------------------------------------------

CATALOGUE = [
    # id, accounts, programmable keys, common file
    ("t21p_e2", 2, 2, "y000000000052.cfg"),
    ("t23g", 3, 3, "y000000000044.cfg"),
    ("t27g", 6, 21, "y000000000069.cfg"),
    ("t28p", 6, 16, "y000000000000.cfg"),
    ("t31g", 2, 2, "y000000000123.cfg"),
    ("t33g", 4, 4, "y000000000124.cfg"),
    ("t43u", 12, 21, "y000000000107.cfg"),
    ("t46s", 16, 27, "y000000000066.cfg"),
    ("t46u", 16, 27, "y000000000108.cfg"),
    ("t48s", 16, 29, "y000000000065.cfg"),
    ("t53w", 12, 21, "y000000000095.cfg"),
    ("t54w", 16, 27, "y000000000096.cfg"),
    ("t57w", 16, 29, "y000000000097.cfg"),
    ("t58w", 16, 27, "y000000000150.cfg"),
]


def test_the_registry_knows_yealink() -> None:
    assert isinstance(VENDORS["yealink"], Yealink)


@pytest.mark.parametrize(("model", "accounts", "keys", "common"), CATALOGUE)
def test_catalogue_models_accounts_keys_and_common_files(
    model: str, accounts: int, keys: int, common: str
) -> None:
    found = VENDOR.model(model)
    assert isinstance(found, YealinkModel)
    assert (found.accounts, found.line_keys) == (accounts, keys)
    assert VENDOR.identify_file(common) == RequestedFile(FileKind.COMMON_CONFIG, model=model)


def test_the_catalogue_is_complete_and_common_ids_are_unique() -> None:
    assert [m.id for m in VENDOR.models] == [row[0] for row in CATALOGUE]
    assert len({m.common_id for m in MODELS}) == len(MODELS)


def test_only_the_t28p_uses_the_older_keys() -> None:
    assert [m.id for m in MODELS if m.legacy] == ["t28p"]


@pytest.mark.parametrize("code", ["en", "de", "fr", "es", "it", "nl", "pt", "ru", "pl", "tr"])
def test_languages(code: str) -> None:
    assert VENDOR.languages[code]
    values = settings(device(language=code))
    assert values["lang.gui"] == values["lang.wui"] == VENDOR.languages[code]


# --- User-Agent ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "model", "firmware", "mac"),
    [
        # vendors.md
        ("Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc", "t46s", "66.86.0.15", "001565aabbcc"),
        ("Yealink SIP-T31G 124.85.257.55 80:5e:c0:d5:7d:72", "t31g", "124.85.257.55", "805ec0d57d72"),
        ("Yealink W90DM 130.87.0.10 80:5e:c0:d9:c7:44", "w90dm", "130.87.0.10", "805ec0d9c744"),
        # T5x without colons, very old firmware without MAC
        ("Yealink SIP-T54W 96.85.0.5 805ec0aabbcc", "t54w", "96.85.0.5", "805ec0aabbcc"),
        ("Yealink SIP-T54W 96.86.0.100 805ec0aabbcc", "t54w", "96.86.0.100", "805ec0aabbcc"),
        ("Yealink SIP-T28P 2.73.0.50", "t28p", "2.73.0.50", None),
        # from Wazo's provd plugins (comments of their UA extractors)
        ("yealink SIP-T28P 2.70.0.140 00:15:65:13:ae:0b", "t28p", "2.70.0.140", "00156513ae0b"),
        ("Yealink SIP-T23G 44.80.0.60 00:15:65:93:70:f2", "t23g", "44.80.0.60", "0015659370f2"),
        ("Yealink SIP-T33G 124.85.257.55 80:5e:c0:bd:ea:ef", "t33g", "124.85.257.55", "805ec0bdeaef"),
        ("Yealink SIP-T38G  38.70.0.125 00:15:65:2f:c3:5e", "t38g", "38.70.0.125", "0015652fc35e"),
        ("Yealink CP860 37.72.0.5 00:15:65:8a:37:86", "cp860", "37.72.0.5", "0015658a3786"),
        ("Yealink-T46G 28.71.0.81 28.1.0.128.0.0.0", "t46g", "28.71.0.81", None),
        # dialects
        ("yealink sip-t48s 65.86.0.15 00:15:65:AA:BB:CC", "t48s", "65.86.0.15", "001565aabbcc"),
        ("YEALINK  SIP-T46U  108.86.0.20  c4fc22aabbcc", "t46u", "108.86.0.20", "c4fc22aabbcc"),
        ("Yealink SIP VP-T49G 51.80.0.100 00:15:65:12:34:56", "vp-t49g", "51.80.0.100", "001565123456"),
        ("Yealink SIP-T21P_E2 52.84.0.15 00:15:65:11:22:33", "t21p_e2", "52.84.0.15", "001565112233"),
        ("Yealink W60B 77.83.0.85 80-5E-C0-11-22-33", "w60b", "77.83.0.85", "805ec0112233"),
        ("Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc\r\n", "t46s", "66.86.0.15", "001565aabbcc"),
        (
            "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc 66.0.0.0.0.0.0",
            "t46s",
            "66.86.0.15",
            "001565aabbcc",
        ),
    ],
)
def test_user_agents(user_agent: str, model: str, firmware: str, mac: str | None) -> None:
    assert VENDOR.parse_user_agent(user_agent) == PhoneIdentity("yealink", model, firmware, mac)


def test_the_t21p_e2_names_itself_as_its_model_id() -> None:
    identity = VENDOR.parse_user_agent("Yealink SIP-T21P_E2 52.84.0.15 00:15:65:11:22:33")
    assert identity is not None and VENDOR.model(identity.model or "") is not None


def test_a_mac_is_never_taken_for_the_model() -> None:
    assert VENDOR.parse_user_agent("Yealink c4fc22aabbcc") == PhoneIdentity("yealink", mac="c4fc22aabbcc")


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 000b82aabbcc",
        "Fanvil X4 2.10.2.6887 0c383e07e16c",
        "Mozilla/5.0 Yealink",
        "Yealinks SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc",
        "Yealink-",
    ],
)
def test_other_user_agents_are_not_yealink(user_agent: str) -> None:
    assert VENDOR.parse_user_agent(user_agent) is None


@given(st.text())
def test_user_agent_parsing_never_fails(user_agent: str) -> None:
    identity = VENDOR.parse_user_agent(user_agent)
    assert identity is None or identity.vendor == "yealink"


# --- file names -----------------------------------------------------------------------------


def test_device_filename() -> None:
    assert VENDOR.device_filename(device()) == "001565aabbcc.cfg"


@pytest.mark.parametrize(
    ("filename", "requested"),
    [
        ("001565aabbcc.cfg", RequestedFile(FileKind.DEVICE_CONFIG, MAC)),
        ("001565AABBCC.cfg", RequestedFile(FileKind.DEVICE_CONFIG, MAC)),
        ("001565AaBbCc.CFG", RequestedFile(FileKind.DEVICE_CONFIG, MAC)),
        ("001565aabbcc.boot", RequestedFile(FileKind.BOOT, MAC)),
        ("y000000000000.boot", RequestedFile(FileKind.BOOT)),
        ("Y000000000000.BOOT", RequestedFile(FileKind.BOOT)),
        ("y000000000066.cfg", RequestedFile(FileKind.COMMON_CONFIG, model="t46s")),
        ("y000000000000.cfg", RequestedFile(FileKind.COMMON_CONFIG, model="t28p")),
        ("y000000000028.cfg", RequestedFile(FileKind.COMMON_CONFIG)),  # T46G: not in the catalogue
        ("001565aabbcc-phonebook.xml", RequestedFile(FileKind.PHONEBOOK, MAC)),
        ("001565aabbcc-local.cfg", RequestedFile(FileKind.NOT_SERVED, MAC)),
        ("001565AABBCC-contact.xml", RequestedFile(FileKind.NOT_SERVED, MAC)),
    ],
)
def test_file_names(filename: str, requested: RequestedFile) -> None:
    assert VENDOR.identify_file(filename) == requested


@pytest.mark.parametrize(
    "filename",
    [
        "y00000000066.cfg",
        "y000000000066.boot",
        "x000000000066.cfg",
        "cfg001565aabbcc.xml",
        "00:15:65:aa:bb:cc.cfg",
        "001565aabbc.cfg",
        "001565aabbcc.cfg\n",
        "001565aabbcc-phonebook.cfg",
        "../001565aabbcc.cfg",
        "",
    ],
)
def test_other_file_names_are_not_understood(filename: str) -> None:
    assert VENDOR.identify_file(filename) is None


@pytest.mark.parametrize(
    ("filename", "mac"),
    [
        ("001565aabbcc.boot", MAC),
        ("001565aabbcc-phonebook.xml", MAC),
        ("y000000000000.boot", None),
        ("y000000000066.cfg", None),
    ],
)
def test_the_common_link_finds_the_mac_in_file_names(filename: str, mac: str | None) -> None:
    assert mac_in_filename(filename) == mac


@pytest.mark.parametrize(
    ("model", "filename", "served"),
    [
        ("t46s", "y000000000066.cfg", True),
        ("t48s", "y000000000066.cfg", False),
        ("t46s", "y000000000065.cfg", False),
        ("t46s", "y000000000028.cfg", False),
        ("t28p", "y000000000000.cfg", True),
        ("t46s", "y000000000000.cfg", False),
        ("t46s", "001565aabbcc.cfg", True),
        ("t28p", "y000000000000.boot", True),
        ("t46s", "001565aabbcc-phonebook.xml", True),
    ],
)
def test_a_common_file_serves_only_its_own_model(model: str, filename: str, served: bool) -> None:
    requested = VENDOR.identify_file(filename)
    assert requested is not None
    assert VENDOR.serves(device(model=model), requested) is served


@pytest.mark.parametrize(
    ("model", "filename", "template", "content_type"),
    [
        ("t46s", "001565aabbcc.cfg", "yealink/device.cfg.j2", TEXT),
        ("t28p", "001565aabbcc.cfg", "yealink/device-legacy.cfg.j2", TEXT),
        ("t46s", "y000000000066.cfg", "yealink/common.cfg.j2", TEXT),
        ("t28p", "y000000000000.cfg", "yealink/common-legacy.cfg.j2", TEXT),
        ("t28p", "001565aabbcc.boot", "yealink/boot.j2", TEXT),
        ("t46s", "001565aabbcc-phonebook.xml", "yealink/phonebook.xml.j2", XML),
    ],
)
def test_templates(model: str, filename: str, template: str, content_type: str) -> None:
    requested = VENDOR.identify_file(filename)
    assert requested is not None
    assert VENDOR.template_for(RenderRequest(device(model=model), requested, filename, LINK)) == (
        template,
        content_type,
    )


def test_files_that_are_not_served_have_no_template() -> None:
    requested = RequestedFile(FileKind.NOT_SERVED, MAC)
    with pytest.raises(ValueError):
        VENDOR.template_for(RenderRequest(device(), requested, "001565aabbcc-local.cfg", LINK))


# --- device file ----------------------------------------------------------------------------


def test_the_first_line_is_exactly_the_version_header() -> None:
    for filename in ("001565aabbcc.cfg", "y000000000066.cfg", "001565aabbcc.boot", "y000000000000.boot"):
        text = render(device(account(), tz="GMT+03", ntp="pool.ntp.org"), filename)
        assert text.split("\n", 1)[0] == "#!version:1.0.0.1"


def test_accounts_and_time_settings() -> None:
    dev = device(
        account(1, name="Reception", sip_name="Alice", sip_password="s1", sip_auth="auth1"),
        account(2, sip_register=HostPort("10.0.0.1", 5062), name="Second", sip_name="Bob", sip_password="s2"),
        tz="GMT+03",
        ntp="pool.ntp.org",
    )
    expected = {
        "local_time.ntp_server1": "pool.ntp.org",
        "local_time.time_zone": "+3",
        "local_time.summer_time": "0",
        **PROVISIONING,
    }
    for line, (host, port, label, name, auth, password) in enumerate(
        [
            ("pbx.example.com", "5060", "Reception", "Alice", "auth1", "s1"),
            ("10.0.0.1", "5062", "Second", "Bob", "1002", "s2"),
        ],
        start=1,
    ):
        expected |= {
            f"account.{line}.enable": "1",
            f"account.{line}.label": label,
            f"account.{line}.display_name": name,
            f"account.{line}.sip_server.1.address": host,
            f"account.{line}.sip_server.1.port": port,
            f"account.{line}.sip_server.1.transport_type": "0",
            f"account.{line}.sip_server.2.address": "%NULL%",
            f"account.{line}.sip_server.2.port": "5060",
            f"account.{line}.sip_server.2.transport_type": "0",
            f"account.{line}.outbound_proxy_enable": "0",
            f"account.{line}.user_name": f"100{line}",
            f"account.{line}.auth_name": auth,
            f"account.{line}.password": password,
            f"voice_mail.number.{line}": "%NULL%",
        }
    assert settings(dev) == expected


def test_the_whole_account_vocabulary() -> None:
    dev = device(
        account(
            1,
            transport=Transport.TLS,
            register_expires=600,
            outbound_proxy=HostPort("proxy.example.net"),
            backup_server=HostPort("sip2.example.net", 5070),
            voicemail="*97",
        ),
        account(2, transport=Transport.TCP, outbound_proxy=HostPort("10.0.0.2", 5080)),
    )
    values = settings(dev)
    assert {k: v for k, v in values.items() if k.startswith(("account.1.", "voice_mail.number.1"))} == {
        "account.1.enable": "1",
        "account.1.label": "%NULL%",
        "account.1.display_name": "%NULL%",
        "account.1.sip_server.1.address": "pbx.example.com",
        "account.1.sip_server.1.port": "5061",
        "account.1.sip_server.1.transport_type": "2",
        "account.1.sip_server.1.expires": "600",
        "account.1.sip_server.2.address": "sip2.example.net",
        "account.1.sip_server.2.port": "5070",
        "account.1.sip_server.2.transport_type": "2",
        "account.1.sip_server.2.expires": "600",
        "account.1.outbound_proxy_enable": "1",
        "account.1.outbound_proxy.1.address": "proxy.example.net",
        "account.1.outbound_proxy.1.port": "5061",
        "account.1.user_name": "1001",
        "account.1.auth_name": "1001",
        "account.1.password": "%NULL%",
        "voice_mail.number.1": "*97",
    }
    assert values["account.2.sip_server.1.transport_type"] == "1"
    assert values["account.2.outbound_proxy.1.address"] == "10.0.0.2"
    assert values["account.2.outbound_proxy.1.port"] == "5080"
    assert "account.2.sip_server.1.expires" not in values


def test_the_t28p_uses_the_older_account_keys() -> None:
    dev = device(
        account(
            1,
            transport=Transport.TCP,
            register_expires=300,
            outbound_proxy=HostPort("proxy.example.net"),
            backup_server=HostPort("sip2.example.net"),
            voicemail="*97",
        ),
        model="t28p",
    )
    values = settings(dev)
    assert {k: v for k, v in values.items() if k.startswith("account.1.")} == {
        "account.1.enable": "1",
        "account.1.label": "%NULL%",
        "account.1.display_name": "%NULL%",
        "account.1.sip_server_host": "pbx.example.com",
        "account.1.sip_server_port": "5060",
        "account.1.sip_server.2.address": "sip2.example.net",
        "account.1.sip_server.2.port": "5060",
        "account.1.transport": "1",
        "account.1.expires": "300",
        "account.1.outbound_proxy_enable": "1",
        "account.1.outbound_host": "proxy.example.net",
        "account.1.outbound_port": "5060",
        "account.1.user_name": "1001",
        "account.1.auth_name": "1001",
        "account.1.password": "%NULL%",
    }
    assert values["voice_mail.number.1"] == "*97"
    assert not any(key.startswith("account.1.sip_server.1.") for key in values)


def test_the_t28p_backup_registrar_has_its_port_or_the_transports_default() -> None:
    """Wazo's v73 template (T28P 2.73.0.50) writes account.N.sip_server.2.address|port."""
    dev = device(
        account(1, backup_server=HostPort("sip2.example.net", 5070)),
        account(2, transport=Transport.TLS, backup_server=HostPort("sip3.example.net")),
        model="t28p",
    )
    values = settings(dev)
    assert (values["account.1.sip_server.2.address"], values["account.1.sip_server.2.port"]) == (
        "sip2.example.net",
        "5070",
    )
    assert (values["account.2.sip_server.2.address"], values["account.2.sip_server.2.port"]) == (
        "sip3.example.net",
        "5061",
    )


def test_the_t28p_clears_an_unset_backup_registrar() -> None:
    values = settings(
        device(account(1), Account(line=2, sip_register=None, sip_user="", enabled=False), model="t28p")
    )
    for line in (1, 2):
        assert values[f"account.{line}.sip_server.2.address"] == "%NULL%"
        assert values[f"account.{line}.sip_server.2.port"] == "%NULL%"
    assert values["account.1.sip_server_host"] == "pbx.example.com"


def test_a_disabled_account_is_written_with_enable_0_and_its_emptied_values_cleared() -> None:
    values = settings(device(account(1), Account(line=2, sip_register=None, sip_user="", enabled=False)))
    assert values["account.1.enable"] == "1"
    assert values["account.2.enable"] == "0"
    assert values["account.2.sip_server.1.address"] == "%NULL%"
    assert values["account.2.sip_server.1.port"] == "5060"
    assert values["account.2.password"] == "%NULL%"


# --- provisioning, firmware, admin password -------------------------------------------------


@pytest.mark.parametrize("filename", ["001565aabbcc.cfg", "y000000000066.cfg"])
def test_every_config_points_back_at_the_link_it_came_from(filename: str) -> None:
    common = "http://sonata.example.net/v1/token/group-token-0001"
    values = settings(
        device(resync_minutes=90, firmware_url="http://fw.example.net/T46S-66.86.0.15.rom"),
        filename,
        link=common,
    )
    assert values["static.auto_provision.server.url"] == common + "/"
    assert values["static.auto_provision.repeat.enable"] == "1"
    assert values["static.auto_provision.repeat.minutes"] == "90"
    assert values["static.firmware.url"] == "http://fw.example.net/T46S-66.86.0.15.rom"


def test_the_common_file_holds_only_the_model_wide_settings() -> None:
    dev = device(
        account(),
        timezone="Europe/Berlin",
        ntp="pool.ntp.org",
        admin_password="secret",
        resync_minutes=5,
        line_keys=KEYS,
        phonebook=CONTACTS,
        language="de",
        vendor_params=(("a.b", "1"),),
    )
    assert settings(dev, "y000000000066.cfg") == {
        "static.auto_provision.server.url": LINK + "/",
        "static.auto_provision.repeat.enable": "1",
        "static.auto_provision.repeat.minutes": "5",
    }


def test_a_link_with_a_trailing_slash_is_not_doubled() -> None:
    assert settings(device(), link=LINK + "/")["static.auto_provision.server.url"] == LINK + "/"


def test_the_t28p_uses_the_older_provisioning_keys() -> None:
    dev = device(
        model="t28p",
        resync_minutes=60,
        firmware_url="http://fw.example.net/2.73.0.50.rom",
        admin_password="pw:with:colons",
    )
    expected = {
        "auto_provision.server.url": LINK + "/",
        "auto_provision.repeat.enable": "1",
        "auto_provision.repeat.minutes": "60",
        "firmware.url": "http://fw.example.net/2.73.0.50.rom",
    }
    cleared = {"auto_provision.server.username": "%NULL%", "auto_provision.server.password": "%NULL%"}
    assert settings(dev) == expected | cleared | {"security.user_password": "admin:pw:with:colons"}
    assert settings(dev, "y000000000000.cfg") == expected


CREDENTIALS = {"provisioning_username": "desk-0001@acme", "provisioning_password": "p#ss = w0rd&<x>"}


@pytest.mark.parametrize(("model", "prefix"), [("t46s", "static."), ("t28p", "")])
def test_the_device_file_gives_the_phone_its_provisioning_credentials(model: str, prefix: str) -> None:
    values = settings(device(model=model, **CREDENTIALS))
    assert values[f"{prefix}auto_provision.server.username"] == "desk-0001@acme"
    assert values[f"{prefix}auto_provision.server.password"] == "p#ss = w0rd&<x>"


@pytest.mark.parametrize(("model", "common"), [("t46s", "y000000000066.cfg"), ("t28p", "y000000000000.cfg")])
def test_the_common_file_never_carries_the_provisioning_credentials(model: str, common: str) -> None:
    # The common file is never encrypted (only <mac>.cfg takes the per-device AES key): the
    # credentials stay in the device file, which the phone fetches in the same round.
    assert "desk-0001" not in render(device(model=model, **CREDENTIALS), common)


def test_the_admin_password_and_without_it_nothing() -> None:
    assert settings(device(admin_password="s3cret"))["static.security.user_password"] == "admin:s3cret"
    assert "static.security.user_password" not in settings(device())


# --- boot file ------------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "common"), [("t46s", "y000000000066.cfg"), ("t28p", "y000000000000.cfg")])
@pytest.mark.parametrize("filename", ["001565aabbcc.boot", "y000000000000.boot"])
def test_the_boot_file_includes_the_common_file_then_the_device_file(
    model: str, common: str, filename: str
) -> None:
    text = render(device(model=model), filename)
    assert text.startswith("#!version:1.0.0.1\n")
    includes = [line for line in text.splitlines() if not line.startswith("#")]
    assert includes == [f'include:config "{LINK}/{common}"', f'include:config "{LINK}/001565aabbcc.cfg"']


def test_without_a_link_the_boot_file_names_files_relative_to_the_provisioning_url() -> None:
    text = render(device(), "001565aabbcc.boot", link="")
    assert 'include:config "y000000000066.cfg"' in text and 'include:config "001565aabbcc.cfg"' in text


def test_a_link_cannot_break_the_include_lines() -> None:
    text = render(device(), "001565aabbcc.boot", link='http://x.example.net/a b"\ninclude:config "evil.cfg')
    lines = text.splitlines()
    assert len([line for line in lines if line.startswith("include:config")]) == 2
    assert all(line.count('"') == 2 for line in lines if line.startswith("include"))


# --- time zones -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "time_zone"),
    [
        ("GMT+03", "+3"),
        ("GMT-05", "-5"),
        ("GMT+05:30", "+5:30"),
        ("GMT+05:45", "+5:45"),
        ("GMT-03:30", "-3:30"),
        ("GMT-12", "-12"),
        ("GMT+14", "+14"),
        ("GMT", "0"),
    ],
)
def test_fixed_offsets(offset: str, time_zone: str) -> None:
    values = without_provisioning(settings(device(tz=offset)))
    assert values == {"local_time.time_zone": time_zone, "local_time.summer_time": "0"}


@pytest.mark.parametrize(
    ("zone", "time_zone", "start", "end", "shift"),
    [
        ("Europe/Berlin", "+1", "3/5/7/2", "10/5/7/3", "60"),  # last Sunday of March 2:00 .. of October 3:00
        (
            "America/New_York",
            "-5",
            "3/2/7/2",
            "11/1/7/2",
            "60",
        ),  # second Sunday of March .. first of November
        ("Australia/Sydney", "+10", "10/1/7/2", "4/1/7/3", "60"),  # southern hemisphere
        ("Europe/Dublin", "+1", "10/5/7/2", "3/5/7/1", "-60"),  # "negative" DST in winter
    ],
)
def test_iana_zones_with_daylight_saving(zone: str, time_zone: str, start: str, end: str, shift: str) -> None:
    values = without_provisioning(settings(device(timezone=zone, tz="GMT+03")))
    assert values == {
        "local_time.time_zone": time_zone,
        "local_time.summer_time": "1",
        "local_time.dst_time_type": "1",
        "local_time.start_time": start,
        "local_time.end_time": end,
        "local_time.offset_time": shift,
    }


@pytest.mark.parametrize(
    ("zone", "year", "start", "end"),
    [
        # Sunday 00:00 after the first Saturday (`M9.1.6/24`, `M4.1.6/24`): the first Sunday in
        # 2026 and 2027 (weekday 7 = Sunday).
        ("America/Santiago", 2026, "9/1/7/0", "4/1/7/0"),
        # In 2024 the 8th of September, in 2025 the 7th: no week rule names both, Saturday 23:00
        # is an hour early in both years.
        ("America/Santiago", 2024, "9/1/6/23", "4/1/7/0"),
        # Friday 02:00 after the fourth Thursday of March (`M3.4.4/26`): the fourth Friday in 2026 and
        # 2027 (weekday 5 = Friday); the last Sunday of October.
        ("Asia/Jerusalem", 2026, "3/4/5/2", "10/5/7/2"),
    ],
)
def test_changes_outside_the_day_are_written_for_the_year_and_the_next(
    zone: str, year: int, start: str, end: str
) -> None:
    values = key_values(samples.render(VENDOR, device(timezone=zone), year=year).decode(), LINE)
    assert (values["local_time.start_time"], values["local_time.end_time"]) == (start, end)


def test_an_iana_zone_without_daylight_saving() -> None:
    values = without_provisioning(settings(device(timezone="Asia/Kolkata")))
    assert values == {
        "local_time.time_zone": "+5:30",
        "local_time.summer_time": "0",
    }


# `local_time.time_zone_name` takes a name of Yealink's own zone list (its AutoDST file: "Germany(Berlin)",
# "United States-Eastern Time"), read for the DST rules when `local_time.summer_time` is 2 (automatic).
# Sonata always writes the offset and summer_time 0 or 1 with explicit rules, and no public source maps
# IANA zones to those names, so the key is left out, as Wazo's Yealink plugin does (wazo-platform/
# wazo-provd-plugins plugins/wazo-yealink/common/common.py _format_tz_info).
@pytest.mark.parametrize(
    "zone", [{"tz": "GMT+03"}, {"timezone": "Europe/Berlin"}, {"timezone": "Asia/Kolkata"}], ids=str
)
@pytest.mark.parametrize("model", ["t46s", "t28p"])  # firmware 8x and 7x device files
def test_no_time_zone_name_is_written(zone: dict[str, str], model: str) -> None:
    text = render(device(account(), model=model, **zone))
    assert "local_time.time_zone =" in text
    assert "time_zone_name" not in text


def test_without_time_zone_and_ntp_server_those_settings_are_left_out() -> None:
    values = settings(device(account()))
    assert not [key for key in values if key.startswith("local_time.")]


# --- line keys ------------------------------------------------------------------------------

KEYS = (
    LineKey(LineKeyType.LINE, label="Line 1"),
    LineKey(LineKeyType.BLF, "102", "Bob", line=2, pickup_code="*8"),
    LineKey(LineKeyType.SPEED_DIAL, "+4930123456", "Office"),
    LineKey(LineKeyType.KEY_EVENT, "park", "Park"),
    LineKey(LineKeyType.DTMF, "*1#", "Menu"),
    LineKey(LineKeyType.KEY_EVENT, "intercom:101", "Talk"),
    LineKey(LineKeyType.BLF, "103"),
)


def test_line_keys_of_every_type() -> None:
    values = settings(device(line_keys=KEYS))
    keys = {k: v for k, v in values.items() if k.startswith("linekey.")}
    assert {k: v for k, v in keys.items() if int(k.split(".")[1]) <= len(KEYS)} == {
        "linekey.1.type": "15",
        "linekey.1.line": "1",
        "linekey.1.value": "%NULL%",
        "linekey.1.label": "Line 1",
        "linekey.2.type": "16",
        "linekey.2.line": "2",
        "linekey.2.value": "102",
        "linekey.2.label": "Bob",
        "linekey.2.pickup_value": "*8",
        "linekey.2.extension": "*8",
        "linekey.3.type": "13",
        "linekey.3.line": "1",
        "linekey.3.value": "+4930123456",
        "linekey.3.label": "Office",
        "linekey.4.type": "10",
        "linekey.4.line": "1",
        "linekey.4.value": "%NULL%",
        "linekey.4.label": "Park",
        "linekey.5.type": "11",
        "linekey.5.line": "1",
        "linekey.5.value": "*1#",
        "linekey.5.label": "Menu",
        "linekey.6.type": "14",
        "linekey.6.line": "1",
        "linekey.6.value": "101",
        "linekey.6.label": "Talk",
        "linekey.7.type": "16",
        "linekey.7.line": "1",
        "linekey.7.value": "103",
        "linekey.7.label": "%NULL%",
        "linekey.7.pickup_value": "%NULL%",
        "linekey.7.extension": "%NULL%",
    }


def test_the_remaining_keys_of_the_model_are_cleared() -> None:
    values = settings(device(line_keys=KEYS[:2]))
    assert values["linekey.3.type"] == values["linekey.27.type"] == "0"
    assert values["linekey.27.value"] == values["linekey.27.label"] == "%NULL%"
    assert "linekey.28.type" not in values


def test_without_keys_the_phone_keeps_its_own() -> None:
    assert not [k for k in settings(device()) if "key." in k]


@pytest.mark.parametrize(
    ("event", "code"),
    [
        ("park", "10"),
        ("DND", "5"),
        ("hold", "4"),
        ("transfer", "3"),
        ("Call Park", "10"),
        ("group-pickup", "23"),
        ("61", "61"),
        ("rocket", "0"),
        ("", "0"),
        ("١٢", "0"),
    ],
)
def test_key_events(event: str, code: str) -> None:
    values = settings(device(line_keys=(LineKey(LineKeyType.KEY_EVENT, event),)))
    assert values["linekey.1.type"] == code


def test_the_t28p_has_six_line_keys_then_ten_memory_keys() -> None:
    keys = tuple(LineKey(LineKeyType.SPEED_DIAL, str(100 + n), f"K{n}") for n in range(1, 9))
    values = settings(
        device(line_keys=(*keys, LineKey(LineKeyType.BLF, "200", pickup_code="**")), model="t28p")
    )
    assert values["linekey.6.value"] == "106" and values["memorykey.1.value"] == "107"
    assert values["memorykey.3.type"] == "16" and values["memorykey.3.pickup_value"] == "**"
    assert (
        values["memorykey.10.type"] == "0"
        and "memorykey.11.type" not in values
        and "linekey.7.type" not in values
    )


def test_keys_beyond_the_model_are_not_written() -> None:
    values = settings(device(line_keys=KEYS, model="t31g"))
    assert [k for k in values if k.endswith(".type")] == ["linekey.1.type", "linekey.2.type"]


# --- phonebooks -----------------------------------------------------------------------------

CONTACTS = (
    Contact("Alice & <Bob>", (ContactNumber("101"), ContactNumber("+491701234", NumberType.MOBILE))),
    Contact('"Quoted"\nname', (ContactNumber("102", NumberType.HOME),)),
)


def test_the_config_points_at_the_phonebook_on_the_same_link_then_the_remote_phonebooks() -> None:
    values = settings(
        device(phonebook=CONTACTS, remote_phonebooks=(RemotePhonebook("Company", "https://pbx/pb.xml"),))
    )
    assert {k: v for k, v in values.items() if k.startswith("remote_phonebook.")} == {
        "remote_phonebook.data.1.url": f"{LINK}/001565aabbcc-phonebook.xml",
        "remote_phonebook.data.1.name": "Phonebook",
        "remote_phonebook.data.2.url": "https://pbx/pb.xml",
        "remote_phonebook.data.2.name": "Company",
        **{f"remote_phonebook.data.{n}.{f}": "%NULL%" for n in (3, 4, 5) for f in ("url", "name")},
    }


@pytest.mark.parametrize("model", ["t46s", "t28p"])
def test_the_phonebook_url_carries_the_phone_credentials_and_only_sonatas_does(model: str) -> None:
    # Sonata asks for the credentials on the phonebook too; Yealink's remote phonebook has no user
    # name or password setting but takes them in the URL (user:password@host).
    books = (RemotePhonebook("Company", "https://pbx/pb.xml"),)
    values = settings(device(model=model, phonebook=CONTACTS, remote_phonebooks=books, **CREDENTIALS))
    own = httpx.URL(values["remote_phonebook.data.1.url"])
    assert (own.username, own.password) == ("desk-0001@acme", "p#ss = w0rd&<x>")
    assert str(own.copy_with(username=None, password=None)) == f"{LINK}/001565aabbcc-phonebook.xml"
    assert values["remote_phonebook.data.2.url"] == "https://pbx/pb.xml"


def test_without_phone_credentials_the_phonebook_url_has_no_userinfo() -> None:
    values = settings(device(phonebook=CONTACTS))
    assert values["remote_phonebook.data.1.url"] == f"{LINK}/001565aabbcc-phonebook.xml"


def test_remote_phonebooks_alone_start_at_slot_1_and_a_sixth_has_no_slot() -> None:
    books = tuple(RemotePhonebook(f"B{n}", f"http://pbx/{n}.xml") for n in range(1, 7))
    values = settings(device(remote_phonebooks=books))
    assert values["remote_phonebook.data.1.url"] == "http://pbx/1.xml"
    assert values["remote_phonebook.data.5.name"] == "B5" and "http://pbx/6.xml" not in values.values()


def test_the_phonebook_file() -> None:
    text = render(device(phonebook=CONTACTS), "001565aabbcc-phonebook.xml")
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "YealinkIPPhoneDirectory"
    entries = [(e.findtext("Name"), [t.text for t in e.findall("Telephone")]) for e in root]
    assert entries == [("Alice & <Bob>", ["101", "+491701234"]), ('"Quoted" name', ["102"])]


def test_an_empty_phonebook_file_still_parses() -> None:
    root = ET.fromstring(render(device(), "001565aabbcc-phonebook.xml").encode("utf-8"))
    assert root.tag == "YealinkIPPhoneDirectory" and len(root) == 0


# --- vendor params --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["static.wifi.enable", "account.1.codec.g722_1c_48kpbs.enable", "features.dnd-x.y"]
)
def test_dotted_keys_are_accepted(key: str) -> None:
    assert VENDOR.check_param(MODEL, key, "1") is None


@pytest.mark.parametrize(
    "key", ["wifi", "static wifi.enable", "a.b = c", "#a.b", "a.b\nc.d", "a..b", ".a.b", "a.b.", "ä.b", ""]
)
def test_other_keys_are_refused(key: str) -> None:
    assert VENDOR.check_param(MODEL, key, "1") is not None


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\x00b", "a\x85b", "a\u2028b", "a\u2029b"])
def test_values_with_line_breaks_are_refused(value: str) -> None:
    assert VENDOR.check_param(MODEL, "static.wifi.enable", value) is not None


def test_a_param_replaces_a_rendered_key_and_new_keys_are_appended() -> None:
    params = (
        ("account.1.label", "From params"),
        ("static.wifi.enable", "0"),
        ("static.auto_provision.repeat.enable", "1"),
    )
    values = settings(device(account(name="Sonata"), vendor_params=params))
    assert values["account.1.label"] == "From params"
    assert values["static.wifi.enable"] == "0"
    assert values["static.auto_provision.repeat.enable"] == "1"


def test_params_apply_only_to_the_device_file() -> None:
    params = (("static.auto_provision.repeat.enable", "1"),)
    assert (
        settings(device(vendor_params=params), "y000000000066.cfg")["static.auto_provision.repeat.enable"]
        == "0"
    )


def test_unchecked_params_still_cannot_add_lines() -> None:
    params = (("bad key", "x"), ("a.b", "1\nstatic.security.user_password = admin:evil"))
    values = settings(device(vendor_params=params))
    assert "bad key" not in values and "static.security.user_password" not in values
    assert values["a.b"] == "1 static.security.user_password = admin:evil"


# --- robustness -----------------------------------------------------------------------------


def test_rendering_is_deterministic() -> None:
    dev = device(
        account(1, sip_password="x"),
        account(2),
        tz="GMT+05:30",
        ntp="ntp.example.org",
        line_keys=KEYS,
        phonebook=CONTACTS,
        timezone="Europe/Berlin",
    )
    for filename in (
        "001565aabbcc.cfg",
        "y000000000066.cfg",
        "001565aabbcc.boot",
        "001565aabbcc-phonebook.xml",
    ):
        assert render(dev, filename) == render(dev, filename)


HOSTILE = [
    "a\nb",
    "line\r\nbreak",
    "\naccount.1.password = stolen",
    "x\n#!version:1.0.0.1",
    "quote \" and ' apostrophe",
    "<tag> & ampersand",
    "日本語の名前",
    "Ελληνικά",
    "tab\there",
    "nul\x00byte\x7f",
    "lone \ud800 surrogate",
    "pass#word = 1",
    "nel\x85account.1.password = x",
    "separators\u2028line\u2029paragraph",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_stay_on_their_own_line(value: str) -> None:
    dev = device(
        account(name=value, sip_name=value, sip_password=value, sip_user=value, voicemail=value),
        ntp=value,
        line_keys=(LineKey(LineKeyType.SPEED_DIAL, value, value),),
    )
    values = settings(dev)
    expected = re.sub("[\ud800\x85\u2028\u2029]", " ", single_line(value))
    for key in (
        "account.1.label",
        "account.1.display_name",
        "account.1.password",
        "account.1.user_name",
        "voice_mail.number.1",
        "local_time.ntp_server1",
        "linekey.1.value",
        "linekey.1.label",
    ):
        assert values[key] == expected


@given(st.text(), st.text(), st.text())
def test_any_text_keeps_one_setting_per_line(name: str, display: str, password: str) -> None:
    values = settings(device(account(name=name, sip_name=display, sip_password=password)))
    for key, value in (("label", name), ("display_name", display), ("password", password)):
        cleaned = re.sub("[\ud800-\udfff\x85\u2028\u2029]", " ", single_line(value))
        assert values[f"account.1.{key}"] == (cleaned if cleaned.strip() else "%NULL%")
