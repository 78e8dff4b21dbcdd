"""Whether a phone may fetch the files of a device that needs credentials (HTTP Digest or Basic).

Nonces are stateless: each carries the time it was issued and an HMAC over it, under a key every
serving process shares (stored in the database), so any process of any instance checks another's
and a phone may send its answer to another worker than the one that challenged it.

Nonce counts are remembered per process. One process refuses every replayed request; with
`--workers N` (or N instances) a request captured in flight can be replayed at most N - 1 times,
each to a process that has not seen its nonce yet, and only within the nonce's lifetime.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from sonata.domain.http_auth import (
    DEFAULT_NONCE_SECONDS,
    DIGEST_HASHES,
    REALM,
    BasicCredentials,
    DigestCredentials,
    challenges,
    digest_response,
    parse_authorization,
)
from sonata.domain.model import Device
from sonata.domain.ports import Clock
from sonata.domain.services.devices import UnitOfWorkFactory

MAX_CLOCK_SKEW_MS = 60_000
"""How far ahead of this process's clock another instance's nonce may be dated."""
TRACKED_NONCES = 65_536
"""Nonces whose counts one process remembers (about 250 bytes each)."""
REPLAY_WINDOW = 64
"""How far below the highest count seen a count may still come, once: requests may overtake each other."""

_KEY_BYTES = 32
_STAMP_BYTES = 8
_ID_BYTES = _STAMP_BYTES + 8
_TAG_BYTES = 16
_NONCE = re.compile(r"[A-Za-z0-9_-]{43}")
"""A nonce as issued: 32 bytes (stamp, random, tag) in unpadded URL-safe base64."""


@dataclass(frozen=True)
class AuthFailure:
    """A request without the device's credentials: answered 401 with `challenge` (WWW-Authenticate values)."""

    reason: str
    quiet: bool
    """No credentials yet, or a stale nonce: the normal first step of an authenticated fetch, no failure."""
    challenge: tuple[str, ...]


class NonceSigner:
    """Issues nonces and tells its own (and their issue time) from anything else."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def issue(self, now_ms: int) -> str:
        nonce_id = now_ms.to_bytes(_STAMP_BYTES, "big") + secrets.token_bytes(_ID_BYTES - _STAMP_BYTES)
        return base64.urlsafe_b64encode(nonce_id + self._tag(nonce_id)).decode().rstrip("=")

    def read(self, nonce: str) -> tuple[bytes, int] | None:
        """The nonce's identity and issue time (ms), or None when this key did not issue it."""
        if not _NONCE.fullmatch(nonce):
            return None
        try:
            raw = base64.urlsafe_b64decode(nonce + "=")
        except (binascii.Error, ValueError):
            return None
        nonce_id, tag = raw[:_ID_BYTES], raw[_ID_BYTES:]
        if not hmac.compare_digest(tag, self._tag(nonce_id)):
            return None
        return nonce_id, int.from_bytes(nonce_id[:_STAMP_BYTES], "big")

    def _tag(self, nonce_id: bytes) -> bytes:
        return hmac.digest(self._key, nonce_id, "sha256")[:_TAG_BYTES]


class Use(Enum):
    FRESH = "fresh"
    REPLAYED = "replayed"
    FORGOTTEN = "forgotten"
    """Issued before a nonce this process had to forget early: it cannot tell, so it asks for a new one."""


class NonceCounts:
    """The counts each nonce was used with in this process, so each count is taken once.

    A window of REPLAY_WINDOW counts below the highest one seen lets requests arrive out of order.
    Nonces are forgotten once expired (a stale nonce is refused before its count is looked at), and
    the first seen first when more than `capacity` are live; a nonce issued no later than one
    forgotten early is then FORGOTTEN, so none is ever taken twice.
    """

    def __init__(self, capacity: int, lifetime_ms: int) -> None:
        self._capacity = capacity
        self._lifetime_ms = lifetime_ms
        self._seen: OrderedDict[bytes, tuple[int, int, int]] = OrderedDict()
        """Nonce identity -> (issue time, highest count, window bits: bit i is count highest - i)."""
        self._forgotten_up_to = -1

    def take(self, nonce_id: bytes, issued_ms: int, count: int, now_ms: int) -> Use:
        self._forget_expired(now_ms)
        entry = self._seen.get(nonce_id)
        if entry is None:
            if issued_ms <= self._forgotten_up_to:
                return Use.FORGOTTEN
            if len(self._seen) >= self._capacity:
                _, (oldest, _, _) = self._seen.popitem(last=False)
                self._forgotten_up_to = max(self._forgotten_up_to, oldest)
            self._seen[nonce_id] = (issued_ms, count, 1)
            return Use.FRESH
        _, highest, bits = entry
        if count > highest:
            shifted = bits << (count - highest) if count - highest < REPLAY_WINDOW else 0
            self._seen[nonce_id] = (issued_ms, count, (shifted | 1) & ((1 << REPLAY_WINDOW) - 1))
            return Use.FRESH
        below = highest - count
        if below >= REPLAY_WINDOW or bits >> below & 1:
            return Use.REPLAYED
        self._seen[nonce_id] = (issued_ms, highest, bits | 1 << below)
        return Use.FRESH

    def _forget_expired(self, now_ms: int) -> None:
        while self._seen:
            issued, _, _ = next(iter(self._seen.values()))
            if now_ms - issued < self._lifetime_ms:
                return
            self._seen.popitem(last=False)


class PhoneAuthenticator:
    """Checks the Authorization header of a request for a device that needs credentials."""

    def __init__(self, clock: Clock, nonce_seconds: int = DEFAULT_NONCE_SECONDS) -> None:
        self._clock = clock
        self._lifetime_ms = nonce_seconds * 1000
        # A process that never loads the shared key (a test) signs with one of its own.
        self._signer = NonceSigner(secrets.token_bytes(_KEY_BYTES))
        self._counts = NonceCounts(TRACKED_NONCES, self._lifetime_ms)

    async def load_key(self, uow_factory: UnitOfWorkFactory) -> None:
        """Sign with the key stored in the database, made on the first start."""
        self._signer = NonceSigner(await nonce_key(uow_factory))

    def check(
        self, device: Device, authorization: str | None, method: str, uris: Sequence[str]
    ) -> AuthFailure | None:
        """None when the request carries the device's credentials. `uris` are the forms of the
        request's target a Digest `uri` may name."""
        if authorization is None:
            return self._refuse(f"device {device.mac} needs credentials; the request has none", quiet=True)
        credentials = parse_authorization(authorization)
        if isinstance(credentials, BasicCredentials):
            problem = _basic_problem(device, credentials)
        elif isinstance(credentials, DigestCredentials):
            return self._digest(device, credentials, method, uris)
        else:
            problem = "an unreadable or unknown kind of Authorization header"
        return self._refuse(f"{problem} for device {device.mac}") if problem else None

    def _digest(
        self, device: Device, given: DigestCredentials, method: str, uris: Sequence[str]
    ) -> AuthFailure | None:
        algorithm = given.algorithm.upper() or "MD5"  # RFC 7616 §3.3: MD5 when none is named
        count = given.nonce_count
        if given.realm != REALM or algorithm not in DIGEST_HASHES or given.qop.lower() != "auth":
            problem = "Digest credentials for another realm, algorithm or qop than offered"
        elif count is None or not given.cnonce:
            problem = "Digest credentials without a valid nonce count or client nonce"
        elif given.uri not in uris:
            problem = "Digest credentials whose uri is not the resource requested"
        elif (nonce := self._signer.read(given.nonce)) is None:
            problem = "Digest credentials with a nonce Sonata did not issue"
        else:
            expected = digest_response(
                given, algorithm, device.provisioning_username, device.provisioning_password, method
            )
            right_user = _same(given.username.encode("latin-1"), device.provisioning_username.encode())
            right_response = hmac.compare_digest(given.response.lower().encode("latin-1"), expected.encode())
            if not right_user:
                problem = "a wrong user name in Digest credentials"
            elif not right_response:
                problem = "a wrong password in Digest credentials"
            else:
                return self._fresh(device, nonce, count)
        return self._refuse(f"{problem} for device {device.mac}")

    def _fresh(self, device: Device, nonce: tuple[bytes, int], count: int) -> AuthFailure | None:
        """Right credentials: taken unless their nonce is stale or the request a replay."""
        nonce_id, issued_ms = nonce
        now_ms = self._now_ms()
        if not -MAX_CLOCK_SKEW_MS <= now_ms - issued_ms < self._lifetime_ms:
            return self._refuse(f"a stale nonce for device {device.mac}", quiet=True, stale=True)
        use = self._counts.take(nonce_id, issued_ms, count, now_ms)
        if use is Use.REPLAYED:
            return self._refuse(
                f"a replayed request (nonce count {count} used before) for device {device.mac}"
            )
        if use is Use.FORGOTTEN:
            return self._refuse(
                f"a nonce no longer remembered for device {device.mac}", quiet=True, stale=True
            )
        return None

    def _refuse(self, reason: str, *, quiet: bool = False, stale: bool = False) -> AuthFailure:
        return AuthFailure(reason, quiet, challenges(self._signer.issue(self._now_ms()), stale))

    def _now_ms(self) -> int:
        return int(self._clock.now().timestamp() * 1000)


def _basic_problem(device: Device, given: BasicCredentials) -> str | None:
    right_user = _same(given.username, device.provisioning_username.encode())
    right_password = _same(given.password, device.provisioning_password.encode())
    if right_user and right_password:
        return None
    wrong = " and ".join(
        w for w, right in (("user name", right_user), ("password", right_password)) if not right
    )
    return f"a wrong {wrong} in Basic credentials"


def _same(given: bytes, expected: bytes) -> bool:
    """Compared in constant time, whatever the lengths: as their SHA-256 digests."""
    return hmac.compare_digest(hashlib.sha256(given).digest(), hashlib.sha256(expected).digest())


async def nonce_key(uow_factory: UnitOfWorkFactory) -> bytes:
    """The key signing nonces, shared by every process through the database; made when there is none."""
    async with uow_factory() as uow:
        stored = await uow.credentials.get_nonce_key()
        if stored is not None:
            return bytes.fromhex(stored)
        key = secrets.token_bytes(_KEY_BYTES)
        await uow.credentials.set_nonce_key(key.hex())
        await uow.commit()
    return key
