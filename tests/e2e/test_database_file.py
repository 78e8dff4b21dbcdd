"""The SQLite file: created private, named at start, watched while served, refused clearly when unusable."""

import os
import shutil
import sqlite3
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.e2e.conftest import API_TOKEN, Server, free_port, start_server, stop_server
from tests.e2e.test_administration import YEALINK_UA, full_input, save
from tests.e2e.test_configuration import assert_one_clear_line, run_sonata

PATIENCE = 15.0  # seconds; the file is looked at once a second, this only keeps a broken build from hanging


def env_for(database: Path) -> dict[str, str]:
    return {"SONATA_DATABASE_URL": f"sqlite:///{database}", "SONATA_API_TOKEN": API_TOKEN}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_is_private_and_the_start_line_says_so(tmp_path: Path) -> None:
    database = tmp_path / "sonata.db"
    server = start_server(tmp_path, env_for(database))
    try:
        save(server, full_input())
        files = {path.name: mode(path) for path in tmp_path.glob("sonata.db*")}
        assert files == {
            "sonata.db": 0o600,
            "sonata.db-wal": 0o600,
            "sonata.db-shm": 0o600,
            "sonata.db.key": 0o600,
        }
        assert f"created a new database at {database}\n" in server.log()
    finally:
        stop_server(server)
    again = start_server(tmp_path, env_for(database))
    try:
        assert f"opened {database} (1 device)\n" in again.log()
        assert "created a new database" not in again.log()
    finally:
        stop_server(again)


def wait_for_health(server: Server, status: int) -> None:
    deadline = time.monotonic() + PATIENCE
    while server.get("/healthz").status_code != status:
        assert time.monotonic() < deadline, f"/healthz never answered {status}"
        time.sleep(0.1)


def test_once_the_file_is_moved_or_replaced_everyone_gets_503(tmp_path: Path) -> None:
    database = tmp_path / "sonata.db"
    server = start_server(tmp_path, env_for(database))
    try:
        key = save(server, full_input())["key"]
        config = f"/v1/device/{key}/001565778899.cfg"
        assert server.get(config, YEALINK_UA).status_code == 200

        database.rename(tmp_path / "moved.db")
        wait_for_health(server, 503)
        assert server.get("/healthz").json() == {"status": "unavailable", "database": "deleted or replaced"}
        assert server.get(config, YEALINK_UA).status_code == 503
        graphql = server.client.post(
            f"{server.url}/graphql",
            json={"query": "{ vendors { id } }"},
            headers={"Authorization": f"Bearer {API_TOKEN}"},
        )
        assert graphql.status_code == 503
        assert f"the database file {database} was deleted or replaced" in server.log()

        (tmp_path / "moved.db").rename(database)  # the very file again: served again
        wait_for_health(server, 200)
        assert server.get(config, YEALINK_UA).status_code == 200

        shutil.copyfile(database, tmp_path / "copy.db")
        os.replace(tmp_path / "copy.db", database)  # the same bytes, but not the file Sonata has open
        wait_for_health(server, 503)
        assert server.get(config, YEALINK_UA).status_code == 503
    finally:
        stop_server(server)
    assert "Traceback" not in server.log()


def without_root_privilege() -> list[str]:
    """Root reads every file whatever its mode; drop that privilege so the permissions apply."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file permissions cannot be tested")
    drop = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", "--"]


def garbage(tmp_path: Path) -> Path:
    database = tmp_path / "sonata.db"
    database.write_bytes(b"these bytes are no SQLite database\n" * 200)
    return database


def another_programs_database(tmp_path: Path) -> Path:
    database = tmp_path / "sonata.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE devices (x)")
    connection.close()
    return database


def directory(tmp_path: Path) -> Path:
    database = tmp_path / "sonata.db"
    database.mkdir()
    return database


def locked_directory(tmp_path: Path) -> Path:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o000)
    return locked / "sonata.db"


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (garbage, "is not a usable SQLite database"),
        (another_programs_database, "of another program"),
        (directory, "is not a file"),
        (locked_directory, "permission denied"),
    ],
)
@pytest.mark.parametrize("command", ["serve", "render"])
def test_an_unusable_database_is_one_line_naming_it(
    tmp_path: Path, make: Callable[[Path], Path], problem: str, command: str
) -> None:
    database = make(tmp_path)
    before = database.read_bytes() if database.is_file() else None
    args = (
        ["serve", "--host", "127.0.0.1", "--port", str(free_port())]
        if command == "serve"
        else ["render", "x"]
    )
    prefix = without_root_privilege() if make is locked_directory else []
    result = run_sonata(*args, env=env_for(database), cwd=tmp_path, prefix=prefix)
    assert_one_clear_line(result, str(database), problem)
    if before is not None:
        assert database.read_bytes() == before
