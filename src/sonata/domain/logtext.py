"""What a log line may show of client-given text and of secrets."""

from __future__ import annotations

import hashlib

MAX_QUOTED = 200
"""How many characters of client-given text (file name, User-Agent …) a log line quotes."""


def quoted(text: str | None) -> str:
    """Client-given text for a log line: quoted and escaped, cut to MAX_QUOTED characters."""
    if text is None or len(text) <= MAX_QUOTED:
        return repr(text)
    return f"{text[:MAX_QUOTED]!r}… ({len(text)} characters)"


def fingerprint(secret: str) -> str:
    """How a log line names a device key or token: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:8]
