"""Where the container's healthcheck looks for /healthz: where `sonata serve` listens, from the same machine."""

import pytest

from sonata.entrypoints.healthcheck import health_url
from sonata.settings import Settings


@pytest.mark.parametrize(
    ("environ", "url"),
    [
        ({}, "http://127.0.0.1:8080/healthz"),
        ({"SONATA_HOST": "::", "SONATA_PORT": "8443"}, "http://[::1]:8443/healthz"),
        ({"SONATA_HOST": "10.0.0.5"}, "http://10.0.0.5:8080/healthz"),
        ({"SONATA_HOST": "fd00::5"}, "http://[fd00::5]:8080/healthz"),
        (
            {"SONATA_TLS_CERT": "/run/sonata.crt", "SONATA_TLS_KEY": "/run/sonata.key"},
            "https://127.0.0.1:8080/healthz",
        ),
    ],
)
def test_the_healthcheck_asks_where_the_settings_make_sonata_listen(
    environ: dict[str, str], url: str
) -> None:
    assert health_url(Settings.from_env(environ)) == url
