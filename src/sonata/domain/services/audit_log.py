"""Reading the audit log, newest first, and pruning what is older than its retention."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from sonata.domain.audit import AuditEntry
from sonata.domain.cursors import encode_id_cursor
from sonata.domain.errors import FieldError
from sonata.domain.mac import parse_mac
from sonata.domain.ports import Clock
from sonata.domain.services.devices import UnitOfWorkFactory
from sonata.domain.services.paging import cut_page, page_start

log = logging.getLogger("sonata.audit")

CURSOR_KIND = "audit"
PRUNE_INTERVAL_SECONDS = 3600.0
"""How often each serving process deletes the entries past the retention."""


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    has_next_page: bool


def encode_audit_cursor(entry: AuditEntry) -> str:
    assert entry.id is not None, "only stored entries have a cursor"
    return encode_id_cursor(CURSOR_KIND, entry.id)


class AuditLogService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, retention_days: int) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._retention = timedelta(days=retention_days)

    async def page(self, *, first: int, after: str | None, mac: str | None) -> AuditPage:
        """Up to `first` entries, newest first, after the entry of the cursor `after`; only those of
        the device with this MAC where given."""
        normalized = parse_mac(mac) if mac is not None else None
        wrong_mac = (
            [FieldError("mac", "is not a MAC address")] if mac is not None and normalized is None else []
        )
        before_id = page_start(CURSOR_KIND, first, after, *wrong_mac)
        async with self._uow_factory() as uow:
            entries = await uow.audit.page(first=first + 1, before_id=before_id, mac=normalized)
        return AuditPage(*cut_page(entries, first))

    async def prune(self) -> int:
        """Delete the entries older than the retention; how many."""
        async with self._uow_factory() as uow:
            pruned = await uow.audit.prune(self._clock.now() - self._retention)
            await uow.commit()
        if pruned:
            log.info("deleted %d audit log entries older than %d days", pruned, self._retention.days)
        return pruned

    async def keep_pruned(self, interval: float = PRUNE_INTERVAL_SECONDS) -> None:
        """Prune every `interval` seconds until cancelled; a failure is logged and tried again later."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.prune()
            except Exception:  # whatever the database raises, the task must live on
                log.exception("cannot prune the audit log; trying again in %d s", interval)
