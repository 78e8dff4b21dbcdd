"""Secrets at rest with a real `sonata serve` and `sonata secrets rotate`: devices saved through the API
leave no secret in any column of any table; the key file is made once, private, and said; a rotation
serves the same files byte for byte; a wrong or missing key is one line at start; a previous Sonata's
database is encrypted on its first start."""

import asyncio
import os
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from tests.e2e.conftest import API_TOKEN, POSTGRES_SECRET_KEY, Server, start_server, stop_server
from tests.e2e.test_configuration import assert_one_clear_line, run_sonata
from tests.e2e.test_workers import fresh_postgres_url
from tests.integration.test_secrets_at_rest import device, every_value, secrets_of, shown, store_in_clear

from sonata.adapters.secret_box import key_id, key_text, new_key, parse_key
from sonata.adapters.secret_key_file import read_key_file, replace_key_file
from sonata.adapters.sql.database import create_engine, create_schema

YEALINK_MAC, GRANDSTREAM_MAC = "001565e0e0e1", "000b82e0e0e2"
YEALINK_UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:e0:e0:e1"
GRANDSTREAM_UA = "Grandstream Model HW GXP2170 SW 1.0.11.16 DevId 000b82e0e0e2"
PHONE_USER = "desk-e0e1"
SECRETS = {
    "sip": "sip-Secret-at-rest-1",
    "sip2": "sip-Secret-at-rest-2",
    "admin": "admin-Secret-at-rest",
    "phone": "phone-Secret-at-rest",
    "yealink_key": "Rest#Key:0123456",
    "grandstream_key": "gs-Secret-at-rest",
}
SAVE = """mutation($input: DeviceInput!) {
  saveDevice(input: $input) { device { key links { personal } } errors { field message } }
}"""
PUBLIC_URL = "https://sonata.example.net"
RENDER = "query($key: String!) { renderConfig(key: $key) { body } }"


def devices() -> list[dict[str, Any]]:
    """Two devices holding every kind of device secret, one of each config encryption."""
    account = {"line": 1, "sipRegister": "sip.example.net", "sipUser": "701", "sipPassword": SECRETS["sip"]}
    return [
        {
            "vendor": "yealink",
            "model": "t46s",
            "mac": YEALINK_MAC,
            "token": "rest-group-01",
            "adminPassword": SECRETS["admin"],
            "provisioningUsername": PHONE_USER,
            "provisioningPassword": SECRETS["phone"],
            "configEncryption": "YEALINK_AES",
            "configEncryptionKey": SECRETS["yealink_key"],
            "accounts": [account, {**account, "line": 2, "sipPassword": SECRETS["sip2"]}],
        },
        {
            "vendor": "grandstream",
            "model": "gxp2170",
            "mac": GRANDSTREAM_MAC,
            "token": "rest-group-01",
            "adminPassword": SECRETS["admin"],
            "configEncryption": "GRANDSTREAM_OPENSSL",
            "configEncryptionKey": SECRETS["grandstream_key"],
            "accounts": [account],
        },
    ]


Saved = list[dict[str, Any]]


def save_devices(server: Server) -> Saved:
    """The devices saved, each as `{key, links {personal}}`."""
    saved = []
    for document in devices():
        payload = server.graphql(SAVE, {"input": document})["saveDevice"]
        assert payload["errors"] == []
        saved.append(payload["device"])
    return saved


def served(server: Server, saved: Saved) -> list[bytes]:
    """What the phones fetch (encrypted configs, behind the phone credentials) and renderConfig shows."""
    yealink_link, grandstream_link = (urlsplit(d["links"]["personal"]).path for d in saved)  # any port
    yealink = httpx.get(
        f"{server.url}{yealink_link}/{YEALINK_MAC}.cfg",
        headers={"User-Agent": YEALINK_UA},
        auth=httpx.BasicAuth(PHONE_USER, SECRETS["phone"]),
    )
    grandstream = server.get(f"{grandstream_link}/cfg{GRANDSTREAM_MAC}.xml", GRANDSTREAM_UA)
    assert (yealink.status_code, grandstream.status_code) == (200, 200), (yealink.text, grandstream.text)
    shown = [server.graphql(RENDER, {"key": d["key"]})["renderConfig"]["body"].encode() for d in saved]
    assert SECRETS["sip"].encode() in shown[0] and SECRETS["sip2"].encode() in shown[0]
    return [yealink.content, grandstream.content, *shown]


def columns_showing_secrets(database_url: str) -> set[str]:
    async def dump() -> list[str]:
        engine = create_engine(database_url)
        try:
            return await every_value(engine)
        finally:
            await engine.dispose()

    return shown(set(SECRETS.values()), asyncio.run(dump()))


def files_showing_secrets(database: Path) -> set[str]:
    """The SQLite file and its journals as bytes: not even a free page keeps a secret."""
    data = b"".join(path.read_bytes() for path in database.parent.glob(f"{database.name}*"))
    return {secret for secret in SECRETS.values() if secret.encode() in data}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sonata.db'}" if request.param == "sqlite" else fresh_postgres_url(request)


def serve(tmp_path: Path, database_url: str, **env: str) -> Server:
    """A server whose files are the same on any port: links name the public URL."""
    settings = {
        "SONATA_DATABASE_URL": database_url,
        "SONATA_API_TOKEN": API_TOKEN,
        "SONATA_PUBLIC_URL": PUBLIC_URL,
    }
    return start_server(tmp_path, {**settings, **env})


def assert_refused_at_start(result: subprocess.CompletedProcess[str], *mentions: str) -> None:
    """Exit code 2 and one error line, the last, after what the start logged until then."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    [error] = [line for line in result.stderr.splitlines() if line.startswith("sonata: ")]
    assert result.stderr.splitlines()[-1] == error
    for mention in mentions:
        assert mention in error, error


def test_devices_saved_through_the_api_leave_no_secret_in_any_column(
    tmp_path: Path, database_url: str
) -> None:
    server = serve(tmp_path, database_url)
    try:
        served(server, save_devices(server))
    finally:
        stop_server(server)

    assert columns_showing_secrets(database_url) == set()
    if database_url.startswith("sqlite"):
        assert files_showing_secrets(tmp_path / "sonata.db") == set()


def test_the_first_start_makes_a_private_key_file_once_and_says_so(tmp_path: Path) -> None:
    database = tmp_path / "sonata.db"
    key_file = tmp_path / "sonata.db.key"
    server = serve(tmp_path, f"sqlite:///{database}", SONATA_WORKERS="2")
    try:
        saved = save_devices(server)
        first = {body for _ in range(6) for body in served(server, saved)}  # over both workers
    finally:
        stop_server(server)
    [key] = [line for line in key_file.read_text().splitlines() if not line.startswith("#")]
    said = f"generated the key encrypting the secrets in the database (key {key_id(parse_key(key, 'k'))}) in {key_file}"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert server.log().count(said) == 1

    again = serve(tmp_path, f"sqlite:///{database}")
    try:
        assert set(served(again, saved)) == first
    finally:
        stop_server(again)
    assert "generated the key" not in again.log()
    assert key in key_file.read_text()


def test_a_rotation_serves_the_same_files_byte_for_byte(tmp_path: Path, database_url: str) -> None:
    on_sqlite = database_url.startswith("sqlite")
    server = serve(tmp_path, database_url)
    try:
        saved = save_devices(server)
        before = served(server, saved)
    finally:
        stop_server(server)
    key_file = tmp_path / "sonata.db.key"
    if on_sqlite:
        shutil.copy(key_file, old_key_file := tmp_path / "old.key")
        rotation_env = {}
    else:
        new = key_text(new_key())
        rotation_env = {"SONATA_SECRET_KEY": new, "SONATA_OLD_SECRET_KEY": POSTGRES_SECRET_KEY}

    rotated = run_sonata(
        "secrets", "rotate", env={"SONATA_DATABASE_URL": database_url, **rotation_env}, cwd=tmp_path
    )

    assert rotated.returncode == 0, rotated.stderr
    new_id = key_id(parse_key(new if not on_sqlite else key_file.read_text().splitlines()[-1], "k"))
    assert f"the secrets are now encrypted under key {new_id}" in rotated.stdout
    old_id = key_id(parse_key(POSTGRES_SECRET_KEY, "k")) if not on_sqlite else None
    if on_sqlite:
        assert key_file.read_text() != old_key_file.read_text()
        os.replace(key_file, tmp_path / "new.key")
        shutil.copy(old_key_file, key_file)
        refused = run_sonata("serve", "--port", "1", env={"SONATA_DATABASE_URL": database_url}, cwd=tmp_path)
        os.replace(tmp_path / "new.key", key_file)
    else:
        refused = run_sonata(
            "serve",
            "--port",
            "1",
            env={"SONATA_DATABASE_URL": database_url, "SONATA_SECRET_KEY": POSTGRES_SECRET_KEY},
            cwd=tmp_path,
        )
        assert old_id is not None and f"holds key {old_id}" in refused.stderr
    assert_refused_at_start(refused, f"encrypted under key {new_id}, but")

    after = serve(tmp_path, database_url, **({} if on_sqlite else {"SONATA_SECRET_KEY": new}))
    try:
        assert served(after, saved) == before
    finally:
        stop_server(after)
    assert columns_showing_secrets(database_url) == set()


def test_a_missing_key_file_is_one_clear_error_and_no_new_key(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'sonata.db'}"
    server = serve(tmp_path, database_url)
    try:
        save_devices(server)
    finally:
        stop_server(server)
    key_file = tmp_path / "sonata.db.key"
    os.replace(key_file, tmp_path / "elsewhere.key")

    for command in (["serve", "--port", "1"], ["render", YEALINK_MAC], ["secrets", "rotate"]):
        result = run_sonata(*command, env={"SONATA_DATABASE_URL": database_url}, cwd=tmp_path)
        assert_refused_at_start(result, f"the key file {key_file} is missing", "restore")
        assert not key_file.exists()


def test_a_database_of_the_previous_sonata_is_encrypted_on_its_first_start(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'sonata.db'}"
    stored = [device(index) for index in range(3)]
    used = secrets_of(stored)

    async def previous_sonata() -> None:
        engine = create_engine(database_url)
        try:
            await create_schema(engine)
            await store_in_clear(engine, stored, "ab" * 32)
        finally:
            await engine.dispose()

    asyncio.run(previous_sonata())
    connection = sqlite3.connect(tmp_path / "sonata.db")
    assert all(
        secret in connection.execute("SELECT group_concat(document) FROM devices").fetchone()[0]
        for secret in used
    )
    connection.close()

    server = serve(tmp_path, database_url)
    try:
        body = server.graphql(RENDER, {"key": stored[0].key})["renderConfig"]["body"]
    finally:
        stop_server(server)

    assert stored[0].accounts[0].sip_password in body
    assert server.log().count("encrypted the secrets of 3 devices that were in clear") == 1

    async def dump() -> list[str]:
        engine = create_engine(database_url)
        try:
            return await every_value(engine)
        finally:
            await engine.dispose()

    assert shown(used, asyncio.run(dump())) == set()


@pytest.mark.parametrize(
    ("env", "mentions"),
    [
        ({"SONATA_SECRET_KEY": "too-short"}, ["SONATA_SECRET_KEY", "32 random bytes in base64url"]),
        ({"SONATA_SECRET_KEY": key_text(bytes(32)), "SONATA_SECRET_KEY_FILE": "k"}, ["not both"]),
        ({"SONATA_OLD_SECRET_KEY": key_text(bytes(32))}, ["SONATA_OLD_SECRET_KEY", "SONATA_SECRET_KEY"]),
    ],
)
def test_unusable_key_settings_are_one_clear_line(
    tmp_path: Path, env: dict[str, str], mentions: list[str]
) -> None:
    result = run_sonata(
        "serve",
        "--port",
        "1",
        env={"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **env},
        cwd=tmp_path,
    )
    assert_one_clear_line(result, *mentions)
    assert "too-short" not in result.stderr


def test_postgresql_without_a_key_is_one_clear_line(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    url = fresh_postgres_url(request)
    result = run_sonata("serve", "--port", "1", env={"SONATA_DATABASE_URL": url}, cwd=tmp_path)
    assert_one_clear_line(result, "PostgreSQL database needs SONATA_SECRET_KEY", "SONATA_SECRET_KEY_FILE")


def test_a_rotation_stopped_half_way_serves_on_and_is_finished_by_running_it_again(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'sonata.db'}"
    server = serve(tmp_path, database_url)
    try:
        saved = save_devices(server)
        before = served(server, saved)
    finally:
        stop_server(server)
    key_file = tmp_path / "sonata.db.key"
    [old] = read_key_file(key_file) or []
    new = new_key()
    replace_key_file(key_file, [new, old])  # where a rotation stopped before its transaction

    between = serve(tmp_path, database_url)
    try:
        assert served(between, saved) == before  # the start moved the secrets to the first key already
    finally:
        stop_server(between)
    rotated = run_sonata("secrets", "rotate", env={"SONATA_DATABASE_URL": database_url}, cwd=tmp_path)

    assert rotated.returncode == 0, rotated.stderr
    assert f"encrypted under key {key_id(new)}" in rotated.stdout
    assert read_key_file(key_file) == [new]
    after = serve(tmp_path, database_url)
    try:
        assert served(after, saved) == before
    finally:
        stop_server(after)
