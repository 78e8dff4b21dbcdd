"""`lastProvisioning` written behind the phones' backs: kept in memory, written in batches."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from sonata.adapters.metrics import Metrics
from sonata.adapters.sql.errors import describe
from sonata.adapters.sql.mapping import record_to_json
from sonata.domain.model import ProvisioningRecord

log = logging.getLogger("sonata.recorder")

FLUSH_INTERVAL = 1.0
"""Seconds between two writes: lastProvisioning is at most about this far behind (README)."""

RETRY_WHEN_STOPPING = 0.25
"""Seconds between two tries to write the last records of a stopping server."""

STATEMENT_ROWS = 5_000
"""Records written by one statement; a flush of more runs several in its one transaction."""

# One statement per batch: the records travel as one JSON array, so the database does the work in
# one call instead of one per device. They go to the narrow device_provisioning table, never to
# `devices`, so no fetch counts as a change of its device; the join with `devices` drops the record
# of a device deleted meanwhile. (SQLite wants a WHERE before ON CONFLICT in an INSERT … SELECT.)
RECORD_BATCH = {
    "sqlite": text(
        "INSERT INTO device_provisioning (key, record)"
        " SELECT devices.key, json_extract(batch.value, '$.record') FROM json_each(:batch) AS batch"
        " JOIN devices ON devices.key = json_extract(batch.value, '$.key') WHERE true"
        " ON CONFLICT (key) DO UPDATE SET record = excluded.record"
    ),
    "postgresql": text(
        "INSERT INTO device_provisioning (key, record)"
        " SELECT devices.key, batch.value -> 'record' FROM json_array_elements(CAST(:batch AS json)) AS batch"
        " JOIN devices ON devices.key = batch.value ->> 'key'"
        " ON CONFLICT (key) DO UPDATE SET record = excluded.record"
    ),
}


def encode_batch(records: Mapping[str, ProvisioningRecord]) -> str:
    """The `:batch` of RECORD_BATCH: one record per key."""
    return json.dumps([{"key": key, "record": record_to_json(record)} for key, record in records.items()])


class BatchedRecorder:
    """Keeps the latest record of each device and writes them all in one transaction per `flush`.

    `record` never waits. At most `max_pending` devices wait for the next flush; a record for yet
    another device beyond them is dropped (and counted in the log). A failed flush is logged once
    until one succeeds, and its records wait for the next, unless newer ones replaced them.
    """

    def __init__(
        self, engine: AsyncEngine, *, max_pending: int = 100_000, metrics: Metrics | None = None
    ) -> None:
        """`metrics` shows the devices waiting after each flush, and counts the failed ones."""
        self._engine = engine
        self._metrics = metrics
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
        keys = list(batch)
        statement = RECORD_BATCH[self._engine.dialect.name]
        try:
            async with self._engine.begin() as connection:
                for start in range(0, len(keys), STATEMENT_ROWS):
                    chunk = {key: batch[key] for key in keys[start : start + STATEMENT_ROWS]}
                    await connection.execute(statement, {"batch": encode_batch(chunk)})
        except Exception as error:  # whatever the driver raises, the task must live on
            if self._metrics is not None:
                self._metrics.database_error("records")
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

    async def run(self, interval: float = FLUSH_INTERVAL) -> None:
        """Flush every `interval` seconds until `stop`; then until nothing waits, a failed write tried
        again every RETRY_WHEN_STOPPING seconds (the caller bounds how long)."""
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), interval)
            await self._flush_and_show()
        while self._pending:  # came in during the last flush, or put back by a failed one
            await asyncio.sleep(RETRY_WHEN_STOPPING)
            await self._flush_and_show()

    async def _flush_and_show(self) -> None:
        await self.flush()
        if self._metrics is not None:
            self._metrics.records_pending(len(self._pending))

    def stop(self) -> None:
        self._stop.set()
