"""How long each kind of refusal takes against a real `sonata serve`, side by side.

    .venv/bin/python -m benchmarks.refusals [--requests 800] [--database-url postgresql://…]

Starts its own server on a local port with a fresh SQLite file (or --database-url), publishes a few
devices through GraphQL, then sends every kind of request one after another, in a shuffled order
each round, so that machine noise hits all kinds alike. Prints the median and the 10th/90th
percentiles of each kind, and how far its median lies from that of an unknown MAC: on the common
link, the refusals an outsider can provoke should not tell a known MAC from an unknown one.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import httpx

from benchmarks.servers import API_TOKEN, sonata_alone

GROUP = "benchmark-group"
SAVE = (
    """mutation($input: DeviceInput!) { saveDevice(input: $input) { device { key } errors { message } } }"""
)


def _publish(client: httpx.Client, url: str, mac: str, **changes: object) -> str:
    device = {
        "vendor": "yealink",
        "model": "t46s",
        "mac": mac,
        "token": GROUP,
        "timezone": "Europe/Berlin",
        "accounts": [
            {"line": 1, "sipRegister": "sip.example.net", "sipUser": "101", "sipPassword": "s3cret"}
        ],
        **changes,
    }
    response = client.post(
        f"{url}/graphql",
        json={"query": SAVE, "variables": {"input": device}},
        headers={"Authorization": f"Bearer {API_TOKEN}"},
    )
    payload = response.json()["data"]["saveDevice"]
    if payload["errors"]:
        raise SystemExit(f"could not publish {mac}: {payload['errors']}")
    key: str = payload["device"]["key"]
    return key


def _user_agent(mac: str) -> str:
    return "Yealink SIP-T46S 66.86.0.15 " + ":".join(mac[i : i + 2] for i in range(0, 12, 2))


def _requests(client: httpx.Client, url: str) -> dict[str, tuple[str, str, int]]:
    """Each kind of request: its URL, the phone's User-Agent and the status it must get."""
    known, disabled = "001565000001", "001565000002"
    key = _publish(client, url, known)
    disabled_key = _publish(client, url, disabled, status=False)
    unknown = "001565ffffff"
    return {
        "served (common link)": (f"{url}/v1/token/{GROUP}/{known}.cfg", _user_agent(known), 200),
        "unknown MAC": (f"{url}/v1/token/{GROUP}/{unknown}.cfg", _user_agent(unknown), 404),
        "wrong token, known MAC": (f"{url}/v1/token/not-the-group/{known}.cfg", _user_agent(known), 404),
        "wrong token, unknown MAC": (
            f"{url}/v1/token/not-the-group/{unknown}.cfg",
            _user_agent(unknown),
            404,
        ),
        "disabled (common link)": (f"{url}/v1/token/{GROUP}/{disabled}.cfg", _user_agent(disabled), 404),
        "no MAC shown": (f"{url}/v1/token/{GROUP}/y000000000066.cfg", "Yealink SIP-T46S 66.86.0.15", 404),
        "unknown key": (f"{url}/v1/device/no-such-key-0123456789abcdef/{known}.cfg", _user_agent(known), 404),
        "disabled (personal link)": (
            f"{url}/v1/device/{disabled_key}/{disabled}.cfg",
            _user_agent(disabled),
            404,
        ),
        "another device's file": (f"{url}/v1/device/{key}/{unknown}.cfg", _user_agent(unknown), 404),
    }


def _measure(
    client: httpx.Client, kinds: dict[str, tuple[str, str, int]], rounds: int
) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    order = list(kinds)
    shuffle = random.Random(6).shuffle
    for _ in range(rounds):
        shuffle(order)
        for kind in order:
            path, user_agent, status = kinds[kind]
            started = time.perf_counter()
            response = client.get(path, headers={"User-Agent": user_agent})
            timings[kind].append(time.perf_counter() - started)
            if response.status_code != status:
                raise SystemExit(f"{kind}: expected {status}, got {response.status_code}")
    return timings


def _report(timings: dict[str, list[float]]) -> None:
    reference = statistics.median(timings["unknown MAC"])
    print(f"{'request':28s} {'median':>9s} {'p10':>9s} {'p90':>9s} {'vs unknown MAC':>15s}")
    for kind, values in timings.items():
        deciles = statistics.quantiles(values, n=10)
        median = statistics.median(values)
        print(
            f"{kind:28s} {median * 1000:7.3f}ms {deciles[0] * 1000:7.3f}ms {deciles[-1] * 1000:7.3f}ms "
            f"{(median - reference) * 1000:+13.3f}ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=800, help="requests of each kind (default 800)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file (a PostgreSQL URL works too)")
    args = parser.parse_args()
    # Thousands of refusals from one address: the failure budget would answer all but the first 30
    # blocked, and this measures the refusals themselves.
    lifted = {"SONATA_FAILURE_BUDGET": "1000000"}
    with sonata_alone(args.database_url, lifted) as server, httpx.Client(timeout=30) as client:
        kinds = _requests(client, server.url)
        _measure(client, kinds, rounds=20)  # warm-up: caches, connection, code paths
        _report(_measure(client, kinds, rounds=args.requests))


if __name__ == "__main__":
    main()
