"""Time zones: fixed UTC offsets (`GMT+03`, `UTC+3`, `+05:30`) and IANA zones with daylight saving."""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

_OFFSET = re.compile(
    r"^(?:(?P<prefix>GMT|UTC)\s*+)?(?:(?P<sign>[+-])\s*+(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?)?\Z",
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


@dataclass(frozen=True)
class Transition:
    """A POSIX `Mm.w.d/time` rule: month, week of the month (5 = last), weekday (0 = Sunday)."""

    month: int
    week: int
    weekday: int
    minutes: int
    """Local wall-clock time of the change, in minutes after midnight (may exceed a day)."""


@dataclass(frozen=True)
class DaylightSaving:
    offset: UtcOffset
    abbreviation: str
    start: Transition
    end: Transition


@dataclass(frozen=True)
class ZoneRule:
    """The current rule of a time zone: its standard offset and, if any, its daylight saving."""

    standard: UtcOffset
    abbreviation: str
    daylight_saving: DaylightSaving | None
    posix: str
    """The rule as a POSIX TZ string, e.g. `CET-1CEST,M3.5.0,M10.5.0/3`."""
    iana_name: str | None = None

    @property
    def daylight_shift_minutes(self) -> int:
        """How far clocks go forward in summer (usually 60), 0 without daylight saving."""
        dst = self.daylight_saving
        return dst.offset.minutes - self.standard.minutes if dst else 0


_IANA_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*+(?:/[A-Za-z0-9_+-]++){0,2}+\Z")
MAX_IANA_NAME = 64
"""The longest IANA zone name has 32 characters (`America/Argentina/ComodRivadavia`); a longer
name is refused before it becomes a path (the file system would refuse it with an OSError)."""
_POSIX = re.compile(
    r"^(?P<std><[^>]+>|[A-Za-z]{3,})(?P<std_offset>[+-]?\d{1,2}(?::\d{2}){0,2})"
    r"(?:(?P<dst><[^>]+>|[A-Za-z]{3,})(?P<dst_offset>[+-]?\d{1,2}(?::\d{2}){0,2})?"
    r",(?P<start>M\d{1,2}\.\d\.\d(?:/[+-]?\d{1,3}(?::\d{2}){0,2})?)"
    r",(?P<end>M\d{1,2}\.\d\.\d(?:/[+-]?\d{1,3}(?::\d{2}){0,2})?))?\Z"
)


def _posix_minutes(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    return sign * (parts[0] * 60 + parts[1])


def _transition(text: str) -> Transition:
    rule, _, time = text[1:].partition("/")
    month, week, weekday = (int(p) for p in rule.split("."))
    return Transition(month, week, weekday, _posix_minutes(time) if time else 120)


def parse_posix_tz(posix: str, iana_name: str | None = None) -> ZoneRule:
    """Read a POSIX TZ string; offsets there count west of UTC, ours east."""
    match = _POSIX.match(posix)
    if match is None:
        raise ValueError(f"the rule {posix!r} is not a POSIX TZ string Sonata understands")
    standard = UtcOffset(-_posix_minutes(match["std_offset"]))
    daylight = None
    if match["dst"]:
        dst_offset = UtcOffset(-_posix_minutes(match["dst_offset"])) if match["dst_offset"] else None
        daylight = DaylightSaving(
            offset=dst_offset or UtcOffset(standard.minutes + 60),
            abbreviation=match["dst"].strip("<>"),
            start=_transition(match["start"]),
            end=_transition(match["end"]),
        )
    return ZoneRule(standard, match["std"].strip("<>"), daylight, posix, iana_name)


def _tzif_bytes(name: str) -> bytes:
    """The compiled zone, from the tzdata package first (pinned, so renders are stable), else the system."""
    parts = name.split("/")
    candidates = [
        resources.files("tzdata").joinpath("zoneinfo", *parts),
        *(Path(root).joinpath(*parts) for root in zoneinfo.TZPATH),
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.read_bytes()
    raise ValueError("is not a known IANA time zone such as Europe/Berlin or America/New_York")


@functools.lru_cache(maxsize=1024)
def zone_rule(name: str) -> ZoneRule:
    """The current rule of an IANA zone, taken from the footer of its TZif file.

    Cached: every render of a device with a zone asks, and the compiled zones do not change
    while Sonata runs (unknown names raise and are not cached).
    """
    if len(name) > MAX_IANA_NAME or not _IANA_NAME.match(name) or name.startswith(("posix", "right")):
        raise ValueError("is not a known IANA time zone such as Europe/Berlin or America/New_York")
    data = _tzif_bytes(name)
    if not data.startswith(b"TZif"):
        raise ValueError("is not a known IANA time zone such as Europe/Berlin or America/New_York")
    footer = data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii", "replace")
    return parse_posix_tz(footer, name)


def fixed_zone(offset: UtcOffset) -> ZoneRule:
    """A zone without daylight saving; its POSIX name is the quoted offset (`<+0530>-5:30`)."""
    sign = "-" if offset.minutes > 0 else ""
    posix_offset = f"{offset.hours_part}" + (f":{offset.minutes_part:02d}" if offset.minutes_part else "")
    label = f"{offset.sign}{offset.hours_part:02d}" + (
        f"{offset.minutes_part:02d}" if offset.minutes_part else ""
    )
    posix = f"<{label}>{sign}{posix_offset}"
    return ZoneRule(offset, label, None, posix)


def device_zone(timezone: str | None, timezone_offset: str | None) -> ZoneRule | None:
    """The zone a device lives in: its IANA `timezone` wins over its fixed `timezone_offset`."""
    if timezone:
        return zone_rule(timezone)
    if timezone_offset:
        return fixed_zone(parse_utc_offset(timezone_offset))
    return None


# --- Daylight saving as "month, week, weekday, time of day", with a forward shift ---------------
#
# Several vendors (Snom, Htek) describe daylight saving by the start and end change plus the
# winter offset. A ZoneRule carries the same facts as a POSIX rule, which allows two things
# these phones cannot express:
# - negative daylight saving (Europe/Dublin: standard time is the summer time, winter is "DST");
#   written the other way round: winter offset as standard, a positive shift, start and end swapped;
# - change times outside 00:00-23:59 (Asia/Jerusalem `M3.4.4/26`, America/Nuuk `M3.5.0/-1`);
#   written as the same wall-clock moment on the neighbouring weekday of the same week. That is
#   exact except when the shifted day crosses into another week of the month (rare; verify per zone).

_DAY = 24 * 60


@dataclass(frozen=True)
class DstChange:
    month: int
    week: int
    """1-4, 5 = last week of the month."""
    weekday: int
    """0 = Sunday ... 6 = Saturday (POSIX numbering)."""
    minutes: int
    """Local wall-clock time of the change, 0 <= minutes < 1440."""


@dataclass(frozen=True)
class Dst:
    shift_minutes: int
    """How far clocks go forward in summer; always positive."""
    start: DstChange
    end: DstChange


@dataclass(frozen=True)
class LocalZone:
    standard_minutes: int
    """The winter offset, minutes east of UTC."""
    dst: Dst | None


def local_zone(zone: ZoneRule) -> LocalZone:
    """The zone as winter offset plus a forward summer shift."""
    dst = zone.daylight_saving
    shift = zone.daylight_shift_minutes
    if dst is None or shift == 0:
        return LocalZone(zone.standard.minutes, None)
    if shift < 0:
        # Negative DST: the rule's "daylight" offset is really winter time.
        return LocalZone(dst.offset.minutes, Dst(-shift, _change(dst.end), _change(dst.start)))
    return LocalZone(zone.standard.minutes, Dst(shift, _change(dst.start), _change(dst.end)))


def _change(transition: Transition) -> DstChange:
    days, minutes = divmod(transition.minutes, _DAY)
    return DstChange(transition.month, transition.week, (transition.weekday + days) % 7, minutes)
