"""The provisioning_events table: events as rows and back, a device's page of them, and pruning."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Table, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from sonata.adapters.sql.tables import ProvisioningEventRow
from sonata.domain.phone_fetch import RefusalKind
from sonata.domain.provisioning_events import ProvisioningEvent

EVENTS: Table = ProvisioningEventRow.__table__  # type: ignore[attr-defined]

PRUNE_ROWS = 10_000
"""Rows deleted by one transaction of a prune, so that saves (SQLite has one writer) wait little."""


def event_values(event: ProvisioningEvent) -> dict[str, Any]:
    return {
        "at": event.at,
        "mac": event.mac,
        "device_group": event.group,
        "address": event.address,
        "user_agent": event.user_agent,
        "filename": event.filename,
        "refusal": event.refusal.value if event.refusal else None,
        "reason": event.reason,
    }


def event_from_row(row: Row[Any]) -> ProvisioningEvent:
    at: datetime = row.at
    return ProvisioningEvent(
        at=at if at.tzinfo is not None else at.replace(tzinfo=UTC),  # SQLite gives naive UTC times back
        mac=row.mac,
        group=row.device_group,
        address=row.address,
        user_agent=row.user_agent,
        filename=row.filename,
        refusal=RefusalKind(row.refusal) if row.refusal else None,
        reason=row.reason,
        id=row.id,
    )


class SqlProvisioningEvents:
    """Reads a device's events (the ProvisioningEventStore port)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def page(
        self, *, mac: str, first: int, before_id: int | None, groups: Collection[str] | None
    ) -> list[ProvisioningEvent]:
        query = select(EVENTS).where(EVENTS.c.mac == mac).order_by(EVENTS.c.id.desc()).limit(first)
        if before_id is not None:
            query = query.where(EVENTS.c.id < before_id)
        if groups is not None:
            query = query.where(EVENTS.c.device_group.in_(groups))
        async with self._engine.connect() as connection:
            return [event_from_row(row) for row in await connection.execute(query)]


async def prune_events(engine: AsyncEngine, before: datetime) -> int:
    """Delete the events of fetches before `before`, PRUNE_ROWS a transaction; how many."""
    oldest = select(EVENTS.c.id).where(EVENTS.c.at < before).limit(PRUNE_ROWS).scalar_subquery()
    pruned = 0
    while True:
        async with engine.begin() as connection:
            deleted = await connection.execute(delete(EVENTS).where(EVENTS.c.id.in_(oldest)))
        count = int(getattr(deleted, "rowcount", 0))
        pruned += count
        if count < PRUNE_ROWS:
            return pruned
