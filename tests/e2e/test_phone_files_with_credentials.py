"""Every file Sonata points a phone at stays fetchable once the device has phone credentials, per
vendor, against a running server: a phone with a real User-Agent fetches its config with HTTP Basic,
reads where its phonebook (and firmware descriptor or file) is and which credentials go with it,
and fetches it the way the phone would: a URL with userinfo as it stands (httpx answers with the
userinfo as Basic credentials), a separate user name and password setting as Basic credentials.
Without them the same file is refused: every phone route keeps asking for the credentials."""

import re
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest
from tests.e2e.conftest import Server

PASSWORD = 'Pr0v&<"fetch"> #1:@/?%'
"""Reserved characters of URLs and XML alike, so userinfo and markup escapes both matter."""
SAVE = """mutation($input: DeviceInput!) {
  saveDevice(input: $input) { device { key links { personal common } } errors { field message } }
}"""
PHONEBOOK = [{"name": "Reception", "numbers": [{"number": "100"}]}]


def username(mac: str) -> str:
    return f"desk@{mac}"


def publish(server: Server, vendor: str, model: str, mac: str, **changes: Any) -> list[str]:
    """The device with phone credentials and a phonebook; its personal and common link."""
    device = {
        "vendor": vendor,
        "model": model,
        "mac": mac,
        "token": "files-with-credentials",
        "accounts": [
            {"line": 1, "sipRegister": "sip.example.net", "sipUser": "401", "sipPassword": "sip-401"}
        ],
        "phonebook": PHONEBOOK,
        "provisioningUsername": username(mac),
        "provisioningPassword": PASSWORD,
        **changes,
    }
    payload = server.graphql(SAVE, {"input": device})["saveDevice"]
    assert payload["errors"] == [], payload["errors"]
    return [payload["device"]["links"]["personal"], payload["device"]["links"]["common"]]


def fetch(url: str, user_agent: str, auth: httpx.Auth | None = None) -> httpx.Response:
    """A GET as the phone sends it; a URL with userinfo is answered with it (httpx's Basic)."""
    with httpx.Client(auth=auth, timeout=10) as client:
        return client.get(url, headers={"User-Agent": user_agent})


def config(url: str, mac: str, user_agent: str) -> str:
    response = fetch(url, user_agent, httpx.BasicAuth(username(mac), PASSWORD))
    assert response.status_code == 200, response.text
    return response.text


def served_only_with_credentials(url: str, user_agent: str, auth: httpx.Auth | None = None) -> str:
    """The body of `url` fetched with the credentials the config gave (`auth`, else the URL's
    userinfo), after checking that without any the same file is refused."""
    bare = str(httpx.URL(url).copy_with(username=None, password=None))
    assert fetch(bare, user_agent).status_code == 401
    response = fetch(url, user_agent, auth)
    assert response.status_code == 200, (url, response.status_code, response.text)
    return response.text


def assert_phonebook(body: str, root_tag: str) -> None:
    book = ET.fromstring(body)
    assert book.tag == root_tag and "Reception" in ET.tostring(book, encoding="unicode")


def assert_secret_kept_out_of_the_log(server: Server) -> None:
    """Neither the password nor any escaped form of it (all of them start with `Pr0v`)."""
    assert "Pr0v" not in server.log()


def test_yealink_remote_phonebook(server: Server) -> None:
    mac = "001565f11001"
    user_agent = "Yealink SIP-T46S 66.86.0.15 00:15:65:f1:10:01"
    for link in publish(server, "yealink", "t46s", mac):
        text = config(f"{link}/{mac}.cfg", mac, user_agent)
        found = re.search(r"^remote_phonebook\.data\.1\.url = (.+)$", text, re.MULTILINE)
        assert found is not None
        url = httpx.URL(found[1])
        assert (url.username, url.password) == (username(mac), PASSWORD)
        assert_phonebook(served_only_with_credentials(found[1], user_agent), "YealinkIPPhoneDirectory")
    assert_secret_kept_out_of_the_log(server)


@pytest.mark.parametrize(
    ("model", "mac", "names"),
    [
        ("gxp1630", "c074adf11002", ("P330", "P331", "P6713", "P6714")),
        (
            "grp2614",
            "ec74d7f11003",
            (
                "phonebook.download.mode",
                "phonebook.download.server",
                "phonebook.download.username",
                "phonebook.download.password",
            ),
        ),
    ],
)
def test_grandstream_phonebook_download(server: Server, model: str, mac: str, names: tuple[str, ...]) -> None:
    user_agent = f"Grandstream Model HW {model.upper()} SW 1.0.7.13 DevId {mac}"
    for link in publish(server, "grandstream", model, mac):
        root = ET.fromstring(config(f"{link}/cfg{mac}.xml", mac, user_agent))
        values = {element.get("name") or element.tag: element.text or "" for element in root.iter()}
        mode, path, user, password = (values[name] for name in names)
        assert mode in ("1", "EnabledUseHTTP") and (user, password) == (username(mac), PASSWORD)
        # P331 is host/path without a scheme; the phone appends phonebook.xml.
        url = f"http://{path}/phonebook.xml"
        body = served_only_with_credentials(url, user_agent, httpx.BasicAuth(user, password))
        assert_phonebook(body, "AddressBook")
    assert_secret_kept_out_of_the_log(server)


def test_fanvil_x4_phonebook(server: Server) -> None:
    mac = "0c383ef11004"
    user_agent = f"Fanvil X4 2.10.2.6887 {mac}"
    for link in publish(server, "fanvil", "x4", mac):
        root = ET.fromstring(config(f"{link}/{mac}.cfg", mac, user_agent))
        entry = root.find("PHONE_CONFIG_MODULE/Xml_PhoneBook/Xml_PhoneBook_Entry[ID='XML-PBook1']")
        assert entry is not None
        user, _, password = (entry.findtext("Auth") or "").partition(":")
        assert (user, password) == (username(mac), PASSWORD)
        body = served_only_with_credentials(
            entry.findtext("Addr") or "", user_agent, httpx.BasicAuth(user, password)
        )
        assert_phonebook(body, "PhoneBook")
    assert_secret_kept_out_of_the_log(server)


def test_fanvil_x6u_phonebook_and_firmware_descriptor(server: Server) -> None:
    mac = "0c383ef11005"
    user_agent = f"Fanvil X6U Pro 2.12.1.3 {mac}"
    image = "http://fw.example.net/fanvil/x6upro-fanvil-release-ff01-6916-2.12.4.1-krnvUT2022-05-18.z"
    for link in publish(server, "fanvil", "x6u", mac, firmwareUrl=image):
        root = ET.fromstring(config(f"{link}/{mac}.cfg", mac, user_agent))
        contact = root.find("phone/xmlContact[@index='1']")
        assert contact is not None
        user, password = contact.findtext("UserName") or "", contact.findtext("PassWd") or ""
        assert (user, password) == (username(mac), PASSWORD)
        body = served_only_with_credentials(
            contact.findtext("Addr") or "", user_agent, httpx.BasicAuth(user, password)
        )
        assert_phonebook(body, "PhoneBook")
        # The phone reads fanvil_<model>_hw….txt from the directory in UpgradeServer1.
        directory = root.findtext("fwCheck/UpgradeServer1") or ""
        descriptor = served_only_with_credentials(f"{directory}/fanvil_x6u_hw10.txt", user_agent)
        assert descriptor.split("\n")[1] == f"Firmware={image}"
    assert_secret_kept_out_of_the_log(server)


def test_snom_phonebook_and_firmware_file(server: Server) -> None:
    # Snom's HTTP client answers every server's challenge with http_client_user/_pass: the files
    # its config and setting-files lists name need nothing more.
    mac = "000413f11006"
    user_agent = f"Mozilla/4.0 (compatible; snomD715-SIP 10.1.33.33 1.1.5-IFX-05.01.12 {mac.upper()})"
    image = "http://fw.example.net/snom/snomD715-10.1.159.12-SIP-r.bin"
    for link in publish(server, "snom", "d715", mac, firmwareUrl=image):
        settings = ET.fromstring(config(f"{link}/{mac.upper()}.xml", mac, user_agent))
        user = settings.findtext("phone-settings/http_client_user") or ""
        password = settings.findtext("phone-settings/http_client_pass") or ""
        assert (user, password) == (username(mac), PASSWORD)
        auth = httpx.BasicAuth(user, password)
        listing = ET.fromstring(
            served_only_with_credentials(f"{link}/snom715-{mac.upper()}.htm", user_agent, auth)
        )
        book_url = next(url for file in listing.iter("file") if "tbook" in (url := file.get("url", "")))
        assert_phonebook(served_only_with_credentials(book_url, user_agent, auth), "tbook")
        firmware_url = settings.findtext("phone-settings/firmware_status") or ""
        firmware = ET.fromstring(served_only_with_credentials(firmware_url, user_agent, auth))
        assert firmware.findtext("firmware") == image
    assert_secret_kept_out_of_the_log(server)


def test_htek_phonebook_download(server: Server) -> None:
    mac = "001fc1f11007"
    user_agent = "Htek UC903 2.0.4.2 00:1f:c1:f1:10:07"
    for link in publish(server, "htek", "uc903", mac):
        root = ET.fromstring(config(f"{link}/cfg{mac}.xml", mac, user_agent))
        path = root.findtext("config/P331") or ""
        url = httpx.URL(path)
        assert (url.username, url.password) == (username(mac), PASSWORD)
        # The phone appends phonebook.xml to P331, as Grandstream phones do.
        assert_phonebook(served_only_with_credentials(f"{path}/phonebook.xml", user_agent), "AddressBook")
    assert_secret_kept_out_of_the_log(server)
