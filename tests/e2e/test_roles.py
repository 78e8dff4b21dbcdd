"""Who may do what, against a running `sonata serve`: every query and mutation of the schema, for each
role with and without a group scope; what a scoped token sees; tokens made, listed and revoked.

The matrix is written out here, apart from the server's own rules: an operation the schema gains
without a line in EXPECTED fails test_every_operation_of_the_schema_is_in_the_matrix.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server

GROUP, ALSO_OURS, OTHER = "acme-phones-2026", "acme-phones-2027", "other-phones-2026"
ROLES = ("admin", "editor", "reader")
CALLERS = [(role, scoped) for role in ROLES for scoped in (False, True)]
EVERYONE = set(CALLERS)
EDITORS = {(role, scoped) for role, scoped in CALLERS if role != "reader"}
UNSCOPED_ADMIN = {("admin", False)}

EXPECTED: dict[str, set[tuple[str, bool]]] = {
    "vendors": EVERYONE,
    "device": EVERYONE,
    "devices": EVERYONE,
    "renderConfig": EDITORS,
    "apiTokens": UNSCOPED_ADMIN,
    "auditLog": UNSCOPED_ADMIN,
    "provisioningEvents": EVERYONE,
    "unknownPhones": EDITORS,
    "saveDevice": EDITORS,
    "updateDevice": EDITORS,
    "rotateDeviceKey": EDITORS,
    "deleteDevice": EDITORS,
    "importDevices": EDITORS,
    "createApiToken": UNSCOPED_ADMIN,
    "revokeApiToken": UNSCOPED_ADMIN,
}
_numbers = itertools.count(1)


@dataclass
class Api:
    server: Server
    tokens: dict[tuple[str, bool], str]

    def call(self, token: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.server.client.post(
            f"{self.server.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def admin(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        return self.server.graphql(query, variables)

    def device(self, mac: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.admin(
            "query($mac: String) { device(mac: $mac) { key title token } }", {"mac": mac}
        )["device"]
        return found

    def token_names(self) -> list[str]:
        return [token["name"] for token in self.admin("{ apiTokens { name } }")["apiTokens"]]


def new_mac() -> str:
    return f"001565{next(_numbers):06x}"


def device_input(mac: str, group: str | None = GROUP, **changes: Any) -> dict[str, Any]:
    account = {
        "line": 1,
        "sipRegister": "sip.example.net",
        "sipUser": "101",
        "sipPassword": "sip-secret-0001",
    }
    return {
        "vendor": "yealink",
        "model": "t46s",
        "mac": mac,
        "token": group,
        "accounts": [account],
        **changes,
    }


def saved(api: Api, group: str | None = GROUP) -> dict[str, Any]:
    """A device of `group`, saved by the admin: its key and MAC."""
    query = (
        "mutation($input: DeviceInput!) { saveDevice(input: $input) { device { key mac } errors { field } } }"
    )
    payload = api.admin(query, {"input": device_input(new_mac(), group)})["saveDevice"]
    assert payload["errors"] == []
    device: dict[str, Any] = payload["device"]
    return device


@dataclass
class Case:
    query: str
    variables: dict[str, Any]
    happened: Callable[[], bool] | None = None
    """Whether the mutation took effect, as the admin sees it."""


def case(api: Api, operation: str) -> Case:
    """A request of the operation on a device within GROUP, so a scoped token is allowed it."""
    if operation == "vendors":
        return Case("{ vendors { id } }", {})
    if operation == "device":
        return Case("query($mac: String) { device(mac: $mac) { mac } }", {"mac": saved(api)["mac"]})
    if operation == "devices":
        return Case("{ devices(first: 5) { totalCount nodes { mac } } }", {})
    if operation == "renderConfig":
        return Case(
            "query($key: String!) { renderConfig(key: $key) { filename } }", {"key": saved(api)["key"]}
        )
    if operation == "apiTokens":
        return Case("{ apiTokens { name role groups } }", {})
    if operation == "auditLog":
        return Case("{ auditLog(first: 3) { nodes { operation } pageInfo { hasNextPage } } }", {})
    if operation == "provisioningEvents":
        return Case(
            "query($mac: String!) { provisioningEvents(mac: $mac, first: 3) { nodes { at } } }",
            {"mac": saved(api)["mac"]},
        )
    if operation == "unknownPhones":
        return Case(f'{{ unknownPhones(group: "{GROUP}", first: 3) {{ totalCount }} }}', {})
    if operation == "saveDevice":
        mac = new_mac()
        return Case(
            "mutation($input: DeviceInput!) { saveDevice(input: $input) { device { mac } errors { field } } }",
            {"input": device_input(mac)},
            lambda: api.device(mac) is not None,
        )
    if operation == "updateDevice":
        device = saved(api)
        return Case(
            'mutation($key: String!) { updateDevice(key: $key, input: {title: "changed"}) { errors { field } } }',
            {"key": device["key"]},
            lambda: (api.device(device["mac"]) or {}).get("title") == "changed",
        )
    if operation == "rotateDeviceKey":
        device = saved(api)
        return Case(
            "mutation($key: String!) { rotateDeviceKey(key: $key, graceMinutes: 0) { errors { field } } }",
            {"key": device["key"]},
            lambda: (api.device(device["mac"]) or {}).get("key") != device["key"],
        )
    if operation == "deleteDevice":
        device = saved(api)
        return Case(
            "mutation($key: String!) { deleteDevice(key: $key) { deleted errors { field } } }",
            {"key": device["key"]},
            lambda: api.device(device["mac"]) is None,
        )
    if operation == "importDevices":
        mac = new_mac()
        document = {"vendor": "yealink", "model": "t46s", "mac": mac, "token": GROUP}
        return Case(
            "mutation($documents: [JSON!]!) { importDevices(documents: $documents) { saved results { errors { field } } } }",
            {"documents": [document]},
            lambda: api.device(mac) is not None,
        )
    if operation == "createApiToken":
        name = f"made-{next(_numbers)}"
        return Case(
            "mutation($name: String!) { createApiToken(name: $name, role: READER) { token errors { field } } }",
            {"name": name},
            lambda: name in api.token_names(),
        )
    if operation == "revokeApiToken":
        name = f"doomed-{next(_numbers)}"
        api.admin(f'mutation {{ createApiToken(name: "{name}", role: READER) {{ token }} }}')
        return Case(
            "mutation($name: String!) { revokeApiToken(name: $name) { revoked errors { field } } }",
            {"name": name},
            lambda: name not in api.token_names(),
        )
    raise AssertionError(f"no request of {operation} is written in this test")


@pytest.fixture(scope="module")
def api(server: Server) -> Api:
    tokens = {}
    for role, scoped in CALLERS:
        made = server.graphql(
            "mutation($name: String!, $role: ApiRole!, $groups: [String!]) {"
            " createApiToken(name: $name, role: $role, groups: $groups) { token errors { field message } } }",
            {
                "name": f"{role}-{'scoped' if scoped else 'all'}",
                "role": role.upper(),
                "groups": [GROUP, ALSO_OURS] if scoped else None,
            },
        )["createApiToken"]
        assert made["errors"] == [] and made["token"]
        tokens[role, scoped] = made["token"]
    return Api(server, tokens)


def test_every_operation_of_the_schema_is_in_the_matrix(api: Api) -> None:
    schema = api.admin("{ __schema { queryType { fields { name } } mutationType { fields { name } } } }")
    operations = {
        field["name"]
        for root in ("queryType", "mutationType")
        for field in schema["__schema"][root]["fields"]
    }
    assert operations == set(EXPECTED)


@pytest.mark.parametrize(
    ("role", "scoped"), CALLERS, ids=[f"{r}-{'scoped' if s else 'all'}" for r, s in CALLERS]
)
@pytest.mark.parametrize("operation", list(EXPECTED))
def test_each_operation_for_each_role_scoped_and_not(
    api: Api, operation: str, role: str, scoped: bool
) -> None:
    request = case(api, operation)
    body = api.call(api.tokens[role, scoped], request.query, request.variables)
    if (role, scoped) in EXPECTED[operation]:
        assert "errors" not in body, body
        result = body["data"][operation]
        assert result is not None and (not isinstance(result, dict) or result.get("errors", []) == [])
        assert request.happened is None or request.happened()
    else:
        assert body["data"] is None
        assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
        assert request.happened is None or not request.happened()


@pytest.mark.parametrize(
    "query",
    [
        "{ devices { nodes { key } } }",
        "{ devices { nodes { token } } }",
        "{ devices { nodes { links { common } } } }",
        "query($mac: String) { device(mac: $mac) { ...D } } fragment D on Device { key }",
    ],
)
def test_a_reader_sees_no_secret_of_a_device(api: Api, query: str) -> None:
    device = saved(api)
    for scoped in (False, True):
        body = api.call(api.tokens["reader", scoped], query, {"mac": device["mac"]})
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    shown = api.call(
        api.tokens["reader", True], "{ devices(first: 500) { nodes { mac model hasAdminPassword } } }"
    )
    assert device["mac"] in [node["mac"] for node in shown["data"]["devices"]["nodes"]]


def test_a_device_of_another_group_is_missing_to_a_scoped_token(api: Api) -> None:
    theirs = saved(api, OTHER)
    missing = {"key": "no-such-device-key-0001", "mac": "0015650fffff"}
    for role in ("admin", "editor"):
        token = api.tokens[role, True]

        def answers(device: dict[str, Any], token: str = token) -> list[Any]:
            variables = {"key": device["key"], "mac": device["mac"]}
            return [
                api.call(token, query, variables)
                for query in (
                    "query($mac: String) { device(mac: $mac) { mac } }",
                    "query($key: String) { device(key: $key) { mac } }",
                    "query($key: String!) { renderConfig(key: $key) { body } }",
                    'mutation($key: String!) { updateDevice(key: $key, input: {title: "x"}) { errors { field message } } }',
                    "mutation($key: String!) { rotateDeviceKey(key: $key, graceMinutes: 0) { errors { field message } } }",
                    "mutation($key: String!) { deleteDevice(key: $key) { deleted errors { field message } } }",
                )
            ]

        assert answers(theirs) == answers(missing)
        assert answers(missing)[0] == {"data": {"device": None}}
    assert api.device(theirs["mac"]) == {"key": theirs["key"], "title": "", "token": OTHER}


def test_a_scoped_list_holds_the_devices_of_its_groups_only(api: Api) -> None:
    ours, also_ours, theirs = saved(api), saved(api, ALSO_OURS), saved(api, OTHER)
    query = "query($token: String) { devices(first: 500, token: $token) { totalCount nodes { mac token } } }"
    listed = api.call(api.tokens["editor", True], query)["data"]["devices"]
    assert {node["token"] for node in listed["nodes"]} == {GROUP, ALSO_OURS}
    assert {ours["mac"], also_ours["mac"]} <= {node["mac"] for node in listed["nodes"]}
    assert listed["totalCount"] == len(listed["nodes"])
    everything = api.admin("{ devices(first: 500) { totalCount } }")["devices"]["totalCount"]
    assert everything > listed["totalCount"]
    other = api.call(api.tokens["editor", True], query, {"token": OTHER})["data"]["devices"]
    assert other == {"totalCount": 0, "nodes": []}
    assert api.device(theirs["mac"]) is not None


def test_a_scoped_token_cannot_move_a_device_out_of_its_groups(api: Api) -> None:
    device = saved(api)
    token = api.tokens["editor", True]
    update = "mutation($key: String!, $to: String) { updateDevice(key: $key, input: {token: $to}) { device { token } errors { field message } } }"
    moved = api.call(token, update, {"key": device["key"], "to": ALSO_OURS})["data"]["updateDevice"]
    assert moved == {"device": {"token": ALSO_OURS}, "errors": []}
    for outside in (OTHER, None):
        refused = api.call(token, update, {"key": device["key"], "to": outside})["data"]["updateDevice"]
        assert refused == {
            "device": None,
            "errors": [{"field": "token", "message": "must be one of the groups this API token may change"}],
        }
    save = "mutation($input: DeviceInput!) { saveDevice(input: $input) { errors { field } } }"
    replaced = api.call(token, save, {"input": device_input(device["mac"], OTHER, key=device["key"])})
    assert replaced["data"]["saveDevice"]["errors"] == [{"field": "token"}]
    assert api.device(device["mac"]) == {"key": device["key"], "title": "", "token": ALSO_OURS}


def test_a_scoped_import_saves_the_documents_of_its_groups_only(api: Api) -> None:
    theirs = saved(api, OTHER)
    macs = [new_mac(), new_mac()]
    documents = [
        {"vendor": "yealink", "model": "t46s", "mac": macs[0], "token": GROUP},
        {"vendor": "yealink", "model": "t46s", "mac": macs[1], "token": OTHER},
        {"vendor": "yealink", "model": "t46s", "mac": theirs["mac"], "token": GROUP},
    ]
    imported = api.call(
        api.tokens["editor", True],
        "mutation($d: [JSON!]!) { importDevices(documents: $d) { saved results { errors { field } } } }",
        {"d": documents},
    )["data"]["importDevices"]
    assert imported == {
        "saved": 1,
        "results": [{"errors": []}, {"errors": [{"field": "token"}]}, {"errors": [{"field": "mac"}]}],
    }
    assert api.device(macs[1]) is None and (api.device(theirs["mac"]) or {}).get("token") == OTHER


def test_a_revoked_token_is_refused_from_its_next_request(api: Api) -> None:
    made = api.admin('mutation { createApiToken(name: "short-lived", role: EDITOR) { token } }')
    token = made["createApiToken"]["token"]
    assert "errors" not in api.call(token, "{ vendors { id } }")
    revoked = api.admin('mutation { revokeApiToken(name: "short-lived") { revoked errors { field } } }')
    assert revoked == {"revokeApiToken": {"revoked": True, "errors": []}}
    refused = api.server.client.post(
        f"{api.server.url}/graphql",
        json={"query": "{ vendors { id } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (
        refused.status_code == 401 and refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    )


def test_sonata_api_token_is_the_admin_token_env(api: Api) -> None:
    assert "env" not in api.token_names()  # not stored: it lives in the environment
    refused = api.admin('mutation { revokeApiToken(name: "env") { revoked errors { field message } } }')
    assert refused["revokeApiToken"]["errors"][0]["message"].startswith("'env' is SONATA_API_TOKEN")
    taken = api.admin('mutation { createApiToken(name: "env", role: READER) { token errors { field } } }')
    assert taken["createApiToken"] == {"token": None, "errors": [{"field": "name"}]}
    entries = api.admin("{ auditLog(first: 500) { nodes { tokenName operation apiToken } } }")["auditLog"][
        "nodes"
    ]
    assert {"tokenName": "env", "operation": "CREATE_API_TOKEN", "apiToken": "editor-scoped"} in entries


def test_tokens_never_reach_the_log(api: Api) -> None:
    log = api.server.log()
    assert all(token not in log for token in api.tokens.values())
    assert API_TOKEN not in log


def sonata(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}"}
    env.pop("SONATA_API_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "sonata", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def generated(tmp_path: Path) -> Iterator[Server]:
    """A server that generated its admin token `initial`, with a second worker: every request may
    reach either process."""
    running = start_server(
        tmp_path, {"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}"}, args=["--workers", "2"]
    )
    yield running
    stop_server(running)


def test_the_command_line_makes_lists_and_revokes_tokens(tmp_path: Path, generated: Server) -> None:
    initial = next(line for line in generated.log().splitlines() if "token 'initial'" in line).rsplit(" ", 1)[
        1
    ]

    made = sonata(tmp_path, "token", "create", "--name", "recovery", "--role", "admin")
    assert made.returncode == 0, made.stderr
    recovery = made.stdout.strip()
    assert "shown only now" in made.stderr and recovery not in made.stderr
    scoped = sonata(
        tmp_path, "token", "create", "--name", "acme", "--role", "reader", "--group", GROUP, "--group", OTHER
    )
    assert scoped.returncode == 0, scoped.stderr

    listed = sonata(tmp_path, "token", "list")
    assert listed.returncode == 0, listed.stderr
    lines = [line.split() for line in listed.stdout.splitlines()]
    assert [line[:3] for line in lines] == [
        ["NAME", "ROLE", "GROUPS"],
        ["acme", "reader", f"{GROUP},{OTHER}"],
        ["initial", "admin", "(every"],
        ["recovery", "admin", "(every"],
    ]
    assert recovery not in listed.stdout and initial not in listed.stdout

    def status(token: str) -> list[int]:
        """The answers to the same request, enough of them to reach both workers."""
        return [
            httpx.post(
                f"{generated.url}/graphql",
                json={"query": "{ vendors { id } }"},
                headers={"Authorization": f"Bearer {token}"},
            ).status_code
            for _ in range(20)
        ]

    assert status(recovery) == [200] * 20 and status(initial) == [200] * 20
    revoked = sonata(tmp_path, "token", "revoke", "initial")
    assert revoked.returncode == 0, revoked.stderr
    assert status(initial) == [401] * 20 and status(recovery) == [200] * 20

    unknown = sonata(tmp_path, "token", "revoke", "initial")
    assert unknown.returncode == 1 and "no API token has this name" in unknown.stderr
    bad = sonata(tmp_path, "token", "create", "--name", "x y", "--role", "editor", "--group", "short")
    assert bad.returncode == 2 and "name:" in bad.stderr and "groups.0:" in bad.stderr

    entries = httpx.post(
        f"{generated.url}/graphql",
        json={"query": "{ auditLog { nodes { tokenName address operation apiToken changed } } }"},
        headers={"Authorization": f"Bearer {recovery}"},
    ).json()["data"]["auditLog"]["nodes"]
    assert entries == [
        {"tokenName": None, "address": None, "operation": op, "apiToken": name, "changed": []}
        for op, name in (
            ("REVOKE_API_TOKEN", "initial"),
            ("CREATE_API_TOKEN", "acme"),
            ("CREATE_API_TOKEN", "recovery"),
        )
    ]
    log = generated.log()
    assert recovery not in log and log.count(initial) == 1  # printed once, at the first start
