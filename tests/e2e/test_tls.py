"""HTTPS on Sonata's own port: `sonata serve --tls-cert FILE --tls-key FILE` (or SONATA_TLS_CERT and
SONATA_TLS_KEY), with a self-signed certificate made here by the openssl command, and clients that
verify it."""

import ssl
from pathlib import Path

import httpx
import pytest
from tests.certificates import key_material, self_signed
from tests.e2e.conftest import API_TOKEN, free_port, start_server, stop_server
from tests.e2e.test_configuration import assert_one_clear_line, run_sonata
from tests.e2e.test_management_api import SAVE, yealink_input
from tests.e2e.test_workers import ready_workers

MAC = "001565123456"
YEALINK_UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:12:34:56"


def trusting(cert: Path) -> ssl.SSLContext:
    """A client's TLS context that verifies the server's certificate against this one alone."""
    return ssl.create_default_context(cafile=cert)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


def test_phones_and_the_api_are_served_over_https_and_the_links_say_so(
    tmp_path: Path, pair: tuple[Path, Path]
) -> None:
    cert, key = pair
    database = f"sqlite:///{tmp_path / 'sonata.db'}"
    server = start_server(
        tmp_path,
        {"SONATA_DATABASE_URL": database, "SONATA_API_TOKEN": API_TOKEN},
        args=["--tls-cert", str(cert), "--tls-key", str(key)],
        verify=trusting(cert),
    )
    try:
        saved = server.graphql(SAVE, {"input": yealink_input(mac=MAC)})["saveDevice"]
        personal = saved["device"]["links"]["personal"]
        assert personal.startswith(f"{server.url}/v1/device/")
        assert server.url.startswith("https://127.0.0.1:")
        config = server.get(f"{personal}/{MAC}.cfg", YEALINK_UA)
        assert config.status_code == 200
        assert f"static.auto_provision.server.url = {personal}/\n" in config.text
        # The same port speaks nothing but TLS, and a client that does not trust the certificate stops.
        with pytest.raises(httpx.TransportError):
            httpx.get(server.url.replace("https://", "http://") + "/healthz", timeout=5)
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(f"{server.url}/healthz", timeout=5)
    finally:
        stop_server(server)
    # `sonata render` writes the links `sonata serve` would hand out, unless SONATA_PUBLIC_URL says otherwise.
    env = {"SONATA_DATABASE_URL": database, "SONATA_TLS_CERT": str(cert), "SONATA_TLS_KEY": str(key)}
    key_of_device = personal.rsplit("/", 1)[1]
    rendered = run_sonata("render", key_of_device, env=env, cwd=tmp_path)
    assert f"server.url = https://localhost:8080/v1/device/{key_of_device}/\n" in rendered.stdout
    public = {**env, "SONATA_PUBLIC_URL": "http://sonata.example.net"}
    rendered = run_sonata("render", key_of_device, env=public, cwd=tmp_path)
    assert f"server.url = http://sonata.example.net/v1/device/{key_of_device}/\n" in rendered.stdout


def test_every_worker_serves_https_from_the_environment_s_certificate(
    tmp_path: Path,
    pair: tuple[Path, Path],
) -> None:
    cert, key = pair
    env = {
        "SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}",
        "SONATA_API_TOKEN": API_TOKEN,
        "SONATA_TLS_CERT": str(cert),
        "SONATA_TLS_KEY": str(key),
    }
    server = start_server(tmp_path, env, args=["--workers", "2"], verify=trusting(cert))
    try:
        ready_workers(server, 2)
        saved = server.graphql(SAVE, {"input": yealink_input(mac=MAC)})["saveDevice"]
        personal = saved["device"]["links"]["personal"]
        assert personal.startswith(f"{server.url}/v1/device/")
        limits = httpx.Limits(max_keepalive_connections=0)  # a new connection, so a new worker, each time
        with httpx.Client(timeout=10, verify=trusting(cert), limits=limits) as fresh:
            answers = [
                fresh.get(f"{personal}/{MAC}.cfg", headers={"User-Agent": YEALINK_UA}) for _ in range(8)
            ]
        assert {answer.status_code for answer in answers} == {200}
        assert all(f"server.url = {personal}/\n" in answer.text for answer in answers)
    finally:
        stop_server(server)


def test_an_unusable_certificate_or_key_stops_serve_with_one_line(
    tmp_path: Path, pair: tuple[Path, Path]
) -> None:
    """Every case is in tests/unit/test_tls_files.py; here, that `sonata serve` says it before it starts."""
    cert, key = pair
    _, other_key = self_signed(tmp_path, "other")
    port = ["--host", "127.0.0.1", "--port", str(free_port())]
    cases = [
        ({}, ["--tls-cert", str(cert), "--tls-key", str(other_key)], "does not belong to the certificate"),
        ({"SONATA_TLS_CERT": str(other_key), "SONATA_TLS_KEY": str(key)}, [], "holds no PEM certificate"),
        ({"SONATA_TLS_KEY": str(key)}, [], "needs its certificate: give --tls-cert or SONATA_TLS_CERT"),
        ({"SONATA_TLS_CERT": str(cert)}, ["--tls-key", str(tmp_path)], "is not a file"),
    ]
    for env, args, reason in cases:
        result = run_sonata("serve", *port, *args, env=env, cwd=tmp_path)
        assert_one_clear_line(result, reason)
        assert not any(line in result.stderr for line in key_material(key) + key_material(other_key))
        assert not (tmp_path / "sonata.db").exists()  # stopped before touching the database
