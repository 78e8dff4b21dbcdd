"""Administrators' tools over a running server: the whole vocabulary, renderConfig, `sonata render`, overrides."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server
from tests.e2e.waiting import eventually

FULL_FIELDS = """
  key hasAdminPassword resyncMinutes firmwareUrl language timezone timezoneOffset vendorParams
  accounts { line transport registerExpires outboundProxy backupServer voicemail hasPassword }
  lineKeys { type value label line pickupCode }
  phonebook { name numbers { number type } }
  remotePhonebooks { name url }
  lastProvisioning { vendor model firmware filename }
"""
YEALINK_UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:77:88:99"


def full_input(**changes: Any) -> dict[str, Any]:
    device: dict[str, Any] = {
        "vendor": "yealink",
        "model": "t46s",
        "mac": "001565778899",
        "token": "admin-tools-group",
        "timezone": "Europe/Berlin",
        "timezoneOffset": "GMT+01",
        "language": "de",
        "resyncMinutes": 90,
        "firmwareUrl": "http://fw.example.net/T46S-66.86.0.15.rom",
        "adminPassword": "admin-pw-4711",
        "accounts": [
            {
                "line": 1,
                "sipRegister": "sip.example.net",
                "sipUser": "401",
                "sipPassword": "sip-pw-401",
                "transport": "TLS",
                "registerExpires": 600,
                "outboundProxy": "proxy.example.net:5061",
                "backupServer": "sip2.example.net",
                "voicemail": "*97",
            }
        ],
        "lineKeys": [
            {"type": "BLF", "value": "402", "label": "Bob", "pickupCode": "*8"},
            {"type": "SPEED_DIAL", "value": "+4930123", "label": "Office"},
        ],
        "phonebook": [
            {"name": "Alice", "numbers": [{"number": "401"}, {"number": "+49170", "type": "MOBILE"}]}
        ],
        "remotePhonebooks": [{"name": "Company", "url": "https://pbx.example.net/pb.xml"}],
        "vendorParams": {"features.dnd.enable": "1"},
    }
    device.update(changes)
    return device


def save(server: Server, device: dict[str, Any]) -> dict[str, Any]:
    query = f"mutation($input: DeviceInput!) {{ saveDevice(input: $input) {{ device {{ {FULL_FIELDS} }} errors {{ field message }} }} }}"
    payload = server.graphql(query, {"input": device})["saveDevice"]
    assert payload["errors"] == [], payload["errors"]
    return payload["device"]  # type: ignore[no-any-return]


def test_the_whole_vocabulary_round_trips_and_secrets_stay_write_only(server: Server) -> None:
    device = save(server, full_input())
    assert device["hasAdminPassword"] and device["accounts"][0]["hasPassword"]
    assert device["accounts"][0] == {
        "line": 1,
        "transport": "TLS",
        "registerExpires": 600,
        "outboundProxy": "proxy.example.net:5061",
        "backupServer": "sip2.example.net",
        "voicemail": "*97",
        "hasPassword": True,
    }
    assert device["lineKeys"] == [
        {"type": "BLF", "value": "402", "label": "Bob", "line": 1, "pickupCode": "*8"},
        {"type": "SPEED_DIAL", "value": "+4930123", "label": "Office", "line": 1, "pickupCode": ""},
    ]
    assert device["phonebook"] == [
        {
            "name": "Alice",
            "numbers": [{"number": "401", "type": "WORK"}, {"number": "+49170", "type": "MOBILE"}],
        }
    ]
    assert device["vendorParams"] == {"features.dnd.enable": "1"}
    assert (device["timezone"], device["language"], device["resyncMinutes"]) == ("Europe/Berlin", "de", 90)
    response = server.client.post(
        f"{server.url}/graphql",
        json={"query": f'{{ device(key: "{device["key"]}") {{ {FULL_FIELDS} }} }}'},
        headers={"Authorization": f"Bearer {API_TOKEN}"},
    )
    assert "admin-pw-4711" not in response.text and "sip-pw-401" not in response.text
    # Saving again without the secrets keeps them.
    kept = full_input()
    del kept["adminPassword"], kept["accounts"][0]["sipPassword"]
    assert save(server, kept)["hasAdminPassword"]


def test_vendor_params_errors_name_the_key(server: Server) -> None:
    query = "mutation($input: DeviceInput!) { saveDevice(input: $input) { device { key } errors { field message } } }"
    payload = server.graphql(
        query, {"input": full_input(vendorParams={"bad key": "1", "static.x_y": "a\nb"})}
    )
    assert {e["field"] for e in payload["saveDevice"]["errors"]} == {
        "vendorParams.bad key",
        "vendorParams.static.x_y",
    }


def test_last_provisioning_shows_what_is_really_on_the_desk(server: Server) -> None:
    device = save(server, full_input())
    assert server.get(f"/v1/device/{device['key']}", YEALINK_UA).status_code == 200
    record = eventually(
        lambda: server.graphql(f'{{ device(key: "{device["key"]}") {{ {FULL_FIELDS} }} }}')["device"][
            "lastProvisioning"
        ],
        lambda record: record is not None,
    )
    assert record == {
        "vendor": "yealink",
        "model": "t46s",
        "firmware": "66.86.0.15",
        "filename": "001565778899.cfg",
    }


def test_render_config_is_the_exact_file_the_phone_gets(server: Server) -> None:
    device = save(server, full_input(status=False))
    rendered = server.graphql(f'{{ renderConfig(key: "{device["key"]}") {{ filename contentType body }} }}')[
        "renderConfig"
    ]
    assert rendered["filename"] == "001565778899.cfg"
    assert rendered["contentType"] == "text/plain; charset=utf-8"
    assert "account.1.password = sip-pw-401" in rendered["body"]
    save(server, full_input(status=True))
    served = server.get(f"/v1/device/{device['key']}/001565778899.cfg", YEALINK_UA)
    again = server.graphql(
        f'{{ renderConfig(key: "{device["key"]}", filename: "001565778899.cfg") {{ body }} }}'
    )
    assert served.text == again["renderConfig"]["body"]
    assert server.graphql('{ renderConfig(key: "no-such-key-123") { body } }')["renderConfig"] is None


def test_sonata_render_prints_the_same_on_the_command_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "SONATA_API_TOKEN": API_TOKEN,
        "SONATA_PUBLIC_URL": "http://sonata.example.net",
    }
    server = start_server(tmp_path, env)
    try:
        key = save(server, full_input())["key"]
        via_api = server.graphql(f'{{ renderConfig(key: "{key}") {{ body }} }}')["renderConfig"]["body"]
    finally:
        stop_server(server)
    for who in (key, "00:15:65:77:88:99"):
        result = subprocess.run(
            [sys.executable, "-m", "sonata", "render", who],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout == via_api
    missing = subprocess.run(
        [sys.executable, "-m", "sonata", "render", "no-such-key-123"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 1 and "no device" in missing.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "sonata", "render", key, "nonsense.txt"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "filename" in bad.stderr


def test_template_overrides_replace_the_shipped_file(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides" / "yealink"
    overrides.mkdir(parents=True)
    (overrides / "device.cfg.j2").write_text("#!version:1.0.0.1\n# our own template\nmy.setting = 1\n")
    env = {
        "SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'o.db'}",
        "SONATA_API_TOKEN": API_TOKEN,
        "SONATA_TEMPLATES_DIR": str(tmp_path / "overrides"),
    }
    server = start_server(tmp_path, env)
    try:
        yealink = save(server, full_input(vendorParams={}))
        assert server.get(f"/v1/device/{yealink['key']}", YEALINK_UA).text == (
            "#!version:1.0.0.1\n# our own template\nmy.setting = 1\n"
        )
        grandstream = save(
            server,
            full_input(
                vendor="grandstream",
                model="gxp1620",
                mac="000b82778899",
                lineKeys=[],
                vendorParams={},
                language=None,
            ),
        )
        shipped = server.get(
            f"/v1/device/{grandstream['key']}", "Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 000b82778899"
        )
        assert shipped.status_code == 200 and "<gs_provision" in shipped.text
    finally:
        stop_server(server)
