"""Devices as phones find them, read with one indexed SELECT on a plain connection (no ORM session).

Phones need no lastProvisioning: it is not read, and these devices carry none."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from sonata.adapters.secret_box import SecretBox
from sonata.adapters.sql.mapping import device_from_row, previous_key_from_row
from sonata.adapters.sql.tables import DevicePreviousKeyRow, DeviceRow
from sonata.domain.model import Device
from sonata.domain.ports import PreviousKey

_DEVICES = DeviceRow.__table__  # type: ignore[attr-defined]
_PREVIOUS_KEYS = DevicePreviousKeyRow.__table__  # type: ignore[attr-defined]


class SqlPhoneDevices:
    # Built once: each lookup only binds its values to a statement SQLAlchemy has compiled before.
    _BY_KEY: Select[Any] = select(_DEVICES).where(_DEVICES.c.key == bindparam("key"))
    _BY_MAC_AND_TOKEN: Select[Any] = select(_DEVICES).where(
        _DEVICES.c.mac == bindparam("mac"), _DEVICES.c.token == bindparam("token")
    )

    _BY_PREVIOUS_KEY: Select[Any] = (
        select(_DEVICES, _PREVIOUS_KEYS.c.until)
        .select_from(_PREVIOUS_KEYS.join(_DEVICES, _DEVICES.c.key == _PREVIOUS_KEYS.c.device_key))
        .where(_PREVIOUS_KEYS.c.key == bindparam("key"))
    )

    _AFTER_KEY: Select[Any] = (
        select(_DEVICES)
        .where(_DEVICES.c.key > bindparam("after"))
        .order_by(_DEVICES.c.key)
        .limit(bindparam("limit"))
    )

    def __init__(self, engine: AsyncEngine, box: SecretBox) -> None:
        self._engine = engine
        self._box = box
        """Opens the secrets of the devices read: once per device read, not per phone request."""

    async def all(self, chunk: int = 100) -> AsyncIterator[list[Device]]:
        """Every device, in chunks ordered by key, each read in a short transaction of its own."""
        after = ""
        while True:
            async with self._engine.connect() as connection:
                rows = (await connection.execute(self._AFTER_KEY, {"after": after, "limit": chunk})).all()
            if not rows:
                return
            yield [device_from_row(row, self._box) for row in rows]
            after = rows[-1].key

    async def by_key(self, key: str) -> Device | None:
        return await self._one(self._BY_KEY, {"key": key})

    async def by_mac_and_token(self, mac: str, token: str) -> Device | None:
        return await self._one(self._BY_MAC_AND_TOKEN, {"mac": mac, "token": token})

    async def by_previous_key(self, key: str) -> PreviousKey | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(self._BY_PREVIOUS_KEY, {"key": key})).first()
        return previous_key_from_row(row, self._box) if row is not None else None

    async def _one(self, query: Select[Any], values: dict[str, str]) -> Device | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(query, values)).first()
        return device_from_row(row, self._box) if row is not None else None
