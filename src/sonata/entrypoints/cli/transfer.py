"""`sonata import FILE` and `sonata export`: devices in and out as files of documents."""

from __future__ import annotations

import sys
from typing import TextIO

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sonata.domain.documents import document_from_device
from sonata.entrypoints.app import Services
from sonata.entrypoints.cli.common import complain, counted, examples, format_option, with_services
from sonata.entrypoints.cli.device_files import (
    Row,
    UnreadableFile,
    is_csv,
    read_csv,
    read_json,
    write_csv,
    write_json,
)
from sonata.settings import Settings


@click.command(
    name="import",
    short_help="Save devices from a JSON or CSV file.",
    epilog=examples(
        "sonata import devices.json",
        "sonata import --dry-run devices.csv",
        "sonata export --with-secrets | ssh new-server sonata import -",
    ),
)
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--dry-run", is_flag=True, help="check every row and save none")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["json", "csv"]),
    help="the file's format (default: .csv and .json files by their name, others by their first character)",
)
def import_devices(file: TextIO, dry_run: bool, file_format: str | None) -> int:
    """Save the devices of FILE (- reads standard input), each row on its own: a row with an error
    is not saved at all, and is named with its errors. Exit code 1 if any row failed.

    JSON: an array of device documents (as importDevices takes them), or one document a line.
    CSV: one device a row, with the columns the README lists. A row naming the key or MAC of a
    stored device replaces that device; secrets left out keep the stored ones.
    """
    source = "standard input" if file.name == "<stdin>" else file.name
    try:
        text = file.read()
    except UnicodeDecodeError as error:
        complain(f"{source} is not UTF-8 text: {error}")
        return 2
    csv_file = file_format == "csv" if file_format else is_csv(file.name, text)
    try:
        rows = read_csv(text) if csv_file else read_json(text)
    except UnreadableFile as error:
        complain(f"{source}: {error}")
        return 2

    async def importing(services: Services, settings: Settings) -> int:
        readable = [row for row in rows if not row.errors]
        console = Console(stderr=True)
        with Progress(
            TextColumn("checking" if dry_run else "importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not console.is_terminal,
        ) as progress:
            task = progress.add_task("rows", total=len(rows))
            progress.advance(task, len(rows) - len(readable))
            results = await services.devices.import_documents(
                [row.document for row in readable],
                dry_run=dry_run,
                progress=lambda settled: progress.advance(task, settled),
                document_name=lambda index: f"row {readable[index].number}",
            )
        for row, result in zip(readable, results, strict=True):
            row.errors = result.errors
        return _report(rows, dry_run)

    return with_services(importing)


def _report(rows: list[Row], dry_run: bool) -> int:
    """Each failed row's errors, a line each, then the count: exit code 1 if any row failed."""
    failed = [row for row in rows if row.errors]
    for row in failed:
        for error in row.errors:
            print(f"row {row.number}: {row.column_of(error.field)}: {error.message}", file=sys.stderr)
    good = len(rows) - len(failed)
    devices = f"{good} of {counted(len(rows), 'device')}"
    failures = f"; {counted(len(failed), 'row')} failed" if failed else ""
    if dry_run:
        print(f"dry run: {devices} would be saved{failures}; nothing was saved", file=sys.stderr)
    else:
        print(f"saved {devices}{failures}", file=sys.stderr)
    return 1 if failed else 0


@click.command(
    short_help="Write every device as JSON or CSV.",
    epilog=examples(
        "sonata export > devices.json",
        "sonata export --format csv > devices.csv",
        "sonata export --with-secrets > backup.json   # everything a new server needs",
    ),
)
@format_option(
    "json",
    "csv",
    help="json: an array of the documents `sonata import` and importDevices read; csv: a row each",
)
@click.option(
    "--with-secrets",
    is_flag=True,
    help="with the SIP, admin and phone passwords and the config encryption keys, in clear text",
)
def export(output: str, with_secrets: bool) -> int:
    """Write every device to standard output, by MAC: everything `sonata import` needs to make them
    again on another server (their keys and groups included, so the phones' links stay). Without
    --with-secrets, no password or encryption key: an import then keeps the stored ones."""

    async def exporting(services: Services, settings: Settings) -> int:
        if with_secrets:
            complain(
                "warning: the export holds every device's passwords and encryption keys in clear text;"
                " keep it as safe as the database"
            )
        documents = [
            document_from_device(device, with_secrets=with_secrets)
            async for device in services.devices.every()
        ]
        if output == "csv":
            write_csv(documents, sys.stdout, with_secrets=with_secrets)
        else:
            write_json(documents, sys.stdout)
        print(f"exported {counted(len(documents), 'device')}", file=sys.stderr)
        return 0

    return with_services(exporting)
