"""Slow clients: a connection that trickles its request head is closed after SONATA_HEADER_TIMEOUT,
whichever HTTP parser serves it (httptools when installed, else h11)."""

import http.client
import importlib.util
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server, without_modules

ATTACKERS = 300
PATIENCE = 30.0  # seconds; the server closes them after 1, this only keeps a broken build from hanging


@pytest.fixture(scope="module", params=["httptools", "h11"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    parser: str = request.param
    if parser == "httptools" and importlib.util.find_spec("httptools") is None:
        pytest.skip("httptools is not installed here")
    tmp_path: Path = tmp_path_factory.mktemp("slow")
    running = start_server(
        tmp_path,
        {
            "SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}",
            "SONATA_API_TOKEN": API_TOKEN,
            "SONATA_HEADER_TIMEOUT": "1",
            **(without_modules(tmp_path, "httptools") if parser == "h11" else {}),
        },
    )
    assert f", {parser})" in running.log()  # the ready line names the parser serving
    yield running
    stop_server(running)


def address(server: Server) -> tuple[str, int]:
    url = urlsplit(server.url)
    assert url.hostname and url.port
    return url.hostname, url.port


def trickle_until_closed(sockets: list[socket.socket]) -> list[socket.socket]:
    """Send one more header byte a second on every socket; returns those still open after PATIENCE."""
    open_sockets = list(sockets)
    deadline = time.monotonic() + PATIENCE
    while open_sockets and time.monotonic() < deadline:
        for sock in list(open_sockets):
            try:
                sock.sendall(b"x")
            except OSError:  # reset by the server
                open_sockets.remove(sock)
        readable, _, _ = select.select(open_sockets, [], [], 1.0)
        for sock in readable:
            try:
                closed = sock.recv(1024) == b""
            except OSError:
                closed = True
            if closed:
                open_sockets.remove(sock)
    return open_sockets


def test_hundreds_of_trickling_connections_are_closed_and_others_still_served(server: Server) -> None:
    attackers = []
    try:
        for _ in range(ATTACKERS):
            sock = socket.create_connection(address(server), timeout=10)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: sonata\r\nX-Slow: ")
            attackers.append(sock)
        assert server.get("/healthz").status_code == 200  # while all of them are connected
        assert trickle_until_closed(attackers) == []
        assert server.get("/healthz").status_code == 200
    finally:
        for sock in attackers:
            sock.close()
    assert "Traceback" not in server.log()


def test_a_kept_alive_connection_must_send_its_next_head_in_time_too(server: Server) -> None:
    connection = http.client.HTTPConnection(*address(server), timeout=10)
    try:
        connection.request("GET", "/healthz")
        assert connection.getresponse().read() == b'{"status":"ok"}'
        assert connection.sock is not None
        connection.sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: sonata\r\nX-Slow: ")
        assert trickle_until_closed([connection.sock]) == []
    finally:
        connection.close()


def test_the_deadline_covers_only_the_head_not_a_body_that_follows_later(server: Server) -> None:
    body = b'{"query": "{ vendors { id } }"}'
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: sonata\r\nAuthorization: Bearer {API_TOKEN}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection(address(server), timeout=10) as sock:
        sock.sendall(head.encode())
        time.sleep(2)  # twice SONATA_HEADER_TIMEOUT: the head arrived in time, so nothing is cut
        sock.sendall(body)
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
