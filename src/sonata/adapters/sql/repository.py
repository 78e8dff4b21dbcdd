"""The SQL implementations of the domain's repositories."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sonata.adapters.sql.mapping import device_from_row, device_to_row, device_values, record_to_json
from sonata.adapters.sql.tables import CredentialRow, DeviceRow
from sonata.domain.model import Device, ProvisioningRecord
from sonata.domain.ports import DevicePage, SaveConflict

API_TOKEN = "api_token"

_DEVICES: Table = DeviceRow.__table__  # type: ignore[attr-defined]
_KEPT_ON_REPLACE = frozenset({"key", "created_at", "last_provisioning"})
"""Columns a replacement leaves as stored: the key it is found by, and what the device carries over
(a fetch recorded meanwhile stays recorded)."""
_REPLACE = (
    update(_DEVICES)
    .where(_DEVICES.c.key == bindparam("stored_key"))
    .values({c.name: bindparam(c.name) for c in _DEVICES.columns if c.name not in _KEPT_ON_REPLACE})
)


class SqlDeviceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key: str) -> Device | None:
        row = await self._session.get(DeviceRow, key)
        return device_from_row(row) if row else None

    async def get_by_mac(self, mac: str) -> Device | None:
        result = await self._session.execute(select(DeviceRow).where(DeviceRow.mac == mac))
        row = result.scalars().first()
        return device_from_row(row) if row else None

    async def get_by_mac_and_token(self, mac: str, token: str) -> Device | None:
        query = select(DeviceRow).where(DeviceRow.mac == mac, DeviceRow.token == token)
        row = (await self._session.execute(query)).scalars().first()
        return device_from_row(row) if row else None

    async def save(self, device: Device) -> None:
        row = await self._session.get(DeviceRow, device.key)
        self._session.add(device_to_row(device, row))
        await self._session.flush()

    async def find_all(self, *, keys: Collection[str], macs: Collection[str]) -> list[Device]:
        if not keys and not macs:
            return []
        query = _DEVICES.select().where(or_(_DEVICES.c.key.in_(keys), _DEVICES.c.mac.in_(macs)))
        return [device_from_row(row) for row in await self._session.execute(query)]

    async def replace_all(self, devices: Sequence[Device]) -> None:
        if not devices:
            return
        keys = [device.key for device in devices]
        # Held until commit on a database server, so no other save deletes one of them meanwhile.
        held = select(_DEVICES.c.key).where(_DEVICES.c.key.in_(keys)).with_for_update()
        if len((await self._session.execute(held)).all()) != len(keys):
            raise SaveConflict("a device to replace is no longer stored")
        rows = [_replacement(device_values(device)) for device in devices]
        replaced = await self._bulk(_REPLACE, rows)
        if self._session.get_bind().dialect.supports_sane_multi_rowcount and replaced != len(rows):
            raise SaveConflict("a device to replace is no longer stored")

    async def add_all(self, devices: Sequence[Device]) -> None:
        if devices:
            await self._bulk(insert(_DEVICES), [device_values(device) for device in devices])

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
        await self._session.flush()
        return True

    async def list(
        self, *, vendor: str | None, token: str | None, first: int, after_mac: str | None
    ) -> DevicePage:
        query = select(DeviceRow)
        if vendor is not None:
            query = query.where(DeviceRow.vendor == vendor)
        if token is not None:
            query = query.where(DeviceRow.token == token)
        total = await self._session.scalar(select(func.count()).select_from(query.subquery()))
        if after_mac is not None:
            query = query.where(DeviceRow.mac > after_mac)
        result = await self._session.execute(query.order_by(col(DeviceRow.mac)).limit(first + 1))
        rows = list(result.scalars())
        return DevicePage(
            devices=[device_from_row(row) for row in rows[:first]],
            total_count=total or 0,
            has_next_page=len(rows) > first,
        )

    async def record_provisioning(self, key: str, record: ProvisioningRecord) -> None:
        statement = (
            update(DeviceRow)
            .where(col(DeviceRow.key) == key)
            .values(last_provisioning=record_to_json(record))
        )
        await self._session.execute(statement)


def _replacement(values: dict[str, Any]) -> dict[str, Any]:
    kept = {name: value for name, value in values.items() if name not in _KEPT_ON_REPLACE}
    return {"stored_key": values["key"], **kept}


class SqlCredentialStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_api_token_hash(self) -> str | None:
        row = await self._session.get(CredentialRow, API_TOKEN)
        return row.secret_hash if row else None

    async def set_api_token_hash(self, token_hash: str) -> None:
        row = await self._session.get(CredentialRow, API_TOKEN)
        self._session.add(CredentialRow(name=API_TOKEN, secret_hash=token_hash) if row is None else row)
        if row is not None:
            row.secret_hash = token_hash
        await self._session.flush()
