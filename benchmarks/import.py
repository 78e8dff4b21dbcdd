"""How long `importDevices` takes for many Yealink T46S documents through a real `sonata serve`.

    .venv/bin/python benchmarks/import.py [--devices 10000] [--batch 500] [--database-url postgresql://…]

Starts its own server on a free local port with a fresh SQLite file (or --database-url: give it an
empty database, nothing is deleted there), then imports the documents in calls of --batch documents
(500 fit the API's limits), one call after another as a PBX would. It imports them twice: the first
pass creates the devices, the second replaces each one (found by MAC). Prints both times.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

TOKEN = "benchmark-management-token"
IMPORT = (
    "mutation($docs: [JSON!]!) { importDevices(documents: $docs) "
    "{ saved results { device { key } errors { field message } } } }"
)


def document(n: int) -> dict[str, Any]:
    return {
        "vendor": "yealink",
        "model": "t46s",
        "mac": f"001565{n:06x}",
        "token": "benchmark-group",
        "timezone": "Europe/Berlin",
        "ntp_server": "pool.ntp.org",
        "accounts": [
            {
                "line": 1,
                "sip_register": "sip.example.net",
                "sip_user": str(1000 + n),
                "sip_password": f"secret-{n}",
            }
        ],
    }


def import_documents(client: httpx.Client, url: str, count: int, batch: int) -> float:
    """Import `count` documents in calls of `batch`; the seconds it took."""
    documents = [document(n) for n in range(count)]
    started = time.perf_counter()
    for start in range(0, count, batch):
        response = client.post(
            f"{url}/graphql",
            json={"query": IMPORT, "variables": {"docs": documents[start : start + batch]}},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        body = response.json()
        if response.status_code != 200 or "errors" in body:
            raise SystemExit(f"importDevices failed ({response.status_code}): {body}")
        payload = body["data"]["importDevices"]
        if payload["saved"] != len(payload["results"]):
            refused = [r["errors"] for r in payload["results"] if r["errors"]]
            raise SystemExit(f"documents were refused: {refused[:3]}")
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500, help="documents per importDevices call")
    parser.add_argument("--database-url", help="default: a fresh SQLite file (a PostgreSQL URL works too)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "SONATA_DATABASE_URL": args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}",
            "SONATA_API_TOKEN": TOKEN,
        }
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "sonata", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_healthy(url, process)
            with httpx.Client(timeout=120) as client:
                for label in ("create", "replace"):
                    seconds = import_documents(client, url, args.devices, args.batch)
                    print(
                        f"{label:8s} {args.devices} documents in calls of {args.batch}: {seconds:6.2f} s"
                        f"  ({args.devices / seconds:6.0f} documents/s)"
                    )
        finally:
            process.terminate()
            process.wait()


if __name__ == "__main__":
    main()
