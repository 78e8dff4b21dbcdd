"""The SQL stores of management API tokens and of the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Table, delete, exists, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sonata.adapters.sql.tables import ApiTokenRow, AuditEntryRow
from sonata.domain.access import EVERY_DEVICE, ApiToken, Role, Scope
from sonata.domain.audit import AuditEntry, Operation
from sonata.domain.ports import SaveConflict

_TOKENS: Table = ApiTokenRow.__table__  # type: ignore[attr-defined]
_AUDIT: Table = AuditEntryRow.__table__  # type: ignore[attr-defined]


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything Sonata stores is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _token(row: Row[Any]) -> ApiToken:
    scope = Scope(frozenset(row.groups)) if row.groups is not None else EVERY_DEVICE
    return ApiToken(row.name, Role(row.role), scope, _aware(row.created_at))


class SqlApiTokenStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_hash(self, token_hash: str) -> tuple[ApiToken, str] | None:
        row = (await self._session.execute(select(_TOKENS).where(_TOKENS.c.token_hash == token_hash))).first()
        return (_token(row), row.token_hash) if row else None

    async def add(self, token: ApiToken, token_hash: str) -> None:
        groups = sorted(token.scope.groups) if token.scope.groups is not None else None
        values = {
            "name": token.name,
            "token_hash": token_hash,
            "role": token.role.value,
            "groups": groups,
            "created_at": token.created_at,
        }
        try:
            await self._session.execute(insert(_TOKENS).values(values))
        except IntegrityError as error:
            raise SaveConflict("the name is taken") from error

    async def all(self) -> list[ApiToken]:
        rows = await self._session.execute(select(_TOKENS).order_by(_TOKENS.c.name))
        return [_token(row) for row in rows]

    async def any(self) -> bool:
        return bool(await self._session.scalar(select(exists().select_from(_TOKENS))))

    async def delete(self, name: str) -> bool:
        deleted = await self._session.execute(delete(_TOKENS).where(_TOKENS.c.name == name))
        return bool(getattr(deleted, "rowcount", 0))


def _entry(row: Row[Any]) -> AuditEntry:
    return AuditEntry(
        at=_aware(row.at),
        operation=Operation(row.operation),
        token_name=row.token_name,
        address=row.address,
        mac=row.mac,
        group=row.device_group,
        api_token=row.api_token,
        changed=tuple(row.changed),
        id=row.id,
    )


def _values(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "operation": entry.operation.value,
        "token_name": entry.token_name,
        "address": entry.address,
        "mac": entry.mac,
        "device_group": entry.group,
        "api_token": entry.api_token,
        "changed": list(entry.changed),
    }


class SqlAuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, entries: Sequence[AuditEntry]) -> None:
        if entries:
            await self._session.execute(insert(_AUDIT), [_values(entry) for entry in entries])

    async def page(self, *, first: int, before_id: int | None, mac: str | None) -> list[AuditEntry]:
        query = select(_AUDIT).order_by(_AUDIT.c.id.desc()).limit(first)
        if before_id is not None:
            query = query.where(_AUDIT.c.id < before_id)
        if mac is not None:
            query = query.where(_AUDIT.c.mac == mac)
        return [_entry(row) for row in await self._session.execute(query)]

    async def prune(self, before: datetime) -> int:
        pruned = await self._session.execute(delete(_AUDIT).where(_AUDIT.c.at < before))
        return int(getattr(pruned, "rowcount", 0))
