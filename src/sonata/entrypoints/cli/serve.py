"""`sonata serve`: the management API and the phone links."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

import click
import uvicorn

from sonata.adapters.metrics import METRICS_DIR_VARIABLE
from sonata.entrypoints.app import create_app, prepare
from sonata.entrypoints.cli.common import examples
from sonata.entrypoints.logs import configure_logging, logging_config
from sonata.entrypoints.server import http_protocol
from sonata.entrypoints.tls import check_tls
from sonata.settings import Settings

WORKER_APP = "sonata.entrypoints.app:app_from_environment"


# The options stay text: the settings parse them, so a bad one is the one-line error of the environment.
@click.command(
    epilog=examples(
        "sonata serve",
        "sonata serve --host 127.0.0.1 --port 8443 --tls-cert cert.pem --tls-key key.pem",
    )
)
@click.option("--host", help="address to listen on (SONATA_HOST, default 0.0.0.0)")
@click.option("--port", help="port to listen on (SONATA_PORT, default 8080)")
@click.option("--workers", help="processes serving on that port (SONATA_WORKERS, default 1)")
@click.option("--tls-cert", help="serve HTTPS with this PEM certificate (chain) (SONATA_TLS_CERT)")
@click.option("--tls-key", help="the certificate's PEM private key, unencrypted (SONATA_TLS_KEY)")
def serve(
    host: str | None, port: str | None, workers: str | None, tls_cert: str | None, tls_key: str | None
) -> int:
    """Serve the management API and the phone links."""
    run(Settings.from_env().listening_on(host, port, workers, tls_cert, tls_key))
    return 0


def run(settings: Settings) -> None:
    tls = settings.tls
    if tls:
        check_tls(tls)
    operations = settings.operations
    configure_logging(operations.log_level, operations.log_format)
    asyncio.run(prepare(settings))
    if settings.workers == 1:
        _uvicorn(settings)
        return
    # Each worker process reads its settings from the environment, so the command line's go there too,
    # and the directory where the workers count their metrics, fresh for each start.
    os.environ.update(
        SONATA_HOST=settings.host, SONATA_PORT=str(settings.port), SONATA_WORKERS=str(settings.workers)
    )
    if tls:
        os.environ.update(SONATA_TLS_CERT=str(tls.cert), SONATA_TLS_KEY=str(tls.key))
    with tempfile.TemporaryDirectory(prefix="sonata-metrics-") as metrics_dir:
        os.environ[METRICS_DIR_VARIABLE] = metrics_dir
        _uvicorn(settings, Path(metrics_dir))


def _uvicorn(settings: Settings, metrics_dir: Path | None = None) -> None:
    """One worker is served in this process; more are processes sharing the socket this one binds."""
    tls, operations = settings.tls, settings.operations
    uvicorn.run(
        create_app(settings, metrics_dir) if settings.workers == 1 else WORKER_APP,
        factory=settings.workers > 1,
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
        http=http_protocol(settings.header_timeout),
        ssl_certfile=tls.cert if tls else None,
        ssl_keyfile=tls.key if tls else None,
        # uvicorn rewrites each request's client address and scheme from these proxies' X-Forwarded-For
        # and X-Forwarded-Proto (README: Behind nginx or a load balancer), before Sonata sees it.
        proxy_headers=True,
        forwarded_allow_ips=[str(network) for network in settings.trusted_proxies],
        log_config=logging_config(operations.log_level, operations.log_format),
        log_level=operations.log_level.lower(),
        access_log=False,  # phone URLs carry device keys and tokens
        ws_max_size=settings.api_limits.max_body_bytes,  # a WebSocket message, bounded like a request body
        # Requests being answered when the server is told to stop get this long; the last records are
        # written after them (entrypoints/phone_path.py).
        timeout_graceful_shutdown=operations.shutdown_timeout,
    )
