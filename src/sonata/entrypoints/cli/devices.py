"""`sonata devices list|show|delete`: the devices of the database the settings name."""

from __future__ import annotations

import json
import sys
from datetime import datetime

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sonata.domain.documents import SECRET_KEYS, document_from_device
from sonata.domain.model import Device
from sonata.domain.services.devices import MAX_PAGE_SIZE
from sonata.domain.services.unknown_phones import unknown_phone_cursor
from sonata.domain.unknown_phones import UnknownPhone
from sonata.entrypoints.app import Services
from sonata.entrypoints.cli.common import (
    complain,
    counted,
    examples,
    format_option,
    link_base,
    with_services,
)
from sonata.entrypoints.cli.device_files import write_csv, write_json
from sonata.settings import Settings


def rows_table(*columns: str) -> Table:
    """A plain table whose cells are text as it is (no markup read in a device's values)."""
    return Table(*columns, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)


def add_row(table: Table, *cells: str) -> None:
    table.add_row(*(Text(cell) for cell in cells))


def stdout_console() -> Console:
    """Tables on standard output: as wide as their content when it is no terminal (a file, a pipe)."""
    console = Console(highlight=False)
    return console if console.is_terminal else Console(highlight=False, width=10_000)


@click.group(
    short_help="List, show and delete devices; list unknown phones.",
    epilog=examples(
        "sonata devices list --vendor yealink",
        "sonata devices show 001565aabbcc",
        "sonata devices delete 00:15:65:aa:bb:cc",
        "sonata devices unknown",
    ),
)
def devices() -> None:
    """The devices published on this server, read and changed in its database directly (the
    running server serves a change within a second)."""


@devices.command(
    name="list",
    short_help="List the devices.",
    epilog=examples(
        "sonata devices list",
        "sonata devices list --vendor yealink --group office-phones-2026",
        "sonata devices list --format csv > devices.csv",
    ),
)
@click.option("--vendor", help="only this vendor's devices (grandstream, yealink, fanvil, snom, htek)")
@click.option("--group", help="only the devices of this group (the device token)")
@format_option(
    "table", "json", "csv", help="json and csv: the documents `sonata import` reads, without secrets"
)
def list_devices(vendor: str | None, group: str | None, output: str) -> int:
    """List the devices by MAC: a table, or their documents (as `sonata export` writes them)."""

    async def listing(services: Services, settings: Settings) -> int:
        found = [device async for device in services.devices.every(vendor=vendor, token=group)]
        if output == "table":
            _print_table(found)
        elif output == "json":
            write_json((document_from_device(device) for device in found), sys.stdout)
        else:
            write_csv([document_from_device(device) for device in found], sys.stdout, with_secrets=False)
        return 0

    return with_services(listing)


def _print_table(found: list[Device]) -> None:
    table = rows_table("MAC", "VENDOR", "MODEL", "GROUP", "TITLE", "STATUS", "LAST FETCH")
    for device in found:
        add_row(
            table,
            device.mac,
            device.vendor,
            device.model,
            device.token or "",
            device.title,
            "enabled" if device.status else "disabled",
            _last_fetch(device),
        )
    stdout_console().print(table)
    print(counted(len(found), "device"), file=sys.stderr)


def _last_fetch(device: Device) -> str:
    record = device.last_provisioning
    if record is None:
        return "never"
    return f"{_moment(record.at)} from {record.ip}"


@devices.command(
    short_help="Show one device.",
    epilog=examples("sonata devices show 001565aabbcc", "sonata devices show <key> --format json"),
)
@click.argument("device", metavar="KEY_OR_MAC")
@format_option("table", "json", help="json: the device's document, without secrets")
def show(device: str, output: str) -> int:
    """Show the device with this key or MAC: every field, its links and its last fetch; of its
    secrets only whether they are set."""

    async def showing(services: Services, settings: Settings) -> int:
        found = await services.devices.find_by_key_or_mac(device)
        if found is None:
            complain("no device has this key or MAC")
            return 1
        if output == "json":
            print(json.dumps(document_from_device(found), ensure_ascii=False, indent=2))
        else:
            stdout_console().print(_details(found, link_base(settings)))
        return 0

    return with_services(showing)


def _details(device: Device, base: str) -> Table:
    table = rows_table("FIELD", "VALUE")
    with_secrets = document_from_device(device, with_secrets=True)
    for name, value in document_from_device(device).items():
        if name == "accounts":
            for account, secret in zip(value, with_secrets["accounts"], strict=True):
                password = "set" if secret["sip_password"] else "none"
                add_row(table, f"account {account['line']}", f"{_compact(account)} (password {password})")
        else:
            add_row(table, name, value if isinstance(value, str) else _compact(value))
    for name in sorted(SECRET_KEYS - {"sip_password"}):
        add_row(table, name, "set" if with_secrets[name] else "none")
    add_row(table, "personal link", f"{base}/v1/device/{device.key}")
    if device.token:
        add_row(table, "common link", f"{base}/v1/token/{device.token}")
    add_row(table, "last fetch", _last_fetch(device))
    if device.updated_at is not None:
        add_row(table, "saved", _moment(device.updated_at))
    return table


def _moment(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="seconds")


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


@devices.command(
    short_help="Delete one device.",
    epilog=examples("sonata devices delete 001565aabbcc", "sonata devices delete -- -Xk2rTq9pL0aZbY3w"),
)
@click.argument("device", metavar="KEY_OR_MAC")
def delete(device: str) -> int:
    """Delete the device with this key or MAC: its phone is refused from then on."""

    async def deleting(services: Services, settings: Settings) -> int:
        found = await services.devices.find_by_key_or_mac(device)
        if found is None or not await services.devices.delete(found.key):
            complain("no device has this key or MAC")
            return 1
        print(f"deleted the {found.vendor} {found.model} {found.mac}", file=sys.stderr)
        return 0

    return with_services(deleting)


@devices.command(
    short_help="List the phones that asked for a MAC no device has.",
    epilog=examples(
        "sonata devices unknown",
        "sonata devices unknown --group office-phones-2026",
        "sonata devices unknown --format json > new.json   # complete them, then: sonata import new.json",
    ),
)
@click.option("--group", help="only the phones that asked on this group's common link (its token)")
@format_option(
    "table",
    "json",
    help="json: the start of each one's device document (vendor, model, mac, token), for sonata import",
)
def unknown(group: str | None, output: str) -> int:
    """List the phones that asked on a group's common link for a MAC no device has, those first seen
    last first, as long as no device has their MAC. Only phones whose User-Agent or MAC range names a
    vendor are noted, only under a token some device has, for SONATA_UNKNOWN_PHONE_DAYS (30) and at
    most SONATA_UNKNOWN_PHONES (10,000); each still
    got the 404. Publish one by importing its document, completed with its accounts."""

    async def listing(services: Services, settings: Settings) -> int:
        phones: list[UnknownPhone] = []
        after = None
        while True:
            page = await services.unknown_phones.list(group=group, first=MAX_PAGE_SIZE, after=after)
            phones += page.phones
            if not page.has_next_page:
                break
            after = unknown_phone_cursor(page.phones[-1])
        if output == "json":
            write_json((phone.document() for phone in phones), sys.stdout)
        else:
            table = rows_table(
                "MAC", "VENDOR", "MODEL", "FIRMWARE", "GROUP", "ADDRESS", "FIRST SEEN", "LAST SEEN"
            )
            for phone in phones:
                add_row(
                    table,
                    phone.mac,
                    phone.vendor or "",
                    phone.model or "",
                    phone.firmware or "",
                    phone.token,
                    phone.address,
                    _moment(phone.first_seen),
                    _moment(phone.last_seen),
                )
            stdout_console().print(table)
        print(counted(len(phones), "unknown phone"), file=sys.stderr)
        return 0

    return with_services(listing)
