"""The audit log against a running `sonata serve`: an entry for every mutation, naming the token, the
address, the device and the fields changed, never a secret's value; newest first, page by page."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server

GROUP = "acme-phones-2026"
SIP_PASSWORDS = ("first-sip-password", "second-sip-password", "imported-sip-password")
ADMIN_PASSWORD = "admin-pass-4711"
PHONE_PASSWORD = "phone-fetch-pass-0815"
ENCRYPTION_KEY = "Q7#w9:Zr$2+x@5~k"
ENTRY = "at tokenName address operation mac group apiToken changed"


@dataclass
class Audited:
    server: Server
    database: Path
    editor: str
    secrets: list[str]

    def as_editor(self, query: str, variables: dict[str, Any]) -> Any:
        return self.server.graphql(query, variables, token=self.editor)

    def log(self, **arguments: Any) -> Any:
        return self.server.graphql(
            "query($first: Int, $after: String, $mac: String) { auditLog(first: $first, after: $after, mac: $mac)"
            f" {{ nodes {{ {ENTRY} }} pageInfo {{ hasNextPage endCursor }} }} }}",
            {"first": 50, **arguments},
        )["auditLog"]


def account(password: str) -> dict[str, Any]:
    return {"line": 1, "sipRegister": "sip.example.net", "sipUser": "101", "sipPassword": password}


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audited]:
    """A server where a scoped editor saved, changed, re-keyed and deleted a device and imported
    another, and the admin `env` made and revoked a token."""
    tmp_path = tmp_path_factory.mktemp("audit")
    database = tmp_path / "sonata.db"
    server = start_server(
        tmp_path, {"SONATA_DATABASE_URL": f"sqlite:///{database}", "SONATA_API_TOKEN": API_TOKEN}
    )
    made = server.graphql(
        f'mutation {{ createApiToken(name: "acme-editor", role: EDITOR, groups: ["{GROUP}"]) {{ token }} }}'
    )["createApiToken"]["token"]
    run = Audited(server, database, made, [made, API_TOKEN, ADMIN_PASSWORD, PHONE_PASSWORD, ENCRYPTION_KEY])
    run.secrets += SIP_PASSWORDS
    device = {
        "vendor": "yealink",
        "model": "t46s",
        "mac": "00:15:65:00:00:01",
        "token": GROUP,
        "accounts": [account(SIP_PASSWORDS[0])],
        "adminPassword": ADMIN_PASSWORD,
        "provisioningUsername": "phone",
        "provisioningPassword": PHONE_PASSWORD,
        "configEncryption": "YEALINK_AES",
        "configEncryptionKey": ENCRYPTION_KEY,
    }
    key = run.as_editor(
        "mutation($d: DeviceInput!) { saveDevice(input: $d) { device { key } errors { field } } }",
        {"d": device},
    )["saveDevice"]["device"]["key"]
    run.as_editor(
        "mutation($key: String!, $p: DevicePatch!) { updateDevice(key: $key, input: $p) { errors { field } } }",
        {"key": key, "p": {"accounts": [account(SIP_PASSWORDS[1])], "title": "Reception"}},
    )
    new_key = run.as_editor(
        "mutation($key: String!) { rotateDeviceKey(key: $key, graceMinutes: 5) { device { key } } }",
        {"key": key},
    )["rotateDeviceKey"]["device"]["key"]
    run.as_editor(
        "mutation($d: [JSON!]!) { importDevices(documents: $d) { saved } }",
        {
            "d": [
                {
                    "vendor": "yealink",
                    "model": "t46s",
                    "mac": "001565000002",
                    "token": GROUP,
                    "accounts": [
                        {
                            "line": 1,
                            "sip_register": "sip.example.net",
                            "sip_user": "102",
                            "sip_password": SIP_PASSWORDS[2],
                        }
                    ],
                }
            ]
        },
    )
    run.as_editor("mutation($key: String!) { deleteDevice(key: $key) { deleted } }", {"key": new_key})
    doomed = server.graphql('mutation { createApiToken(name: "doomed", role: READER) { token } }')
    server.graphql('mutation { revokeApiToken(name: "doomed") { revoked } }')
    run.secrets += [key, new_key, doomed["createApiToken"]["token"]]
    yield run
    stop_server(server)


def test_every_mutation_is_recorded_newest_first(audited: Audited) -> None:
    entries = audited.log()["nodes"]
    assert [(e["operation"], e["tokenName"], e["mac"], e["group"], e["apiToken"]) for e in entries] == [
        ("REVOKE_API_TOKEN", "env", None, None, "doomed"),
        ("CREATE_API_TOKEN", "env", None, None, "doomed"),
        ("DELETE_DEVICE", "acme-editor", "001565000001", GROUP, None),
        ("IMPORT_DEVICES", "acme-editor", "001565000002", GROUP, None),
        ("ROTATE_DEVICE_KEY", "acme-editor", "001565000001", GROUP, None),
        ("UPDATE_DEVICE", "acme-editor", "001565000001", GROUP, None),
        ("SAVE_DEVICE", "acme-editor", "001565000001", GROUP, None),
        ("CREATE_API_TOKEN", "env", None, None, "acme-editor"),
    ]
    assert {e["address"] for e in entries} == {"127.0.0.1"}
    changed = {e["operation"]: e["changed"] for e in entries}
    assert changed["UPDATE_DEVICE"] == ["title", "accounts.0.sipPassword"]
    assert changed["ROTATE_DEVICE_KEY"] == ["key"]
    assert changed["DELETE_DEVICE"] == []
    created = set(changed["SAVE_DEVICE"])
    assert {
        "key",
        "mac",
        "token",
        "accounts.0",
        "adminPassword",
        "provisioningPassword",
        "configEncryptionKey",
    } <= created


def test_no_secret_value_is_in_the_log_its_table_or_the_server_log(audited: Audited) -> None:
    answered = json.dumps(audited.log())
    with sqlite3.connect(audited.database) as connection:
        rows = json.dumps(connection.execute("SELECT * FROM audit_log").fetchall())
    assert len(json.loads(rows)) == 8
    server_log = audited.server.log()
    for secret in audited.secrets:
        assert secret not in answered and secret not in rows and secret not in server_log


def test_the_log_pages_by_cursor_and_filters_by_mac(audited: Audited) -> None:
    first = audited.log(first=3)
    assert len(first["nodes"]) == 3 and first["pageInfo"]["hasNextPage"]
    rest = audited.log(after=first["pageInfo"]["endCursor"])
    assert len(rest["nodes"]) == 5 and not rest["pageInfo"]["hasNextPage"]
    assert first["nodes"] + rest["nodes"] == audited.log()["nodes"]
    mine = audited.log(mac="00-15-65-00-00-01")["nodes"]
    assert [e["operation"] for e in mine] == [
        "DELETE_DEVICE",
        "ROTATE_DEVICE_KEY",
        "UPDATE_DEVICE",
        "SAVE_DEVICE",
    ]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [({"first": 501}, "first"), ({"after": "bm90IGEgY3Vyc29y"}, "after"), ({"mac": "not-a-mac"}, "mac")],
)
def test_bad_arguments_are_refused_by_name(audited: Audited, arguments: dict[str, Any], field: str) -> None:
    response = audited.server.client.post(
        f"{audited.server.url}/graphql",
        json={
            "query": "query($first: Int, $after: String, $mac: String) { auditLog(first: $first, after: $after, mac: $mac) { nodes { at } } }",
            "variables": arguments,
        },
        headers={"Authorization": f"Bearer {API_TOKEN}"},
    )
    body = response.json()
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["message"].startswith(f"{field}: ")
