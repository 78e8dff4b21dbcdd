"""Every vendor's config gives the phone the credentials it then fetches with, against a running
server: a phone with a real User-Agent fetches its config with HTTP Basic, reads the user name and
password from the file's own provisioning settings, and the next fetch with those is served. Removing
the credentials clears them in the next file."""

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from tests.e2e.conftest import Server

PASSWORD = 'Pr0v&<"fetch"> #1'
FIELDS = "key provisioningUsername hasProvisioningPassword links { personal common }"
SAVE = f"""mutation($input: DeviceInput!) {{
  saveDevice(input: $input) {{ device {{ {FIELDS} }} errors {{ field message }} }}
}}"""
UPDATE = f"""mutation($key: String!, $input: DevicePatch!) {{
  updateDevice(key: $key, input: $input) {{ device {{ {FIELDS} }} errors {{ field message }} }}
}}"""

Credentials = tuple[str, str]


def yealink(body: str) -> Credentials:
    values = dict(line.split(" = ", 1) for line in body.splitlines() if " = " in line)
    return (
        values["static.auto_provision.server.username"],
        values["static.auto_provision.server.password"],
    )


def elements(*paths: str) -> Callable[[str], Credentials]:
    def read(body: str) -> Credentials:
        root = ET.fromstring(body)
        user, password = (root.find(path) for path in paths)
        assert user is not None and password is not None
        return user.text or "", password.text or ""

    return read


@dataclass(frozen=True)
class Phone:
    vendor: str
    model: str
    mac: str
    user_agent: str
    filename: str
    credentials: Callable[[str], Credentials]
    """The user name and password as the phone reads them from its config."""
    cleared: Credentials = ("", "")
    """What the config writes once the device has none."""


PHONES = [
    Phone(
        "yealink",
        "t46s",
        "001565e2e001",
        "Yealink SIP-T46S 66.86.0.15 00:15:65:e2:e0:01",
        "001565e2e001.cfg",
        yealink,
        ("%NULL%", "%NULL%"),
    ),
    Phone(
        "grandstream",
        "gxp1630",
        "c074ade2e002",
        "Grandstream Model HW GXP1630 SW 1.0.7.13 DevId c074ade2e002",
        "cfgc074ade2e002.xml",
        elements("config/P1360", "config/P1361"),
    ),
    Phone(
        "grandstream",
        "grp2614",
        "ec74d7e2e003",
        "Grandstream Model HW GRP2614 SW 1.0.5.15 DevId ec74d7e2e003",
        "cfgec74d7e2e003.xml",
        elements(
            "config/item[@name='provisioning.config.username']",
            "config/item[@name='provisioning.config.password']",
        ),
    ),
    Phone(
        "fanvil",
        "x4",
        "0c383ee2e004",
        "Fanvil X4 2.10.2.6887 0c383ee2e004",
        "0c383ee2e004.cfg",
        elements("AUTOUPDATE_CONFIG_MODULE/Download_Username", "AUTOUPDATE_CONFIG_MODULE/Download_Password"),
    ),
    Phone(
        "fanvil",
        "x6u",
        "0c383ee2e005",
        "Fanvil X6U Pro 2.12.1.3 0c383ee2e005",
        "0c383ee2e005.cfg",
        elements("ap/DefaultUsername", "ap/DefaultPassword"),
    ),
    Phone(
        "snom",
        "d715",
        "000413e2e006",
        "Mozilla/4.0 (compatible; snomD715-SIP 10.1.33.33 1.1.5-IFX-05.01.12 000413E2E006)",
        "000413E2E006.xml",
        elements("phone-settings/http_client_user", "phone-settings/http_client_pass"),
    ),
    Phone(
        "htek",
        "uc903",
        "001fc1e2e007",
        "Htek UC903 2.0.4.2 00:1f:c1:e2:e0:07",
        "cfg001fc1e2e007.xml",
        elements("config/P1360", "config/P1361"),
    ),
]


def publish(server: Server, phone: Phone) -> dict[str, Any]:
    device = {
        "vendor": phone.vendor,
        "model": phone.model,
        "mac": phone.mac,
        "token": "credentials-in-configs",
        "accounts": [
            {"line": 1, "sipRegister": "sip.example.net", "sipUser": "401", "sipPassword": "sip-401"}
        ],
        "provisioningUsername": f"desk-{phone.mac}",
        "provisioningPassword": PASSWORD,
    }
    payload = server.graphql(SAVE, {"input": device})["saveDevice"]
    assert payload["errors"] == []
    return payload["device"]  # type: ignore[no-any-return]


def fetch(url: str, phone: Phone, auth: httpx.Auth | None = None) -> httpx.Response:
    with httpx.Client(auth=auth, timeout=10) as client:
        return client.get(url, headers={"User-Agent": phone.user_agent})


@pytest.mark.parametrize("phone", PHONES, ids=[f"{p.vendor}-{p.model}" for p in PHONES])
def test_a_phone_fetches_again_with_the_credentials_its_config_gave_it(server: Server, phone: Phone) -> None:
    device = publish(server, phone)
    common = f"{device['links']['common']}/{phone.filename}"
    personal = f"{device['links']['personal']}/{phone.filename}"
    assert fetch(common, phone).status_code == 401

    first = fetch(common, phone, httpx.BasicAuth(f"desk-{phone.mac}", PASSWORD))
    assert first.status_code == 200, first.text
    written = phone.credentials(first.text)
    assert written == (f"desk-{phone.mac}", PASSWORD)

    # A phone set up once: what its config holds is what it authenticates with, on either link.
    for url in (common, personal):
        again = fetch(url, phone, httpx.BasicAuth(*written))
        assert again.status_code == 200, again.text
        assert phone.credentials(again.text) == written

    # Removing the credentials serves the file without any, and it clears the phone's.
    patch = {"provisioningUsername": "", "provisioningPassword": ""}
    payload = server.graphql(UPDATE, {"key": device["key"], "input": patch})["updateDevice"]
    assert payload["errors"] == [] and payload["device"]["hasProvisioningPassword"] is False
    cleared = fetch(common, phone)
    assert cleared.status_code == 200, cleared.text
    assert phone.credentials(cleared.text) == phone.cleared
    assert PASSWORD not in server.log()
