"""/readyz says whether a real `sonata serve` can serve (the database answers, at the schema this Sonata
ships) and what is wrong when not; /healthz only that the process is alive."""

import asyncio
import sqlite3
import time
from pathlib import Path

import asyncpg
import httpx
import pytest
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server
from tests.e2e.test_workers import fresh_postgres_url

PATIENCE = 10.0


def readiness(server: Server) -> tuple[int, dict[str, str]]:
    response = server.get("/readyz")
    return response.status_code, response.json()


def change(database: Path, statement: str) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute(statement)
    connection.close()


def test_ready_while_the_schema_is_the_one_this_sonata_ships(tmp_path: Path) -> None:
    database = tmp_path / "sonata.db"
    server = start_server(
        tmp_path, {"SONATA_DATABASE_URL": f"sqlite:///{database}", "SONATA_API_TOKEN": API_TOKEN}
    )
    try:
        with sqlite3.connect(database) as connection:
            [(head,)] = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        connection.close()
        assert readiness(server) == (200, {"status": "ready", "database": "ok", "schema": head})

        change(database, "UPDATE alembic_version SET version_num = '0001'")
        status, body = readiness(server)
        assert (status, body["status"], body["database"]) == (503, "unavailable", "ok")
        assert body["schema"] == f"at 0001, older than this Sonata's {head}: restart Sonata to migrate it"

        change(database, "UPDATE alembic_version SET version_num = '9999_from_the_future'")
        assert readiness(server)[1]["schema"] == (
            f"at 9999_from_the_future, newer than this Sonata's {head}: upgrade Sonata"
        )

        change(database, "DROP TABLE alembic_version")
        assert readiness(server)[1]["schema"] == "missing: the database has no Sonata tables"
        assert server.get("/healthz").json() == {"status": "ok"}  # alive all along

        change(database, "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        change(database, f"INSERT INTO alembic_version VALUES ('{head}')")
        assert readiness(server)[0] == 200
    finally:
        stop_server(server)
    assert "Traceback" not in server.log()


async def allow_connections(url: str, allowed: bool) -> None:
    """Let clients connect to the database `url` names, or not, and end the connections it has."""
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        await admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS {'true' if allowed else 'false'}")
        if not allowed:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
    finally:
        await admin.close()


def wait_for_readiness(server: Server, status: int) -> dict[str, str]:
    deadline = time.monotonic() + PATIENCE
    while True:
        found, body = readiness(server)
        if found == status:
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.2)


def test_not_ready_while_the_database_server_refuses_connections(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = fresh_postgres_url(request)
    server = start_server(tmp_path, {"SONATA_DATABASE_URL": url, "SONATA_API_TOKEN": API_TOKEN})
    try:
        assert readiness(server)[0] == 200
        asyncio.run(allow_connections(url, allowed=False))
        try:
            assert wait_for_readiness(server, 503) == {"status": "unavailable", "database": "unreachable"}
            assert server.get("/healthz").status_code == 200
        finally:
            asyncio.run(allow_connections(url, allowed=True))
        assert wait_for_readiness(server, 200)["status"] == "ready"
    finally:
        stop_server(server)
    assert "Traceback" not in server.log()


def test_no_phone_link_and_no_secret_in_either_answer(tmp_path: Path) -> None:
    server = start_server(
        tmp_path,
        {"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}", "SONATA_API_TOKEN": API_TOKEN},
    )
    try:
        for path in ("/healthz", "/readyz"):
            response = httpx.get(f"{server.url}{path}", timeout=5)
            assert response.headers["content-type"] == "application/json"
            assert API_TOKEN not in response.text and str(tmp_path) not in response.text
    finally:
        stop_server(server)
