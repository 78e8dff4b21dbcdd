"""The publish window, the address lock and key rotation against a running `sonata serve`.

The test client connects from 127.0.0.1, a trusted proxy by default: its X-Forwarded-For is the
client address the rules see. A device "saved minutes ago" is one whose updated_at the test moves
back in the database file, as an older save would have left it. Every refusal is compared, byte for
byte but the Date header, with the 404 of a key no device ever had.
"""

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server
from tests.e2e.test_management_api import yealink_input
from tests.e2e.waiting import eventually

PHONE, INTRUDER = "203.0.113.5", "198.51.100.7"
FRESHNESS = 1.5  # seconds: the README's bound of 1 for a change made outside the API, with slack
FIELDS = """
  key mac updatedAt links { personal common }
  rules { publishWindowMinutes lockToFirstAddress }
  lastProvisioning { ip link previousKey }
"""
SAVE = f"""
mutation Save($input: DeviceInput!) {{ saveDevice(input: $input) {{
  device {{ {FIELDS} }} errors {{ field message }} }} }}
"""
UPDATE = f"""
mutation Update($key: String!, $input: DevicePatch!) {{ updateDevice(key: $key, input: $input) {{
  device {{ {FIELDS} }} errors {{ field message }} }} }}
"""
ROTATE = f"""
mutation Rotate($key: String!, $grace: Int!) {{ rotateDeviceKey(key: $key, graceMinutes: $grace) {{
  device {{ {FIELDS} }} errors {{ field message }} }} }}
"""
DEVICE = f"query Device($key: String!) {{ device(key: $key) {{ {FIELDS} }} }}"


def serve(tmp_path: Path, **env: str) -> Server:
    database = f"sqlite:///{tmp_path / 'sonata.db'}"
    return start_server(tmp_path, {"SONATA_DATABASE_URL": database, "SONATA_API_TOKEN": API_TOKEN, **env})


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    tmp_path = tmp_path_factory.mktemp("rules")
    server = serve(tmp_path)
    yield server, tmp_path / "sonata.db"
    stop_server(server)


def publish(server: Server, mac: str, **rules: Any) -> dict[str, Any]:
    payload = server.graphql(SAVE, {"input": yealink_input(mac=mac, rules=rules)})["saveDevice"]
    assert payload["errors"] == []
    return payload["device"]  # type: ignore[no-any-return]


def fetch(
    server: Server, device: dict[str, Any], address: str = PHONE, link: str = "", *, fresh: bool = False
) -> httpx.Response:
    """`fresh`: on a new connection, which may reach any worker."""
    mac = device["mac"]
    user_agent = f"Yealink SIP-T46S 66.86.0.15 {':'.join(mac[i : i + 2] for i in range(0, 12, 2))}"
    url = f"{link or device['links']['personal']}/{mac}.cfg"
    headers = {"User-Agent": user_agent, "X-Forwarded-For": address}
    return httpx.get(url, headers=headers, timeout=10) if fresh else server.client.get(url, headers=headers)


def assert_refused(server: Server, response: httpx.Response) -> None:
    unknown = server.client.get(f"{server.url}/v1/device/no-device-has-this-key/001565000000.cfg")

    def shown(answer: httpx.Response) -> tuple[int, bytes, list[tuple[str, str]]]:
        return answer.status_code, answer.content, [h for h in answer.headers.multi_items() if h[0] != "date"]

    assert response.status_code == 404
    assert shown(response) == shown(unknown)


def saved_minutes_ago(database: Path, key: str, minutes: int) -> None:
    """Move the device's last save back; the change reaches the server's memory within the bound."""
    with sqlite3.connect(database) as connection:
        moved = connection.execute(
            "UPDATE devices SET updated_at = datetime(updated_at, ?) WHERE key = ?",
            (f"-{minutes} minutes", key),
        )
        assert moved.rowcount == 1
    time.sleep(FRESHNESS)


def server_url(config: str) -> str:
    [line] = [line for line in config.splitlines() if line.startswith("static.auto_provision.server.url")]
    return line.split(" = ", 1)[1].removesuffix("/")  # Yealink's server URL is the link's directory


# The publish window


def test_a_device_is_served_within_its_window_and_refused_after_it(running: tuple[Server, Path]) -> None:
    server, database = running
    device = publish(server, "001565000101", publishWindowMinutes=1)
    assert device["rules"] == {"publishWindowMinutes": 1, "lockToFirstAddress": False}
    assert fetch(server, device).status_code == 200
    saved_minutes_ago(database, device["key"], 2)
    assert_refused(server, fetch(server, device))
    assert_refused(server, fetch(server, device, link=device["links"]["common"]))
    republished = publish(server, "001565000101", publishWindowMinutes=1)  # opens the window again
    assert fetch(server, republished).status_code == 200


def test_a_window_out_of_range_is_a_field_error(running: tuple[Server, Path]) -> None:
    server, _ = running
    payload = server.graphql(
        SAVE, {"input": yealink_input(mac="001565000102", rules={"publishWindowMinutes": -1})}
    )
    assert payload["saveDevice"]["device"] is None
    assert [error["field"] for error in payload["saveDevice"]["errors"]] == ["rules.publishWindowMinutes"]


def test_devices_without_a_window_take_the_servers_default(tmp_path: Path) -> None:
    server = serve(tmp_path, SONATA_PUBLISH_WINDOW_MINUTES="1")
    try:
        default, never = (
            publish(server, "001565000111"),
            publish(server, "001565000112", publishWindowMinutes=0),
        )
        assert default["rules"]["publishWindowMinutes"] is None
        assert fetch(server, default).status_code == 200
        for device in (default, never):
            saved_minutes_ago(tmp_path / "sonata.db", device["key"], 2)
        assert_refused(server, fetch(server, default))
        assert fetch(server, never).status_code == 200
    finally:
        stop_server(server)


# The address lock


def test_after_the_first_fetch_only_its_address_is_served_until_a_save(running: tuple[Server, Path]) -> None:
    server, _ = running
    device = publish(server, "001565000201", lockToFirstAddress=True)
    assert fetch(server, device, PHONE).status_code == 200
    for address in (INTRUDER, "127.0.0.1", "2001:db8::5"):
        assert_refused(server, fetch(server, device, address))
    assert_refused(server, fetch(server, device, INTRUDER, link=device["links"]["common"]))
    assert fetch(server, device, PHONE).status_code == 200
    saved = server.graphql(UPDATE, {"key": device["key"], "input": {"title": "Moved"}})["updateDevice"]
    assert saved["errors"] == [] and saved["device"]["rules"]["lockToFirstAddress"] is True
    assert fetch(server, device, INTRUDER).status_code == 200  # the first fetch since the save
    assert_refused(server, fetch(server, device, PHONE))


def test_the_lock_holds_across_workers(tmp_path: Path) -> None:
    server = start_server(
        tmp_path,
        {"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}", "SONATA_API_TOKEN": API_TOKEN},
        args=["--workers", "2"],
    )
    try:
        devices = [publish(server, f"0015650003{n:02d}", lockToFirstAddress=True) for n in range(6)]
        time.sleep(FRESHNESS)  # both workers hold the devices, unlocked
        for device in devices:
            assert fetch(server, device, PHONE, fresh=True).status_code == 200
            for _ in range(6):
                assert_refused(server, fetch(server, device, INTRUDER, fresh=True))
                assert fetch(server, device, PHONE, fresh=True).status_code == 200
    finally:
        stop_server(server)


# Key rotation


def test_the_old_link_serves_a_config_naming_the_new_one_until_the_grace_ends(
    running: tuple[Server, Path],
) -> None:
    server, _ = running
    device = publish(server, "001565000401")
    old_link = device["links"]["personal"]
    assert server_url(fetch(server, device).text) == old_link
    rotated = server.graphql(ROTATE, {"key": device["key"], "grace": 60})["rotateDeviceKey"]
    assert rotated["errors"] == []
    new = rotated["device"]
    assert new["key"] != device["key"] and new["updatedAt"] == device["updatedAt"]
    new_link = new["links"]["personal"]
    assert new_link != old_link and new["links"]["common"] == device["links"]["common"]

    on_old = fetch(server, device, link=old_link)
    assert on_old.status_code == 200 and server_url(on_old.text) == new_link
    record = eventually(
        lambda: server.graphql(DEVICE, {"key": new["key"]})["device"]["lastProvisioning"],
        lambda record: record is not None and record["previousKey"],
    )
    assert record == {"ip": PHONE, "link": "PERSONAL", "previousKey": True}
    on_new = fetch(server, new)
    assert on_new.status_code == 200 and on_new.content == on_old.content
    record = eventually(
        lambda: server.graphql(DEVICE, {"key": new["key"]})["device"]["lastProvisioning"],
        lambda record: record is not None and not record["previousKey"],
    )
    assert record == {"ip": PHONE, "link": "PERSONAL", "previousKey": False}
    assert server.graphql(DEVICE, {"key": device["key"]})["device"] is None


def test_after_the_grace_the_old_link_is_refused_like_an_unknown_key(running: tuple[Server, Path]) -> None:
    server, _ = running
    device = publish(server, "001565000402")
    assert fetch(server, device).status_code == 200
    new = server.graphql(ROTATE, {"key": device["key"], "grace": 0})["rotateDeviceKey"]["device"]
    assert_refused(server, fetch(server, device, link=device["links"]["personal"]))
    assert fetch(server, new).status_code == 200


@pytest.mark.parametrize(
    ("key", "grace", "fields"),
    [
        ("no-device-has-this-key", 60, ["key"]),
        (None, -1, ["graceMinutes"]),
        (None, 43201, ["graceMinutes"]),
        ("no-device-has-this-key", 43201, ["graceMinutes", "key"]),
    ],
)
def test_a_rotation_of_no_device_or_out_of_range_changes_nothing(
    running: tuple[Server, Path], key: str | None, grace: int, fields: list[str]
) -> None:
    server, _ = running
    device = publish(server, "001565000403")
    payload = server.graphql(ROTATE, {"key": key or device["key"], "grace": grace})["rotateDeviceKey"]
    assert payload["device"] is None
    assert [error["field"] for error in payload["errors"]] == fields
    assert server.graphql(DEVICE, {"key": device["key"]})["device"]["key"] == device["key"]
