"""A real `sonata serve` process on a free local port, talked to over real HTTP."""

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests import log_scan

API_TOKEN = "e2e-management-token"
LIFTED_FAILURE_BUDGET = {"SONATA_FAILURE_BUDGET": "1000000"}
"""Every server's unless its test sets the budget: tests of other behaviour send many refusals from
the one address 127.0.0.1. The budget itself is tested in test_failure_budget.py."""
POSTGRES_SECRET_KEY = "ZTJlLXNlY3JldC1rZXktb2YtcG9zdGdyZXMtdGVzdHM"
"""The secret key of every server on PostgreSQL unless its test gives one (on SQLite, a server makes its
key file beside the database)."""


def secret_key_for(env: dict[str, str]) -> dict[str, str]:
    """SONATA_SECRET_KEY for a server on PostgreSQL, which needs one."""
    return (
        {"SONATA_SECRET_KEY": POSTGRES_SECRET_KEY} if "postgres" in env.get("SONATA_DATABASE_URL", "") else {}
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    log_path: Path
    token: str | None = API_TOKEN
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))

    def graphql(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        log_scan.note_secret(token or self.token, "API token")
        log_scan.note_secrets_in(variables)
        response = self.client.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        log_scan.note_secrets_in(body.get("data"))
        assert "errors" not in body, body
        return body["data"]

    def get(self, path_or_url: str, user_agent: str | None = None) -> httpx.Response:
        url = path_or_url if path_or_url.startswith("http") else f"{self.url}{path_or_url}"
        headers = {"User-Agent": user_agent} if user_agent else {}
        return self.client.get(url, headers=headers)

    def log(self) -> str:
        return self.log_path.read_text()


def start_server(
    tmp_path: Path,
    env: dict[str, str],
    cwd: Path | None = None,
    args: Sequence[str] = (),
    verify: ssl.SSLContext | None = None,
) -> Server:
    """With `verify`, a server serving HTTPS, talked to by clients checking its certificate with it."""
    port = free_port()
    log_path = tmp_path / f"server-{port}.log"
    log_scan.watch_log(log_path)
    for name, value in {**secret_key_for(env), **env}.items():
        if name in ("SONATA_API_TOKEN", "SONATA_SECRET_KEY", "SONATA_OLD_SECRET_KEY"):
            log_scan.note_secret(value, name)
    process = subprocess.Popen(
        [sys.executable, "-m", "sonata", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
        env={**os.environ, **LIFTED_FAILURE_BUDGET, **secret_key_for(env), **env},
        cwd=cwd or tmp_path,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"{'https' if verify else 'http'}://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sonata serve exited:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1, verify=verify or True).status_code == 200:
                # A server with a short SONATA_HEADER_TIMEOUT closes an idle kept-alive connection so soon
                # that reusing one races its close: such a server's client opens a connection per request.
                keep_alive = 0 if "SONATA_HEADER_TIMEOUT" in env else 20
                client = httpx.Client(
                    timeout=10,
                    verify=verify or True,
                    limits=httpx.Limits(max_keepalive_connections=keep_alive),
                )
                return Server(url, process, log_path, env.get("SONATA_API_TOKEN"), client)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"sonata serve did not become healthy:\n{log_path.read_text()}")


def without_modules(tmp_path: Path, *names: str) -> dict[str, str]:
    """The environment of a Python where these modules are not installed: importing them fails."""
    hidden = tmp_path / "hidden-modules"
    hidden.mkdir(exist_ok=True)
    for name in names:
        (hidden / f"{name}.py").write_text(f"raise ImportError('{name} is hidden by the test')\n")
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(hidden), os.environ.get("PYTHONPATH")]))}


def stop_server(server: Server) -> None:
    server.client.close()
    server.process.terminate()
    server.process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp_path = tmp_path_factory.mktemp("server")
    running = start_server(
        tmp_path,
        {"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}", "SONATA_API_TOKEN": API_TOKEN},
    )
    yield running
    stop_server(running)
