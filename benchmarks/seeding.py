"""Yealink T46S devices for a benchmark, published through `importDevices` in batches of 500."""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks.servers import API_TOKEN
from benchmarks.wrk import Phone

GROUP_TOKEN = "benchmark-group-token"
BATCH = 500
"""Documents per call: the API's cost limit allows 1000, a phone system sends a few hundred."""
IMPORT = (
    "mutation($docs: [JSON!]!) { importDevices(documents: $docs) "
    "{ saved results { device { key } errors { field message } } } }"
)
USER_AGENT = "Yealink SIP-T46S 66.86.0.15 {}"


@dataclass(frozen=True)
class Imported:
    phones: list[Phone]
    seconds_at: list[tuple[int, float]]
    """(documents imported so far, seconds since the first call) after each call."""

    def seconds_for(self, documents: int) -> float | None:
        """How long the first `documents` took, if a call ended there."""
        return next((seconds for count, seconds in self.seconds_at if count == documents), None)


def macs(count: int, seed: int = 66) -> list[str]:
    """`count` distinct MACs of Yealink's prefix 00:15:65, in a random order that is the same each run."""
    return [f"001565{n:06x}" for n in random.Random(seed).sample(range(1 << 24), count)]


def document(mac: str, number: int) -> dict[str, Any]:
    return {
        "vendor": "yealink",
        "model": "t46s",
        "mac": mac,
        "title": f"Desk {number}",
        "token": GROUP_TOKEN,
        "timezone": "Europe/Berlin",
        "ntp_server": "pool.ntp.org",
        "accounts": [
            {
                "line": 1,
                "sip_register": "sip.example.net",
                "sip_user": str(10000 + number),
                "sip_password": f"pw-{number:06d}-{mac[-6:]}",
                "sip_name": f"Extension {10000 + number}",
            }
        ],
    }


def import_devices(url: str, device_macs: Sequence[str], first_number: int) -> Imported:
    """Publish the devices one batch after another, as a phone system would; stop at any refused one."""
    phones: list[Phone] = []
    seconds_at = []
    started = time.perf_counter()
    with httpx.Client(timeout=600, headers={"Authorization": f"Bearer {API_TOKEN}"}) as client:
        for start in range(0, len(device_macs), BATCH):
            batch = device_macs[start : start + BATCH]
            docs = [document(mac, first_number + start + i) for i, mac in enumerate(batch)]
            response = client.post(f"{url}/graphql", json={"query": IMPORT, "variables": {"docs": docs}})
            phones += _saved(response, batch)
            seconds_at.append((len(phones), time.perf_counter() - started))
            if (first_number + len(phones)) % 10000 == 0 or len(phones) == len(device_macs):
                print(f"  {first_number + len(phones)} devices published", file=sys.stderr)
    return Imported(phones, seconds_at)


def _saved(response: httpx.Response, batch: Sequence[str]) -> list[Phone]:
    body = response.json() if response.status_code == 200 else {}
    payload = (body.get("data") or {}).get("importDevices")
    if payload is None:
        raise RuntimeError(f"importDevices failed: {response.status_code} {response.text[:500]}")
    refused = [r["errors"] for r in payload["results"] if r["device"] is None]
    if refused:
        raise RuntimeError(f"importDevices refused {len(refused)} documents, the first: {refused[0]}")
    return [Phone(r["device"]["key"], mac) for r, mac in zip(payload["results"], batch, strict=True)]


def device_file_size(url: str, phone: Phone) -> int:
    """Bytes of the Yealink device file Sonata serves this phone on the common link."""
    response = httpx.get(
        f"{url}/v1/token/{GROUP_TOKEN}/{phone.mac}.cfg",
        headers={"User-Agent": USER_AGENT.format(":".join(phone.mac[i : i + 2] for i in range(0, 12, 2)))},
        timeout=30,
    )
    if response.status_code != 200:
        raise RuntimeError(f"Sonata did not serve {phone.mac}.cfg: {response.status_code}")
    return len(response.content)
