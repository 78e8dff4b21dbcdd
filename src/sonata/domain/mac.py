"""MAC addresses: parsing the spellings administrators and phones use."""

from __future__ import annotations

import re

_SPELLINGS = (
    re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}\Z"),
    re.compile(r"^[0-9a-f]{2}(-[0-9a-f]{2}){5}\Z"),
    re.compile(r"^[0-9a-f]{12}\Z"),
    re.compile(r"^[0-9a-f]{4}(\.[0-9a-f]{4}){2}\Z"),
)
_LENGTHS = frozenset({12, 14, 17})
"""The lengths of those spellings: anything else is no MAC without a pattern looking at it."""
_NOT_HEX = re.compile(r"[^0-9a-f]")


def normalize_mac(text: str) -> str:
    """Return the MAC as 12 lowercase hex digits, or raise ValueError."""
    mac = parse_mac(text)
    if mac is None:
        raise ValueError(
            "must be a MAC address such as 00:15:65:11:3a:f8, 00-15-65-11-3A-F8, "
            "001565113AF8 or 0015.6511.3af8"
        )
    return mac


def parse_mac(text: str) -> str | None:
    """Like normalize_mac, but None for anything that is not a MAC."""
    candidate = text.strip().lower()
    if len(candidate) not in _LENGTHS or not any(spelling.match(candidate) for spelling in _SPELLINGS):
        return None
    return _NOT_HEX.sub("", candidate)
