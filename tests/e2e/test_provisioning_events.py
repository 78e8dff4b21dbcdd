"""History and live events against a running `sonata serve`: a device's fetches in provisioningEvents(mac),
and the subscription provisioningEvents(group) received by a real WebSocket client speaking
graphql-transport-ws, for its group only, with a valid token only; across instances and workers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests import log_scan
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server
from tests.e2e.test_workers import fresh_postgres_url, ready_workers
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

GROUP_A, GROUP_B = "events-group-a-2026", "events-group-b-2026"
MAC_A, MAC_B = "001565e00001", "001565e00002"
UA_A = "Yealink SIP-T46S 66.86.0.15 00:15:65:e0:00:01"
UA_B = "Yealink SIP-T46S 66.86.0.15 00:15:65:e0:00:02"
LIVE_BOUND = 2.5
"""Seconds an event takes to reach a subscriber at most (README: 1 s to be written, 0.5 s to be read),
with slack for a busy test machine."""
SUBSCRIPTION = """
subscription Live($group: String) {
  provisioningEvents(group: $group) { mac address userAgent filename outcome reason message }
}
"""
HISTORY = """
query History($mac: String!, $first: Int, $after: String) {
  provisioningEvents(mac: $mac, first: $first, after: $after) {
    nodes { at mac address userAgent filename outcome reason message }
    pageInfo { hasNextPage endCursor }
  }
}
"""
SAVE = """
mutation Save($input: DeviceInput!) { saveDevice(input: $input) { device { key } errors { field message } } }
"""


def save(server: Server, mac: str, group: str, **changes: object) -> str:
    device = {"vendor": "yealink", "model": "t46s", "mac": mac, "token": group, **changes}
    payload = server.graphql(SAVE, {"input": device})["saveDevice"]
    assert payload["errors"] == []
    key: str = payload["device"]["key"]
    log_scan.note_secret(key, "device key")
    return key


def ws_url(server: Server) -> str:
    return server.url.replace("http://", "ws://", 1) + "/graphql"


class Subscriber:
    """A dashboard's WebSocket, speaking graphql-transport-ws."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket

    def send(self, message: dict[str, Any]) -> None:
        self.socket.send(json.dumps(message))

    def receive(self, timeout: float = LIVE_BOUND) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self.socket.recv(timeout=timeout))
        return message

    def event(self, timeout: float = LIVE_BOUND) -> dict[str, Any]:
        message = self.receive(timeout)
        assert message["type"] == "next" and "errors" not in message["payload"], message
        event: dict[str, Any] = message["payload"]["data"]["provisioningEvents"]
        return event

    def assert_silent(self, seconds: float = LIVE_BOUND) -> None:
        with pytest.raises(TimeoutError):
            self.receive(seconds)


@contextmanager
def subscribed(server: Server, group: str | None, token: str = API_TOKEN) -> Iterator[Subscriber]:
    with connect(ws_url(server), subprotocols=["graphql-transport-ws"], open_timeout=10) as socket:
        subscriber = Subscriber(socket)
        subscriber.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        assert subscriber.receive(10) == {"type": "connection_ack"}
        subscriber.send(
            {
                "id": "live",
                "type": "subscribe",
                "payload": {"query": SUBSCRIPTION, "variables": {"group": group}},
            }
        )
        yield subscriber


def first_event(subscriber: Subscriber, fetch: Callable[[], object], tries: int = 8) -> dict[str, Any]:
    """Fetch until the subscriber gets an event (its subscription starts a moment after it is sent);
    then the events of earlier tries, if late, are let go."""
    for attempt in range(tries):
        fetch()
        try:
            event = subscriber.event()
        except TimeoutError:
            continue
        while attempt:
            try:
                subscriber.event()
            except TimeoutError:
                break
        return event
    raise AssertionError("no event reached the subscriber")


def history(server: Server, mac: str, first: int = 50, after: str | None = None) -> dict[str, Any]:
    page: dict[str, Any] = server.graphql(HISTORY, {"mac": mac, "first": first, "after": after})[
        "provisioningEvents"
    ]
    return page


def wait_for_history(server: Server, mac: str, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while True:
        nodes: list[dict[str, Any]] = history(server, mac)["nodes"]
        if len(nodes) >= count or time.monotonic() > deadline:
            return nodes
        time.sleep(0.2)


@pytest.fixture(scope="module")
def keys(server: Server) -> dict[str, str]:
    return {MAC_A: save(server, MAC_A, GROUP_A), MAC_B: save(server, MAC_B, GROUP_B)}


def test_a_device_s_fetches_are_its_history_newest_first(server: Server) -> None:
    mac = "001565e00101"
    key = save(server, mac, GROUP_A)
    ua = "Yealink SIP-T46S 66.86.0.15 00:15:65:e0:01:01"
    assert server.get(f"/v1/device/{key}", ua).status_code == 200
    assert server.get(f"/v1/token/{GROUP_A}/{mac}.cfg", ua).status_code == 200
    assert server.get(f"/v1/device/{key}/nonsense.txt", ua).status_code == 404
    save(server, mac, GROUP_A, status=False)
    assert server.get(f"/v1/device/{key}", ua).status_code == 404
    assert server.get(f"/v1/token/{GROUP_A}/001565e0ffff.cfg", ua).status_code == 404  # no such device
    nodes = wait_for_history(server, mac, 4)
    assert [(n["outcome"], n["reason"], n["filename"]) for n in nodes] == [
        ("REFUSED", "DISABLED", None),
        ("REFUSED", "UNKNOWN_FILE", "nonsense.txt"),
        ("SERVED", None, f"{mac}.cfg"),
        ("SERVED", None, f"{mac}.cfg"),
    ]
    assert all((n["mac"], n["address"], n["userAgent"]) == (mac, "127.0.0.1", ua) for n in nodes)
    assert nodes[0]["message"] == f"provisioning of device {mac} is disabled" and nodes[-1]["message"] is None
    assert nodes[0]["at"] >= nodes[1]["at"] >= nodes[2]["at"] >= nodes[3]["at"]
    assert key not in json.dumps(nodes) and GROUP_A not in json.dumps(nodes)
    page = history(server, mac, first=3)
    assert page["nodes"] == nodes[:3] and page["pageInfo"]["hasNextPage"]
    rest = history(server, mac, first=3, after=page["pageInfo"]["endCursor"])
    assert rest["nodes"] == nodes[3:] and not rest["pageInfo"]["hasNextPage"]


def test_bad_history_arguments_are_field_errors(server: Server) -> None:
    response = server.client.post(
        f"{server.url}/graphql",
        json={"query": HISTORY, "variables": {"mac": "not-a-mac", "first": -1, "after": "nonsense"}},
        headers={"Authorization": f"Bearer {API_TOKEN}"},
    )
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert all(field in error["message"] for field in ("mac", "first", "after"))


def test_a_subscriber_gets_the_events_of_its_group_live_and_no_other(
    server: Server, keys: dict[str, str]
) -> None:
    with subscribed(server, GROUP_A) as group_a, subscribed(server, GROUP_B) as group_b:
        event = first_event(group_a, lambda: server.get(f"/v1/device/{keys[MAC_A]}", UA_A))
        assert event == {
            "mac": MAC_A,
            "address": "127.0.0.1",
            "userAgent": UA_A,
            "filename": f"{MAC_A}.cfg",
            "outcome": "SERVED",
            "reason": None,
            "message": None,
        }
        server.get(f"/v1/device/{keys[MAC_A]}/{MAC_B}.cfg", UA_A)  # the file name of another MAC
        refused = group_a.event()
        assert (refused["outcome"], refused["reason"], refused["filename"]) == (
            "REFUSED",
            "WRONG_MAC",
            f"{MAC_B}.cfg",
        )
        group_b.assert_silent()
        server.get(f"/v1/token/{GROUP_B}/{MAC_B}.cfg", UA_B)
        assert group_b.event()["mac"] == MAC_B  # the first it gets: none of group A's came before
        group_a.assert_silent(1.0)


def test_a_subscription_without_a_group_gets_every_group_the_token_sees(
    server: Server, keys: dict[str, str]
) -> None:
    with subscribed(server, None) as everything:
        first_event(everything, lambda: server.get(f"/v1/device/{keys[MAC_A]}", UA_A))
        server.get(f"/v1/device/{keys[MAC_B]}", UA_B)
        assert everything.event()["mac"] == MAC_B


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"Authorization": "Bearer wrong-token-000000000"},
        {"Authorization": API_TOKEN},
        {"token": API_TOKEN},
    ],
)
def test_a_websocket_without_a_valid_token_is_closed_before_any_operation(
    server: Server, payload: dict[str, str]
) -> None:
    with connect(ws_url(server), subprotocols=["graphql-transport-ws"], open_timeout=10) as socket:
        socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    assert "refused a management API request from 127.0.0.1" in server.log()


def test_a_websocket_runs_no_operation_before_its_token_is_checked(server: Server) -> None:
    with connect(ws_url(server), subprotocols=["graphql-transport-ws"], open_timeout=10) as socket:
        subscribe = {"id": "1", "type": "subscribe", "payload": {"query": "{ devices { nodes { mac } } }"}}
        socket.send(json.dumps(subscribe))
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


def test_queries_over_the_websocket_act_for_its_token(server: Server, keys: dict[str, str]) -> None:
    reader = server.graphql(
        'mutation { createApiToken(name: "events-reader", role: READER, groups: ["events-group-b-2026"]) { token } }'
    )["createApiToken"]["token"]
    log_scan.note_secret(reader, "API token")
    with subscribed(server, None, token=reader) as socket:
        socket.send({"id": "q", "type": "subscribe", "payload": {"query": "{ devices { nodes { mac } } }"}})
        assert socket.receive()["payload"]["data"]["devices"]["nodes"] == [{"mac": MAC_B}]
        assert socket.receive() == {"id": "q", "type": "complete"}
        socket.send({"id": "k", "type": "subscribe", "payload": {"query": "{ devices { nodes { key } } }"}})
        forbidden = socket.receive()
        assert forbidden["type"] == "error" and forbidden["payload"][0]["extensions"]["code"] == "FORBIDDEN"
        server.get(f"/v1/device/{keys[MAC_A]}", UA_A)  # another group's: not for this token
        server.get(f"/v1/device/{keys[MAC_B]}", UA_B)
        assert socket.event()["mac"] == MAC_B
        socket.assert_silent(1.0)
    with subscribed(server, GROUP_A, token=reader) as outside:
        refused = outside.receive()
        assert refused["type"] == "next", refused
        [error] = refused["payload"]["errors"]
        assert error["message"] == "group: is not one of the API token's groups"
        assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_subscription_over_http_is_refused_clearly(server: Server) -> None:
    response = server.client.post(
        f"{server.url}/graphql",
        json={"query": SUBSCRIPTION},
        headers={"Authorization": f"Bearer {API_TOKEN}"},
    )
    assert response.status_code == 400 and response.text == "subscriptions are not allowed when using POST"


def test_a_websocket_message_is_bounded_like_a_request_body(server: Server) -> None:
    with connect(
        ws_url(server), subprotocols=["graphql-transport-ws"], open_timeout=10, max_size=None
    ) as socket:
        socket.send(json.dumps({"type": "connection_init", "payload": {"padding": "x" * (1024 * 1024 + 1)}}))
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


def test_a_websocket_has_the_header_timeout_to_say_who_it_is_and_then_lives_on(tmp_path: Path) -> None:
    env = {
        "SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}",
        "SONATA_API_TOKEN": API_TOKEN,
        "SONATA_HEADER_TIMEOUT": "1",
    }
    server = start_server(tmp_path, env)
    try:
        with connect(ws_url(server), subprotocols=["graphql-transport-ws"], open_timeout=10) as silent:
            started = time.monotonic()
            with pytest.raises(ConnectionClosed) as closed:
                silent.recv(timeout=10)
            waited = time.monotonic() - started
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408  # graphql-transport-ws's
        assert 0.8 < waited < 5
        key = save(server, MAC_A, GROUP_A)
        with subscribed(server, GROUP_A) as dashboard:
            first_event(dashboard, lambda: server.get(f"/v1/device/{key}", UA_A))
            time.sleep(3)  # well past the header timeout
            server.get(f"/v1/device/{key}", UA_A)
            assert dashboard.event()["mac"] == MAC_A
    finally:
        stop_server(server)


def test_a_stopping_server_closes_its_subscriptions_and_writes_the_last_events(tmp_path: Path) -> None:
    env = {"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}", "SONATA_API_TOKEN": API_TOKEN}
    server = start_server(tmp_path, env)
    key = save(server, MAC_A, GROUP_A)
    with subscribed(server, GROUP_A) as dashboard:
        first_event(dashboard, lambda: server.get(f"/v1/device/{key}", UA_A))
        server.get(f"/v1/device/{key}/last-one.cfg", UA_A)
        started = time.monotonic()
        stop_server(server)
        stopped = time.monotonic() - started
        with pytest.raises(ConnectionClosed) as closed:
            while True:  # the last event may come first, if it was read before the stop
                dashboard.receive(10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012  # service restart
    assert stopped < 5 and "Traceback" not in server.log()
    again = start_server(tmp_path, env)
    try:
        assert wait_for_history(again, MAC_A, 2)[0]["filename"] == "last-one.cfg"
    finally:
        stop_server(again)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sonata.db'}" if request.param == "sqlite" else fresh_postgres_url(request)


def test_events_travel_between_instances_on_one_database(tmp_path: Path, database_url: str) -> None:
    env = {"SONATA_DATABASE_URL": database_url, "SONATA_API_TOKEN": API_TOKEN}
    watched = start_server(tmp_path, env)
    try:
        serving = start_server(tmp_path, env)
        try:
            key = save(serving, MAC_A, GROUP_A)
            with subscribed(watched, GROUP_A) as dashboard:
                assert first_event(dashboard, lambda: serving.get(f"/v1/device/{key}", UA_A))["mac"] == MAC_A
            assert wait_for_history(watched, MAC_A, 1)[0]["outcome"] == "SERVED"
        finally:
            stop_server(serving)
    finally:
        stop_server(watched)
    assert "Traceback" not in watched.log() + serving.log()


def test_every_subscriber_of_two_workers_gets_every_fetch(tmp_path: Path, database_url: str) -> None:
    env = {"SONATA_DATABASE_URL": database_url, "SONATA_API_TOKEN": API_TOKEN}
    server = start_server(tmp_path, env, args=["--workers", "2"])
    try:
        assert len(ready_workers(server, 2)) == 2
        key = save(server, MAC_A, GROUP_A)
        with httpx.Client(timeout=10, limits=httpx.Limits(max_keepalive_connections=0)) as fresh:

            def fetch(name: str) -> None:  # a new connection each time: fetches spread over the workers
                assert (
                    fresh.get(
                        f"{server.url}/v1/device/{key}/{name}", headers={"User-Agent": UA_A}
                    ).status_code
                    == 404
                )

            with (
                subscribed(server, GROUP_A) as first,
                subscribed(server, GROUP_A) as second,
                subscribed(server, GROUP_A) as third,
                subscribed(server, GROUP_A) as fourth,
            ):
                dashboards = [first, second, third, fourth]
                for dashboard in dashboards:  # each one's subscription has begun once it got an event
                    first_event(dashboard, lambda: fetch("warm-up.cfg"))
                time.sleep(LIVE_BOUND)
                for dashboard in dashboards:
                    while True:
                        try:
                            dashboard.event(0.2)
                        except TimeoutError:
                            break
                names = [f"fetch-{n}.cfg" for n in range(8)]
                for name in names:
                    fetch(name)
                for dashboard in dashboards:
                    assert sorted(dashboard.event()["filename"] for _ in names) == names
    finally:
        stop_server(server)
    assert "Traceback" not in server.log()
