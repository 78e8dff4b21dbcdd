"""Careful saves over the real GraphQL API: updates that keep what they do not name, imports
that lose nothing silently, and sizes and characters refused at save."""

import json
from typing import Any

import httpx
import pytest
from tests.e2e.conftest import Server
from tests.e2e.test_management_api import SAVE, yealink_input

UPDATE = """
mutation Update($key: String!, $input: DevicePatch!) {
  updateDevice(key: $key, input: $input) {
    device {
      key title status hasAdminPassword timezone
      accounts { line sipUser hasPassword }
      rules { expiresAt checkMac allowedIps }
      links { personal common }
    }
    errors { field message }
  }
}
"""
IMPORT = """
mutation Import($docs: [JSON!]!) {
  importDevices(documents: $docs) { saved results { device { key title } errors { field message } } }
}
"""


def yealink_agent(mac: str) -> str:
    return f"Yealink SIP-T46S 66.86.0.15 {':'.join(mac[i : i + 2] for i in range(0, 12, 2))}"


def save(server: Server, **changes: Any) -> dict[str, Any]:
    payload = server.graphql(SAVE, {"input": yealink_input(**changes)})["saveDevice"]
    assert payload["errors"] == []
    return payload["device"]  # type: ignore[no-any-return]


def update(server: Server, key: str, patch: dict[str, Any]) -> dict[str, Any]:
    return server.graphql(UPDATE, {"key": key, "input": patch})["updateDevice"]  # type: ignore[no-any-return]


def post_raw(server: Server, query: str, variables: dict[str, Any]) -> httpx.Response:
    """The JSON escapes every non-ASCII character, so a lone surrogate travels as `\\ud800`."""
    return server.client.post(
        f"{server.url}/graphql",
        content=json.dumps({"query": query, "variables": variables}),
        headers={"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"},
    )


def post(server: Server, query: str, variables: dict[str, Any]) -> httpx.Response:
    response = post_raw(server, query, variables)
    assert response.status_code == 200, response.text
    return response


def test_changing_one_field_keeps_status_rules_and_passwords(server: Server) -> None:
    mac = "001565c00001"
    saved = save(
        server,
        mac=mac,
        adminPassword="admin-pw-123",
        rules={"expiresAt": "2099-01-01T00:00:00Z", "checkMac": True, "allowedIps": ["127.0.0.0/8"]},
    )
    payload = update(server, saved["key"], {"title": "Reception"})
    assert payload["errors"] == []
    device = payload["device"]
    assert device["title"] == "Reception" and device["status"] is True and device["hasAdminPassword"]
    assert device["rules"] == {
        "expiresAt": "2099-01-01T00:00:00+00:00",
        "checkMac": True,
        "allowedIps": ["127.0.0.0/8"],
    }
    assert device["accounts"] == [{"line": 1, "sipUser": "201", "hasPassword": True}]
    config = server.get(f"{device['links']['personal']}/{mac}.cfg", user_agent=yealink_agent(mac))
    assert config.status_code == 200 and "account.1.password = very-secret-pw" in config.text

    disabled = update(server, saved["key"], {"status": False})["device"]
    assert disabled["status"] is False and disabled["rules"] == device["rules"]
    assert (
        server.get(f"{device['links']['personal']}/{mac}.cfg", user_agent=yealink_agent(mac)).status_code
        == 404
    )
    assert update(server, saved["key"], {"title": "Still off"})["device"]["status"] is False


def test_null_clears_and_accounts_keep_their_passwords(server: Server) -> None:
    mac = "001565c00002"
    saved = save(server, mac=mac, token="careful-saves-group", timezone="Europe/Berlin")
    assert saved["links"]["common"] is not None
    payload = update(
        server,
        saved["key"],
        {
            "token": None,
            "timezone": None,
            "rules": None,
            "accounts": [{"line": 1, "sipRegister": "pbx.example.net", "sipUser": "777"}],
        },
    )
    assert payload["errors"] == []
    device = payload["device"]
    assert device["links"]["common"] is None and device["timezone"] is None
    assert device["accounts"] == [{"line": 1, "sipUser": "777", "hasPassword": True}]
    config = server.get(f"{device['links']['personal']}/{mac}.cfg", user_agent=yealink_agent(mac)).text
    assert "account.1.password = very-secret-pw" in config and "pbx.example.net" in config


def test_an_update_with_errors_names_them_and_changes_nothing(server: Server) -> None:
    saved = save(server, mac="001565c00003")
    query = f'{{ device(key: "{saved["key"]}") {{ title updatedAt accounts {{ sipUser }} }} }}'
    before = server.graphql(query)["device"]
    payload = update(
        server,
        saved["key"],
        {
            "title": "changed",
            "status": None,
            "timezone": "Mars/Olympus",
            "accounts": [{"line": 1, "sipRegister": "h:99999", "sipUser": "1", "sipPassword": "a\u2028b"}],
        },
    )
    assert payload["device"] is None
    assert payload["errors"] == [
        {"field": "status", "message": "cannot be cleared; leave it out to keep the stored value"}
    ]
    payload = update(
        server,
        saved["key"],
        {
            "title": "changed",
            "timezone": "Mars/Olympus",
            "accounts": [{"line": 1, "sipRegister": "h:99999", "sipUser": "1", "sipPassword": "a\u2028b"}],
        },
    )
    assert payload["device"] is None
    assert {e["field"] for e in payload["errors"]} == {
        "timezone",
        "accounts.0.sipRegister",
        "accounts.0.sipPassword",
    }
    assert server.graphql(query)["device"] == before


def test_an_unknown_key_is_a_field_error(server: Server) -> None:
    payload = update(server, "no-such-device-key", {"title": "x"})
    assert payload == {"device": None, "errors": [{"field": "key", "message": "no device has this key"}]}


def test_a_misspelt_key_of_a_document_is_named_and_the_document_not_saved(server: Server) -> None:
    document = {
        "vendor": "yealink",
        "model": "t46s",
        "mac": "001565c00004",
        "accounts": [
            {"line": 1, "sip_register": "sip.example.net", "sip_user": "1", "sip_pasword": "pw-typo-9"}
        ],
    }
    response = post(server, IMPORT, {"docs": [document]})
    assert "pw-typo-9" not in response.text
    data = response.json()["data"]["importDevices"]
    assert data["saved"] == 0
    assert data["results"][0]["errors"] == [
        {"field": "accounts.0.sip_pasword", "message": "unknown key; did you mean `sip_password`?"}
    ]
    assert server.graphql('{ device(mac: "001565c00004") { key } }')["device"] is None


def test_two_documents_with_one_mac_save_only_the_first(server: Server) -> None:
    def document(title: str, mac: str) -> dict[str, Any]:
        return {
            "vendor": "yealink",
            "model": "t46s",
            "mac": mac,
            "title": title,
            "accounts": [{"line": 1, "sip_register": "sip.example.net", "sip_user": "1"}],
        }

    documents = [document("first", "001565c00005"), document("other", "001565c00006")]
    documents.append(document("second", "00-15-65-C0-00-05"))
    data = server.graphql(IMPORT, {"docs": documents})["importDevices"]
    assert data["saved"] == 2
    assert data["results"][2] == {
        "device": None,
        "errors": [{"field": "mac", "message": "is the same MAC as document 0 of this import"}],
    }
    assert server.graphql('{ device(mac: "001565c00005") { title } }')["device"] == {"title": "first"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {
                "accounts": [
                    {"line": 1, "sipRegister": "h.example.net", "sipUser": "1", "sipPassword": "p" * 129}
                ]
            },
            "accounts.0.sipPassword",
            "must be at most 128 characters",
        ),
        (
            {
                "accounts": [
                    {"line": 1, "sipRegister": "h.example.net", "sipUser": "1", "sipPassword": "p" * 100_000}
                ]
            },
            "accounts.0.sipPassword",
            "must be at most 128 characters",
        ),
        ({"adminPassword": "a" * 129}, "adminPassword", "must be at most 128 characters"),
        (
            {"phonebook": [{"name": f"C{n}", "numbers": [{"number": "1"}]} for n in range(2001)]},
            "phonebook",
            "holds at most 2000 contacts",
        ),
        (
            {"phonebook": [{"name": "C", "numbers": [{"number": "1"}] * 11}]},
            "phonebook.0.numbers",
            "holds at most 10 numbers",
        ),
        (
            {"vendorParams": {f"custom.k{n}": "1" for n in range(501)}},
            "vendorParams",
            "holds at most 500 settings",
        ),
        (
            {"firmwareUrl": "http://fw.example.net/" + "x" * 1100},
            "firmwareUrl",
            "must be at most 1024 characters",
        ),
        ({"rules": {"allowedIps": ["10.0.0.1"] * 65}}, "rules.allowedIps", "holds at most 64 entries"),
    ],
)
def test_sizes_over_their_maximum_are_field_errors(
    server: Server, changes: dict[str, Any], field: str, message: str
) -> None:
    response = post(server, SAVE, {"input": yealink_input(mac="001565c00007", **changes)})
    payload = response.json()["data"]["saveDevice"]
    assert payload["device"] is None
    assert {"field": field, "message": message} in payload["errors"]
    assert "ppppp" not in response.text


@pytest.mark.parametrize(
    ("character", "kind"),
    [
        ("\n", "control characters"),
        ("\x85", "control characters"),
        ("\u2028", "U+2028"),
    ],
)
def test_a_password_a_phone_cannot_carry_is_refused_at_save(
    server: Server, character: str, kind: str
) -> None:
    account = {
        "line": 1,
        "sipRegister": "h.example.net",
        "sipUser": "1",
        "sipPassword": f"secret{character}pw",
    }
    response = post(
        server,
        SAVE,
        {"input": yealink_input(mac="001565c00008", accounts=[account], adminPassword=f"adm{character}")},
    )
    payload = response.json()["data"]["saveDevice"]
    assert payload["device"] is None
    assert {e["field"] for e in payload["errors"]} == {"accounts.0.sipPassword", "adminPassword"}
    assert all(kind in e["message"] for e in payload["errors"])
    assert "secret" not in response.text and "adm" not in response.text.replace("adminPassword", "")


def test_a_lone_surrogate_in_a_password_is_refused_before_the_save(server: Server) -> None:
    """No JSON text can carry it as a character: the API refuses the request itself (400), naming where."""
    account = {"line": 1, "sipRegister": "h.example.net", "sipUser": "1", "sipPassword": "secret\ud800pw"}
    response = post_raw(server, SAVE, {"input": yealink_input(mac="001565c00009", accounts=[account])})
    assert response.status_code == 400
    assert "variables.input.accounts.0.sipPassword" in response.text
    assert "secret" not in response.text
    found = server.graphql('{ device(mac: "001565c00009") { key } }')
    assert found["device"] is None
