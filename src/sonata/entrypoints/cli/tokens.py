"""`sonata token create|list|revoke`: management API tokens, made on the server.

Whoever can run `sonata` on the server can always make a new admin token: that is how a lost one
is replaced. Each token made or revoked here is in the audit log without a token name.
"""

from __future__ import annotations

import sys

import click

from sonata.domain.access import ON_THE_SERVER, Role
from sonata.domain.errors import ValidationFailed
from sonata.entrypoints.app import Services
from sonata.entrypoints.cli.common import complain, examples, with_services
from sonata.settings import Settings


@click.group(
    short_help="Make, list and revoke management API tokens.",
    epilog=examples(
        "sonata token create --name recovery --role admin",
        "sonata token create --name acme-frontend --role editor --group acme-phones-2026",
        "sonata token list",
        "sonata token revoke acme-frontend",
    ),
)
def token() -> None:
    """Make, list and revoke the tokens of the management API (stored as hashes only)."""


@token.command(
    short_help="Make a token and print it, once.",
    epilog=examples(
        "sonata token create --name recovery --role admin",
        "sonata token create --name acme-frontend --role editor --group acme-phones-2026",
    ),
)
@click.option("--name", required=True, help="a name for the token: letters, digits, '.', '_', '-'")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="admin: everything; editor: devices; reader: queries that show no secret",
)
@click.option(
    "--group",
    "groups",
    multiple=True,
    help="a device group (device token) the token is limited to; repeat for several; none: every device",
)
def create(name: str, role: str, groups: tuple[str, ...]) -> int:
    """Make a token and print it on standard output: the only time it is shown."""

    async def creating(services: Services, settings: Settings) -> int:
        try:
            made, stored = await services.tokens.create(name, Role(role), list(groups) or None, ON_THE_SERVER)
        except ValidationFailed as failure:
            complain(str(failure))
            return 2
        scope = f"the groups {', '.join(sorted(groups))}" if groups else "every device"
        print(
            f"made the {stored.role.value} token {stored.name!r} for {scope}; it is shown only now:",
            file=sys.stderr,
        )
        print(made, flush=True)
        return 0

    return with_services(creating)


@token.command(
    name="list", short_help="List the tokens (never a token itself).", epilog=examples("sonata token list")
)
def list_tokens() -> int:
    """List the stored tokens by name, with role, groups and when each was made."""

    async def listing(services: Services, settings: Settings) -> int:
        rows = [("NAME", "ROLE", "GROUPS", "CREATED")]
        for stored in await services.tokens.all():
            groups = (
                ",".join(sorted(stored.scope.groups)) if stored.scope.groups is not None else "(every device)"
            )
            made = stored.created_at.isoformat(timespec="seconds") if stored.created_at else ""
            rows.append((stored.name, stored.role.value, groups, made))
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        for row in rows:
            print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[3]]))
        return 0

    return with_services(listing)


@token.command(
    short_help="Revoke a token: refused from the next request on.",
    epilog=examples("sonata token revoke acme-frontend"),
)
@click.argument("name")
def revoke(name: str) -> int:
    """Delete the token NAME: the management API refuses it from its next request on."""

    async def revoking(services: Services, settings: Settings) -> int:
        try:
            await services.tokens.revoke(name, ON_THE_SERVER)
        except ValidationFailed as failure:
            complain(str(failure))
            return 1
        print(f"revoked the token {name!r}", file=sys.stderr)
        return 0

    return with_services(revoking)
