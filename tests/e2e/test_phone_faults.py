"""A database fault while answering a phone: a 503 the phone retries, an id in the log, no key."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server
from tests.e2e.test_phone_routes import PHONES

UNKNOWN_KEY = "never-published-key-0123"


@pytest.fixture
def broken_server(tmp_path: Path) -> Iterator[Server]:
    database = tmp_path / "sonata.db"
    server = start_server(
        tmp_path, {"SONATA_DATABASE_URL": f"sqlite:///{database}", "SONATA_API_TOKEN": API_TOKEN}
    )
    # A real fault of the database under the running server: its devices table is gone.
    with sqlite3.connect(database) as connection:
        connection.execute("ALTER TABLE devices RENAME TO devices_gone")
    connection.close()
    yield server
    stop_server(server)


def test_a_database_fault_is_a_503_with_an_id_in_the_log(broken_server: Server) -> None:
    user_agent = PHONES["yealink"][3]
    response = broken_server.get(f"/v1/device/{UNKNOWN_KEY}/001565a0b0c0.cfg", user_agent=user_agent)
    assert response.status_code == 503
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["retry-after"] == "30"
    assert "devices" not in response.text and "SELECT" not in response.text
    log = broken_server.log()
    assert "internal error " in log and "while answering a phone" in log
    assert UNKNOWN_KEY not in log
    assert "Exception in ASGI application" not in log
