"""`lastProvisioning` written behind the phones' backs: kept in memory, written in batches."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncEngine

from sonata.adapters.sql.errors import describe
from sonata.adapters.sql.mapping import record_to_json
from sonata.adapters.sql.tables import DeviceRow
from sonata.domain.model import ProvisioningRecord

log = logging.getLogger("sonata.recorder")

_DEVICES = DeviceRow.__table__  # type: ignore[attr-defined]
# Only this column: the change triggers ignore an update of it, so no fetch makes a device change.
_RECORD = (
    update(_DEVICES)
    .where(_DEVICES.c.key == bindparam("device_key"))
    .values(last_provisioning=bindparam("record"))
)


class BatchedRecorder:
    """Keeps the latest record of each device and writes them all in one transaction per `flush`.

    `record` never waits. At most `max_pending` devices wait for the next flush; a record for yet
    another device beyond them is dropped (and counted in the log). A failed flush is logged once
    until one succeeds, and its records wait for the next, unless newer ones replaced them.
    """

    def __init__(self, engine: AsyncEngine, *, max_pending: int = 100_000) -> None:
        self._engine = engine
        self._max_pending = max_pending
        self._pending: dict[str, ProvisioningRecord] = {}
        self._dropped = 0
        self._failing = False
        self._stop = asyncio.Event()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def record(self, key: str, record: ProvisioningRecord) -> None:
        if key not in self._pending and len(self._pending) >= self._max_pending:
            self._dropped += 1
            return
        self._pending[key] = record

    async def flush(self) -> None:
        """Write what is pending; never raises for a database failure."""
        if self._dropped:
            log.warning(
                "%d fetches were not recorded in lastProvisioning: %d devices were already waiting"
                " for the database",
                self._dropped,
                self._max_pending,
            )
            self._dropped = 0
        if not self._pending:
            return
        batch, self._pending = self._pending, {}
        values: list[dict[str, Any]] = [
            {"device_key": key, "record": record_to_json(record)} for key, record in batch.items()
        ]
        try:
            async with self._engine.begin() as connection:
                await connection.execute(_RECORD, values)
        except Exception as error:  # whatever the driver raises, the task must live on
            if not self._failing:
                log.error("cannot record lastProvisioning, will retry: %s", describe(error))
                self._failing = True
            self._put_back(batch)
            return
        if self._failing:
            log.info("recording lastProvisioning again")
            self._failing = False

    def _put_back(self, batch: dict[str, ProvisioningRecord]) -> None:
        """Records that came in meanwhile are newer: they win; the others return while there is room."""
        for key, record in batch.items():
            if key in self._pending:
                continue
            if len(self._pending) >= self._max_pending:
                self._dropped += 1
            else:
                self._pending[key] = record

    async def run(self, interval: float = 0.5) -> None:
        """Flush every `interval` seconds until `stop`, then once more."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), interval)
            await self.flush()
            if self._stop.is_set():
                return

    def stop(self) -> None:
        self._stop.set()
