"""Unknown phones against a running server: real phones on a group's common link before their devices
were published get the uniform 404 and are listed (unknownPhones, `sonata devices unknown`) until one
import publishes them; an unknown token leaves nothing; the list stays within its bound."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server

GROUP = "office-phones-2026"
PUBLISHED = "001565aabbcc"
QUERY = """query($group: String, $first: Int, $after: String) {
  unknownPhones(group: $group, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { mac group vendor model firmware address firstSeen lastSeen }
  }
}"""
# Real User-Agents (docs/vendors.md), each with its MAC, and the file each phone asks for first.
PHONES = [
    ("Yealink SIP-T46S 66.86.0.15 00:15:65:00:00:01", "001565000001.cfg"),
    ("Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 000b82aabbcc", "cfg000b82aabbcc.xml"),
    ("Fanvil X4 2.10.2.6887 0c383e07e16c", "0c383e07e16c.cfg"),
    ("Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.5-IFX-05.01.12 000413741767)", "000413741767.xml"),
    ("Htek UC903 2.0.4.2 00:1f:c1:1c:22:a9", "cfg001fc11c22a9.xml"),
]


def sonata(
    server_env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sonata", *args],
        env={**os.environ, **server_env},
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def unknown_phones(server: Server, token: str | None = None, **variables: Any) -> dict[str, Any]:
    listed: dict[str, Any] = server.graphql(QUERY, {"first": 50, **variables}, token=token)["unknownPhones"]
    return listed


def eventually_listed(server: Server, count: int) -> dict[str, Any]:
    """unknownPhones once it lists `count` phones: each process writes them every second."""
    deadline = time.monotonic() + 10
    while (listed := unknown_phones(server))["totalCount"] < count and time.monotonic() < deadline:
        time.sleep(0.2)
    return listed


def ask(server: Server, token: str, filename: str, user_agent: str | None) -> httpx.Response:
    return server.get(f"/v1/token/{token}/{filename}", user_agent=user_agent)


def answer(response: httpx.Response) -> tuple[int, bytes, tuple[tuple[str, str], ...]]:
    """The response as the phone sees it, but for its date."""
    return (
        response.status_code,
        response.content,
        tuple((k, v) for k, v in response.headers.items() if k != "date"),
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}", "SONATA_API_TOKEN": API_TOKEN}


@pytest.fixture
def server(tmp_path: Path, env: dict[str, str]) -> Iterator[Server]:
    running = start_server(tmp_path, env)
    running.graphql(
        "mutation($input: DeviceInput!) { saveDevice(input: $input) { errors { field } } }",
        {"input": {"vendor": "yealink", "model": "t46s", "mac": PUBLISHED, "token": GROUP}},
    )
    yield running
    stop_server(running)


def test_real_phones_on_a_valid_common_link_are_listed_and_still_refused(server: Server) -> None:
    unknown_token = ask(server, "no-such-group-2026", *PHONES[0])
    answers = [ask(server, GROUP, filename, user_agent) for user_agent, filename in PHONES]
    assert {answer(response) for response in answers} == {answer(unknown_token)}  # the uniform 404
    assert unknown_token.status_code == 404
    ask(server, GROUP, "525400123456.cfg", "curl/8.5.0")  # says nothing of itself
    ask(server, "no-such-group-2026", "001565000009.cfg", PHONES[0][0])  # a token no device has
    ask(server, GROUP, f"{PUBLISHED}.cfg", "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc")  # published

    listed = eventually_listed(server, len(PHONES))
    time.sleep(1.5)  # any other phone would be written by now
    listed = unknown_phones(server)
    assert listed["totalCount"] == len(PHONES)
    nodes = listed["nodes"]
    assert [(n["mac"], n["vendor"], n["model"], n["firmware"]) for n in nodes] == [
        ("001fc11c22a9", "htek", "uc903", "2.0.4.2"),
        ("000413741767", "snom", "d710", "8.7.5.35"),
        ("0c383e07e16c", "fanvil", "x4", "2.10.2.6887"),
        ("000b82aabbcc", "grandstream", "gxp1620", "1.0.4.128"),
        ("001565000001", "yealink", "t46s", "66.86.0.15"),
    ]
    assert {(n["group"], n["address"]) for n in nodes} == {(GROUP, "127.0.0.1")}
    assert all(n["firstSeen"] <= n["lastSeen"] for n in nodes)
    assert unknown_phones(server, group="no-such-group-2026")["nodes"] == []

    first = unknown_phones(server, first=2)
    rest = unknown_phones(server, first=50, after=first["pageInfo"]["endCursor"])
    assert [n["mac"] for n in first["nodes"] + rest["nodes"]] == [n["mac"] for n in nodes]
    assert first["pageInfo"]["hasNextPage"] and not rest["pageInfo"]["hasNextPage"]
    for token in (API_TOKEN, GROUP, "no-such-group-2026"):  # tokens are logged by their fingerprint only
        assert token not in server.log()


def test_sonata_devices_unknown_lists_them_and_one_import_publishes_them(
    server: Server, env: dict[str, str]
) -> None:
    for user_agent, filename in PHONES[:2]:
        assert ask(server, GROUP, filename, user_agent).status_code == 404
    eventually_listed(server, 2)

    table = sonata(env, "devices", "unknown")
    assert table.returncode == 0 and table.stderr == "2 unknown phones\n"
    rows = [line.split() for line in table.stdout.splitlines()[2:]]
    assert [row[:6] for row in rows] == [
        ["000b82aabbcc", "grandstream", "gxp1620", "1.0.4.128", GROUP, "127.0.0.1"],
        ["001565000001", "yealink", "t46s", "66.86.0.15", GROUP, "127.0.0.1"],
    ]
    documents = json.loads(sonata(env, "devices", "unknown", "--format", "json").stdout)
    assert documents == [
        {"vendor": "grandstream", "model": "gxp1620", "mac": "000b82aabbcc", "token": GROUP},
        {"vendor": "yealink", "model": "t46s", "mac": "001565000001", "token": GROUP},
    ]
    imported = sonata(env, "import", "-", stdin=json.dumps(documents))
    assert (imported.returncode, imported.stderr) == (0, "saved 2 of 2 devices\n")

    assert unknown_phones(server)["nodes"] == []
    assert sonata(env, "devices", "unknown").stderr == "0 unknown phones\n"
    deadline = time.monotonic() + 5  # the server serves the new devices within a second
    while ask(server, GROUP, PHONES[0][1], PHONES[0][0]).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ask(server, GROUP, PHONES[0][1], PHONES[0][0]).status_code == 200


def test_editors_of_a_group_see_its_phones_and_readers_none(server: Server) -> None:
    assert ask(server, GROUP, PHONES[0][1], PHONES[0][0]).status_code == 404
    eventually_listed(server, 1)

    def token(name: str, role: str, groups: list[str] | None) -> str:
        made = server.graphql(
            "mutation($name: String!, $role: ApiRole!, $groups: [String!]) {"
            " createApiToken(name: $name, role: $role, groups: $groups) { token } }",
            {"name": name, "role": role, "groups": groups},
        )
        value: str = made["createApiToken"]["token"]
        return value

    assert len(unknown_phones(server, token("office-editor", "EDITOR", [GROUP]))["nodes"]) == 1
    assert unknown_phones(server, token("branch-editor", "EDITOR", ["branch-phones-1"]))["nodes"] == []
    assert (
        unknown_phones(server, token("branch-admin", "ADMIN", ["branch-phones-1"]), group=GROUP)["nodes"]
        == []
    )
    reader = token("reader", "READER", None)
    response = server.client.post(
        f"{server.url}/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {reader}"}
    ).json()
    assert response["data"] is None and response["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_the_list_keeps_only_as_many_phones_as_its_bound(tmp_path: Path, env: dict[str, str]) -> None:
    server = start_server(tmp_path, {**env, "SONATA_UNKNOWN_PHONES": "3"})
    try:
        server.graphql(
            "mutation($input: DeviceInput!) { saveDevice(input: $input) { errors { field } } }",
            {"input": {"vendor": "yealink", "model": "t46s", "mac": PUBLISHED, "token": GROUP}},
        )
        for user_agent, filename in PHONES:
            assert ask(server, GROUP, filename, user_agent).status_code == 404
            time.sleep(1.2)  # one write each: the last three are the newest
        listed = eventually_listed(server, 3)
        assert [n["mac"] for n in listed["nodes"]] == ["001fc11c22a9", "000413741767", "0c383e07e16c"]
        assert listed["totalCount"] == 3
    finally:
        stop_server(server)
