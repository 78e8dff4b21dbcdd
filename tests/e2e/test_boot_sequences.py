"""Each vendor's full boot sequence of requests, replayed against a running server on both links."""

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from tests.e2e.conftest import Server
from tests.e2e.test_management_api import SAVE
from tests.e2e.waiting import eventually

ACCOUNTS = [
    {
        "line": 1,
        "sipRegister": "sip.example.net",
        "sipUser": "501",
        "sipPassword": "boot-pw-501",
        "sipName": "Ann",
    },
    {
        "line": 2,
        "sipRegister": "sip.example.net:5062",
        "sipUser": "502",
        "sipPassword": "boot-pw-502",
        "transport": "TCP",
        "registerExpires": 300,
    },
]
PHONEBOOK = [
    {"name": "Reception", "numbers": [{"number": "100"}, {"number": "+4917012345", "type": "MOBILE"}]}
]


def publish(server: Server, vendor: str, model: str, mac: str, **changes: Any) -> dict[str, Any]:
    device = {
        "vendor": vendor,
        "model": model,
        "mac": mac,
        "token": f"boot-{vendor}-group",
        "timezone": "Europe/Berlin",
        "ntpServer": "ntp.example.net",
        "resyncMinutes": 120,
        "language": "de",
        "adminPassword": "boot-admin",
        "accounts": ACCOUNTS,
        "phonebook": PHONEBOOK,
        "lineKeys": [
            {"type": "LINE", "line": 1, "label": "Ann"},
            {"type": "SPEED_DIAL", "value": "100", "label": "Desk"},
        ],
    }
    device.update(changes)
    payload = server.graphql(SAVE, {"input": device})["saveDevice"]
    assert payload["errors"] == [], payload["errors"]
    return payload["device"]  # type: ignore[no-any-return]


def links(device: dict[str, Any]) -> list[str]:
    return [device["links"]["personal"], device["links"]["common"]]


def fetch(server: Server, url: str, user_agent: str, status: int = 200) -> str:
    response = server.get(url, user_agent)
    assert response.status_code == status, (url, response.status_code)
    return response.text


def test_yealink_boot_sequence(server: Server) -> None:
    mac = "805ec0100001"
    device = publish(server, "yealink", "t54w", mac)
    user_agent = "Yealink SIP-T54W 96.85.0.5 80:5e:c0:10:00:01"
    for link in links(device):
        boot = fetch(server, f"{link}/{mac}.boot", user_agent)
        assert boot.startswith("#!version:1.0.0.1\n")
        included = re.findall(r'^include:config "(.+)"$', boot, re.MULTILINE)
        assert [url.rsplit("/", 1)[1] for url in included] == ["y000000000096.cfg", f"{mac}.cfg"]
        assert all(url.startswith(link + "/") for url in included)
        common, config = (fetch(server, url, user_agent) for url in included)
        assert common.startswith("#!version:1.0.0.1\n") and config.startswith("#!version:1.0.0.1\n")
        assert f"static.auto_provision.server.url = {link}/" in config
        assert "static.auto_provision.repeat.minutes = 120" in config
        assert "account.2.password = boot-pw-502" in config
        fetch(server, f"{link}/y000000000000.boot", user_agent)
        fetch(server, f"{link}/{mac}-local.cfg", user_agent, 404)
        fetch(server, f"{link}/{mac}-contact.xml", user_agent, 404)
        fetch(server, f"{link}/y000000000065.cfg", user_agent, 404)  # another model's common file
        phonebook_url = re.search(r"^remote_phonebook\.data\.1\.url = (.+)$", config, re.MULTILINE)
        assert phonebook_url is not None and phonebook_url[1].startswith(link + "/")
        directory = ET.fromstring(fetch(server, phonebook_url[1], user_agent))
        assert directory.tag == "YealinkIPPhoneDirectory"
        assert "Reception" in ET.tostring(directory, encoding="unicode")
    record = eventually(
        lambda: server.graphql(
            f'{{ device(key: "{device["key"]}") {{ lastProvisioning {{ filename model firmware }} }} }}'
        )["device"]["lastProvisioning"],
        lambda record: record is not None,
    )
    assert record["model"] == "t54w"


def test_grandstream_boot_sequence(server: Server) -> None:
    mac = "c074ad100001"
    device = publish(server, "grandstream", "gxp1630", mac)
    user_agent = "Grandstream Model HW GXP1630 SW 1.0.7.13 DevId c074ad100001"
    for link in links(device):
        fetch(server, f"{link}/cfg{mac}", user_agent, 404)
        bodies = {
            name: fetch(server, f"{link}/{name}", user_agent)
            for name in (f"cfg{mac}.xml", "cfggxp1630.xml", "cfg.xml")
        }
        assert len(set(bodies.values())) == 1
        root = ET.fromstring(next(iter(bodies.values())))
        values = {element.tag: element.text or "" for element in root.iter()}
        host_path = link.split("://", 1)[1]
        assert values["P237"] == host_path and values["P212"] == "1"
        assert values["P406"] == "boot-pw-502" and values["P2"] == "boot-admin"
        assert values["P331"] == host_path and values["P330"] == "1"
        book = ET.fromstring(fetch(server, f"{link}/phonebook.xml", user_agent))
        assert book.tag == "AddressBook" and "Reception" in ET.tostring(book, encoding="unicode")
        fetch(server, f"{link}/cfggxp2170.xml", user_agent, 404)  # another model's file
    # Without the DevId, a file name that carries no MAC cannot be tied to a device on the common link.
    fetch(server, f"{device['links']['common']}/cfg.xml", "Grandstream GXP1630 1.0.7.13", 404)


def test_grandstream_grp_named_items(server: Server) -> None:
    mac = "ec74d7100001"
    device = publish(
        server, "grandstream", "grp2614", mac, vendorParams={"account.1.sip.subscriber.name": "Front"}
    )
    user_agent = "Grandstream Model HW GRP2614 SW 1.0.5.15 DevId ec74d7100001"
    for link in links(device):
        root = ET.fromstring(fetch(server, f"{link}/cfg{mac}.xml", user_agent))
        assert root.find("config").get("version") == "2"  # type: ignore[union-attr]
        items = [item.get("name") for item in root.iter("item")]
        assert items.count("account.1.sip.subscriber.name") == 1
        assert any(
            item.text == "Front"
            for item in root.iter("item")
            if item.get("name") == "account.1.sip.subscriber.name"
        )


@pytest.mark.parametrize("user_agent", ["Fanvil X4 2.10.2.6887 0c383e100001", "Yealink SIP-T46S 66.86.0.15"])
def test_a_phone_of_another_vendor_gets_the_uniform_404(server: Server, user_agent: str) -> None:
    device = publish(server, "grandstream", "gxp1630", "c074ad100002")
    fetch(server, f"{device['links']['personal']}/cfgc074ad100002.xml", user_agent, 404)


def test_fanvil_boot_sequence_in_both_formats(server: Server) -> None:
    for model, mac, common_file in (
        ("x4", "0c383e100001", "f0X4hw1.100.cfg"),
        ("x6u", "0c383e100002", "F0V0X6U00000.cfg"),
    ):
        device = publish(server, "fanvil", model, mac)
        user_agent = f"Fanvil {model.upper()} 2.10.2.6887 {mac}"
        for link in links(device):
            common = ET.fromstring(fetch(server, f"{link}/{common_file}", user_agent))
            config_text = fetch(server, f"{link}/{mac}.cfg", user_agent)
            config = ET.fromstring(config_text)
            assert common.tag == config.tag == ("VOIP_CONFIG_FILE" if model == "x4" else "sysConf")
            assert "boot-pw-502" in config_text and link in config_text
            fetch(server, f"{link}/fanvil_{model}_hw1.txt", user_agent, 404)
            fetch(server, f"{link}/f0X3shw1.100.cfg", user_agent, 404)  # another model's common file
            phonebook_urls = [
                url for url in re.findall(r">(https?://[^<]+)<", config_text) if "phonebook" in url
            ]
            assert phonebook_urls and phonebook_urls[0].startswith(link + "/")
            book = ET.fromstring(fetch(server, phonebook_urls[0], user_agent))
            assert book.tag == "PhoneBook" and "Reception" in ET.tostring(book, encoding="unicode")


def test_fanvil_x6u_firmware_check(server: Server) -> None:
    mac = "0c383e2cd782"
    image = "http://fw.example.net/fanvil/x6upro-fanvil-release-ff01-6916-2.12.4.1-krnvUT2022-05-18.z"
    device = publish(server, "fanvil", "x6u", mac, firmwareUrl=image)
    user_agent = "Fanvil X6U Pro 2.12.1.3 0c383e2cd782"
    for link in links(device):
        config = ET.fromstring(fetch(server, f"{link}/{mac}.cfg", user_agent))
        upgrade_server = config.findtext("fwCheck/UpgradeServer1")
        assert upgrade_server == link
        response = server.get(f"{upgrade_server}/fanvil_x6u_hw10.txt", user_agent)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert response.text.split("\n")[:2] == ["Version=2.12.4.1", f"Firmware={image}"]


def test_snom_boot_sequence(server: Server) -> None:
    mac = "000413abcd01"
    image = "http://fw.example.net/snom/snomD715-10.1.159.12-SIP-r.bin"
    device = publish(server, "snom", "d715", mac, firmwareUrl=image)
    user_agent = "Mozilla/4.0 (compatible; snomD715-SIP 10.1.33.33 1.1.5-IFX-05.01.12 000413ABCD01)"
    for link in links(device):
        for setting_files in ("snom715.htm", "snom715-000413ABCD01.htm"):
            listing = ET.fromstring(fetch(server, f"{link}/{setting_files}", user_agent))
            urls = [element.get("url", "") for element in listing.iter("file")]
            assert [url.rsplit("/", 1)[1] for url in urls] == ["000413ABCD01.xml", "tbook-000413ABCD01.xml"]
            settings_text, book_text = (fetch(server, url, user_agent) for url in urls)
            settings = ET.fromstring(settings_text)
            assert settings.tag == "settings" and "boot-pw-502" in settings_text
            assert "Reception" in book_text and ET.fromstring(book_text).tag == "tbook"
            firmware_status = settings.findtext("phone-settings/firmware_status", "")
            assert firmware_status == f"{link}/snom715-000413ABCD01-firmware.xml"
            firmware = ET.fromstring(fetch(server, firmware_status, user_agent))
            assert (firmware.tag, firmware.findtext("firmware")) == ("firmware-settings", image)
        fetch(server, f"{link}/000413abcd01.xml", user_agent)  # lowercase MAC is accepted too
        fetch(server, f"{link}/snomD715.htm", user_agent)  # the other spelling of the model file


def test_htek_boot_sequence(server: Server) -> None:
    mac = "001fc1100001"
    device = publish(server, "htek", "uc903", mac, language="en")
    user_agent = "Htek UC903 2.0.4.2 00:1f:c1:10:00:01"
    for link in links(device):
        code_file = fetch(server, f"{link}/cfg0016.xml", user_agent)
        fetch(server, f"{link}/cfg{mac}", user_agent, 404)
        config = fetch(server, f"{link}/cfg{mac}.xml", user_agent)
        assert code_file == config
        values = {element.tag: element.text or "" for element in ET.fromstring(config).iter()}
        assert values["P34"] == "boot-pw-501" and values["P237"].endswith(link.split("://", 1)[1])
        book = ET.fromstring(fetch(server, f"{link}/phonebook.xml", user_agent))
        assert "Reception" in ET.tostring(book, encoding="unicode")
