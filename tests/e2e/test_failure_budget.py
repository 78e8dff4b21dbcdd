"""The failure budget against running servers: a scan is stopped after the budget, with the same
404 for every answer; 200 phones booting behind one address all provision; the budget and its
blocks hold across instances and workers on one database, each block and its end logged once."""

import random
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server
from tests.e2e.test_import import IMPORT
from tests.e2e.test_workers import fresh_postgres_url, ready_workers
from tests.e2e.waiting import eventually

DEFAULT_BUDGET = {"SONATA_FAILURE_BUDGET": ""}
"""Empty is unset: Sonata's defaults (30 failures within 600 s, a block of 900 s)."""
DEFAULT_FAILURES = 30
TOKEN = "nat-office-group"
GROUP_UA = "Yealink SIP-T46S 66.86.0.15"  # an older Yealink: no MAC in its User-Agent


def colons(mac: str) -> str:
    return ":".join(mac[i : i + 2] for i in range(0, 12, 2))


def without_date(response: httpx.Response) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    headers = tuple((name, value) for name, value in response.headers.multi_items() if name != "date")
    return response.status_code, headers, response.content


def blocks(log: str) -> list[tuple[str, str]]:
    """The block and unblock lines of a server's log, as (level, what happened to which address)."""
    return re.findall(r" (WARNING|INFO) sonata.failures: ((?:un)?blocked \S+):", log)


def document(vendor: str, model: str, mac: str) -> dict[str, Any]:
    return {
        "vendor": vendor,
        "model": model,
        "mac": mac,
        "token": TOKEN,
        "accounts": [
            {"line": 1, "sip_register": "sip.example.net", "sip_user": mac[-4:], "sip_password": "pw"}
        ],
    }


def import_devices(server: Server, documents: list[dict[str, Any]]) -> list[dict[str, str]]:
    query = IMPORT.replace("links { personal }", "links { personal common }")
    data = server.graphql(query, {"docs": documents})["importDevices"]
    assert data["saved"] == len(documents), [r["errors"] for r in data["results"] if r["errors"]]
    return [result["device"]["links"] for result in data["results"]]


# What each phone of the office asks for when it boots, as tests/e2e/test_boot_sequences.py replays
# it: the files it is served, and first the files it asks for that Sonata does not serve (a 404 that
# must not count), each as (file name, served).
Boot = tuple[str, str, Callable[[str], list[tuple[str, bool]]]]
BOOTS: dict[str, Boot] = {
    "yealink": (
        "t54w",
        "805ec0",
        lambda mac: [
            (f"{mac}-local.cfg", False),
            (f"{mac}-contact.xml", False),
            ("y000000000065.cfg", False),  # another model's common file
            (f"{mac}.boot", True),
            ("y000000000096.cfg", True),
            (f"{mac}.cfg", True),
        ],
    ),
    "yealink-without-mac": (
        "t46s",
        "001565",
        lambda mac: [("y000000000028.cfg", False), (f"{mac}.cfg", True)],  # no MAC shown: no device yet
    ),
    "grandstream": (
        "gxp1630",
        "c074ad",
        lambda mac: [(f"cfg{mac}", False), (f"cfg{mac}.xml", True), ("cfggxp1630.xml", True)],
    ),
    "fanvil": (
        "x4",
        "0c383e",
        lambda mac: [("fanvil_x4_hw1.txt", False), ("f0X4hw1.100.cfg", True), (f"{mac}.cfg", True)],
    ),
    "htek": (
        "uc903",
        "001fc1",
        lambda mac: [(f"cfg{mac}", False), ("cfg0016.xml", True), (f"cfg{mac}.xml", True)],
    ),
    "snom": (
        "d715",
        "000413",
        lambda mac: [
            ("snom715.htm", True),
            (f"snom715-{mac.upper()}.htm", True),
            (f"{mac.upper()}.xml", True),
        ],
    ),
}


def user_agent(kind: str, mac: str) -> str:
    return {
        "yealink": f"Yealink SIP-T54W 96.85.0.5 {colons(mac)}",
        "yealink-without-mac": GROUP_UA,
        "grandstream": f"Grandstream Model HW GXP1630 SW 1.0.7.13 DevId {mac}",
        "fanvil": f"Fanvil X4 2.10.2.6887 {mac}",
        "htek": f"Htek UC903 2.0.4.2 {colons(mac)}",
        "snom": f"Mozilla/4.0 (compatible; snomD715-SIP 10.1.33.33 1.1.5-IFX-05.01.12 {mac.upper()})",
    }[kind]


def answers(server: Server, path: str, user_agent: str, status: int, within: float = 10.0) -> bool:
    """Whether the server answers `path` with `status` within `within` seconds."""
    read = eventually(lambda: server.get(path, user_agent).status_code, lambda got: got == status, within)
    return read == status


@pytest.fixture
def default_server(tmp_path: Path) -> Iterator[Server]:
    env = {"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}", "SONATA_API_TOKEN": API_TOKEN}
    server = start_server(tmp_path, {**env, **DEFAULT_BUDGET})
    yield server
    stop_server(server)


def test_two_hundred_phones_booting_at_once_behind_one_address_all_provision(default_server: Server) -> None:
    server = default_server
    kinds = [list(BOOTS)[n % len(BOOTS)] for n in range(200)]
    phones = [(kind, f"{BOOTS[kind][1]}{n:06x}") for n, kind in enumerate(kinds)]
    documents = [document(kind.split("-")[0], BOOTS[kind][0], mac) for kind, mac in phones]
    links = import_devices(server, documents)

    def boot(phone: int) -> list[tuple[str, int, bool]]:
        kind, mac = phones[phone]
        # A quarter on their personal links; the others on the office's group token, where a phone
        # showing no MAC asks in vain for its model's file.
        personal = phone % 4 == 0 and kind != "yealink-without-mac"
        link = links[phone]["personal" if personal else "common"]
        with httpx.Client(timeout=20) as client:  # a phone of its own: its own connection
            return [
                (
                    name,
                    client.get(f"{link}/{name}", headers={"User-Agent": user_agent(kind, mac)}).status_code,
                    served,
                )
                for name, served in BOOTS[kind][2](mac)
            ]

    with ThreadPoolExecutor(50) as pool:
        fetches = [fetch for phone in pool.map(boot, range(len(phones))) for fetch in phone]
    wrong = [(name, status) for name, status, served in fetches if status != (200 if served else 404)]
    assert wrong == []
    refused = sum(not served for _, _, served in fetches)
    assert refused >= 5 * DEFAULT_FAILURES  # had they counted, the office would have been blocked
    print(f"\n200 phones, {len(fetches)} fetches from one address: all served, {refused} refused uncounted")
    assert blocks(server.log()) == []


def test_a_scan_of_random_macs_on_a_valid_token_is_stopped_after_the_budget_with_the_same_404(
    default_server: Server,
) -> None:
    server = default_server
    mac = "001565abc001"
    [links] = import_devices(server, [document("yealink", "t46s", mac)])
    valid, phone = f"{links['common']}/{mac}.cfg", f"{GROUP_UA} {colons(mac)}"
    assert server.get(valid, phone).status_code == 200
    scan = random.Random(2000)
    macs = {f"001565{scan.getrandbits(24):06x}" for _ in range(3000)} - {mac}
    replies, blocked_after = [], None
    started = time.monotonic()
    for number, guess in enumerate(sorted(macs)[:2000], 1):
        replies.append(without_date(server.get(f"{links['common']}/{guess}.cfg", GROUP_UA)))
        if blocked_after is None and server.get(valid, phone).status_code == 404:  # a success: not counted
            blocked_after = number
    took = time.monotonic() - started
    assert len(replies) == 2000
    assert blocked_after == DEFAULT_FAILURES
    assert set(replies) == {without_date(server.get(valid, phone))}
    assert replies[0][0] == 404 and replies[0][2] == b"Not Found\n"
    assert server.get(f"{links['personal']}/{mac}.cfg", phone).status_code == 404  # every phone link
    assert server.client.get(f"{server.url}/healthz").status_code == 200  # the rest of Sonata is not a link
    print(f"\nscan of 2000 MACs: blocked after {blocked_after} ({took:.1f} s for the scan and the checks)")
    logged = eventually(lambda: blocks(server.log()), lambda lines: lines != [], 2.0)
    assert logged == [("WARNING", "blocked 127.0.0.1")]


def test_a_block_ends_after_its_cool_down_and_each_is_logged_once(tmp_path: Path) -> None:
    env = {
        "SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}",
        "SONATA_API_TOKEN": API_TOKEN,
        "SONATA_FAILURE_BUDGET": "5",
        "SONATA_BLOCK_SECONDS": "2",
    }
    server = start_server(tmp_path, env)
    try:
        mac = "001565abc002"
        [links] = import_devices(server, [document("yealink", "t46s", mac)])
        valid, phone = f"{links['personal']}/{mac}.cfg", f"{GROUP_UA} {colons(mac)}"
        for attempt in range(5):
            assert server.get(valid, phone).status_code == 200
            server.get(f"{server.url}/v1/device/guessed-key-{attempt:04d}/{mac}.cfg", phone)
        blocked_at = time.monotonic()
        while time.monotonic() - blocked_at < 1.8:  # requests during the block do not lengthen it
            assert server.client.head(valid, headers={"User-Agent": phone}).status_code == 404
            time.sleep(0.1)
        assert answers(server, valid, phone, 200, within=2.0)
        assert time.monotonic() - blocked_at < 3.0
        logged = eventually(lambda: blocks(server.log()), lambda lines: len(lines) == 2, 2.0)
        assert logged == [("WARNING", "blocked 127.0.0.1"), ("INFO", "unblocked 127.0.0.1")]
    finally:
        stop_server(server)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sonata.db'}" if request.param == "sqlite" else fresh_postgres_url(request)


def test_two_instances_on_one_database_share_the_budget_and_its_blocks(
    tmp_path: Path, database_url: str
) -> None:
    """Failures at one count at the other, a block of one is the other's within about a second, and
    each block and its end is logged by one instance only."""
    env = {
        "SONATA_DATABASE_URL": database_url,
        "SONATA_API_TOKEN": API_TOKEN,
        "SONATA_FAILURE_BUDGET": "20",
        "SONATA_BLOCK_SECONDS": "3",
    }
    first = start_server(tmp_path, env)
    try:
        second = start_server(tmp_path, env)
        try:
            mac = "001565abc003"
            [links] = import_devices(first, [document("yealink", "t46s", mac)])
            path, phone = (
                f"/v1/device/{links['personal'].rsplit('/', 1)[1]}/{mac}.cfg",
                f"{GROUP_UA} {colons(mac)}",
            )
            for attempt in range(12):
                first.get(f"/v1/device/guessed-key-{attempt:04d}/{mac}.cfg", phone)
            time.sleep(1.2)  # the first has shared its 12
            at_second = 0
            while second.get(path, phone).status_code == 200:
                assert at_second < 20, "the second counted alone"
                second.get(f"/v1/device/guessed-key-b{at_second:04d}/{mac}.cfg", phone)
                at_second += 1
                time.sleep(0.1)
            # 8 spend what is left; what the second takes before it learns the first's 12 is the slack,
            # at 10 requests a second here.
            assert 8 <= at_second <= 8 + 10, at_second
            print(
                f"\ntwo instances, budget 20: 12 failures at the first, blocked at the second after {at_second}"
            )
            assert answers(first, path, phone, 404, within=1.5)
            logs = eventually(lambda: blocks(first.log() + second.log()), lambda lines: len(lines) == 2, 6.0)
            assert sorted(logs) == [("INFO", "unblocked 127.0.0.1"), ("WARNING", "blocked 127.0.0.1")]
            assert answers(second, path, phone, 200) and answers(first, path, phone, 200)
            time.sleep(1.0)
            assert len(blocks(first.log() + second.log())) == 2
        finally:
            stop_server(second)
    finally:
        stop_server(first)
    assert "Traceback" not in first.log() + second.log()


def test_the_workers_of_one_server_share_the_budget_and_its_blocks(tmp_path: Path, database_url: str) -> None:
    env = {"SONATA_DATABASE_URL": database_url, "SONATA_API_TOKEN": API_TOKEN, "SONATA_FAILURE_BUDGET": "20"}
    server = start_server(tmp_path, env, args=["--workers", "2"])
    try:
        assert len(ready_workers(server, 2)) == 2
        mac = "001565abc004"
        [links] = import_devices(server, [document("yealink", "t46s", mac)])
        valid, phone = f"{links['common']}/{mac}.cfg", f"{GROUP_UA} {colons(mac)}"
        scan = random.Random(20)
        sent, first_refusal, all_refused = 0, None, None
        started = time.monotonic()
        with httpx.Client(timeout=10, limits=httpx.Limits(max_keepalive_connections=0)) as fresh:
            while all_refused is None:
                assert time.monotonic() - started < 20
                fresh.get(
                    f"{links['common']}/001565{scan.getrandbits(24):06x}.cfg",
                    headers={"User-Agent": GROUP_UA},
                )
                sent += 1
                if fresh.get(valid, headers={"User-Agent": phone}).status_code == 404:
                    first_refusal = first_refusal or (sent, time.monotonic())
                    if all(
                        fresh.get(valid, headers={"User-Agent": phone}).status_code == 404 for _ in range(10)
                    ):
                        all_refused = (sent, time.monotonic())
        assert first_refusal is not None and all_refused is not None
        assert first_refusal[0] >= 20  # no worker blocks before the budget
        assert all_refused[1] - first_refusal[1] < 1.5  # the other worker adopted the block in time
        print(
            f"\n2 workers, budget 20: first refusal after {first_refusal[0]} failures, every worker's"
            f" after {all_refused[0]} ({all_refused[1] - first_refusal[1]:.2f} s later)"
        )
        logged = eventually(lambda: blocks(server.log()), lambda lines: lines != [], 2.0)
        time.sleep(1.0)  # the other worker has exchanged since, and logged nothing
        assert logged == blocks(server.log()) == [("WARNING", "blocked 127.0.0.1")]
    finally:
        stop_server(server)
    assert "Traceback" not in server.log()
