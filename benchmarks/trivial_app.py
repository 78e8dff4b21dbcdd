"""The trivial app Sonata is measured against: a ready body per MAC from a dict, on Sonata's URL shapes.

    .venv/bin/python -m benchmarks.trivial_app --port 18081 --macs macs.txt --body-size 2900

`/v1/device/<key>/<mac>.cfg` and `/v1/token/<token>/<mac>.cfg` answer the body of the MAC in the
file name (the key or token is not checked), an unknown MAC 404. It runs on the uvicorn of the
same virtual environment as `sonata serve`, with the loop and HTTP parser uvicorn picks (uvloop
and httptools when installed), one worker and no access log, like Sonata.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

NO_STORE = {"Cache-Control": "no-store"}


def ready_bodies(macs: Iterable[str], size: int) -> dict[str, bytes]:
    """One body of exactly `size` bytes per MAC, each naming its MAC."""
    bodies = {}
    for mac in macs:
        head = f"#!version:1.0.0.1\n# trivial device file of {mac}\n".encode()
        bodies[mac] = head.ljust(size - 1, b"#") + b"\n"
    return bodies


def create_app(bodies: dict[str, bytes]) -> Starlette:
    async def device_file(request: Request) -> Response:
        body = bodies.get(request.path_params["filename"].removesuffix(".cfg"))
        if body is None:
            return PlainTextResponse("Not Found\n", status_code=404, headers=NO_STORE)
        return Response(body, media_type="text/plain", headers=NO_STORE)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok\n")

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/v1/device/{key}/{filename}", device_file),
            Route("/v1/token/{token}/{filename}", device_file),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--macs", type=Path, required=True, help="a file of MACs, one a line")
    parser.add_argument("--body-size", type=int, required=True, help="bytes of each body")
    args = parser.parse_args()
    bodies = ready_bodies(args.macs.read_text().split(), args.body_size)
    uvicorn.run(create_app(bodies), host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
