"""The benchmark's one table, in markdown."""

from __future__ import annotations

import importlib.util
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.wrk import WrkResult

COLUMNS = (
    "database",
    "devices",
    "measurement",
    "workers",
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "trivial req/s",
    "ratio",
    "server RSS",
    "notes",
)


@dataclass(frozen=True)
class Row:
    database: str
    devices: int
    measurement: str
    workers: int | None = None
    result: WrkResult | None = None
    trivial: WrkResult | None = None
    rss_kib: int | None = None
    notes: str = ""


def count(devices: int) -> str:
    return f"{devices // 1000}k" if devices >= 1000 and devices % 1000 == 0 else str(devices)


def _cells(row: Row) -> list[str]:
    result, trivial = row.result, row.trivial
    return [
        row.database,
        count(row.devices),
        row.measurement,
        "" if row.workers is None else str(row.workers),
        "" if result is None else f"{result.rate:,.0f}",
        "" if result is None else f"{result.p50_ms:.1f}",
        "" if result is None else f"{result.p99_ms:.1f}",
        "" if result is None else str(result.errors),
        "" if trivial is None else f"{trivial.rate:,.0f}",
        "" if result is None or trivial is None or not trivial.rate else f"{result.rate / trivial.rate:.2f}",
        "" if row.rss_kib is None else f"{row.rss_kib / 1024:.0f} MB",
        row.notes,
    ]


def markdown(rows: Sequence[Row]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_cells(row)) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    """The machine and the server parts a table was measured with."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    parts = [name for name in ("uvloop", "httptools") if importlib.util.find_spec(name) is not None]
    return (
        f"{os.cpu_count()} cores of {cpu}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {' and '.join(parts) or 'no uvloop or httptools'}"
    )
