"""What every command of the command line shares."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from sonata.adapters.sql.database import create_engine, create_schema, one_start_at_a_time, sqlite_path
from sonata.adapters.sql.sqlite_file import open_sqlite_file
from sonata.entrypoints.app import Services, build_services
from sonata.entrypoints.secret_keys import unlock_secrets
from sonata.settings import Settings

Decorated = TypeVar("Decorated", bound=Callable[..., Any])


def examples(*lines: str) -> str:
    """A command's epilog: its examples, one a line, as written (click leaves a `\\b` block unwrapped)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def format_option(*choices: str, help: str) -> Callable[[Decorated], Decorated]:
    """`--format`, one of `choices` (the first by default), given to the command as `output`."""
    return click.option(
        "--format", "output", type=click.Choice(choices), default=choices[0], show_default=True, help=help
    )


def counted(number: int, thing: str) -> str:
    """`1 device`, `2 devices`."""
    return f"{number} {thing}{'' if number == 1 else 's'}"


def with_services(command: Callable[[Services, Settings], Awaitable[int]]) -> int:
    """Run `command` on the database the settings name, brought up to date; its exit code."""

    async def running() -> int:
        settings = Settings.from_env()
        await bring_up_to_date(settings)
        services = build_services(settings)
        try:
            return await command(services, settings)
        finally:
            for engine in (services.engine, *services.phones.engines):
                await engine.dispose()

    return asyncio.run(running())


async def bring_up_to_date(settings: Settings) -> None:
    """The database as a start of `sonata serve` leaves it: the current schema, the secret key checked
    (its key file made where the database holds no encrypted secret yet) and secrets in clear sealed.

    A SQLite file must exist (`sonata serve` makes it on its first start): a mistyped path is no
    new database."""
    path = sqlite_path(settings.database_url)
    if path is not None:
        open_sqlite_file(path, create=False)
    engine = create_engine(settings.database_url)
    try:
        async with one_start_at_a_time(engine):
            await create_schema(engine)
            await unlock_secrets(settings, engine)
    finally:
        await engine.dispose()


def link_base(settings: Settings) -> str:
    """The base of the links the command line shows and writes: SONATA_PUBLIC_URL, without it the
    address `sonata serve` would have (`localhost` for a wildcard one)."""
    return settings.link_base(f"{settings.scheme}://localhost:{settings.port}")


def complain(message: str) -> None:
    """One line on standard error, as every message of the command line."""
    print(f"sonata: {message}", file=sys.stderr)
