"""Fixed UTC offsets as the device document writes them (`GMT+03`, `UTC+3`, `+05:30`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OFFSET = re.compile(
    r"^(?:(?P<prefix>GMT|UTC)\s*)?(?:(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class UtcOffset:
    minutes: int

    @property
    def sign(self) -> str:
        return "-" if self.minutes < 0 else "+"

    @property
    def hours_part(self) -> int:
        return abs(self.minutes) // 60

    @property
    def minutes_part(self) -> int:
        return abs(self.minutes) % 60


def parse_utc_offset(text: str) -> UtcOffset:
    """Parse an offset such as `GMT+03`, `GMT-05`, `GMT+05:30`, `UTC+3`, `+03:00` or `GMT`."""
    match = _OFFSET.match(text.strip())
    if not match or not (match["prefix"] or match["sign"]):
        raise ValueError("must be a UTC offset such as GMT+03, GMT-05, GMT+05:30, UTC+3, +03:00 or GMT")
    if not match["sign"]:
        return UtcOffset(0)
    hours = int(match["hours"])
    minutes = int(match["minutes"] or 0)
    if minutes not in (0, 15, 30, 45):
        raise ValueError("minutes of a UTC offset must be 00, 15, 30 or 45")
    total = hours * 60 + minutes
    if total > 14 * 60:
        raise ValueError("a UTC offset lies between -12:00 and +14:00")
    offset = -total if match["sign"] == "-" else total
    if offset < -12 * 60:
        raise ValueError("a UTC offset lies between -12:00 and +14:00")
    return UtcOffset(offset)
