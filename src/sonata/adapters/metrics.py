"""Sonata's Prometheus metrics: counted in each serving process, read together at /metrics.

With `sonata serve --workers N`, every worker counts into files of its own in one directory (the
prometheus_client multiprocess mode, which the parent process turns on for its workers by setting
PROMETHEUS_MULTIPROC_DIR before they start); any worker answering /metrics sums them all. Counters
of a worker that died stay in the sums, as counters should; its gauge values are dropped.

Labels take only a few fixed values each (vendors, file kinds, outcomes, kinds of refusal), never
a key, a token, a MAC or an address.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

from sonata.domain.phone_fetch import FetchOutcome, PhoneFetch, RefusalKind
from sonata.domain.vendors.base import FileKind

METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
"""prometheus_client's multiprocess mode counts in the directory it names: set before the workers start."""
CONTENT_TYPE = CONTENT_TYPE_LATEST
"""Of the Prometheus text format."""
UNKNOWN = "unknown"
FLUSH_EVERY = 1.0
"""Seconds between two additions of a worker's phone counts to the metrics every worker reads."""
RENDER_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
"""Seconds: a config renders in about a millisecond."""
_LIVE_GAUGE_FILE = re.compile(r"gauge_live\w+_(\d+)\.db")
_FetchKey = tuple[str | None, FileKind | None, FetchOutcome, RefusalKind | None, bool]
"""Vendor, kind of file, outcome, kind of refusal, from memory."""


class Metrics:
    """The metrics of one serving process; `multiprocess_dir` is where the workers of one
    `sonata serve --workers N` count (None: this process serves alone)."""

    def __init__(self, multiprocess_dir: Path | None = None) -> None:
        self._dir = multiprocess_dir
        # No `_created` series (the multiprocess sums have none either): one way, whatever --workers.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self._registry = CollectorRegistry(auto_describe=True)
        registry = self._registry
        self._phone_requests = Counter(
            "sonata_phone_requests",
            "Requests on the phone links by vendor (the device's if one was served, else the"
            " User-Agent's), kind of file served and outcome (served, refused, error: a 503)",
            ["vendor", "kind", "outcome"],
            registry=registry,
        )
        refusals = Counter(
            "sonata_phone_refusals",
            "Refused phone requests by the kind of refusal",
            ["reason"],
            registry=registry,
        )
        self._render = Histogram(
            "sonata_render_seconds",
            "Time to render a file that was not in memory, by vendor",
            ["vendor"],
            buckets=RENDER_BUCKETS,
            registry=registry,
        )
        cache = Counter(
            "sonata_cache_lookups",
            "Devices and files phones asked for, found in memory (hit) or not (miss: read from the"
            " database, or rendered)",
            ["cache", "result"],
            registry=registry,
        )
        self._graphql = Counter(
            "sonata_graphql_operations",
            "Management API operations by type (query, mutation, subscription; unknown before a"
            " document was read) and outcome (ok, error: the client's mistake, forbidden,"
            " unauthenticated, internal: Sonata's fault)",
            ["type", "outcome"],
            registry=registry,
        )
        self._database_errors = Counter(
            "sonata_database_errors",
            "Database failures by where they were met: phones (answered 503), api (the management"
            " API), records (lastProvisioning writes, retried)",
            ["where"],
            registry=registry,
        )
        self._pending = Gauge(
            "sonata_records_pending",
            "Devices whose latest fetch waits to be written to lastProvisioning",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self._refusals = {kind: refusals.labels(kind.value) for kind in RefusalKind}
        self._device_hit, self._device_miss = cache.labels("device", "hit"), cache.labels("device", "miss")
        self._file_hit, self._file_miss = cache.labels("file", "hit"), cache.labels("file", "miss")
        for where in ("phones", "api", "records"):
            self._database_errors.labels(where)
        # A phone request is counted here, in plain numbers, and added to the metrics at `flush`:
        # a metric's own count costs microseconds (a lock, and a write to a file with --workers).
        self._fetches: dict[_FetchKey, int] = {}
        self._device_lookups = [0, 0]  # misses, hits

    def fetched(self, fetch: PhoneFetch) -> None:
        """A phone request and what it came to (the FetchObserver port)."""
        key = (fetch.vendor, fetch.kind, fetch.outcome, fetch.refusal, fetch.render_seconds is None)
        self._fetches[key] = self._fetches.get(key, 0) + 1
        if fetch.render_seconds is not None:  # a render costs a thousand times more than this
            self._render.labels(fetch.vendor or UNKNOWN).observe(fetch.render_seconds)

    def device_lookup(self, hit: bool) -> None:
        self._device_lookups[hit] += 1

    def flush(self) -> None:
        """Add what was counted since the last flush to the metrics."""
        fetches, self._fetches = self._fetches, {}
        for (vendor, kind, outcome, refusal, from_memory), count in fetches.items():
            self._phone_requests.labels(vendor or UNKNOWN, _kind(kind), outcome.value).inc(count)
            if refusal is not None:
                self._refusals[refusal].inc(count)
            elif outcome is FetchOutcome.SERVED:
                (self._file_hit if from_memory else self._file_miss).inc(count)
        (misses, hits), self._device_lookups = self._device_lookups, [0, 0]
        if hits:
            self._device_hit.inc(hits)
        if misses:
            self._device_miss.inc(misses)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """While serving: flush every FLUSH_EVERY seconds, so the other workers' answers have this
        one's counts; on the way out, flush the last ones and leave the gauges' sums."""
        self._forget_dead_workers()
        flushing = asyncio.create_task(self._flush_regularly())
        try:
            yield
        finally:
            flushing.cancel()
            self.flush()
            if self._dir is not None:
                multiprocess.mark_process_dead(os.getpid(), str(self._dir))  # type: ignore[no-untyped-call]

    async def _flush_regularly(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_EVERY)
            self.flush()

    def graphql_operation(self, operation_type: str, outcome: str) -> None:
        self._graphql.labels(operation_type, outcome).inc()

    def database_error(self, where: str) -> None:
        self._database_errors.labels(where).inc()

    def records_pending(self, count: int) -> None:
        self._pending.set(count)

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format: this process's, or all workers' summed."""
        self.flush()
        if self._dir is None:
            return generate_latest(self._registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(self._dir))  # type: ignore[no-untyped-call]
        return generate_latest(registry)

    def _forget_dead_workers(self) -> None:
        """Drop the gauge values of workers that died without stopping (killed, or crashed)."""
        if self._dir is None:
            return
        for path in self._dir.glob("gauge_live*_*.db"):
            found = _LIVE_GAUGE_FILE.fullmatch(path.name)
            if found and not _alive(int(found.group(1))):
                multiprocess.mark_process_dead(int(found.group(1)), str(self._dir))  # type: ignore[no-untyped-call]


def _kind(kind: FileKind | None) -> str:
    return kind.name.lower() if kind is not None else UNKNOWN


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
