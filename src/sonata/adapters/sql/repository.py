"""The SQL implementations of the domain's repositories."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Table, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sonata.adapters.secret_box import SecretBox, is_sealed
from sonata.adapters.sql.mapping import device_from_row, device_to_row, device_values
from sonata.adapters.sql.tables import CredentialRow, DevicePreviousKeyRow, DeviceProvisioningRow, DeviceRow
from sonata.domain.model import Device
from sonata.domain.ports import DevicePage, SaveConflict

NONCE_KEY = "digest_nonce_key"

_DEVICES: Table = DeviceRow.__table__  # type: ignore[attr-defined]
_PROVISIONING: Table = DeviceProvisioningRow.__table__  # type: ignore[attr-defined]
_PREVIOUS_KEYS: Table = DevicePreviousKeyRow.__table__  # type: ignore[attr-defined]
_KEPT_ON_REPLACE = frozenset({"key", "created_at"})
"""Columns a replacement leaves as stored: the key it is found by, and what the device carries over.
(lastProvisioning is in a table of its own, which no save writes: a fetch recorded meanwhile stays.)"""
_REPLACE = (
    update(_DEVICES)
    .where(_DEVICES.c.key == bindparam("stored_key"))
    .values({c.name: bindparam(c.name) for c in _DEVICES.columns if c.name not in _KEPT_ON_REPLACE})
)


class SqlDeviceRepository:
    def __init__(self, session: AsyncSession, box: SecretBox) -> None:
        self._session = session
        self._box = box

    async def get(self, key: str) -> Device | None:
        return await self._one(_DEVICES.c.key == key)

    async def get_by_mac(self, mac: str) -> Device | None:
        return await self._one(_DEVICES.c.mac == mac)

    async def get_by_mac_and_token(self, mac: str, token: str) -> Device | None:
        return await self._one(_DEVICES.c.mac == mac, _DEVICES.c.token == token)

    async def _one(self, *conditions: ColumnElement[bool]) -> Device | None:
        row = (await self._session.execute(_WITH_RECORD.where(*conditions))).first()
        return self._device(row) if row else None

    async def save(self, device: Device) -> None:
        row = await self._session.get(DeviceRow, device.key)
        self._session.add(device_to_row(device, self._box, row))
        await self._session.flush()

    async def find_all(self, *, keys: Collection[str], macs: Collection[str]) -> list[Device]:
        if not keys and not macs:
            return []
        query = _WITH_RECORD.where(or_(_DEVICES.c.key.in_(keys), _DEVICES.c.mac.in_(macs)))
        return [self._device(row) for row in await self._session.execute(query)]

    async def replace_all(self, devices: Sequence[Device]) -> None:
        if not devices:
            return
        keys = [device.key for device in devices]
        # Held until commit on a database server, so no other save deletes one of them meanwhile.
        held = select(_DEVICES.c.key).where(_DEVICES.c.key.in_(keys)).with_for_update()
        if len((await self._session.execute(held)).all()) != len(keys):
            raise SaveConflict("a device to replace is no longer stored")
        rows = [_replacement(device_values(device, self._box)) for device in devices]
        replaced = await self._bulk(_REPLACE, rows)
        if self._session.get_bind().dialect.supports_sane_multi_rowcount and replaced != len(rows):
            raise SaveConflict("a device to replace is no longer stored")

    async def add_all(self, devices: Sequence[Device]) -> None:
        if devices:
            await self._bulk(insert(_DEVICES), [device_values(device, self._box) for device in devices])

    async def _bulk(self, statement: Any, rows: list[dict[str, Any]]) -> int:
        """Execute one statement for many rows; the number of rows it changed."""
        try:
            result = await self._session.execute(statement, rows)
        except IntegrityError as error:
            raise SaveConflict("the database refused a key or MAC another device took") from error
        return int(getattr(result, "rowcount", -1))

    async def delete(self, key: str) -> bool:
        row = await self._session.get(DeviceRow, key)
        if row is None:
            return False
        await self._session.delete(row)
        await self._session.execute(delete(_PROVISIONING).where(_PROVISIONING.c.key == key))
        await self._session.execute(delete(_PREVIOUS_KEYS).where(_PREVIOUS_KEYS.c.device_key == key))
        await self._session.flush()
        return True

    async def rotate_key(self, key: str, new_key: str, until: datetime) -> None:
        try:
            moved = await self._session.execute(
                update(_DEVICES).where(_DEVICES.c.key == key).values(key=new_key)
            )
            if getattr(moved, "rowcount", 0) != 1:
                raise SaveConflict("the device to rotate is no longer stored")
            await self._session.execute(
                update(_PROVISIONING).where(_PROVISIONING.c.key == key).values(key=new_key)
            )
            await self._session.execute(
                update(_PREVIOUS_KEYS).where(_PREVIOUS_KEYS.c.device_key == key).values(device_key=new_key)
            )
            await self._session.execute(
                insert(_PREVIOUS_KEYS).values(key=key, device_key=new_key, until=until)
            )
        except IntegrityError as error:
            raise SaveConflict("the database refused the new key") from error

    async def previous_keys(self, keys: Collection[str]) -> set[str]:
        if not keys:
            return set()
        query = select(_PREVIOUS_KEYS.c.key).where(_PREVIOUS_KEYS.c.key.in_(keys))
        return set((await self._session.execute(query)).scalars())

    async def list(
        self,
        *,
        vendor: str | None,
        token: str | None,
        first: int,
        after_mac: str | None,
        groups: Collection[str] | None = None,
    ) -> DevicePage:
        conditions = []
        if vendor is not None:
            conditions.append(_DEVICES.c.vendor == vendor)
        if token is not None:
            conditions.append(_DEVICES.c.token == token)
        if groups is not None:
            conditions.append(_DEVICES.c.token.in_(groups))
        total = await self._session.scalar(select(func.count()).select_from(_DEVICES).where(*conditions))
        if after_mac is not None:
            conditions.append(_DEVICES.c.mac > after_mac)
        query = _WITH_RECORD.where(*conditions).order_by(_DEVICES.c.mac).limit(first + 1)
        rows = (await self._session.execute(query)).all()
        return DevicePage(
            devices=[self._device(row) for row in rows[:first]],
            total_count=total or 0,
            has_next_page=len(rows) > first,
        )

    def _device(self, row: Row[Any]) -> Device:
        return device_from_row(row, self._box, row.record)


_WITH_RECORD = select(_DEVICES, _PROVISIONING.c.record).select_from(
    _DEVICES.outerjoin(_PROVISIONING, _PROVISIONING.c.key == _DEVICES.c.key)
)
"""Devices with their lastProvisioning, where one is recorded."""


def _replacement(values: dict[str, Any]) -> dict[str, Any]:
    kept = {name: value for name, value in values.items() if name not in _KEPT_ON_REPLACE}
    return {"stored_key": values["key"], **kept}


def seal_nonce_key(key: str, box: SecretBox) -> str:
    """The Digest nonce key sealed as its bytes, not its hex: short enough for the credentials column."""
    return box.seal(bytes.fromhex(key), NONCE_KEY)


class SqlCredentialStore:
    def __init__(self, session: AsyncSession, box: SecretBox) -> None:
        self._session = session
        self._box = box

    async def get_nonce_key(self) -> str | None:
        stored = await self._get(NONCE_KEY)
        if stored is None or not is_sealed(stored):  # as stored in clear by an older Sonata
            return stored
        return self._box.open(stored, NONCE_KEY).hex()

    async def set_nonce_key(self, key: str) -> None:
        await self._set(NONCE_KEY, seal_nonce_key(key, self._box))

    async def _get(self, name: str) -> str | None:
        row = await self._session.get(CredentialRow, name)
        return row.secret_hash if row else None

    async def _set(self, name: str, value: str) -> None:
        row = await self._session.get(CredentialRow, name)
        self._session.add(CredentialRow(name=name, secret_hash=value) if row is None else row)
        if row is not None:
            row.secret_hash = value
        await self._session.flush()
