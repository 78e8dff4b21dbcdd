"""The log scan finds a secret a test used in a log line of the test process or of a server's log file,
masks it in what it reports, and leaves alone the test clients' own lines and values too short to tell."""

import logging
import secrets
from pathlib import Path

from tests import log_scan


def unique(kind: str) -> str:
    """A secret no other test uses: the registry lasts the whole run."""
    return f"{kind}-{secrets.token_hex(8)}"


def test_a_secret_in_a_record_of_sonatas_loggers_is_found_masked() -> None:
    password, key = unique("sip"), unique("key")
    log_scan.note_secrets_in({"input": {"accounts": [{"sipPassword": password}]}, "key": key})
    log_scan.findings()  # what earlier tests left

    logging.getLogger("sonata.anything").debug("saved %s with %s", key, password)
    logging.getLogger("uvicorn.error").info("nothing secret here")

    assert log_scan.findings() == [
        "key, sipPassword in a log line: sonata.anything DEBUG saved <secret> with <secret>"
    ]
    assert log_scan.findings() == []  # each line is looked at once


def test_a_secret_in_a_servers_log_file_is_found_once_the_line_is_complete(tmp_path: Path) -> None:
    token = unique("token")
    log_scan.note_secret(token, "SONATA_API_TOKEN")
    log = tmp_path / "server.log"
    log.write_text("INFO sonata: started\nWARNING half a line with " + token)
    log_scan.watch_log(log)
    log_scan.findings()

    assert log_scan.findings() == []
    with log.open("a") as file:
        file.write(" ends here\n")
    assert log_scan.findings() == [
        "SONATA_API_TOKEN in a log line: WARNING half a line with <secret> ends here"
    ]


def test_the_test_clients_lines_and_short_values_are_left_alone() -> None:
    key = unique("key")
    log_scan.note_secrets_in({"key": key, "sipPassword": "pw1"})
    log_scan.findings()

    logging.getLogger("httpx").warning("HTTP Request: GET http://127.0.0.1/%s/x.cfg", key)
    logging.getLogger("sonata.anything").warning("the password pw1 is too short to tell")

    assert log_scan.findings() == []


class Module:
    ADMIN_PASSWORD = unique("admin")
    TITLE = unique("title")


def test_a_modules_secret_constants_and_a_tests_devices_are_noted() -> None:
    from sonata.domain.model import Account, Device

    device = Device(
        "k", "yealink", "t46s", "001565000001", accounts=(Account(1, None, "101", unique("sip")),)
    )
    log_scan.note_test_secrets(Module, {"device": device})
    log_scan.findings()

    sonata = logging.getLogger("sonata.anything")
    sonata.warning("%s %s %s", Module.ADMIN_PASSWORD, device.accounts[0].sip_password, Module.TITLE)

    [found] = log_scan.findings()
    assert (
        found
        == f"ADMIN_PASSWORD, sip_password in a log line: sonata.anything WARNING <secret> <secret> {Module.TITLE}"
    )


def test_the_token_the_first_start_prints_once_is_no_finding(tmp_path: Path) -> None:
    token = unique("initial")
    log_scan.note_secret(token, "API token")
    log = tmp_path / "server.log"
    log.write_text(
        f"Sonata generated the management API token 'initial', an admin token (shown only now): {token}\n"
    )
    log_scan.watch_log(log)

    assert log_scan.findings() == []
