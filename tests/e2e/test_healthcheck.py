"""The container's HEALTHCHECK (Dockerfile): `python -m sonata.entrypoints.healthcheck` asks the running
`sonata serve` for /healthz where the same settings make it listen, and says in one line what is wrong."""

import os
import ssl
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.certificates import self_signed
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server
from tests.e2e.test_database_file import PATIENCE


def healthcheck(server: Server, **env: str) -> subprocess.CompletedProcess[str]:
    # The listening address is left to the settings: 0.0.0.0, reached on 127.0.0.1, as in the image.
    port = str(urlsplit(server.url).port)
    return subprocess.run(
        [sys.executable, "-m", "sonata.entrypoints.healthcheck"],
        env={**os.environ, "SONATA_PORT": port, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def assert_unhealthy(result: subprocess.CompletedProcess[str], reason: str) -> None:
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("sonata healthcheck: http://127.0.0.1:") and reason in line, line


def test_healthy_while_sonata_serves_then_unhealthy_with_the_reason(tmp_path: Path) -> None:
    database = tmp_path / "sonata.db"
    server = start_server(
        tmp_path, {"SONATA_DATABASE_URL": f"sqlite:///{database}", "SONATA_API_TOKEN": API_TOKEN}
    )
    try:
        healthy = healthcheck(server, HTTP_PROXY="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9")
        assert (healthy.returncode, healthy.stdout, healthy.stderr) == (0, "", "")  # no proxy is asked

        database.rename(tmp_path / "moved.db")  # /healthz answers 503 once Sonata sees it
        deadline = time.monotonic() + PATIENCE
        while (result := healthcheck(server)).returncode == 0:
            assert time.monotonic() < deadline, "the healthcheck never failed"
            time.sleep(0.2)
        assert_unhealthy(result, "/healthz answered 503")
    finally:
        stop_server(server)
    assert_unhealthy(healthcheck(server), "/healthz did not answer")


def test_under_tls_it_asks_over_https_whatever_certificate_the_server_has(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)  # signed by no authority this machine trusts
    tls = {"SONATA_TLS_CERT": str(cert), "SONATA_TLS_KEY": str(key)}
    database = f"sqlite:///{tmp_path / 'sonata.db'}"
    server = start_server(
        tmp_path,
        {"SONATA_DATABASE_URL": database, "SONATA_API_TOKEN": API_TOKEN, **tls},
        verify=ssl.create_default_context(cafile=cert),
    )
    try:
        healthy = healthcheck(server, **tls)
        assert (healthy.returncode, healthy.stderr) == (0, "")
        plain = healthcheck(server)  # without the TLS settings it speaks HTTP to an HTTPS port
        assert plain.returncode == 1 and "did not answer" in plain.stderr
    finally:
        stop_server(server)


def test_unusable_settings_are_one_line_and_unhealthy(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sonata.entrypoints.healthcheck"],
        env={**os.environ, "SONATA_PORT": "http"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1
    assert (
        result.stderr == "sonata healthcheck: SONATA_PORT must be a port number from 1 to 65535, not 'http'\n"
    )
