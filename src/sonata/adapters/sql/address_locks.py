"""The address lock (lock_to_first_address) taken in the database, so that it holds across processes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Update, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from sonata.adapters.sql.tables import DeviceRow
from sonata.domain.ports import DeviceChanges

_DEVICES = DeviceRow.__table__  # type: ignore[attr-defined]


class SqlAddressLocks:
    """The first fetch after a save sets `locked_address` only where none is set yet, then reads
    what is set: whichever process committed first wins, and every later one reads its address.
    The update is a change of the device (migration 0003's trigger), so every process re-reads it;
    this one drops what it holds at once, so that it asks the database once per device per save."""

    _LOCK: Update = (
        update(_DEVICES)
        .where(_DEVICES.c.key == bindparam("locked_key"), _DEVICES.c.locked_address.is_(None))
        .values(locked_address=bindparam("address"))
    )
    _LOCKED: Select[Any] = select(_DEVICES.c.locked_address).where(_DEVICES.c.key == bindparam("locked_key"))

    def __init__(self, engine: AsyncEngine, changes: DeviceChanges) -> None:
        self._engine = engine
        self._changes = changes

    async def lock(self, key: str, address: str) -> str | None:
        async with self._engine.begin() as connection:
            await connection.execute(self._LOCK, {"locked_key": key, "address": address})
            locked = (await connection.execute(self._LOCKED, {"locked_key": key})).scalar_one_or_none()
        self._changes.changed(key)
        return str(locked) if locked is not None else None
