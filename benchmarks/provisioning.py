"""Phone fetches per second against a real `sonata serve`, personal vs common link, side by side.

    .venv/bin/python benchmarks/provisioning.py [--devices 200] [--requests 2000] [--concurrency 20]

Starts its own server on a local port with a fresh SQLite file (or --database-url), publishes
the devices through GraphQL, then fetches configs with real phone User-Agents, alternating the
two links round by round so that machine noise hits both alike. Prints requests per second and
latency percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

TOKEN = "benchmark-management-token"
SAVE = (
    """mutation($input: DeviceInput!) { saveDevice(input: $input) { device { key } errors { message } } }"""
)


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit("sonata serve exited")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("sonata serve did not start")


async def _publish(client: httpx.AsyncClient, url: str, count: int) -> list[tuple[str, str]]:
    devices = []
    for n in range(count):
        mac = f"001565{n:06x}"
        device = {
            "vendor": "yealink",
            "model": "t46s",
            "mac": mac,
            "token": "benchmark-group",
            "timezone": "Europe/Berlin",
            "ntpServer": "pool.ntp.org",
            "accounts": [
                {
                    "line": 1,
                    "sipRegister": "sip.example.net",
                    "sipUser": str(1000 + n),
                    "sipPassword": "secret",
                }
            ],
        }
        response = await client.post(
            f"{url}/graphql",
            json={"query": SAVE, "variables": {"input": device}},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        devices.append((response.json()["data"]["saveDevice"]["device"]["key"], mac))
    return devices


async def _round(client: httpx.AsyncClient, urls: list[tuple[str, str]], concurrency: int) -> list[float]:
    latencies: list[float] = []
    queue = list(urls)

    async def worker() -> None:
        while queue:
            path, user_agent = queue.pop()
            started = time.perf_counter()
            response = await client.get(path, headers={"User-Agent": user_agent})
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


async def _run(url: str, args: argparse.Namespace) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        devices = await _publish(client, url, args.devices)
        links: dict[str, list[tuple[str, str]]] = {"personal": [], "common": []}
        for i in range(args.requests):
            key, mac = devices[i % len(devices)]
            colon_mac = ":".join(mac[j : j + 2] for j in range(0, 12, 2))
            user_agent = f"Yealink SIP-T46S 66.86.0.15 {colon_mac}"
            links["personal"].append((f"{url}/v1/device/{key}/{mac}.cfg", user_agent))
            links["common"].append((f"{url}/v1/token/benchmark-group/{mac}.cfg", user_agent))
        results: dict[str, list[float]] = {"personal": [], "common": []}
        elapsed = {"personal": 0.0, "common": 0.0}
        rounds = 4
        for _ in range(rounds):
            for kind in ("personal", "common"):
                part = links[kind][: args.requests // rounds]
                started = time.perf_counter()
                results[kind] += await _round(client, part, args.concurrency)
                elapsed[kind] += time.perf_counter() - started
        for kind, latencies in results.items():
            latencies.sort()
            print(
                f"{kind:8s} {len(latencies) / elapsed[kind]:8.1f} req/s   "
                f"p50 {statistics.median(latencies) * 1000:6.1f} ms   "
                f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:6.1f} ms"
            )
        ratio = (len(results["common"]) / elapsed["common"]) / (
            len(results["personal"]) / elapsed["personal"]
        )
        print(f"common/personal throughput ratio: {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--database-url", help="default: a fresh SQLite file (a PostgreSQL URL works too)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "SONATA_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
            "SONATA_API_TOKEN": TOKEN,
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "sonata", "serve", "--host", "127.0.0.1", "--port", str(args.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{args.port}"
            _wait_until_healthy(url, process)
            asyncio.run(_run(url, args))
        finally:
            process.terminate()
            process.wait()


if __name__ == "__main__":
    main()
