"""`sonata serve [--host] [--port] [--workers] [--tls-cert --tls-key]`, `sonata render KEY_OR_MAC [file]`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

import uvicorn

from sonata.adapters.sql.database import create_schema
from sonata.adapters.sql.sqlite_file import DatabaseUnusable
from sonata.domain.errors import ValidationFailed
from sonata.entrypoints.app import build_services, configure_logging, create_app, prepare
from sonata.entrypoints.server import http_protocol
from sonata.entrypoints.tls import check_tls
from sonata.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sonata", description="Sonata, the SIP phone provisioning server.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the management API and the phone links")
    serve.add_argument("--host", help="address to listen on (SONATA_HOST, default 0.0.0.0)")
    serve.add_argument("--port", help="port to listen on (SONATA_PORT, default 8080)")
    serve.add_argument("--workers", help="processes serving on that port (SONATA_WORKERS, default 1)")
    serve.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (chain) (SONATA_TLS_CERT)")
    serve.add_argument("--tls-key", help="the certificate's PEM private key, unencrypted (SONATA_TLS_KEY)")
    render = commands.add_parser(
        "render", help="print the file a device's phone would get on its personal link (rules not applied)"
    )
    render.add_argument(
        "device",
        metavar="KEY_OR_MAC",
        help="the device's key or MAC (put -- before a key that starts with -)",
    )
    render.add_argument("filename", nargs="?", help="the file name the phone asks for (default: its config)")
    return parser


async def _render(settings: Settings, device: str, filename: str | None) -> int:
    services = build_services(settings)
    try:
        await create_schema(services.engine)
        # Links in the file use SONATA_PUBLIC_URL; without it, the address `sonata serve` would have.
        link_base = settings.link_base(f"{settings.scheme}://localhost:{settings.port}")
        try:
            rendered = await services.provisioning.preview(device, filename, link_base)
        except ValidationFailed as failure:
            print(f"sonata: {failure}", file=sys.stderr)
            return 2
    finally:
        await services.engine.dispose()
    if rendered is None:
        print("sonata: no device has this key or MAC", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(rendered.body)
    sys.stdout.flush()
    return 0


WORKER_APP = "sonata.entrypoints.app:app_from_environment"


def serve(settings: Settings) -> None:
    tls = settings.tls
    if tls:
        check_tls(tls)
    configure_logging()
    asyncio.run(prepare(settings))
    if settings.workers > 1:
        # Each worker process reads its settings from the environment, so the command line's go there too.
        os.environ.update(
            SONATA_HOST=settings.host, SONATA_PORT=str(settings.port), SONATA_WORKERS=str(settings.workers)
        )
        if tls:
            os.environ.update(SONATA_TLS_CERT=str(tls.cert), SONATA_TLS_KEY=str(tls.key))
    # One worker is served in this process; more are processes sharing the socket this one binds.
    uvicorn.run(
        create_app(settings) if settings.workers == 1 else WORKER_APP,
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
        log_level="info",
        access_log=False,  # phone URLs carry device keys and tokens
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "render":
            return asyncio.run(_render(settings, args.device, args.filename))
        serve(settings.listening_on(args.host, args.port, args.workers, args.tls_cert, args.tls_key))
    # A setting Sonata cannot use (an unsupported database URL, a port out of range, a broken certificate)
    # or a database file it cannot open: one line that says what to do, no traceback.
    except (ValueError, DatabaseUnusable) as error:
        print(f"sonata: {error}", file=sys.stderr)
        return 2
    return 0
