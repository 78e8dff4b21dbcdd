"""Unknown phones written behind the phones' backs, in batches, and kept bounded in number and age."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sonata.adapters.sql.batched_writer import BatchedWriter, WriterLog
from sonata.adapters.sql.errors import describe
from sonata.adapters.sql.tables import DeviceRow, UnknownPhoneRow
from sonata.domain.ports import Clock
from sonata.domain.unknown_phones import (
    MAX_UNKNOWN_PHONES,
    UNKNOWN_PHONE_DAYS,
    UnknownPhone,
    UnknownPhonePage,
)

log = logging.getLogger("sonata.unknown_phones")
_LOG = WriterLog(
    log,
    failing="cannot note unknown phones, will retry: %s",
    recovered="noting unknown phones again",
    dropped="%d unknown phones were not noted: %d were waiting already",
)

_PHONES: Table = UnknownPhoneRow.__table__  # type: ignore[attr-defined]
_DEVICES: Table = DeviceRow.__table__  # type: ignore[attr-defined]
_PUBLISHED = exists().where(_DEVICES.c.mac == _PHONES.c.mac)
"""A device has the phone's MAC now: it is no longer unknown."""

PRUNE_EVERY = 60.0
MAX_PENDING = 1_000
"""Phones noticed between two writes at most; more are dropped (and counted in the log)."""
LOOKUP_CHUNK = 500
"""Tokens or MACs looked up in one statement."""


class SqlUnknownPhones(BatchedWriter[dict[tuple[str, str], UnknownPhone]]):
    """Notes unknown phones in memory (`noticed` never waits) and writes them every FLUSH_INTERVAL,
    keeping only those whose token some device has and whose MAC none has, and past `limit` only
    those seen last; every PRUNE_EVERY forgets the phones not seen for `days`. At the stop, `run`
    writes once more, without retrying. Also reads them, for unknownPhones."""

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        *,
        limit: int = MAX_UNKNOWN_PHONES,
        days: int = UNKNOWN_PHONE_DAYS,
        max_pending: int = MAX_PENDING,
    ) -> None:
        super().__init__(engine, _LOG, max_pending=max_pending, retries_when_stopping=False)
        self._clock = clock
        self._limit = limit
        self._days = days
        self._pending: dict[tuple[str, str], UnknownPhone] = {}
        self._dropped = 0
        self._since_prune = PRUNE_EVERY  # pruned at the start: a server that was down may hold old phones

    @property
    def pending(self) -> int:
        return len(self._pending)

    def noticed(self, phone: UnknownPhone) -> None:
        key = (phone.token, phone.mac)
        earlier = self._pending.get(key)
        if earlier is not None:
            self._pending[key] = earlier.seen_again(phone)
        elif len(self._pending) < self._max_pending:
            self._pending[key] = phone
        else:
            self._dropped += 1

    def _take(self) -> dict[tuple[str, str], UnknownPhone]:
        batch, self._pending = self._pending, {}
        return batch

    def _put_back(self, batch: dict[tuple[str, str], UnknownPhone]) -> None:
        for key, phone in batch.items():
            if key not in self._pending and len(self._pending) < self._max_pending:
                self._pending[key] = phone

    def _take_dropped(self) -> int:
        dropped, self._dropped = self._dropped, 0
        return dropped

    async def _write(self, connection: AsyncConnection, batch: dict[tuple[str, str], UnknownPhone]) -> None:
        phones = list(batch.values())
        groups = await _present(connection, _DEVICES.c.token, {phone.token for phone in phones})
        published = await _present(connection, _DEVICES.c.mac, {phone.mac for phone in phones})
        rows = [_values(phone) for phone in phones if phone.token in groups and phone.mac not in published]
        if not rows:
            return
        dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
        statement = dialect.insert(_PHONES)
        merged = {
            name: func.coalesce(statement.excluded[name], _PHONES.c[name])
            for name in ("vendor", "model", "firmware")
        }
        await connection.execute(
            statement.on_conflict_do_update(
                index_elements=["token", "mac"],
                set_={
                    "address": statement.excluded.address,
                    "last_seen": statement.excluded.last_seen,
                    **merged,
                },
            ),
            rows,
        )
        await self._keep_limit(connection)

    async def _keep_limit(self, connection: AsyncConnection) -> None:
        """Past `limit` phones, forget those seen longest ago (of those seen at the same instant, the
        first written)."""
        oldest_kept = await connection.scalar(
            select(_PHONES.c.last_seen).order_by(_PHONES.c.last_seen.desc()).offset(self._limit - 1).limit(1)
        )
        if oldest_kept is None:
            return
        await connection.execute(delete(_PHONES).where(_PHONES.c.last_seen < oldest_kept))
        excess = (await connection.scalar(select(func.count()).select_from(_PHONES)) or 0) - self._limit
        if excess > 0:
            ties = select(_PHONES.c.id).where(_PHONES.c.last_seen == oldest_kept).order_by(_PHONES.c.id)
            await connection.execute(delete(_PHONES).where(_PHONES.c.id.in_(ties.limit(excess))))

    async def prune(self) -> None:
        """Forget phones not seen for `days`, and those a device now has the MAC of."""
        async with self._engine.begin() as connection:
            await connection.execute(
                delete(_PHONES).where(_PHONES.c.last_seen < self._clock.now() - timedelta(days=self._days))
            )
            await connection.execute(delete(_PHONES).where(_PUBLISHED))

    async def _between_flushes(self, interval: float) -> None:
        """Prune every PRUNE_EVERY seconds of `run`, the first time after its first write."""
        self._since_prune += interval
        if self._since_prune < PRUNE_EVERY:
            return
        self._since_prune = 0.0
        try:
            await self.prune()
        except Exception as error:  # tried again later; old rows cost only disk meanwhile
            log.warning("cannot prune unknown phones: %s", describe(error))

    async def page(
        self, *, groups: Collection[str] | None, first: int, after_id: int | None
    ) -> UnknownPhonePage:
        conditions: list[ColumnElement[bool]] = [~_PUBLISHED]
        if groups is not None:
            conditions.append(_PHONES.c.token.in_(sorted(groups)))
        async with self._engine.connect() as connection:
            total = await connection.scalar(select(func.count()).select_from(_PHONES).where(*conditions))
            if after_id is not None:
                conditions.append(_PHONES.c.id < after_id)
            query = select(_PHONES).where(*conditions).order_by(_PHONES.c.id.desc()).limit(first + 1)
            rows = (await connection.execute(query)).all()
        return UnknownPhonePage(
            phones=[_phone(row) for row in rows[:first]],
            total_count=total or 0,
            has_next_page=len(rows) > first,
        )


async def _present(connection: AsyncConnection, column: Any, values: set[str]) -> set[str]:
    """Those of `values` some device has in `column`."""
    found: set[str] = set()
    ordered = sorted(values)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        chunk = ordered[start : start + LOOKUP_CHUNK]
        found.update((await connection.execute(select(column).where(column.in_(chunk)).distinct())).scalars())
    return found


def _values(phone: UnknownPhone) -> dict[str, Any]:
    return {
        "token": phone.token,
        "mac": phone.mac,
        "vendor": phone.vendor,
        "model": phone.model,
        "firmware": phone.firmware,
        "address": phone.address,
        "first_seen": phone.first_seen,
        "last_seen": phone.last_seen,
    }


def _phone(row: Any) -> UnknownPhone:
    return UnknownPhone(
        token=row.token,
        mac=row.mac,
        vendor=row.vendor,
        model=row.model,
        firmware=row.firmware,
        address=row.address,
        first_seen=_aware(row.first_seen),
        last_seen=_aware(row.last_seen),
        id=row.id,
    )


def _aware(moment: datetime) -> datetime:
    """SQLite gives the UTC times back naive."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
