"""Encrypted configs over a running server: what a Yealink or Grandstream phone fetches decrypts, with
the openssl command line, byte for byte to the plain file renderConfig shows; the key is write-only
and checked; files that are not the device config stay plain."""

import subprocess
from typing import Any

import pytest
from tests.e2e.conftest import Server

YEALINK_KEY = "Q7#w9:Zr$2+x@5~k"
GRANDSTREAM_PASSWORD = "P1359-xml-pass"
YEALINK_MAC, GRANDSTREAM_MAC = "001565a1b2c3", "000b82a1b2c3"
YEALINK_UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:a1:b2:c3"
GRANDSTREAM_UA = "Grandstream Model HW GXP2170 SW 1.0.11.16 DevId 000b82a1b2c3"
FIELDS = "key configEncryption hasConfigEncryptionKey hasAdminPassword accounts { hasPassword }"


def openssl_decrypt(body: bytes, *cipher: str) -> bytes:
    done = subprocess.run(["openssl", "enc", "-d", *cipher], input=body, capture_output=True, check=True)
    return done.stdout


def yealink_decrypt(body: bytes, key: str = YEALINK_KEY) -> bytes:
    return openssl_decrypt(body, "-aes-128-ecb", "-K", key.encode("ascii").hex())


def grandstream_decrypt(body: bytes) -> bytes:
    return openssl_decrypt(body, "-aes-256-cbc", "-md", "md5", "-k", GRANDSTREAM_PASSWORD)


def device_input(vendor: str, **changes: Any) -> dict[str, Any]:
    model, mac, token = {
        "yealink": ("t46s", YEALINK_MAC, "encrypted-yealink-group"),
        "grandstream": ("gxp2170", GRANDSTREAM_MAC, "encrypted-grandstream-group"),
    }[vendor]
    values: dict[str, Any] = {
        "vendor": vendor,
        "model": model,
        "mac": mac,
        "token": token,
        "adminPassword": "admin-pw-0815",
        "accounts": [
            {"line": 1, "sipRegister": "sip.example.net", "sipUser": "501", "sipPassword": "sip-pw-501"}
        ],
    }
    return values | changes


def save(server: Server, device: dict[str, Any]) -> dict[str, Any]:
    query = f"mutation($input: DeviceInput!) {{ saveDevice(input: $input) {{ device {{ {FIELDS} }} errors {{ field message }} }} }}"
    return server.graphql(query, {"input": device})["saveDevice"]  # type: ignore[no-any-return]


def update(server: Server, key: str, patch: dict[str, Any]) -> dict[str, Any]:
    query = f"mutation($key: String!, $input: DevicePatch!) {{ updateDevice(key: $key, input: $input) {{ device {{ {FIELDS} }} errors {{ field message }} }} }}"
    return server.graphql(query, {"key": key, "input": patch})["updateDevice"]  # type: ignore[no-any-return]


def saved(server: Server, device: dict[str, Any]) -> dict[str, Any]:
    payload = save(server, device)
    assert payload["errors"] == [], payload["errors"]
    return payload["device"]  # type: ignore[no-any-return]


def plain(server: Server, key: str, filename: str) -> bytes:
    query = "query($key: String!, $file: String) { renderConfig(key: $key, filename: $file) { contentType body } }"
    rendered = server.graphql(query, {"key": key, "file": filename})["renderConfig"]
    assert not rendered["contentType"].startswith("application/octet-stream")
    return rendered["body"].encode("utf-8")  # type: ignore[no-any-return]


def fetched(server: Server, path: str, user_agent: str) -> bytes:
    response = server.get(path, user_agent)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/octet-stream"
    return response.content


def test_a_yealink_phone_gets_its_config_encrypted_with_its_aes_key(server: Server) -> None:
    device = saved(
        server, device_input("yealink", configEncryption="YEALINK_AES", configEncryptionKey=YEALINK_KEY)
    )
    assert (device["configEncryption"], device["hasConfigEncryptionKey"]) == ("YEALINK_AES", True)
    key, filename = device["key"], f"{YEALINK_MAC}.cfg"
    body = fetched(server, f"/v1/device/{key}/{filename}", YEALINK_UA)
    expected = plain(server, key, filename)
    assert expected.startswith(b"#!version:1.0.0.1\n") and b"sip-pw-501" in expected
    assert b"sip-pw-501" not in body and b"admin-pw-0815" not in body
    assert yealink_decrypt(body) == expected
    assert fetched(server, f"/v1/device/{key}/{filename}", YEALINK_UA) == body  # the same bytes again
    common = yealink_decrypt(fetched(server, f"/v1/token/encrypted-yealink-group/{filename}", YEALINK_UA))
    assert common.startswith(b"#!version:1.0.0.1\n") and b"/v1/token/encrypted-yealink-group/" in common


def test_a_yealink_phones_boot_and_common_files_stay_plain(server: Server) -> None:
    key = saved(
        server, device_input("yealink", configEncryption="YEALINK_AES", configEncryptionKey=YEALINK_KEY)
    )["key"]
    for filename in ("y000000000066.cfg", f"{YEALINK_MAC}.boot"):
        response = server.get(f"/v1/device/{key}/{filename}", YEALINK_UA)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        assert response.content == plain(server, key, filename)


@pytest.mark.parametrize("filename", [f"cfg{GRANDSTREAM_MAC}.xml", "cfggxp2170.xml", "cfg.xml"])
def test_a_grandstream_phone_gets_every_config_file_encrypted_with_its_p1359_password(
    server: Server, filename: str
) -> None:
    device = saved(
        server,
        device_input(
            "grandstream", configEncryption="GRANDSTREAM_OPENSSL", configEncryptionKey=GRANDSTREAM_PASSWORD
        ),
    )
    assert (device["configEncryption"], device["hasConfigEncryptionKey"]) == ("GRANDSTREAM_OPENSSL", True)
    body = fetched(server, f"/v1/device/{device['key']}/{filename}", GRANDSTREAM_UA)
    assert body.startswith(b"Salted__") and b"sip-pw-501" not in body
    expected = plain(server, device["key"], filename)
    assert b"<P34>sip-pw-501</P34>" in expected
    assert grandstream_decrypt(body) == expected
    common = fetched(server, f"/v1/token/encrypted-grandstream-group/{filename}", GRANDSTREAM_UA)
    assert b"<P34>sip-pw-501</P34>" in grandstream_decrypt(common)


def test_the_key_is_kept_when_left_out_and_dropped_with_none(server: Server) -> None:
    key = saved(
        server, device_input("yealink", configEncryption="YEALINK_AES", configEncryptionKey=YEALINK_KEY)
    )["key"]
    moved = update(server, key, {"title": "Moved desk"})
    assert moved["errors"] == [] and moved["device"]["hasConfigEncryptionKey"]
    filename = f"{YEALINK_MAC}.cfg"
    assert yealink_decrypt(fetched(server, f"/v1/device/{key}/{filename}", YEALINK_UA)) == plain(
        server, key, filename
    )
    off = update(server, key, {"configEncryption": "NONE"})
    assert off["errors"] == []
    assert (off["device"]["configEncryption"], off["device"]["hasConfigEncryptionKey"]) == ("NONE", False)
    response = server.get(f"/v1/device/{key}/{filename}", YEALINK_UA)
    assert response.headers["content-type"].startswith("text/plain")
    assert response.content == plain(server, key, filename)
    again = update(server, key, {"configEncryption": "YEALINK_AES"})
    assert again["errors"] == [{"field": "configEncryptionKey", "message": "is required with YEALINK_AES"}]


def test_a_document_import_takes_the_snake_case_fields(server: Server) -> None:
    document = {
        "vendor": "grandstream",
        "model": "gxp2170",
        "mac": "000b82d4e5f6",
        "accounts": [
            {"line": 1, "sip_register": "sip.example.net", "sip_user": "502", "sip_password": "pw-502"}
        ],
        "config_encryption": "grandstream_openssl",
        "config_encryption_key": GRANDSTREAM_PASSWORD,
    }
    query = f"mutation($docs: [JSON!]!) {{ importDevices(documents: $docs) {{ results {{ device {{ {FIELDS} }} errors {{ field message }} }} }} }}"
    [result] = server.graphql(query, {"docs": [document]})["importDevices"]["results"]
    assert result["errors"] == [] and result["device"]["hasConfigEncryptionKey"]
    key = result["device"]["key"]
    body = fetched(
        server, f"/v1/device/{key}/cfg000b82d4e5f6.xml", GRANDSTREAM_UA.replace("a1b2c3", "d4e5f6")
    )
    assert grandstream_decrypt(body) == plain(server, key, "cfg000b82d4e5f6.xml")


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {
                "vendor": "grandstream",
                "model": "gxp2170",
                "mac": "000b82f0f0f0",
                "configEncryption": "YEALINK_AES",
            },
            [
                {
                    "field": "configEncryption",
                    "message": "grandstream devices take NONE or GRANDSTREAM_OPENSSL",
                }
            ],
        ),
        (
            {"configEncryption": "GRANDSTREAM_OPENSSL"},
            [{"field": "configEncryption", "message": "yealink devices take NONE or YEALINK_AES"}],
        ),
        (
            {"configEncryption": "YEALINK_AES", "configEncryptionKey": None},
            [{"field": "configEncryptionKey", "message": "is required with YEALINK_AES"}],
        ),
        (
            {"configEncryption": "NONE"},
            [
                {
                    "field": "configEncryptionKey",
                    "message": "is only taken with an encryption scheme other than NONE",
                }
            ],
        ),
    ],
)
def test_a_scheme_of_another_vendor_or_a_missing_key_is_a_field_error_and_saves_nothing(
    server: Server, changes: dict[str, Any], errors: list[dict[str, str]]
) -> None:
    device = (
        device_input("yealink", mac="001565f0f0f0", token=None, configEncryptionKey=YEALINK_KEY) | changes
    )
    payload = save(server, device)
    assert payload == {"device": None, "errors": errors}
    found = server.graphql("query($mac: String!) { device(mac: $mac) { key } }", {"mac": device["mac"]})
    assert found["device"] is None


@pytest.mark.parametrize("bad_key", ["short-key", "Q7#w9:Zr$2+x@5~k!", "Q7#w9 Zr$2+x@5~k"])
def test_a_key_of_the_wrong_format_is_refused_without_being_shown(server: Server, bad_key: str) -> None:
    payload = save(
        server,
        device_input(
            "yealink",
            mac="001565f0f0f1",
            token=None,
            configEncryption="YEALINK_AES",
            configEncryptionKey=bad_key,
        ),
    )
    assert payload["device"] is None
    [error] = payload["errors"]
    assert error["field"] == "configEncryptionKey" and error["message"].startswith("must be 16 characters")
    assert bad_key not in error["message"]


def test_the_key_appears_in_no_answer_and_no_log(server: Server) -> None:
    device = saved(
        server, device_input("yealink", configEncryption="YEALINK_AES", configEncryptionKey=YEALINK_KEY)
    )
    listed = server.client.post(
        f"{server.url}/graphql",
        json={
            "query": f'{{ device(key: "{device["key"]}") {{ {FIELDS} }} devices {{ nodes {{ {FIELDS} }} }} }}'
        },
        headers={"Authorization": f"Bearer {server.token}"},
    )
    assert listed.status_code == 200 and "errors" not in listed.json()
    for secret in (YEALINK_KEY, GRANDSTREAM_PASSWORD):
        assert secret not in listed.text
        assert secret not in server.log()
