"""`sonata serve [--host] [--port]`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import uvicorn

from sonata.entrypoints.app import create_app
from sonata.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sonata", description="Sonata, the SIP phone provisioning server.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the management API and the phone links")
    serve.add_argument("--host", help="address to listen on (SONATA_HOST, default 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port to listen on (SONATA_PORT, default 8080)")
    return parser


def serve(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # No access log: phone URLs carry device keys and tokens.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info", access_log=False)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(f"sonata: {error}", file=sys.stderr)
        return 2
    if args.command == "serve":
        serve(settings.listening_on(args.host, args.port))
    return 0
