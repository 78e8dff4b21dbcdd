"""The PostgreSQL tests keep to a database of their own run: the one SONATA_TEST_POSTGRES_URL names is
never changed, so the tests may point at a real server (README: Development)."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
from benchmarks.servers import fresh_postgres

ROOT = Path(__file__).resolve().parents[2]
SERVER_URL = os.environ.get("SONATA_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(
    not SERVER_URL,
    reason="PostgreSQL tests need SONATA_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1/test)",
)
# One integration test (its engine fixture drops and creates Sonata's tables) and one end-to-end test
# (two `sonata serve` processes migrate the database), each on PostgreSQL only.
INNER_TESTS = [
    "tests/integration/test_database_urls.py::test_an_empty_database_counts_no_devices[postgresql]",
    "tests/e2e/test_workers.py::test_instances_started_together_on_a_new_postgresql_database_prepare_it_once",
]


async def _fetch(url: str, sql: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(url)
    try:
        return list(await connection.fetch(sql))
    finally:
        await connection.close()


def fetch(url: str, sql: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in asyncio.run(_fetch(url, sql))]


async def _execute(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def execute(url: str, sql: str) -> None:
    asyncio.run(_execute(url, sql))


def database_exists(server_url: str, name: str) -> bool:
    return bool(fetch(server_url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))


def test_a_run_of_the_postgresql_tests_leaves_the_database_the_url_names_as_it_was(tmp_path: Path) -> None:
    assert SERVER_URL
    # A database standing for the one an administrator's URL names, holding data of its own and a
    # Sonata table with a device in it: exactly what an earlier Sonata left there.
    with fresh_postgres(SERVER_URL, prefix="sonata_named") as named_url:
        execute(
            named_url,
            "CREATE TABLE sentinel (note text); INSERT INTO sentinel VALUES ('kept');"
            " CREATE TABLE devices (key text); INSERT INTO devices VALUES ('a-device-of-theirs')",
        )
        inner = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "no:randomly",
                "-p",
                "no:cacheprovider",
                "-rA",
                *INNER_TESTS,
            ],
            cwd=ROOT,
            env={**os.environ, "SONATA_TEST_POSTGRES_URL": named_url},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert inner.returncode == 0, inner.stdout[-4000:] + inner.stderr[-2000:]
        assert "2 passed" in inner.stdout and "skipped" not in inner.stdout, inner.stdout[-2000:]

        tables = fetch(named_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        assert tables == [("devices",), ("sentinel",)]  # no alembic_version, no other Sonata table
        assert fetch(named_url, "SELECT note FROM sentinel") == [("kept",)]
        assert fetch(named_url, "SELECT key FROM devices") == [("a-device-of-theirs",)]


def test_a_scratch_database_is_dropped_even_when_its_user_fails() -> None:
    assert SERVER_URL
    with (
        pytest.raises(RuntimeError, match="a failing test"),
        fresh_postgres(SERVER_URL, prefix="sonata_test") as url,
    ):
        name = urlsplit(url).path.lstrip("/")
        assert name.startswith("sonata_test_") and name != urlsplit(SERVER_URL).path.lstrip("/")
        execute(url, "CREATE TABLE devices (key text)")
        assert database_exists(SERVER_URL, name)
        raise RuntimeError("a failing test")
    assert not database_exists(SERVER_URL, name)
