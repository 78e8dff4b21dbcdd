"""The SQL implementations of the domain's repositories."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sonata.adapters.sql.mapping import device_from_row, device_to_row, record_to_json
from sonata.adapters.sql.tables import CredentialRow, DeviceRow
from sonata.domain.model import Device, ProvisioningRecord
from sonata.domain.ports import DevicePage

API_TOKEN = "api_token"


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
