"""A real `sonata serve` told to stop (SIGTERM): the requests it is answering finish within
SONATA_SHUTDOWN_TIMEOUT, and the lastProvisioning records still waiting are written before it exits."""

import json
import signal
import socket
import sqlite3
import time
from pathlib import Path

from tests.e2e.conftest import API_TOKEN, Server, start_server
from tests.e2e.test_phone_routes import publish
from tests.e2e.test_workers import alive

QUERY = json.dumps({"query": "{ vendors { id } }"}).encode()


def sqlite_server(tmp_path: Path, **env: str) -> Server:
    database = f"sqlite:///{tmp_path / 'sonata.db'}"
    return start_server(tmp_path, {"SONATA_DATABASE_URL": database, "SONATA_API_TOKEN": API_TOKEN, **env})


def half_sent_request(server: Server) -> socket.socket:
    """A GraphQL request whose head and first half of the body are sent: the server is answering it."""
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: sonata\r\nAuthorization: Bearer {API_TOKEN}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(QUERY)}\r\n\r\n"
    )
    sock.sendall(head.encode() + QUERY[:10])
    time.sleep(0.3)
    return sock


# uvicorn raises the signal again once it has stopped: a server of one process ends "killed" by it.
STOPPED = -signal.SIGTERM


def fetch(server: Server, device: dict[str, str]) -> int:
    mac = device["mac"]
    user_agent = "Yealink SIP-T46S 66.86.0.15 " + ":".join(mac[i : i + 2] for i in range(0, 12, 2))
    return server.get(f"{device['links']['personal']}/{mac}.cfg", user_agent).status_code


def stop(server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    time.sleep(1.0)


def test_a_request_running_when_told_to_stop_is_answered(tmp_path: Path) -> None:
    server = sqlite_server(tmp_path)
    sock = half_sent_request(server)
    try:
        stop(server)
        assert server.process.poll() is None  # waiting for the request
        sock.sendall(QUERY[10:])
        answer = sock.makefile("rb").read()
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b'"vendors"' in answer and b"connection: close" in answer.lower()
    assert server.process.wait(timeout=10) == STOPPED
    assert "Traceback" not in server.log()


def test_a_request_that_outlasts_the_shutdown_timeout_does_not_hold_up_the_stop(tmp_path: Path) -> None:
    server = sqlite_server(tmp_path, SONATA_SHUTDOWN_TIMEOUT="1")
    sock = half_sent_request(server)
    try:
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=10) == STOPPED
        assert time.monotonic() - started < 5
    finally:
        sock.close()
    assert "timeout graceful shutdown exceeded" in server.log()


def test_the_records_still_waiting_are_written_before_the_server_exits(tmp_path: Path) -> None:
    database = tmp_path / "sonata.db"
    server = sqlite_server(tmp_path)
    devices = [publish(server, "yealink", mac=f"0015650000{index:02x}") for index in range(4)]
    writer = sqlite3.connect(database, timeout=0)
    try:
        writer.execute("BEGIN IMMEDIATE")  # the write lock: lastProvisioning waits for it
        assert [fetch(server, device) for device in devices[:2]] == [200, 200]
        time.sleep(1.5)  # a write of those two began, and waits for the lock
        assert [fetch(server, device) for device in devices[2:]] == [200, 200]  # these come after it
        stop(server)
        assert server.process.poll() is None  # waiting for the database
    finally:
        writer.rollback()
        writer.close()
    assert server.process.wait(timeout=15) == STOPPED
    with sqlite3.connect(database) as reader:
        recorded = {key for (key,) in reader.execute("SELECT key FROM device_provisioning")}
    reader.close()
    assert recorded == {device["key"] for device in devices}
    assert not alive(server.process.pid)
