"""The `sonata` command: one module per command or command group, registered in COMMANDS.

A new group is a click command or group in a module of its own, added to COMMANDS; a command
returns its exit code. A setting Sonata cannot use, or a database it cannot open, raised from any
command is one line on standard error and exit code 2.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from sonata.adapters.sql.sqlite_file import DatabaseUnusable
from sonata.entrypoints.cli.check import check
from sonata.entrypoints.cli.common import examples
from sonata.entrypoints.cli.devices import devices
from sonata.entrypoints.cli.render import render
from sonata.entrypoints.cli.secret_key import secrets_group
from sonata.entrypoints.cli.serve import serve
from sonata.entrypoints.cli.tokens import token
from sonata.entrypoints.cli.transfer import export, import_devices

COMMANDS: tuple[click.Command, ...] = (
    serve,
    render,
    devices,
    import_devices,
    export,
    check,
    token,
    secrets_group,
)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=examples(
        "sonata serve",
        "sonata devices list",
        "sonata export --with-secrets > backup.json",
        "sonata COMMAND --help",
    ),
)
@click.version_option(package_name="sonata", prog_name="sonata", message="%(prog)s %(version)s")
def cli() -> None:
    """Sonata, the SIP phone provisioning server."""


for command in COMMANDS:
    cli.add_command(command)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        result = cli.main(list(argv) if argv is not None else None, prog_name="sonata", standalone_mode=False)
    except click.ClickException as error:  # a usage error: click's message, exit code 2
        error.show()
        return error.exit_code
    except click.Abort:
        print("sonata: aborted", file=sys.stderr)
        return 1
    # A setting Sonata cannot use (an unsupported database URL, a port out of range, a broken certificate)
    # or a database file it cannot open: one line that says what to do, no traceback.
    except (ValueError, DatabaseUnusable) as error:
        print(f"sonata: {error}", file=sys.stderr)
        return 2
    return result if isinstance(result, int) else 0
