"""`sonata secrets rotate` and `sonata secrets generate-key`: the key of the secrets at rest."""

from __future__ import annotations

import asyncio

import click

from sonata.adapters.secret_box import key_text, new_key
from sonata.adapters.sql.database import create_engine, create_schema, sqlite_path
from sonata.adapters.sql.sqlite_file import open_sqlite_file
from sonata.entrypoints.cli.common import examples
from sonata.entrypoints.secret_keys import rotate_secrets
from sonata.settings import Settings


@click.group(
    name="secrets",
    short_help="Rotate or make the key of the secrets stored in the database.",
    epilog=examples("sonata secrets rotate", "sonata secrets generate-key"),
)
def secrets_group() -> None:
    """The key that encrypts the passwords and other secrets in the database (README: Secrets at rest)."""


@secrets_group.command(
    epilog=examples(
        "sonata secrets rotate   # the key file's key",
        "SONATA_SECRET_KEY=<new key> SONATA_OLD_SECRET_KEY=<current key> sonata secrets rotate",
    )
)
def rotate() -> int:
    """Encrypt every secret in the database under a new key; stop every Sonata serving it first.

    With a key file (beside the SQLite database, or SONATA_SECRET_KEY_FILE) the new key is made here
    and the file keeps only it at the end; back the file up again. With SONATA_SECRET_KEY, give the
    new key there and the current one in SONATA_OLD_SECRET_KEY, then start Sonata with the new one.
    Stopped half way, it loses nothing: run it again.
    """
    click.echo(asyncio.run(_rotate(Settings.from_env())))
    return 0


async def _rotate(settings: Settings) -> str:
    path = sqlite_path(settings.database_url)
    if path is not None:
        open_sqlite_file(path, create=False)  # a mistyped path is no database to rotate
    engine = create_engine(settings.database_url)
    try:
        await create_schema(engine)
        return await rotate_secrets(settings, engine)
    finally:
        await engine.dispose()


@secrets_group.command(name="generate-key", epilog=examples("sonata secrets generate-key"))
def generate_key() -> int:
    """Print a new random key for SONATA_SECRET_KEY (32 bytes in base64url)."""
    click.echo(key_text(new_key()))
    return 0
