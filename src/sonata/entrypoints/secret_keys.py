"""Where Sonata's secret key comes from, its check at start, and its rotation (README: Secrets at rest).

SONATA_SECRET_KEY gives the key (during its rotation, SONATA_OLD_SECRET_KEY the previous one);
otherwise a key file holds it: SONATA_SECRET_KEY_FILE, or `<database>.key` beside a SQLite database,
made on the first start. A PostgreSQL database needs one of the two settings.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from sonata.adapters.secret_box import SecretBox, SecretKeyError, key_id, new_key
from sonata.adapters.secret_key_file import create_key_file, read_key_file, replace_key_file
from sonata.adapters.sql.database import sqlite_path
from sonata.adapters.sql.secrets_at_rest import check_key, seal_everything, sealed_under
from sonata.settings import Settings

log = logging.getLogger("sonata")


def key_file_path(settings: Settings) -> Path | None:
    """The key file in use; None when SONATA_SECRET_KEY gives the key."""
    if settings.secret_key is not None:
        return None
    if settings.secret_key_file is not None:
        return settings.secret_key_file.absolute()
    database = sqlite_path(settings.database_url)
    if database is None:
        raise SecretKeyError(
            "a PostgreSQL database needs SONATA_SECRET_KEY (make one with `sonata secrets generate-key`)"
            " or SONATA_SECRET_KEY_FILE: the key that encrypts the secrets stored in it"
        )
    database = database.absolute()
    return database.with_name(database.name + ".key")


def secret_box(settings: Settings) -> SecretBox:
    """The keys the settings name; a missing key file is an error (only the start makes one)."""
    if settings.secret_key is not None:
        keys = [settings.secret_key, *([settings.old_secret_key] if settings.old_secret_key else [])]
        return SecretBox(keys, "SONATA_SECRET_KEY")
    path = key_file_path(settings)
    assert path is not None
    return SecretBox(_keys_in(path), f"the key file {path}")


def _keys_in(path: Path) -> list[bytes]:
    found = read_key_file(path)
    if found is None:
        raise SecretKeyError(
            f"the key file {path} is missing: `sonata serve` makes it on the first start; for a database"
            " served before, restore the key file from the backup taken with the database"
        )
    return found


async def unlock_secrets(settings: Settings, engine: AsyncEngine) -> SecretBox:
    """At start, before any worker serves: the key (on the first start a new key file), checked against
    the database; secrets stored in clear by an older Sonata, or under an earlier key, sealed under it."""
    path = key_file_path(settings)
    if path is not None and not path.exists():
        sealed = await sealed_under(engine)
        if sealed is not None:
            raise SecretKeyError(
                f"the secrets in the database are encrypted under key {sealed}, but the key file {path} is"
                " missing: restore it from the backup taken with the database (or give the key in"
                " SONATA_SECRET_KEY)"
            )
        key = new_key()
        create_key_file(path, key)
        log.warning(  # shown by every command, with logging set up or not
            "generated the key encrypting the secrets in the database (key %s) in %s: back it up with"
            " the database, whose secrets cannot be read without it",
            key_id(key),
            path,
        )
    box = secret_box(settings)
    resealed = await seal_everything(engine, box)
    if resealed.devices:
        log.info(
            "encrypted the secrets of %d device%s that were in clear or under an earlier key",
            resealed.devices,
            "" if resealed.devices == 1 else "s",
        )
    return box


async def rotate_secrets(settings: Settings, engine: AsyncEngine) -> str:
    """`sonata secrets rotate`, with every Sonata on the database stopped: every secret sealed under a
    new key. What it did, in one line.

    A key file first gets the new key beside the old one, then the secrets are sealed anew in one
    transaction, then the file keeps the new key alone: stopped at any point, the file opens all there
    is, and running it again finishes the rotation. A key given in SONATA_SECRET_KEY is rotated by
    giving the new one there and the old one in SONATA_OLD_SECRET_KEY.
    """
    path = key_file_path(settings)
    if path is None:
        if settings.old_secret_key is None:
            raise SecretKeyError(
                "to rotate a key given in SONATA_SECRET_KEY, put the new key there (`sonata secrets"
                " generate-key`) and the current one in SONATA_OLD_SECRET_KEY"
            )
        box = secret_box(settings)
        await _seal_all_under(engine, box)
        return (
            f"the secrets are now encrypted under key {box.key_id}, the key of SONATA_SECRET_KEY:"
            " unset SONATA_OLD_SECRET_KEY and start Sonata with it"
        )
    keys = _keys_in(path)
    if len(keys) == 1:  # else a rotation that stopped half way: it is finished with its new key
        await check_key(engine, SecretBox(keys, f"the key file {path}"))
        keys = [new_key(), *keys]
        replace_key_file(path, keys)
    box = SecretBox(keys, f"the key file {path}")
    await _seal_all_under(engine, box)
    replace_key_file(path, keys[:1])
    return (
        f"the secrets are now encrypted under key {box.key_id}, the one key in {path}: back it up with"
        " the database"
    )


async def _seal_all_under(engine: AsyncEngine, box: SecretBox) -> None:
    resealed = await seal_everything(engine, box)
    if resealed.skipped:
        raise SecretKeyError(
            f"{resealed.skipped} device(s) changed while the secrets were encrypted anew: stop every Sonata"
            " serving this database and run `sonata secrets rotate` again"
        )
