"""The database's secrets under one key: the check that a key is the database's, and the sealing of
what an older Sonata stored in clear or an earlier key sealed (README: Secrets at rest)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sonata.adapters.secret_box import SEALED_PREFIX, SecretBox, is_sealed
from sonata.adapters.sql.repository import NONCE_KEY
from sonata.adapters.sql.sealed_fields import reseal_secrets
from sonata.adapters.sql.tables import CredentialRow, DeviceRow

KEY_CHECK = "secret_key_check"
"""A credentials row holding nothing, sealed under the database's key: a wrong key fails to open it at
start, before any device is read."""
CHUNK = 500
"""Devices read and written at a time."""

_DEVICES: Table = DeviceRow.__table__  # type: ignore[attr-defined]
_CREDENTIALS: Table = CredentialRow.__table__  # type: ignore[attr-defined]
_AFTER_KEY = (
    select(_DEVICES.c.key, _DEVICES.c.mac, _DEVICES.c.updated_at, _DEVICES.c.document)
    .where(_DEVICES.c.key > bindparam("after"))
    .order_by(_DEVICES.c.key)
    .limit(CHUNK)
)
# Only where the device is as it was read: a save meanwhile has written a document of its own.
_RESEAL = (
    update(_DEVICES)
    .where(_DEVICES.c.key == bindparam("device_key"), _DEVICES.c.updated_at == bindparam("read_updated_at"))
    .values(document=bindparam("sealed"))
)


@dataclass(frozen=True)
class Resealed:
    devices: int
    """Devices with a secret that was in clear or under an earlier key, now sealed under the box's key."""
    skipped: int
    """Such devices saved by another process while this one worked: left as that save wrote them."""


async def sealed_under(engine: AsyncEngine) -> str | None:
    """The id of the key the database's secrets are sealed under; None where none are yet."""
    async with engine.connect() as connection:
        check = await _credential(connection, KEY_CHECK)
    return check.removeprefix(SEALED_PREFIX).partition(":")[0] if check else None


async def check_key(engine: AsyncEngine, box: SecretBox) -> None:
    """SecretKeyError where none of the box's keys opens the database's key check."""
    async with engine.connect() as connection:
        check = await _credential(connection, KEY_CHECK)
    if check is not None:
        box.open(check, KEY_CHECK)


async def seal_everything(engine: AsyncEngine, box: SecretBox) -> Resealed:
    """In one transaction: check the key, then seal under the box's key every secret that is not (device
    secrets, the Digest nonce key, the key check). Idempotent; SecretKeyError (nothing changed) for a
    secret none of the box's keys opens."""
    async with engine.begin() as connection:
        check = await _credential(connection, KEY_CHECK)
        if check is not None:
            box.open(check, KEY_CHECK)
        resealed = skipped = 0
        after = ""
        while rows := (await connection.execute(_AFTER_KEY, {"after": after})).all():
            changes = [
                {"device_key": row.key, "read_updated_at": row.updated_at, "sealed": sealed}
                for row in rows
                if (sealed := reseal_secrets(row.document, row.mac, box)) is not None
            ]
            for change in changes:  # one by one: the rows each changed are counted on every driver
                written = await connection.execute(_RESEAL, change)
                resealed += written.rowcount
                skipped += 1 - written.rowcount
            after = rows[-1].key
        nonce_key = await _credential(connection, NONCE_KEY)
        if nonce_key is not None and not box.is_current(nonce_key):
            plain = box.open(nonce_key, NONCE_KEY) if is_sealed(nonce_key) else bytes.fromhex(nonce_key)
            await _set_credential(connection, NONCE_KEY, box.seal(plain, NONCE_KEY))
        if check is None or not box.is_current(check):
            await _set_credential(connection, KEY_CHECK, box.seal(b"", KEY_CHECK))
    return Resealed(resealed, skipped)


async def _credential(connection: AsyncConnection, name: str) -> str | None:
    query = select(_CREDENTIALS.c.secret_hash).where(_CREDENTIALS.c.name == name)
    value: str | None = (await connection.execute(query)).scalar_one_or_none()
    return value


async def _set_credential(connection: AsyncConnection, name: str, value: str) -> None:
    changed = await connection.execute(
        update(_CREDENTIALS).where(_CREDENTIALS.c.name == name).values(secret_hash=value)
    )
    if changed.rowcount == 0:
        await connection.execute(insert(_CREDENTIALS).values(name=name, secret_hash=value))
