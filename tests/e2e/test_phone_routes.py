"""Phones fetching their configs from a running server, with real User-Agents."""

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from tests.e2e.conftest import Server
from tests.e2e.test_management_api import DEVICE_FIELDS, SAVE
from tests.e2e.waiting import eventually

PHONES = {
    "grandstream": (
        "gxp1620",
        "000b82aabbcc",
        "cfg000b82aabbcc.xml",
        "Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 000b82aabbcc",
        "application/xml",
    ),
    "yealink": (
        "t46s",
        "001565aabbcc",
        "001565aabbcc.cfg",
        "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc",
        "text/plain",
    ),
    "fanvil": (
        "x4",
        "0c383e07e16c",
        "0c383e07e16c.cfg",
        "Fanvil X4 2.10.2.6887 0c383e07e16c",
        "application/xml",
    ),
}


def publish(server: Server, vendor: str, **changes: Any) -> dict[str, Any]:
    model, mac, _, _, _ = PHONES[vendor]
    device = {
        "vendor": vendor,
        "model": model,
        "mac": mac,
        "token": f"{vendor}-group-token",
        "timezoneOffset": "GMT+03",
        "ntpServer": "ntp.example.net",
        "accounts": [
            {"line": 1, "sipRegister": "sip.example.net", "sipUser": "301", "sipPassword": "phone-pw-301"}
        ],
    }
    device.update(changes)
    payload = server.graphql(SAVE, {"input": device})["saveDevice"]
    assert payload["errors"] == []
    return payload["device"]  # type: ignore[no-any-return]


def refusal(response: Any) -> None:
    assert response.status_code == 404
    assert response.text == "Not Found\n"


@pytest.mark.parametrize("vendor", PHONES)
def test_each_vendor_fetches_its_config_on_both_links(server: Server, vendor: str) -> None:
    _, _, filename, user_agent, content_type = PHONES[vendor]
    device = publish(server, vendor)
    personal = device["links"]["personal"]
    for url in (personal, f"{personal}/{filename}", f"{device['links']['common']}/{filename}"):
        response = server.get(url, user_agent=user_agent)
        assert response.status_code == 200, url
        assert response.headers["content-type"] == f"{content_type}; charset=utf-8"
        assert "phone-pw-301" in response.text and "sip.example.net" in response.text
        if content_type == "application/xml":
            ET.fromstring(response.content)
        else:
            assert response.text.startswith("#!version:1.0.0.1\n")
    record = eventually(
        lambda: server.graphql(f'{{ device(key: "{device["key"]}") {{ {DEVICE_FIELDS} }} }}')["device"][
            "lastProvisioning"
        ],
        lambda record: record is not None,
    )
    assert (
        record["ip"] == "127.0.0.1" and record["userAgent"] == user_agent and record["filename"] == filename
    )


def test_every_refusal_is_the_same_404(server: Server) -> None:
    _, _, filename, ua, _ = PHONES["yealink"]
    device = publish(server, "yealink")
    personal, common = device["links"]["personal"], device["links"]["common"]
    other_ua = "Yealink SIP-T46S 66.86.0.15 00:15:65:00:00:01"
    refusal(server.get(f"{server.url}/v1/device/no-such-key-123/{filename}", ua))  # unknown key
    refusal(server.get(f"{server.url}/v1/token/no-such-token-12/{filename}", ua))  # unknown token
    refusal(
        server.get(f"{common}/001565999999.cfg", "Yealink SIP-T46S 66.86.0.15 00:15:65:99:99:99")
    )  # unknown MAC
    refusal(server.get(f"{personal}/001565000001.cfg", ua))  # another device's file name
    refusal(server.get(f"{personal}/{filename}", other_ua))  # User-Agent MAC differs from the file name
    refusal(server.get(f"{personal}/settings.xml", ua))  # unknown file name
    refusal(server.get(f"{common}", ua))  # a directory, not a file
    publish(server, "yealink", status=False)
    refusal(server.get(personal, ua))  # disabled
    publish(server, "yealink", rules={"expiresAt": "2020-01-01T00:00:00Z"})
    refusal(server.get(personal, ua))  # expired
    publish(server, "yealink", rules={"checkMac": True})
    refusal(server.get(personal, "curl/8.5.0"))  # MAC check without any MAC shown
    assert server.get(personal, ua).status_code == 200
    publish(server, "yealink", rules={"allowedIps": ["10.0.0.0/8", "::1/128"]})
    refusal(server.get(personal, ua))  # wrong address
    publish(server, "yealink", rules={"allowedIps": ["127.0.0.0/8"], "expiresAt": "2099-01-01T00:00:00Z"})
    assert server.get(personal, ua).status_code == 200
    log = server.log()
    for reason in (
        "unknown key",
        "no device with MAC 001565aabbcc under token",  # the wrong token for a known MAC
        "no device with MAC 001565999999 under token",  # an unknown MAC
        "disabled",
        "expired",
        "MAC check failed",
        "address not allowed",
        "User-Agent MAC",
    ):
        assert reason in log, reason
    assert device["key"] not in log and "yealink-group-token" not in log and "phone-pw-301" not in log


def test_unknown_routes_look_like_refusals(server: Server) -> None:
    refusal(server.get("/v1/nothing/here"))


@pytest.mark.parametrize(
    ("path", "user_agent"),
    [
        ("/v1/device/%00%01/cfg.xml", "Grandstream Model HW GXP1620 SW 1.0 DevId 000b82aabbcc"),
        ("/v1/token/yealink-group-token/" + "a" * 5000 + ".cfg", "Yealink SIP-T46S 66.86.0.15"),
        ("/v1/token/yealink-group-token/%E2%98%8E.cfg", "Yealink SIP-T46S 66.86.0.15 zz:zz:zz:zz:zz:zz"),
        ("/v1/token/yealink-group-token/y000000000066.cfg", "Yealink " + "x" * 10000),
        ("/v1/token/yealink-group-token/cfg.xml", "Grandstream Model HW SW DevId"),
        ("/v1/device/..%2F..%2Fetc%2Fpasswd", None),
        ("/v1/token/%20/phonebook.xml", "Mozilla/4.0 (compatible; snom-SIP )"),
    ],
)
def test_hostile_requests_get_the_uniform_404_not_an_error(
    server: Server, path: str, user_agent: str | None
) -> None:
    publish(server, "yealink")
    refusal(server.get(path, user_agent))
