"""Secrets at rest: AES-256-GCM under Sonata's secret key (README: Secrets at rest).

A sealed value is text, `enc:v1:<key id>:<base64url of nonce, ciphertext and tag>`, so that a reader
tells it from a value stored in clear by an older Sonata, and knows which key sealed it. Each value
has a random nonce, and the place it belongs to (such as a device's MAC and the field) as associated
data: a sealed value copied to another device or field no longer opens.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SEALED_PREFIX = "enc:v1:"
KEY_BYTES = 32
_NONCE_BYTES = 12
_KEY_TEXT = re.compile(r"[A-Za-z0-9_-]{43}=?")


class SecretKeyError(ValueError):
    """A secret key that is malformed, missing or not the one the database's secrets are sealed with.
    Its message is one line for the operator, and never shows a key or a secret."""


def key_id(key: bytes) -> str:
    """A short name of a key that tells keys apart and reveals nothing of them."""
    return hashlib.sha256(b"sonata secret key id\0" + key).hexdigest()[:8]


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def key_text(key: bytes) -> str:
    """A key as written in SONATA_SECRET_KEY and key files: base64url, 43 characters."""
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


def parse_key(text: str, source: str) -> bytes:
    """The key `text` holds; `source` names where it came from, for the error."""
    text = text.strip()
    if not _KEY_TEXT.fullmatch(text):
        raise SecretKeyError(
            f"{source} must be a key of 32 random bytes in base64url (43 characters), such as"
            " `sonata secrets generate-key` prints"
        )
    return base64.urlsafe_b64decode(text.rstrip("=") + "=")


class SecretBox:
    """Seals with its first key; opens what any of its keys sealed (more than one during a rotation)."""

    def __init__(self, keys: Sequence[bytes], source: str) -> None:
        if not keys:
            raise SecretKeyError(f"{source} holds no key")
        self.key_id = key_id(keys[0])
        self.source = source
        """Where the keys came from, for error messages: `SONATA_SECRET_KEY`, `the key file …`."""
        self._sealing = AESGCM(keys[0])
        self._opening = {key_id(key): AESGCM(key) for key in keys}

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._opening)

    def seal(self, plain: bytes, place: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = nonce + self._sealing.encrypt(nonce, plain, place.encode())
        return f"{SEALED_PREFIX}{self.key_id}:{base64.urlsafe_b64encode(sealed).decode()}"

    def open(self, value: str, place: str) -> bytes:
        """The plain bytes of a sealed value; SecretKeyError where none of the keys opens it."""
        sealed_under, _, text = value.removeprefix(SEALED_PREFIX).partition(":")
        cipher = self._opening.get(sealed_under)
        if cipher is None:
            raise SecretKeyError(
                f"the secrets in the database are encrypted under key {sealed_under}, but {self.source}"
                f" holds key {', '.join(self._opening)}: start Sonata with the key it was using"
                " (README: Secrets at rest)"
            )
        try:
            sealed = base64.urlsafe_b64decode(text)
            return cipher.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], place.encode())
        except (InvalidTag, binascii.Error, ValueError):
            raise SecretKeyError(
                f"the secret {place} in the database does not open with key {sealed_under}, which sealed it:"
                " the database was altered; restore it from a backup"
            ) from None

    def seal_text(self, plain: str, place: str) -> str:
        return self.seal(plain.encode(), place)

    def open_text(self, value: str, place: str) -> str:
        return self.open(value, place).decode()

    def is_current(self, value: str) -> bool:
        """Sealed under the key that seals: nothing to do for it in a rotation."""
        return value.startswith(f"{SEALED_PREFIX}{self.key_id}:")


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED_PREFIX)
