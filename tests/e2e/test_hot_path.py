"""The phones' hot path of a running server: fetches racing saves get one whole saved version, and
a database that cannot take writes holds up no phone."""

import sqlite3
import threading
from pathlib import Path

import httpx
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server
from tests.e2e.test_phone_routes import publish
from tests.e2e.waiting import eventually

MAC = "0015650c0c01"
USER_AGENT = "Yealink SIP-T46S 66.86.0.15 00:15:65:0c:0c:01"
RENDER = '{{ renderConfig(key: "{key}") {{ body }} }}'


def version(number: int) -> dict[str, object]:
    """A version of the device that differs from the others in several places of its file."""
    return {
        "mac": MAC,
        "token": "race-group-token",
        "ntpServer": f"ntp{number}.example.net",
        "accounts": [
            {
                "line": 1,
                "sipRegister": "sip.example.net",
                "sipUser": "301",
                "sipPassword": f"race-pw-{number:03d}",
                "sipName": f"Version {number}",
            }
        ],
    }


def test_fetches_racing_saves_get_one_whole_saved_version_byte_for_byte(server: Server) -> None:
    device = publish(server, "yealink", **version(0))
    personal, common = device["links"]["personal"], device["links"]["common"]
    saved = {server.graphql(RENDER.format(key=device["key"]))["renderConfig"]["body"].encode()}
    fetched: list[tuple[int, bytes]] = []
    saving = threading.Event()
    saving.set()

    def fetch_while_saving() -> None:
        with httpx.Client(timeout=10, headers={"User-Agent": USER_AGENT}) as client:
            while saving.is_set():
                for url in (personal, f"{common}/{MAC}.cfg"):
                    response = client.get(url)
                    fetched.append((response.status_code, response.content))

    fetchers = [threading.Thread(target=fetch_while_saving) for _ in range(4)]
    for thread in fetchers:
        thread.start()
    try:
        for number in range(1, 31):
            publish(server, "yealink", **version(number))
            saved.add(server.graphql(RENDER.format(key=device["key"]))["renderConfig"]["body"].encode())
    finally:
        saving.clear()
        for thread in fetchers:
            thread.join()
    assert len(saved) == 31
    assert {status for status, _ in fetched} == {200}
    # A file fetched on the common link points back at that link; otherwise it is the personal one's.
    as_personal = {body.replace(common.encode(), personal.encode()) for _, body in fetched}
    assert as_personal <= saved
    assert len(as_personal) > 1, "the fetches did not overlap the saves"
    last = server.graphql(RENDER.format(key=device["key"]))["renderConfig"]["body"].encode()
    assert server.get(personal, USER_AGENT).content == last  # the last save, served at once


def test_a_database_locked_by_a_writer_holds_up_no_phone(tmp_path: Path) -> None:
    database = tmp_path / "locked.db"
    server = start_server(
        tmp_path, {"SONATA_DATABASE_URL": f"sqlite:///{database}", "SONATA_API_TOKEN": API_TOKEN}
    )
    try:
        warm = publish(server, "yealink", mac=MAC, token="locked-group-token")
        cold = publish(server, "yealink", mac="0015650c0c02", token="locked-group-token")
        assert server.get(warm["links"]["personal"], USER_AGENT).status_code == 200
        writer = sqlite3.connect(database, timeout=0)
        writer.execute("BEGIN IMMEDIATE")  # holds the write lock: lastProvisioning cannot be written
        try:
            for _ in range(5):
                # Each would wait out SQLite's 30 s busy timeout (past the client's 10 s) if a fetch wrote.
                assert server.get(warm["links"]["personal"], USER_AGENT).status_code == 200
            cold_agent = "Yealink SIP-T46S 66.86.0.15 00:15:65:0c:0c:02"
            assert server.get(cold["links"]["personal"], cold_agent).status_code == 200
        finally:
            writer.rollback()
            writer.close()
        query = f'{{ device(key: "{cold["key"]}") {{ lastProvisioning {{ userAgent }} }} }}'
        record = eventually(
            lambda: server.graphql(query)["device"]["lastProvisioning"], lambda record: record is not None
        )
        assert record == {"userAgent": cold_agent}
    finally:
        stop_server(server)


def test_an_edited_template_is_served_without_a_restart(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides" / "yealink"
    overrides.mkdir(parents=True)
    template = overrides / "device.cfg.j2"
    template.write_text("#!version:1.0.0.1\nmy.setting = 1\n")
    server = start_server(
        tmp_path,
        {
            "SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'templates.db'}",
            "SONATA_API_TOKEN": API_TOKEN,
            "SONATA_TEMPLATES_DIR": str(tmp_path / "overrides"),
        },
    )
    try:
        personal = publish(server, "yealink", mac=MAC)["links"]["personal"]
        assert server.get(personal, USER_AGENT).text == "#!version:1.0.0.1\nmy.setting = 1\n"
        template.write_text("#!version:1.0.0.1\nmy.setting = 2\n")
        served = eventually(lambda: server.get(personal, USER_AGENT).text, lambda text: "= 2" in text)
        assert served == "#!version:1.0.0.1\nmy.setting = 2\n"
    finally:
        stop_server(server)
