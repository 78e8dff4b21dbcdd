"""/metrics of a real `sonata serve`, read with prometheus_client's own parser: phone requests, refusals,
renders and cache lookups, GraphQL operations and database faults, summed over `--workers`, and
behind SONATA_METRICS_TOKEN when it is set."""

import os
import re
import shutil
import signal
import sqlite3
from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server
from tests.e2e.test_phone_routes import PHONES, publish
from tests.e2e.test_workers import fresh_connections, ready_workers
from tests.e2e.waiting import eventually

__all__ = ["fresh_connections"]  # a fixture

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
_, MAC, FILENAME, USER_AGENT, _ = PHONES["yealink"]
METRICS_TOKEN = "metrics-token-0123456789"


def samples(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(server: Server, client: httpx.Client | None = None) -> Samples:
    response = (client or server.client).get(f"{server.url}/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return samples(response.text)


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def served(found: Samples, vendor: str = "yealink") -> float:
    return value(found, "sonata_phone_requests_total", vendor=vendor, kind="device_config", outcome="served")


def sqlite_server(tmp_path: Path, args: list[str] | None = None, **env: str) -> Server:
    database = f"sqlite:///{tmp_path / 'sonata.db'}"
    return start_server(
        tmp_path, {"SONATA_DATABASE_URL": database, "SONATA_API_TOKEN": API_TOKEN, **env}, args=args or []
    )


def graphql(server: Server, query: str, token: str | None = API_TOKEN) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return server.client.post(f"{server.url}/graphql", json={"query": query}, headers=headers)


def test_phone_requests_refusals_renders_and_api_operations_are_counted(tmp_path: Path) -> None:
    server = sqlite_server(tmp_path)
    try:
        before = scrape(server)
        assert served(before) == 0
        assert value(before, "sonata_phone_refusals_total", reason="blocked") == 0  # every reason, from 0
        device = publish(server, "yealink")
        personal, common = device["links"]["personal"], device["links"]["common"]
        for link in (personal, personal, common):
            assert server.get(f"{link}/{FILENAME}", USER_AGENT).status_code == 200
        assert server.get(f"/v1/device/never-published-key-01/{FILENAME}", USER_AGENT).status_code == 404
        assert server.get(f"{personal}/{MAC}-local.cfg", USER_AGENT).status_code == 404
        assert server.get(f"{common}/001565000009.cfg", "curl/8.0").status_code == 404
        assert graphql(server, "{ vendors { id } }").status_code == 200
        assert "errors" in graphql(server, "{ vendors { id }").json()  # a syntax error
        assert graphql(server, "{ vendors { id } }", token=None).status_code == 401
        response = server.client.get(f"{server.url}/metrics")
        found = samples(response.text)
    finally:
        stop_server(server)
    assert served(found) == 3
    yealink_refused = {"vendor": "yealink", "kind": "unknown", "outcome": "refused"}
    assert value(found, "sonata_phone_requests_total", **yealink_refused) == 2
    assert (
        value(found, "sonata_phone_requests_total", vendor="unknown", kind="unknown", outcome="refused") == 1
    )
    refusals = {
        dict(labels)["reason"]: count
        for (name, labels), count in found.items()
        if name == "sonata_phone_refusals_total"
    }
    assert {reason: count for reason, count in refusals.items() if count} == {
        "unknown_key": 1,
        "not_served": 1,
        "unknown_mac": 1,
    }
    hits = value(found, "sonata_cache_lookups_total", cache="file", result="hit")
    misses = value(found, "sonata_cache_lookups_total", cache="file", result="miss")
    assert hits + misses == 3 and misses >= 1
    assert value(found, "sonata_render_seconds_count", vendor="yealink") == misses
    assert 0 < value(found, "sonata_render_seconds_sum", vendor="yealink") < misses
    assert value(found, "sonata_graphql_operations_total", type="mutation", outcome="ok") == 1  # the save
    assert value(found, "sonata_graphql_operations_total", type="query", outcome="ok") == 1
    assert value(found, "sonata_graphql_operations_total", type="unknown", outcome="error") == 1
    assert value(found, "sonata_graphql_operations_total", type="unknown", outcome="unauthenticated") == 1
    assert value(found, "sonata_database_errors_total", where="phones") == 0
    for secret in (device["key"], device["token"], MAC, API_TOKEN, "never-published-key-01", "127.0.0.1"):
        assert secret not in response.text


def test_database_faults_are_counted_where_they_are_met(tmp_path: Path) -> None:
    server = sqlite_server(tmp_path)
    try:
        with sqlite3.connect(tmp_path / "sonata.db") as connection:
            connection.execute("ALTER TABLE devices RENAME TO devices_gone")  # a real fault under the server
        connection.close()
        assert server.get(f"/v1/device/never-published-key-01/{FILENAME}", USER_AGENT).status_code == 503
        body = graphql(server, "{ devices { totalCount } }").json()
        assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        found = scrape(server)
    finally:
        stop_server(server)
    assert value(found, "sonata_database_errors_total", where="phones") == 1
    assert value(found, "sonata_database_errors_total", where="api") == 1
    assert value(found, "sonata_phone_requests_total", vendor="unknown", kind="unknown", outcome="error") == 1
    assert value(found, "sonata_graphql_operations_total", type="query", outcome="internal") == 1


def worker_counts(directory: Path, pid: int, tmp_path: Path) -> Samples:
    """What one worker counted: its own file, read alone."""
    alone = tmp_path / f"worker-{pid}"
    alone.mkdir()
    shutil.copy(directory / f"counter_{pid}.db", alone)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(alone))
    return samples(generate_latest(registry).decode())


def metrics_dir(pid: int) -> Path:
    """Where a worker counts: the PROMETHEUS_MULTIPROC_DIR its parent gave it."""
    environ = dict(
        entry.split("=", 1) for entry in Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in entry
    )
    return Path(environ["PROMETHEUS_MULTIPROC_DIR"])


def test_the_workers_counts_add_up_whichever_answers(tmp_path: Path, fresh_connections: httpx.Client) -> None:
    server = sqlite_server(tmp_path, ["--workers", "2"])
    try:
        workers = ready_workers(server, 2)
        device = publish(server, "yealink")
        url = f"{server.url}{httpx.URL(device['links']['personal']).path}/{FILENAME}"
        for _ in range(40):
            assert fresh_connections.get(url, headers={"User-Agent": USER_AGENT}).status_code == 200
        # Each worker adds its counts to the shared ones every second, and at once when it answers.
        total = eventually(lambda: served(scrape(server, fresh_connections)), lambda count: count == 40)
        assert total == 40
        directory = metrics_dir(next(iter(workers)))
        assert {metrics_dir(pid) for pid in workers} == {directory}
        each = [served(worker_counts(directory, pid, tmp_path)) for pid in workers]
        assert sum(each) == 40 and all(each), each  # both served, and each counted its own
        for _ in range(10):  # new connections reach both workers; each answer sums both
            assert served(scrape(server, fresh_connections)) == 40

        killed = workers.pop()
        os.kill(killed, signal.SIGKILL)
        replacement = ready_workers(server, 3) - {killed} - workers
        assert replacement
        for _ in range(10):  # the dead worker's counts stay in the sums; its gauge is dropped
            found = scrape(server, fresh_connections)
            assert served(found) == 40
            assert value(found, "sonata_records_pending") == 0
        assert not list(directory.glob(f"gauge_live*_{killed}.db"))
    finally:
        stop_server(server)
    assert not directory.exists()  # made for this start, removed at its end
    assert "Traceback" not in server.log()


def test_a_metrics_token_keeps_metrics_from_anyone_without_it(tmp_path: Path) -> None:
    server = sqlite_server(tmp_path, SONATA_METRICS_TOKEN=METRICS_TOKEN)
    try:
        url = f"{server.url}/metrics"
        for headers in (
            {},
            {"Authorization": "Bearer wrong-metrics-token-0"},
            {"Authorization": f"Bearer {API_TOKEN}"},
        ):
            refused = server.client.get(url, headers=headers)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"] == 'Bearer realm="metrics"'
            assert "sonata_" not in refused.text
        allowed = server.client.get(url, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert allowed.status_code == 200 and "sonata_phone_requests_total" in allowed.text
    finally:
        stop_server(server)
    log = server.log()
    assert re.search(r"refused a management API request from 127\.0\.0\.1: (no|wrong) metrics token", log)
    assert METRICS_TOKEN not in log and "wrong-metrics-token-0" not in log
