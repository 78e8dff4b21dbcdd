"""MAC addresses: parsing the spellings administrators and phones use."""

from __future__ import annotations

import re

_SPELLINGS = (
    re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}\Z"),
    re.compile(r"^[0-9a-f]{2}(-[0-9a-f]{2}){5}\Z"),
    re.compile(r"^[0-9a-f]{12}\Z"),
    re.compile(r"^[0-9a-f]{4}(\.[0-9a-f]{4}){2}\Z"),
)


def normalize_mac(text: str) -> str:
    """Return the MAC as 12 lowercase hex digits, or raise ValueError."""
    candidate = text.strip().lower()
    if not any(spelling.match(candidate) for spelling in _SPELLINGS):
        raise ValueError(
            "must be a MAC address such as 00:15:65:11:3a:f8, 00-15-65-11-3A-F8, "
            "001565113AF8 or 0015.6511.3af8"
        )
    return re.sub(r"[^0-9a-f]", "", candidate)


def parse_mac(text: str) -> str | None:
    """Like normalize_mac, but None for anything that is not a MAC."""
    try:
        return normalize_mac(text)
    except ValueError:
        return None
