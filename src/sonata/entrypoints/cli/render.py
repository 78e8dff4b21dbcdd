"""`sonata render KEY_OR_MAC [FILENAME]`: the file a device's phone would get."""

from __future__ import annotations

import sys

import click

from sonata.domain.errors import ValidationFailed
from sonata.entrypoints.app import Services
from sonata.entrypoints.cli.common import complain, examples, link_base, with_services
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
    the file name the phone asks for (default: its config). Links in the file use
    SONATA_PUBLIC_URL; without it, the address `sonata serve` would have.
    """

    async def rendering(services: Services, settings: Settings) -> int:
        try:
            rendered = await services.provisioning.preview(device, filename, link_base(settings))
        except ValidationFailed as failure:
            complain(str(failure))
            return 2
        if rendered is None:
            complain("no device has this key or MAC")
            return 1
        sys.stdout.buffer.write(rendered.body)
        sys.stdout.flush()
        return 0

    return with_services(rendering)
