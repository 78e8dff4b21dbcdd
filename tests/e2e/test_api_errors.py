"""What the log and the client learn of a failed management API request, against a real server."""

import re
import sqlite3
from pathlib import Path

import httpx
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server

SAVE = """mutation($input: DeviceInput!) { saveDevice(input: $input) { device { key } errors { field } } }"""
KEY = "k3y-that-must-stay-secret"
PASSWORD = "pa55-that-must-stay-secret"
VENDOR_VALUE = "vendor-value-that-must-stay-secret"
DEVICE = {
    "key": KEY,
    "vendor": "yealink",
    "model": "t46s",
    "mac": "00:15:65:ab:cd:ef",
    "vendorParams": {"static.security.user_password": VENDOR_VALUE},
    "accounts": [{"line": 1, "sipRegister": "sip.example.net", "sipUser": "201", "sipPassword": PASSWORD}],
}


def log_lines(server: Server, level: str) -> list[str]:
    return [line for line in server.log().splitlines() if f" {level} sonata" in line]


def test_a_mistyped_mutation_is_logged_at_info_without_its_text(server: Server) -> None:
    """Today: the whole document, inline password included, went to the log at ERROR."""
    document = (
        'mutation { saveDevice(input: {vendor: "yealink", model: "t46s", mac: "001565abcdef", accounts: '
        f'[{{line: 1, sipRegister: "sip.example.net", sipUser: "201", sipPasword: "{PASSWORD}"}}]}}) '
        "{ devic { key } } }"
    )
    for query in (document, document.replace("mutation {", "mutation {{")):  # a validation and a syntax error
        response = httpx.post(
            f"{server.url}/graphql", json={"query": query}, headers={"Authorization": f"Bearer {API_TOKEN}"}
        )
        assert response.status_code == 200 and response.json()["errors"]
    log = server.log()
    assert PASSWORD not in log and "saveDevice" not in log and "Traceback" not in log
    assert log_lines(server, "ERROR") == []
    refused = log_lines(server, "INFO")
    typo, field = document.index("sipPasword") + 1, document.index("devic") + 1
    assert refused[-2].endswith(
        f"refused a GraphQL request: validation error at 1:{typo}; validation error at 1:{field}"
    )
    assert refused[-1].endswith("refused a GraphQL request: syntax error at 1:11")


def test_failed_logins_are_a_401_logged_at_warning_once_per_address(server: Server) -> None:
    presented = ["", "Bearer wrong-token-that-is-no-secret-of-ours", "Basic abc", f"bearer {API_TOKEN}x"]
    for _ in range(3):
        for authorization in presented:
            response = httpx.post(
                f"{server.url}/graphql",
                json={"query": "{ vendors { id } }"},
                headers={"Authorization": authorization},
            )
            assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
            assert response.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    # The API's own lines: the server's start may have logged a WARNING of its own (a new key file).
    warnings = [line for line in log_lines(server, "WARNING") if " sonata.api: " in line]
    assert len(warnings) == 1 and warnings[0].endswith(
        "refused a management API request from 127.0.0.1: no bearer token"
    )
    assert "wrong-token" not in server.log() and f"{API_TOKEN}x" not in server.log()


def test_a_database_fault_reaches_the_client_as_internal_error_and_an_id(tmp_path: Path) -> None:
    """Today: the client got the failed INSERT with its parameters: key, passwords, vendorParams."""
    database = tmp_path / "fault.db"
    server = start_server(
        tmp_path, {"SONATA_DATABASE_URL": f"sqlite:///{database}", "SONATA_API_TOKEN": API_TOKEN}
    )
    try:
        # A real SQLite error on every write to the devices table: the trigger names a table that is gone.
        with sqlite3.connect(database) as connection:
            connection.executescript(
                """
                CREATE TABLE gone (x);
                CREATE TRIGGER no_insert BEFORE INSERT ON devices BEGIN INSERT INTO gone VALUES (NEW.key); END;
                CREATE TRIGGER no_update BEFORE UPDATE ON devices BEGIN INSERT INTO gone VALUES (NEW.key); END;
                DROP TABLE gone;
                """
            )
        response = httpx.post(
            f"{server.url}/graphql",
            json={"query": SAVE, "variables": {"input": DEVICE}},
            headers={"Authorization": f"Bearer {API_TOKEN}"},
        )
        assert response.status_code == 200
        [error] = response.json()["errors"]
        assert error["message"] == "internal error" and error["path"] == ["saveDevice"]
        assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR" and re.fullmatch(
            r"[0-9a-f]{12}", error["extensions"]["id"]
        )
        for secret in (KEY, PASSWORD, VENDOR_VALUE, "SQL", "INSERT", "gone"):
            assert secret not in response.text
        log = server.log()
        [line] = log_lines(server, "ERROR")
        assert line.endswith(f"internal error {error['extensions']['id']} (error at saveDevice)")
        assert (
            "no such table: main.gone" in log and "[SQL parameters hidden due to hide_parameters=True]" in log
        )
        for secret in (KEY, PASSWORD, VENDOR_VALUE):
            assert secret not in log
    finally:
        stop_server(server)
