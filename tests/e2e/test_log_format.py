"""SONATA_LOG_FORMAT=json and SONATA_LOG_LEVEL on a real `sonata serve`: one JSON object a line, uvicorn's
lines too, a request id on the lines of a request, each phone fetch's facts as keys, and no key,
token or password anywhere."""

import json
from pathlib import Path
from typing import Any

from tests.e2e.conftest import API_TOKEN, start_server, stop_server
from tests.e2e.test_phone_routes import PHONES, publish
from tests.e2e.test_workers import ready_workers

_, MAC, FILENAME, USER_AGENT, _ = PHONES["yealink"]
UNKNOWN_KEY = "never-published-key-01"


def serve_and_fetch(tmp_path: Path, args: list[str] | None = None, **env: str) -> tuple[str, dict[str, Any]]:
    """A server with these settings: a device published, fetched, refused, a GraphQL mistake; its log."""
    server = start_server(
        tmp_path,
        {"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}", "SONATA_API_TOKEN": API_TOKEN, **env},
        args=args or [],
    )
    try:
        if args:
            ready_workers(server, 2)
        device = publish(server, "yealink")
        assert server.get(f"{device['links']['personal']}/{FILENAME}", USER_AGENT).status_code == 200
        assert server.get(f"{device['links']['common']}/{FILENAME}", USER_AGENT).status_code == 200
        assert server.get(f"/v1/device/{UNKNOWN_KEY}/{FILENAME}", USER_AGENT).status_code == 404
        mistake = server.client.post(
            f"{server.url}/graphql",
            json={"query": "{ vendors { id }"},
            headers={"Authorization": f"Bearer {API_TOKEN}"},
        )
        assert "errors" in mistake.json()
    finally:
        stop_server(server)
    return server.log(), device


def assert_no_secret(log: str, device: dict[str, Any]) -> None:
    for secret in (device["key"], device["token"], API_TOKEN, UNKNOWN_KEY, "phone-pw-301"):
        assert secret not in log


def test_json_lines_with_request_ids_and_the_facts_of_each_fetch(tmp_path: Path) -> None:
    log, device = serve_and_fetch(tmp_path, SONATA_LOG_FORMAT="json")
    lines = [json.loads(line) for line in log.splitlines()]  # every line one JSON object
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    assert any(line["logger"].startswith("uvicorn") for line in lines)
    assert not any("request_id" in line for line in lines if "worker" in line["message"])  # not a request's

    fetches = [line for line in lines if "outcome" in line]
    assert [(f["outcome"], f["link"], f["reason"]) for f in fetches] == [
        ("served", "personal", None),
        ("served", "common", None),
        ("refused", "personal", "unknown_key"),
    ]
    for fetch in fetches:
        assert fetch["address"] == "127.0.0.1" and fetch["file"] == FILENAME
        assert (fetch["vendor"], fetch["model"]) == ("yealink", "t46s")
        assert isinstance(fetch["duration_ms"], float) and 0 < fetch["duration_ms"] < 5000
    assert [f["level"] for f in fetches] == ["INFO", "INFO", "WARNING"]
    assert fetches[0]["device"] == MAC and fetches[2]["device"] is None
    [mistake] = [line for line in lines if line["message"].startswith("refused a GraphQL request")]
    ids = [line["request_id"] for line in [*fetches, mistake]]
    assert len(set(ids)) == 4 and all(ids)
    assert_no_secret(log, device)


def test_json_lines_from_every_worker(tmp_path: Path) -> None:
    log, device = serve_and_fetch(tmp_path, ["--workers", "2"], SONATA_LOG_FORMAT="json")
    lines = [json.loads(line) for line in log.splitlines()]
    assert sum("ready" in line["message"] for line in lines if line["logger"] == "sonata") >= 2
    assert sum(line["message"] == "Application shutdown complete." for line in lines) == 2
    assert_no_secret(log, device)


def test_at_warning_only_the_refusals_of_the_fetches_are_logged(tmp_path: Path) -> None:
    log, device = serve_and_fetch(tmp_path, SONATA_LOG_LEVEL="warning")
    assert " INFO " not in log
    [refusal] = [line for line in log.splitlines() if "refused personal link request" in line]
    assert " WARNING sonata.provisioning: " in refusal and "(unknown_key, " in refusal
    assert_no_secret(log, device)


def test_the_text_format_has_each_fetch_on_one_line(tmp_path: Path) -> None:
    log, device = serve_and_fetch(tmp_path, SONATA_LOG_LEVEL="DEBUG")
    served = [line for line in log.splitlines() if f"served '{FILENAME}' to 127.0.0.1" in line]
    assert len(served) == 2
    assert all(f"(device {MAC}, yealink t46s) in " in line and line.endswith(" ms") for line in served)
    assert_no_secret(log, device)
