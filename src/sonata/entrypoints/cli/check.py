"""`sonata check`: what `sonata serve` needs, checked without changing anything."""

from __future__ import annotations

import asyncio

import click
from sqlalchemy.ext.asyncio import AsyncEngine

from sonata.adapters.secret_box import SecretKeyError
from sonata.adapters.sql.database import (
    SchemaState,
    count_devices,
    create_engine,
    ping,
    schema_revisions,
    schema_state,
    server_label,
    sqlite_path,
)
from sonata.adapters.sql.errors import describe
from sonata.adapters.sql.secrets_at_rest import check_key, sealed_under
from sonata.adapters.sql.sqlite_file import DatabaseUnusable, open_sqlite_file
from sonata.adapters.templates import Jinja2TemplateEngine
from sonata.domain.vendors import VENDORS
from sonata.entrypoints.cli.common import complain, counted, examples
from sonata.entrypoints.secret_keys import key_file_path, secret_box
from sonata.entrypoints.tls import check_tls
from sonata.settings import Settings

CONNECT_SECONDS = 10.0
"""How long the database has to answer."""


class Problem(Exception):
    """What is wrong with one part: one line."""


@click.command(
    short_help="Check the settings, the database, the secret key and the templates.",
    epilog=examples(
        "sonata check",
        "SONATA_DATABASE_URL=postgresql://sonata@db.example.net/sonata sonata check",
    ),
)
def check() -> int:
    """Check what `sonata serve` needs, changing nothing: the settings (and the TLS files they
    name), the database (there, reachable, with a schema this Sonata knows), the secret key (there,
    and the one the database's secrets are encrypted under) and the templates (the shipped ones and
    SONATA_TEMPLATES_DIR's). Prints each part found right on standard output and
    what is wrong, one line each, on standard error, with exit code 1."""
    try:
        settings = Settings.from_env()
        if settings.tls:
            check_tls(settings.tls)
    except ValueError as error:
        complain(f"settings: {error}")
        return 1
    print("settings: ok")
    problems = 0
    try:
        asyncio.run(_database_and_key(settings))
    except Problem as wrong:
        complain(str(wrong))
        problems += 1
    overrides = [settings.templates_dir] if settings.templates_dir else []
    template_problems = Jinja2TemplateEngine(overrides).problems(VENDORS)
    for problem in template_problems:
        complain(f"templates: {problem}")
    if not template_problems:
        replaced = f", with the files of {settings.templates_dir}" if settings.templates_dir else ""
        print(f"templates: ok ({len(VENDORS)} vendors{replaced})")
    return 1 if problems or template_problems else 0


async def _database_and_key(settings: Settings) -> None:
    """Prints the database's line, then the secret key's, on one engine; Problem for the first part
    that is wrong."""
    try:
        path = sqlite_path(settings.database_url)
        if path is not None:
            open_sqlite_file(path, create=False)
        engine = create_engine(settings.database_url)
    except (ValueError, DatabaseUnusable) as error:
        raise Problem(f"database: {error}") from None
    where = str(path.absolute()) if path else server_label(settings.database_url)
    try:
        found, state = await _database(engine, where)
        print(f"database: {found}")
        print(f"secret key: {await _secret_key(settings, engine, state)}")
    finally:
        await engine.dispose()


async def _database(engine: AsyncEngine, where: str) -> tuple[str, SchemaState]:
    """What the database is and the state of its schema, or Problem."""
    try:
        await asyncio.wait_for(ping(engine), CONNECT_SECONDS)
        current, shipped = await schema_revisions(engine)
        devices = await count_devices(engine) if current else 0
    except Exception as error:  # whatever the driver raises: the database cannot be used
        message = "no answer" if isinstance(error, TimeoutError) else describe(error)
        raise Problem(f"database: cannot reach {where}: {message}") from None
    state = schema_state(current, shipped)
    if state is SchemaState.EMPTY:
        return f"ok ({where}, empty: `sonata serve` makes Sonata's tables at its first start)", state
    if state is SchemaState.NEWER:
        raise Problem(
            f"database: {where} has a schema newer than this Sonata's (migration {current}, this Sonata's"
            f" newest is {shipped[-1]}): upgrade Sonata"
        )
    due = (
        ""
        if state is SchemaState.CURRENT
        else f", migrated from {current} to {shipped[-1]} at the next start"
    )
    return f"ok ({where}, {counted(devices, 'device')}{due})", state


async def _secret_key(settings: Settings, engine: AsyncEngine, state: SchemaState) -> str:
    """Whether the key the settings name opens the secrets of a database found usable (`state`), or
    Problem."""
    try:
        path = key_file_path(settings)
        sealed = None if state is SchemaState.EMPTY else await sealed_under(engine)
        if path is not None and not path.exists() and sealed is None:
            return f"ok (`sonata serve` makes the key file {path} at its first start)"
        box = secret_box(settings)  # SecretKeyError for a missing or unreadable key file
        if sealed is not None:
            await check_key(engine, box)
    except SecretKeyError as error:
        raise Problem(f"secret key: {error}") from None
    return f"ok (key {', '.join(box.key_ids)} from {box.source})"
