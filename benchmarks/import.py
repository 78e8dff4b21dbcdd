"""How long `importDevices` takes for many Yealink T46S documents through a real `sonata serve`.

    .venv/bin/python -m benchmarks.import [--devices 10000] [--batch 500] [--database-url postgresql://…]

Starts its own server on a free local port with a fresh SQLite file (or --database-url: give it an
empty database, nothing is deleted there), then imports the documents in calls of --batch documents
(500 fit the API's limits), one call after another as a PBX would. It imports them twice: the first
pass creates the devices, the second replaces each one (found by MAC). Prints both times.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import httpx

from benchmarks.servers import API_TOKEN, sonata_alone

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
            headers={"Authorization": f"Bearer {API_TOKEN}"},
        )
        body = response.json()
        if response.status_code != 200 or "errors" in body:
            raise SystemExit(f"importDevices failed ({response.status_code}): {body}")
        payload = body["data"]["importDevices"]
        if payload["saved"] != len(payload["results"]):
            refused = [r["errors"] for r in payload["results"] if r["errors"]]
            raise SystemExit(f"documents were refused: {refused[:3]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500, help="documents per importDevices call")
    parser.add_argument("--database-url", help="default: a fresh SQLite file (a PostgreSQL URL works too)")
    args = parser.parse_args()
    with sonata_alone(args.database_url) as server, httpx.Client(timeout=120) as client:
        for label in ("create", "replace"):
            seconds = import_documents(client, server.url, args.devices, args.batch)
            print(
                f"{label:8s} {args.devices} documents in calls of {args.batch}: {seconds:6.2f} s"
                f"  ({args.devices / seconds:6.0f} documents/s)"
            )


if __name__ == "__main__":
    main()
