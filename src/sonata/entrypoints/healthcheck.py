"""`python -m sonata.entrypoints.healthcheck`: the container's HEALTHCHECK (Dockerfile).

Exits 0 when the `sonata serve` that the same settings (SONATA_HOST, SONATA_PORT, SONATA_TLS_CERT) make
listen answers /healthz with 200; else 1, with one line on standard error saying what is wrong. The
image has no curl, and this keeps the address, port and scheme in one place: the settings.
"""

from __future__ import annotations

import ssl
import sys
import urllib.error
import urllib.request

from sonata.settings import Settings

HEALTH_PATH = "/healthz"
TIMEOUT_SECONDS = 4.0  # below the Dockerfile's HEALTHCHECK --timeout
LOOPBACK = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}


def health_url(settings: Settings) -> str:
    """/healthz as reached from the same machine: a wildcard listening address is reached on loopback."""
    host = LOOPBACK.get(settings.host, settings.host)
    if ":" in host:
        host = f"[{host}]"
    return f"{'https' if settings.tls else 'http'}://{host}:{settings.port}{HEALTH_PATH}"


def _opener() -> urllib.request.OpenerDirector:
    # No proxy from the environment: the server is on this machine. The certificate names the public
    # host, not the loopback address, and the question is only whether the process answers.
    unverified = ssl.create_default_context()
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=unverified)
    )


def problem(url: str) -> str | None:
    """None when `url` answers 200, else what is wrong, in words."""
    try:
        with _opener().open(url, timeout=TIMEOUT_SECONDS) as response:
            status: int = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (urllib.error.URLError, OSError) as error:
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        return f"{url} did not answer: {reason}"
    return None if status == 200 else f"{url} answered {status}"


def main() -> int:
    try:
        wrong = problem(health_url(Settings.from_env()))
    except ValueError as error:  # settings `sonata serve` would refuse as well
        wrong = str(error)
    if wrong is None:
        return 0
    print(f"sonata healthcheck: {wrong}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
