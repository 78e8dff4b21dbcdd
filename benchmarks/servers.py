"""The processes a benchmark measures: `sonata serve`, the trivial app, and a fresh database for them."""

from __future__ import annotations

import asyncio
import functools
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

API_TOKEN = "benchmark-management-token"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Running:
    url: str
    pid: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@functools.cache
def workers_supported() -> bool:
    """Whether this Sonata's `serve` takes `--workers`."""
    help_text = subprocess.run(
        [sys.executable, "-m", "sonata", "serve", "--help"], capture_output=True, text=True, check=False
    ).stdout
    return "--workers" in help_text


@contextmanager
def _process(
    name: str, command: Sequence[str], env: dict[str, str], port: int, log: Path
) -> Iterator[Running]:
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start")
            time.sleep(0.1)
        yield Running(url, process.pid)
    except RuntimeError as error:
        # The log lives in a temporary folder: what went wrong leaves with the error.
        raise RuntimeError(f"{error}\n{name}'s log ends:\n{log.read_text()[-3000:]}") from error
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


BENCHMARK_SECRET_KEY = "YmVuY2htYXJrLXNlY3JldC1rZXktMzItYnl0ZXNsbmc"
"""The key of the secrets a benchmark's Sonata keeps in PostgreSQL (older Sonatas ignore it)."""


@contextmanager
def sonata(
    database_url: str, workers: int, log: Path, settings: Mapping[str, str] | None = None
) -> Iterator[Running]:
    """`sonata serve` on a free local port, with these `SONATA_…` settings besides the database and
    the token; `--workers` is given only to a Sonata that takes it."""
    port = free_port()
    command = [sys.executable, "-m", "sonata", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers_supported():
        command += ["--workers", str(workers)]
    elif workers != 1:
        raise ValueError("this sonata serve takes no --workers")
    env = {k: v for k, v in os.environ.items() if k != "SONATA_WORKERS"}
    env.update(settings or {}, SONATA_DATABASE_URL=database_url, SONATA_API_TOKEN=API_TOKEN)
    if not database_url.startswith("sqlite"):  # where no key file is made beside the database
        env.setdefault("SONATA_SECRET_KEY", BENCHMARK_SECRET_KEY)
    with _process("sonata serve", command, env, port, log) as running:
        yield running


@contextmanager
def sonata_alone(database_url: str | None, settings: Mapping[str, str] | None = None) -> Iterator[Running]:
    """One `sonata serve` on the database given, or on a fresh SQLite file of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        database_url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        with sonata(database_url, 1, Path(tmp) / "sonata.log", settings) as server:
            yield server


@contextmanager
def trivial_app(macs: Sequence[str], body_size: int, workdir: Path) -> Iterator[Running]:
    macs_file = workdir / "macs.txt"
    macs_file.write_text("\n".join(macs) + "\n")
    port = free_port()
    command = [sys.executable, "-m", "benchmarks.trivial_app", "--port", str(port)]
    command += ["--macs", str(macs_file), "--body-size", str(body_size)]
    with _process("the trivial app", command, dict(os.environ), port, workdir / "trivial.log") as running:
        yield running


def tree_rss_kib(pid: int) -> int:
    """Resident memory (VmRSS) of a process and all its descendants, such as uvicorn's workers."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        parents[int(stat.parent.name)] = int(fields[1])
    tree, grew = {pid}, True
    while grew:
        children = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= children
        grew = bool(children)
    return sum(_rss_kib(member) for member in tree)


def _rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0  # a zombie has no memory left


@contextmanager
def fresh_postgres(url: str, prefix: str = "sonata_bench") -> Iterator[str]:
    """A new database `<prefix>_<random>` beside the one `url` names (whose role must be allowed to
    CREATE DATABASE), dropped afterwards, also when the code using it fails; the one `url` names is
    only connected to. The tests' PostgreSQL database is made here too (tests/conftest.py)."""
    name = f"{prefix}_{secrets.token_hex(4)}"

    async def execute(statement: str) -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(execute(f"CREATE DATABASE {name}"))
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        asyncio.run(execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
