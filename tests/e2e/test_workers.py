"""Several processes on one database: `sonata serve --workers N` and several `sonata serve` instances.

Each is prepared once (migrations, start line, generated token) and each change made through one
process reaches the phones of every other within the README's bound of 1 s.
"""

import asyncio
import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import SQLModel
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server
from tests.e2e.test_management_api import SAVE, yealink_input

from sonata.adapters.sql.database import create_engine

BOUND = 1.5  # seconds: the README promises 1; the rest is slack for a busy test machine
PATIENCE = 3.0  # seconds a change may take before the test gives up on it
STREAK = 8  # rounds in a row that must all show a change
MAC = "001565123456"
YEALINK_UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:12:34:56"
UPDATE = """
mutation Update($key: String!, $input: DevicePatch!) {
  updateDevice(key: $key, input: $input) { device { key } errors { field message } }
}
"""
DELETE = "mutation Delete($key: String!) { deleteDevice(key: $key) { deleted errors { field } } }"

Fetch = Callable[[str], httpx.Response]


async def drop_tables(url: str) -> None:
    """An empty PostgreSQL database, as tests/integration/conftest.py makes one; `sonata serve` migrates it."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        await engine.dispose()


def fresh_postgres_url(request: pytest.FixtureRequest) -> str:
    """This run's own PostgreSQL database (tests/conftest.py), emptied; skips without a server."""
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(drop_tables(url))
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sonata.db'}" if request.param == "sqlite" else fresh_postgres_url(request)


@pytest.fixture
def fresh_connections() -> Iterator[httpx.Client]:
    """A client that opens a new connection for every request, so requests spread over the workers."""
    with httpx.Client(timeout=10, limits=httpx.Limits(max_keepalive_connections=0)) as client:
        yield client


def ready_workers(server: Server, count: int) -> set[int]:
    """The process ids of the workers that said they are ready, once `count` of them have."""
    deadline = time.monotonic() + 30
    while len(pids := {int(pid) for pid in re.findall(r"worker (\d+) ready", server.log())}) < count:
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.1)
    return pids


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def phone_paths(device: dict[str, str]) -> list[str]:
    """The Yealink file on the device's personal and on its common link, as paths any process serves."""
    return [f"{urlsplit(device['links'][link]).path}/{MAC}.cfg" for link in ("personal", "common")]


def seen_within_bound(fetch: Fetch, paths: list[str], expected: Callable[[httpx.Response], bool]) -> None:
    """Every path answers as expected within the bound, STREAK rounds in a row: on fresh connections,
    requests reach each worker, and one worker seeing the change is not all of them seeing it."""
    start = time.monotonic()
    streak_began, streak = 0.0, 0
    while streak < STREAK:
        now = time.monotonic() - start
        assert now < PATIENCE, f"not seen {STREAK} times in a row after {PATIENCE} s"
        if all(expected(fetch(path)) for path in paths):
            streak_began, streak = (streak_began, streak + 1) if streak else (now, 1)
        else:
            streak = 0
            time.sleep(0.02)
    assert streak_began <= BOUND, f"seen after {streak_began:.2f} s"


def changes_travel(writer: Server, fetch: Fetch) -> None:
    """Publish, change, disable, enable and delete through `writer`; `fetch` sees each in time."""
    saved = writer.graphql(SAVE, {"input": yealink_input(mac=MAC, token="workers-group-01")})["saveDevice"]
    assert saved["errors"] == []
    device = saved["device"]
    key, paths = device["key"], phone_paths(device)

    def served(response: httpx.Response) -> bool:
        return response.status_code == 200

    def refused(response: httpx.Response) -> bool:
        return response.status_code == 404

    def changed(response: httpx.Response) -> bool:
        return served(response) and b"= ntp2.example.net\n" in response.content

    def update(patch: dict[str, object]) -> None:
        assert writer.graphql(UPDATE, {"key": key, "input": patch})["updateDevice"]["errors"] == []

    seen_within_bound(fetch, paths, served)
    update({"ntpServer": "ntp2.example.net"})
    seen_within_bound(fetch, paths, changed)
    update({"status": False})
    seen_within_bound(fetch, paths, refused)
    update({"status": True})
    seen_within_bound(fetch, paths, changed)
    assert writer.graphql(DELETE, {"key": key})["deleteDevice"] == {"deleted": True, "errors": []}
    seen_within_bound(fetch, paths, refused)


def test_two_instances_on_one_database_see_each_others_changes(tmp_path: Path, database_url: str) -> None:
    env = {"SONATA_DATABASE_URL": database_url, "SONATA_API_TOKEN": API_TOKEN}
    first = start_server(tmp_path, env)
    try:
        second = start_server(tmp_path, env)
        try:
            changes_travel(first, lambda path: second.get(path, YEALINK_UA))
            changes_travel(second, lambda path: first.get(path, YEALINK_UA))
        finally:
            stop_server(second)
    finally:
        stop_server(first)
    assert "Traceback" not in first.log() + second.log()


def test_the_workers_of_one_server_see_each_others_changes(
    tmp_path: Path, database_url: str, fresh_connections: httpx.Client
) -> None:
    env = {"SONATA_DATABASE_URL": database_url, "SONATA_API_TOKEN": API_TOKEN}
    server = start_server(tmp_path, env, args=["--workers", "2"])
    try:
        assert len(ready_workers(server, 2)) == 2
        writer = Server(server.url, server.process, server.log_path, API_TOKEN, fresh_connections)
        changes_travel(
            writer, lambda path: fresh_connections.get(server.url + path, headers={"User-Agent": YEALINK_UA})
        )
    finally:
        stop_server(server)
    assert "Traceback" not in server.log()


def count(log: str, text: str) -> int:
    return sum(text in line for line in log.splitlines())


def migrated_once(log: str) -> bool:
    upgrades = [
        line.partition("Running upgrade")[2] for line in log.splitlines() if "Running upgrade" in line
    ]
    return bool(upgrades) and len(upgrades) == len(set(upgrades))


def stop_gracefully(server: Server, workers: set[int], stop: signal.Signals) -> None:
    server.process.send_signal(stop)
    assert server.process.wait(timeout=15) == 0
    assert not any(alive(pid) for pid in workers)
    assert count(server.log(), "Application shutdown complete") == len(workers)  # each worker's own


def test_workers_are_prepared_once(tmp_path: Path, fresh_connections: httpx.Client) -> None:
    database = tmp_path / "sonata.db"
    env = {"SONATA_DATABASE_URL": f"sqlite:///{database}", "SONATA_WORKERS": "2"}  # the token is generated
    server = start_server(tmp_path, env)
    workers = ready_workers(server, 2)
    assert all(parent_of(pid) == server.process.pid for pid in workers)
    log = server.log()
    assert migrated_once(log)
    assert count(log, f"created a new database at {database}") == 1
    [token_line] = [line for line in log.splitlines() if "management API token" in line]
    token = token_line.rsplit(" ", 1)[1]
    for _ in range(8):  # every worker knows the one token printed
        response = fresh_connections.post(
            f"{server.url}/graphql",
            json={"query": "{ vendors { id } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200 and "errors" not in response.json()
    stop_gracefully(server, workers, signal.SIGTERM)

    again = start_server(tmp_path, env)
    try:
        ready_workers(again, 2)
        assert count(again.log(), f"opened {database} (0 devices)") == 1
        assert "management API token" not in again.log()
    finally:
        stop_server(again)
    assert "Traceback" not in server.log() + again.log()


def test_a_worker_that_dies_is_replaced_and_ctrl_c_stops_them_all(tmp_path: Path) -> None:
    env = {"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}", "SONATA_API_TOKEN": API_TOKEN}
    server = start_server(tmp_path, env, args=["--workers", "2"])
    workers = ready_workers(server, 2)
    killed = workers.pop()
    os.kill(killed, signal.SIGKILL)
    workers = ready_workers(server, 3) - {killed}
    assert all(parent_of(pid) == server.process.pid for pid in workers)
    stop_gracefully(server, workers, signal.SIGINT)
    assert "Traceback" not in server.log()


def test_instances_started_together_on_a_new_postgresql_database_prepare_it_once(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env = {"SONATA_DATABASE_URL": fresh_postgres_url(request)}  # the token is generated
    with ThreadPoolExecutor(2) as pool:
        instances = list(pool.map(lambda _: start_server(tmp_path, env), range(2)))
    try:
        logs = "".join(instance.log() for instance in instances)
        assert migrated_once(logs)
        [token_line] = [line for line in logs.splitlines() if "management API token" in line]
        token = token_line.rsplit(" ", 1)[1]
        for instance in instances:
            assert instance.graphql("{ vendors { id } }", token=token)["vendors"]
    finally:
        for instance in instances:
            stop_server(instance)
    assert "Traceback" not in logs
