"""`sonata render KEY_OR_MAC [FILENAME]`: the file a device's phone would get."""

from __future__ import annotations

import asyncio
import sys

import click

from sonata.adapters.sql.database import create_schema
from sonata.domain.errors import ValidationFailed
from sonata.entrypoints.app import build_services
from sonata.entrypoints.cli.common import examples
from sonata.settings import Settings


@click.command(
    short_help="Print the file a device's phone would get.",
    epilog=examples(
        "sonata render 001565aabbcc",
        "sonata render 001565aabbcc y000000000066.cfg",
        "sonata render -- -Xk2rTq9pL0aZbY3w   # a key that starts with -",
    ),
)
@click.argument("device", metavar="KEY_OR_MAC")
@click.argument("filename", required=False)
def render(device: str, filename: str | None) -> int:
    """Print the file a device's phone would get on its personal link (rules not applied).

    KEY_OR_MAC is the device's key or MAC (put -- before a key that starts with -); FILENAME is
    the file name the phone asks for (default: its config).
    """
    return asyncio.run(_render(Settings.from_env(), device, filename))


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
