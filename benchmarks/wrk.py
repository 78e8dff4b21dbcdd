"""wrk driven by the Lua scripts in benchmarks/lua: the scripts for a set of phones, the runs, the result.

Each script ends its run with one line, `WRK_RESULT requests=… seconds=… p50_ms=… p99_ms=…
status_errors=… socket_errors=…` (a boot storm adds `storm_seconds=… phones_booted=…`), which
`parse_result` reads. Status errors are responses of status 400 or more (wrk's own count); socket
errors are failed connects, reads and writes, and responses later than the timeout.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

LUA_DIR = Path(__file__).parent / "lua"
INSTALL_HINT = "install it with: apt-get install wrk"
TIMEOUT = "5s"
"""A response later than this counts as a socket error, as a phone would give up on it."""

Link = Literal["personal", "common"]

_RESULT = re.compile(r"^WRK_RESULT (.+)$", re.MULTILINE)
# Keys, MACs and tokens go into URL paths and a Lua long string: unreserved URL characters only.
_SAFE = re.compile(r"[A-Za-z0-9._~-]+")


@dataclass(frozen=True)
class Phone:
    key: str
    mac: str
    """12 lowercase hex digits."""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    status_errors: int
    socket_errors: int
    storm_seconds: float | None = None
    phones_booted: int | None = None

    @property
    def errors(self) -> int:
        return self.status_errors + self.socket_errors

    @property
    def rate(self) -> float:
        """Requests per second; a boot storm's over the time its phones took, not wrk's whole run."""
        seconds = self.seconds if self.storm_seconds is None else self.storm_seconds
        return self.requests / seconds if seconds > 0 else 0.0


def _safe(what: str, value: str) -> str:
    if not _SAFE.fullmatch(value):
        raise ValueError(f"{what} {value!r} holds characters a benchmark URL cannot carry")
    return value


def _lua_string(value: str) -> str:
    if any(ord(c) < 32 or c in '"\\' for c in value):
        raise ValueError(f"{value!r} cannot be written as a plain Lua string")
    return f'"{value}"'


def _script(
    body: str, phones: Sequence[Phone], link: Link, token: str, **numbers_and_strings: int | str
) -> str:
    # Records of one width, `key mac` with the key padded: Lua finds phone n without reading the others.
    width = max(len(_safe("key", p.key)) for p in phones)
    records = "".join(f"{p.key:<{width}} {_safe('MAC', p.mac)}\n" for p in phones)
    lines = [
        "-- Written by benchmarks/wrk.py for one run.",
        f"PHONES = [[\n{records}]]",
        f"RECORD = {width + 14}",
        f"COUNT = {len(phones)}",
        f"LINK = {_lua_string(link)}",
        f"TOKEN = {_lua_string(_safe('token', token))}",
    ]
    for name, value in numbers_and_strings.items():
        lines.append(f"{name} = {value if isinstance(value, int) else _lua_string(value)}")
    shared = (LUA_DIR / "shared.lua").read_text()
    return "\n".join([*lines, "", shared, (LUA_DIR / body).read_text()])


def fetch_script(phones: Sequence[Phone], link: Link, token: str) -> str:
    """Random phones fetching their device file on the personal or the common link."""
    return _script("random_fetch.lua", phones, link, token)


def boot_script(phones: Sequence[Phone], token: str, threads: int, finished_file: Path) -> str:
    """Each of `threads` connections boots its share of the phones in turn, on the common link."""
    return _walk(phones, "common", token, threads, finished_file, boot=True)


def first_fetch_script(
    phones: Sequence[Phone], link: Link, token: str, threads: int, finished_file: Path
) -> str:
    """Each of `threads` connections fetches the device file of its share of the phones, once each."""
    return _walk(phones, link, token, threads, finished_file, boot=False)


def _walk(
    phones: Sequence[Phone], link: Link, token: str, threads: int, finished_file: Path, *, boot: bool
) -> str:
    return _script(
        "boot_storm.lua",
        phones,
        link,
        token,
        THREADS=threads,
        FINISHED_FILE=str(finished_file),
        BOOT=int(boot),
    )


def parse_result(output: str) -> WrkResult:
    match = _RESULT.search(output)
    if match is None:
        raise RuntimeError(f"wrk gave no result line:\n{output}")
    fields = dict(item.split("=", 1) for item in match[1].split())
    storm = "storm_seconds" in fields
    return WrkResult(
        requests=int(fields["requests"]),
        seconds=float(fields["seconds"]),
        p50_ms=float(fields["p50_ms"]),
        p99_ms=float(fields["p99_ms"]),
        status_errors=int(fields["status_errors"]),
        socket_errors=int(fields["socket_errors"]),
        storm_seconds=float(fields["storm_seconds"]) if storm else None,
        phones_booted=int(fields["phones_booted"]) if storm else None,
    )


def combine(rounds: Sequence[WrkResult]) -> WrkResult:
    """Rounds of one measurement as one: requests over the total time, the rounds' mean p50, the worst p99."""
    return WrkResult(
        requests=sum(r.requests for r in rounds),
        seconds=sum(r.seconds for r in rounds),
        p50_ms=sum(r.p50_ms for r in rounds) / len(rounds),
        p99_ms=max(r.p99_ms for r in rounds),
        status_errors=sum(r.status_errors for r in rounds),
        socket_errors=sum(r.socket_errors for r in rounds),
    )


def _command(url: str, script: Path, seconds: int, threads: int, connections: int) -> list[str]:
    return [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={TIMEOUT}",
        f"-s{script}",
        url,
    ]


def run(url: str, script: Path, seconds: int, threads: int = 2, connections: int = 64) -> WrkResult:
    """`wrk -t2 -c64 -d<seconds>` with the script."""
    done = subprocess.run(
        _command(url, script, seconds, threads, connections), capture_output=True, text=True, check=False
    )
    return parse_result(done.stdout + done.stderr)


def run_storm(url: str, script: Path, threads: int, finished_file: Path, limit_seconds: int) -> WrkResult:
    """A boot storm script until every thread has booted its phones (or the limit passes).

    wrk runs for its duration even when its threads are done, so once each thread has written
    its line to `finished_file` it gets the SIGINT that ends a run early, as Ctrl-C would.
    """
    finished_file.write_text("")
    with subprocess.Popen(
        _command(url, script, limit_seconds, threads, threads),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as wrk:
        while wrk.poll() is None and len(finished_file.read_text().split()) < threads:
            time.sleep(0.02)
        if wrk.poll() is None:
            wrk.send_signal(signal.SIGINT)
        output, _ = wrk.communicate()
    return parse_result(output)
