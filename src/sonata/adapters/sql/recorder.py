"""`lastProvisioning` written behind the phones' backs: kept in memory, written in batches."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sonata.adapters.metrics import Metrics
from sonata.adapters.sql.batched_writer import BatchedWriter, WriterLog
from sonata.adapters.sql.mapping import record_to_json
from sonata.domain.model import ProvisioningRecord

_LOG = WriterLog(
    logging.getLogger("sonata.recorder"),
    failing="cannot record lastProvisioning, will retry: %s",
    recovered="recording lastProvisioning again",
    dropped="%d fetches were not recorded in lastProvisioning: %d devices were already waiting"
    " for the database",
)

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


class BatchedRecorder(BatchedWriter[dict[str, ProvisioningRecord]]):
    """Keeps the latest record of each device and writes them all in one transaction per `flush`.

    `record` never waits. At most `max_pending` devices wait for the next flush; a record for yet
    another device beyond them is dropped (and counted in the log). A failed flush is logged once
    until one succeeds, and its records wait for the next, unless newer ones replaced them. At the
    stop, `run` tries again until they are written.
    """

    def __init__(
        self, engine: AsyncEngine, *, max_pending: int = 100_000, metrics: Metrics | None = None
    ) -> None:
        """`metrics` shows the devices waiting after each flush, and counts the failed ones."""
        super().__init__(engine, _LOG, max_pending=max_pending, retries_when_stopping=True)
        self._metrics = metrics
        self._pending: dict[str, ProvisioningRecord] = {}
        self._dropped = 0

    @property
    def pending(self) -> int:
        return len(self._pending)

    def record(self, key: str, record: ProvisioningRecord) -> None:
        if key not in self._pending and len(self._pending) >= self._max_pending:
            self._dropped += 1
            return
        self._pending[key] = record

    async def flush(self) -> None:
        await super().flush()
        if self._metrics is not None:
            self._metrics.records_pending(len(self._pending))

    def _take(self) -> dict[str, ProvisioningRecord]:
        batch, self._pending = self._pending, {}
        return batch

    async def _write(self, connection: AsyncConnection, batch: dict[str, ProvisioningRecord]) -> None:
        keys = list(batch)
        statement = RECORD_BATCH[connection.dialect.name]
        for start in range(0, len(keys), STATEMENT_ROWS):
            chunk = {key: batch[key] for key in keys[start : start + STATEMENT_ROWS]}
            await connection.execute(statement, {"batch": encode_batch(chunk)})

    def _write_failed(self, error: Exception) -> None:
        if self._metrics is not None:
            self._metrics.database_error("records")
        super()._write_failed(error)

    def _put_back(self, batch: dict[str, ProvisioningRecord]) -> None:
        """Records that came in meanwhile are newer: they win; the others return while there is room."""
        for key, record in batch.items():
            if key in self._pending:
                continue
            if len(self._pending) >= self._max_pending:
                self._dropped += 1
            else:
                self._pending[key] = record

    def _take_dropped(self) -> int:
        dropped, self._dropped = self._dropped, 0
        return dropped
