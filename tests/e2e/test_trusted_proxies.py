"""Sonata behind a proxy: X-Forwarded-For and X-Forwarded-Proto believed only from SONATA_TRUSTED_PROXIES.

The test client connects from 127.0.0.1, so it plays the proxy, trusted or not as the server is told.
"""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server
from tests.e2e.test_management_api import SAVE, yealink_input
from tests.e2e.test_phone_routes import refusal
from tests.e2e.waiting import eventually

MAC = "001565123456"
FILE = f"{MAC}.cfg"
YEALINK_UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:12:34:56"


def serve(tmp_path: Path, trusted: str | None, host: str = "127.0.0.1") -> Server:
    env = {"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}", "SONATA_API_TOKEN": API_TOKEN}
    if trusted is not None:
        env["SONATA_TRUSTED_PROXIES"] = trusted
    return start_server(tmp_path, env, args=["--host", host])


@pytest.fixture
def running(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    """A server told to trust `request.param` (None: the default), listening on 127.0.0.1."""
    server = serve(tmp_path, request.param)
    yield server
    stop_server(server)


def publish(server: Server, headers: dict[str, str] | None = None, **changes: Any) -> dict[str, Any]:
    response = server.client.post(
        f"{server.url}/graphql",
        json={"query": SAVE, "variables": {"input": yealink_input(mac=MAC, **changes)}},
        headers={"Authorization": f"Bearer {API_TOKEN}", **(headers or {})},
    )
    payload = response.json()["data"]["saveDevice"]
    assert payload["errors"] == []
    return payload["device"]  # type: ignore[no-any-return]


def fetch(server: Server, device: dict[str, Any], forwarded_for: str | None = None) -> Any:
    headers = {"User-Agent": YEALINK_UA}
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    return server.client.get(f"{device['links']['personal']}/{FILE}", headers=headers)


def last_address(server: Server, device: dict[str, Any], expected: str) -> str:
    def read() -> str:
        query = f'{{ device(key: "{device["key"]}") {{ lastProvisioning {{ ip }} }} }}'
        record = server.graphql(query)["device"]["lastProvisioning"]
        return str(record["ip"]) if record else ""

    return eventually(read, lambda ip: ip == expected)


@pytest.mark.parametrize("running", [None, "127.0.0.0/8, 10.0.0.0/8"], indirect=True)
def test_the_address_a_trusted_proxy_forwards_is_the_client_address(running: Server) -> None:
    device = publish(running, rules={"allowedIps": ["203.0.113.0/24"]})
    refusal(fetch(running, device))  # the proxy's own address is not allowed
    assert fetch(running, device, "203.0.113.7").status_code == 200
    assert last_address(running, device, "203.0.113.7") == "203.0.113.7"
    # Each proxy appends the address it saw: the right-most one that is no trusted proxy is believed,
    # so what the client itself wrote in front of it changes nothing.
    refusal(fetch(running, device, "203.0.113.7, 198.51.100.9"))
    assert fetch(running, device, "198.51.100.9, 203.0.113.8, 127.0.0.1").status_code == 200
    assert last_address(running, device, "203.0.113.8") == "203.0.113.8"


def test_proxies_on_other_networks_are_trusted_through_them(tmp_path: Path) -> None:
    """The proxy next to Sonata (127.0.0.1) is trusted, and so is the one in 10.0.0.0/8 before it."""
    server = serve(tmp_path, "127.0.0.1, 10.0.0.0/8")
    try:
        device = publish(server, rules={"allowedIps": ["203.0.113.0/24"]})
        assert fetch(server, device, "198.51.100.1, 203.0.113.9, 10.20.30.40").status_code == 200
        assert last_address(server, device, "203.0.113.9") == "203.0.113.9"
    finally:
        stop_server(server)


@pytest.mark.parametrize("running", ["10.0.0.0/8, 192.0.2.1, ::1"], indirect=True)
def test_an_untrusted_peer_cannot_choose_its_address(running: Server) -> None:
    device = publish(running, rules={"allowedIps": ["203.0.113.0/24"]})
    refusal(fetch(running, device, "203.0.113.7"))
    publish(running, rules={"allowedIps": []})
    assert fetch(running, device, "203.0.113.7").status_code == 200
    assert last_address(running, device, "127.0.0.1") == "127.0.0.1"
    wrong_token = {"Authorization": "Bearer wrong-token-000000", "X-Forwarded-For": "203.0.113.7"}
    api = running.client.post(
        f"{running.url}/graphql", json={"query": "{ vendors { id } }"}, headers=wrong_token
    )
    assert api.status_code == 401
    log = running.log()
    assert "from 127.0.0.1 (User-Agent" in log and "address not allowed" in log
    assert "203.0.113.7" not in log


def test_a_trusted_proxy_saying_https_makes_the_links_https(tmp_path: Path) -> None:
    """Listening on every address, Sonata writes links the way the client reached it: through the proxy."""
    server = serve(tmp_path, "127.0.0.0/8", host="0.0.0.0")
    try:
        port = server.url.rsplit(":", 1)[1]
        plain = publish(server)
        assert plain["links"]["personal"].startswith(f"http://127.0.0.1:{port}/v1/device/")
        device = publish(server, {"X-Forwarded-Proto": "https"})
        personal = device["links"]["personal"]
        assert personal.startswith(f"https://127.0.0.1:{port}/v1/device/")
        headers = {"User-Agent": YEALINK_UA, "X-Forwarded-Proto": "https"}
        config = server.client.get(f"{plain['links']['personal']}/{FILE}", headers=headers)
        assert f"static.auto_provision.server.url = {personal}/\n" in config.text
    finally:
        stop_server(server)


def test_an_untrusted_peer_saying_https_changes_no_link(tmp_path: Path) -> None:
    server = serve(tmp_path, "10.0.0.0/8", host="0.0.0.0")
    try:
        device = publish(server, {"X-Forwarded-Proto": "https"})
        assert device["links"]["personal"].startswith("http://127.0.0.1:")
    finally:
        stop_server(server)


def test_a_long_forwarded_for_from_a_trusted_proxy_is_read_in_linear_time(server: Server) -> None:
    """Thousands of hops, ending in garbage: read once, the address cut short, quickly."""
    device = publish(server)
    normal = _fastest(lambda: fetch(server, device, "203.0.113.7"))
    hops = ", ".join(f"198.51.100.{n % 250}" for n in range(1500))
    garbage = "x" * 5000
    assert _fastest(lambda: fetch(server, device, f"{hops}, {garbage}")) < 50 * normal
    assert last_address(server, device, "x" * 64) == "x" * 64
    assert fetch(server, device, f"{hops}, 127.0.0.1").status_code == 200
    assert last_address(server, device, "198.51.100.249") == "198.51.100.249"


def _fastest(call: Any) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        assert call().status_code == 200
        times.append(time.perf_counter() - started)
    return min(times)


def test_the_failure_budget_is_spent_by_the_forwarded_address_not_by_the_proxy(tmp_path: Path) -> None:
    env = {
        "SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}",
        "SONATA_API_TOKEN": API_TOKEN,
        "SONATA_FAILURE_BUDGET": "3",
    }
    server = start_server(tmp_path, env)
    try:
        device = publish(server)
        scanner = {"User-Agent": YEALINK_UA, "X-Forwarded-For": "198.51.100.66"}
        for n in range(6):
            refusal(server.client.get(f"{server.url}/v1/device/no-such-key-{n:04}/{FILE}", headers=scanner))
        assert "blocked 198.51.100.66" in eventually(server.log, lambda log: "blocked 198.51.100.66" in log)
        refusal(fetch(server, device, "198.51.100.66"))  # blocked, even on a valid link
        assert fetch(server, device, "203.0.113.7").status_code == 200  # the proxy's other clients are not
        assert fetch(server, device).status_code == 200  # nor the proxy itself
        assert "blocked 127.0.0.1" not in server.log()
    finally:
        stop_server(server)
