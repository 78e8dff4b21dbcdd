"""Sonata against a trivial Starlette app under wrk: one markdown table of phones served per second.

    make bench ARGS="[--devices 10000] [--skip-100k] [--duration 8] [--warmup 2] [--workers 1,2]
                     [--database-url postgresql://…]"
    .venv/bin/python -m benchmarks.storm …   (the same)

For SQLite (a fresh file), and for PostgreSQL when given a URL (a fresh database created beside
the one it names, dropped afterwards), at --devices and at 100k devices:

- publishes Yealink T46S devices through `importDevices` (batches of 500), timing the first 10k;
- starts the trivial app (benchmarks/trivial_app.py, one worker) with a body the size of Sonata's
  device file for each device;
- for each worker count, starts `sonata serve --workers N` and, per link (personal, common), has
  64 connections fetch every device's file once, in turn (the first fetches: a render each), then
  runs the same wrk script against both after a warm-up, A/B/A/B: `wrk -t2 -c64` rounds of random
  phones, each with its own User-Agent (with one worker all cached by then; with more, each worker
  renders a file the first time it is asked for it);
- at the first size, a boot storm: 10k phones, 64 at once, each fetching its boot file, the
  T46S common file and its device file in order.

Progress goes to stderr; the table, with the machine it ran on, to stdout.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.seeding import GROUP_TOKEN, Imported, device_file_size, import_devices, macs
from benchmarks.servers import Running, fresh_postgres, sonata, tree_rss_kib, trivial_app, workers_supported
from benchmarks.table import Row, count, machine, markdown
from benchmarks.wrk import (
    INSTALL_HINT,
    Link,
    Phone,
    WrkResult,
    boot_script,
    combine,
    fetch_script,
    first_fetch_script,
    run,
    run_storm,
)

LARGE = 100_000
IMPORT_MEASURED = 10_000
STORM_PHONES = 10_000
STORM_CONCURRENCY = 64
STORM_LIMIT = 600
"""Seconds after which a boot storm that has not finished is cut short (and says so)."""
LINKS: tuple[Link, ...] = ("personal", "common")
FIRST_FETCH = ", first fetch of each device"
"""The row of each device's file fetched once, in turn: what the random rounds after it find cached."""


def _workers(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is no list of worker counts such as 1,2")
    return counts


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.storm", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--devices", type=int, default=10_000, help="devices of the first size (10000)")
    parser.add_argument("--skip-100k", action="store_true", help="measure no second size of 100k devices")
    parser.add_argument("--duration", type=int, default=8, help="seconds of each wrk round (8)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of the unmeasured first run (2)")
    parser.add_argument("--workers", type=_workers, default=[1, 2], help="worker counts to measure (1,2)")
    parser.add_argument("--database-url", help="also measure PostgreSQL: a postgresql:// URL")
    args = parser.parse_args(argv)
    if args.devices < 1 or args.duration < 1 or args.warmup < 0:
        parser.error("--devices and --duration take a number above 0, --warmup 0 or more")
    if args.database_url and not args.database_url.startswith(("postgresql://", "postgres://")):
        parser.error("--database-url takes a postgresql:// URL (SQLite is always measured)")
    return args


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def side_by_side(
    ours: str, theirs: str, script: Path, args: argparse.Namespace
) -> tuple[WrkResult, WrkResult]:
    """The same wrk script against Sonata and the trivial app: a warm-up each, then A/B/A/B."""
    if args.warmup:
        run(ours, script, args.warmup)
        run(theirs, script, args.warmup)
    rounds: tuple[list[WrkResult], list[WrkResult]] = ([], [])
    for _ in range(2):
        rounds[0].append(run(ours, script, args.duration))
        rounds[1].append(run(theirs, script, args.duration))
    return combine(rounds[0]), combine(rounds[1])


def _import_row(database: str, imported: Imported) -> Row:
    measured = min(IMPORT_MEASURED, len(imported.phones))
    seconds = imported.seconds_for(measured) or 0.0
    rate = f", {measured / seconds:,.0f} documents/s" if seconds else ""
    return Row(database, measured, "import, batches of 500", notes=f"{seconds:.1f} s{rate}")


def _storm_row(database: str, server: Running, phones: Sequence[Phone], workers: int, workdir: Path) -> Row:
    _progress(f"{database}, {workers} worker(s): boot storm of {len(phones)} phones")
    threads = min(STORM_CONCURRENCY, len(phones))
    script, finished = workdir / "boot.lua", workdir / "boot.finished"
    script.write_text(boot_script(phones, GROUP_TOKEN, threads, finished))
    result = run_storm(server.url, script, threads, finished, STORM_LIMIT)
    booted = result.phones_booted or 0
    notes = f"{count(booted)} phones, 3 files each, in {result.storm_seconds or 0:.1f} s"
    if booted < len(phones):
        notes += f"; only {booted} of {len(phones)} booted within {STORM_LIMIT} s"
    return Row(
        database,
        len(phones),
        f"boot storm, {threads} at once",
        workers,
        result,
        None,
        tree_rss_kib(server.pid),
        notes,
    )


def _first_fetches(url: str, phones: Sequence[Phone], link: Link, workdir: Path) -> WrkResult:
    """Every phone's device file fetched once, 64 connections each taking its share in turn."""
    script, finished = workdir / f"first-{link}.lua", workdir / f"first-{link}.finished"
    script.write_text(first_fetch_script(phones, link, GROUP_TOKEN, STORM_CONCURRENCY, finished))
    return run_storm(url, script, STORM_CONCURRENCY, finished, STORM_LIMIT)


def _rows_at_size(
    database: str,
    url: str,
    phones: Sequence[Phone],
    body_size: int,
    storm: bool,
    args: argparse.Namespace,
    workdir: Path,
) -> list[Row]:
    scripts = {}
    for link in LINKS:
        scripts[link] = workdir / f"{link}.lua"
        scripts[link].write_text(fetch_script(phones, link, GROUP_TOKEN))
    measurements = [f"{link} link{what}" for link in LINKS for what in (FIRST_FETCH, "")]
    measurements += ["boot storm"] if storm else []
    rows = []
    with trivial_app([p.mac for p in phones], body_size, workdir) as trivial:
        for workers in args.workers:
            if workers != 1 and not workers_supported():
                not_supported = "n/a: --workers not supported"
                rows += [Row(database, len(phones), m, workers, notes=not_supported) for m in measurements]
                continue
            with sonata(url, workers, workdir / f"sonata-{workers}.log") as server:
                for link in LINKS:
                    _progress(f"{database}, {count(len(phones))} devices, {workers} worker(s): {link} link")
                    first = [_first_fetches(url, phones, link, workdir) for url in (server.url, trivial.url)]
                    rss = tree_rss_kib(server.pid)
                    rows.append(Row(database, len(phones), f"{link} link{FIRST_FETCH}", workers, *first, rss))
                    ours, theirs = side_by_side(server.url, trivial.url, scripts[link], args)
                    rss = tree_rss_kib(server.pid)
                    rows.append(Row(database, len(phones), f"{link} link", workers, ours, theirs, rss))
                if storm:
                    rows.append(_storm_row(database, server, phones[:STORM_PHONES], workers, workdir))
    return rows


def _database_rows(
    database: str, url: str, sizes: Sequence[int], args: argparse.Namespace, workdir: Path
) -> list[Row]:
    rows: list[Row] = []
    phones: list[Phone] = []
    every_mac = macs(sizes[-1])
    for size in sizes:
        _progress(f"{database}: publishing devices {len(phones) + 1} to {size}")
        with sonata(url, 1, workdir / "seeding.log") as server:
            imported = import_devices(server.url, every_mac[len(phones) : size], len(phones))
            if not phones:
                rows.append(_import_row(database, imported))
            phones += imported.phones
            body_size = device_file_size(server.url, phones[0])
        rows += _rows_at_size(database, url, phones, body_size, size == sizes[0], args, workdir)
    return rows


def _all_rows(sizes: Sequence[int], args: argparse.Namespace) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="sonata-bench-") as tmp:
        workdir = Path(tmp)
        rows = _database_rows("SQLite", f"sqlite:///{workdir / 'bench.db'}", sizes, args, workdir)
        if args.database_url:
            with fresh_postgres(args.database_url) as url:
                rows += _database_rows("PostgreSQL", url, sizes, args, workdir)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    if shutil.which("wrk") is None:
        print(f"The benchmark needs wrk, which is not installed; {INSTALL_HINT}", file=sys.stderr)
        return 2
    sizes = [args.devices] + ([] if args.skip_100k or args.devices >= LARGE else [LARGE])
    try:
        rows = _all_rows(sizes, args)
    except RuntimeError as error:
        print(f"The benchmark stopped: {error}", file=sys.stderr)
        return 1
    warmup = f"after a {args.warmup} s warm-up each" if args.warmup else "without warm-up"
    print(
        f"Measured on {machine()}, wrk on the same machine: `wrk -t2 -c64` A/B/A/B rounds of "
        f"{args.duration} s {warmup}; ratio = Sonata / trivial app (one worker).\n"
    )
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
