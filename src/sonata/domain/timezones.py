"""Time zones: fixed UTC offsets (`GMT+03`, `UTC+3`, `+05:30`) and IANA zones with daylight saving."""

from __future__ import annotations

import bisect
import calendar
import functools
import re
import struct
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
    """Local wall-clock time of the change, in minutes after midnight (may exceed a day or be negative)."""

    def local(self, year: int) -> datetime:
        """The wall-clock time of the change in `year`, read on the clock in force before it (naive)."""
        first_weekday = (calendar.weekday(year, self.month, 1) + 1) % 7  # 0 = Sunday
        day = 1 + (self.weekday - first_weekday) % 7 + 7 * (self.week - 1)
        last = calendar.monthrange(year, self.month)[1]
        while day > last:
            day -= 7
        return datetime(year, self.month, day) + timedelta(minutes=self.minutes)


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
    return ZoneRule(standard, match["std"].strip("<>"), daylight, iana_name)


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


_UNKNOWN = "is not a known IANA time zone such as Europe/Berlin or America/New_York"


@dataclass(frozen=True)
class _ZoneFile:
    """A TZif file: its table of past and scheduled changes, then its footer rule for what follows."""

    times: tuple[int, ...]
    """When each change of the table happens, in seconds since 1970 UTC, in order."""
    kinds: tuple[tuple[int, str], ...]
    """The UTC offset (minutes) and abbreviation in force from each change on."""
    initial: tuple[int, str]
    """The offset and abbreviation in force before the first change."""
    rule: ZoneRule


def _read_tzif(data: bytes, name: str) -> _ZoneFile:
    """RFC 8536: a version 1 block of 32-bit times, then (version 2 and later) the same with 64-bit
    times, then the footer rule between newlines."""
    counts = struct.Struct(">4x c 15x 6l")
    version, *head = counts.unpack_from(data)
    size = 4
    if version != b"\0":  # skip the 32-bit block
        isut, isstd, leap, timecnt, typecnt, charcnt = head
        start = counts.size + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut
        _, *head = counts.unpack_from(data, start)
        data, size = data[start:], 8
    _, _, _, timecnt, typecnt, charcnt = head
    at = counts.size
    times = struct.unpack_from(f">{timecnt}{'q' if size == 8 else 'l'}", data, at)
    at += timecnt * size
    indices = data[at : at + timecnt]
    at += timecnt
    infos = [struct.unpack_from(">lBB", data, at + 6 * i) for i in range(typecnt)]
    chars = data[at + 6 * typecnt : at + 6 * typecnt + charcnt]

    def kind(index: int) -> tuple[int, str]:
        offset, _, abbreviation = infos[index]
        return offset // 60, chars[abbreviation:].split(b"\0", 1)[0].decode("ascii", "replace")

    footer = data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii", "replace")
    return _ZoneFile(times, tuple(kind(i) for i in indices), kind(0), parse_posix_tz(footer, name))


@functools.lru_cache(maxsize=1024)
def _zone_file(name: str) -> _ZoneFile:
    """The compiled zone. Cached: every render of a device with a zone asks, and the compiled zones
    do not change while Sonata runs (unknown names raise and are not cached)."""
    if len(name) > MAX_IANA_NAME or not _IANA_NAME.match(name) or name.startswith(("posix", "right")):
        raise ValueError(_UNKNOWN)
    data = _tzif_bytes(name)
    if not data.startswith(b"TZif"):
        raise ValueError(_UNKNOWN)
    try:
        return _read_tzif(data, name)
    except (struct.error, IndexError):
        raise ValueError(_UNKNOWN) from None


def zone_rule(name: str) -> ZoneRule:
    """The rule of an IANA zone that its TZif file gives for the years after its table (the footer)."""
    return _zone_file(name).rule


@dataclass(frozen=True, order=True)
class Switch:
    """A change of a zone's UTC offset."""

    at: datetime
    """The instant, in UTC."""
    before: int
    """The UTC offset until then, in minutes."""
    after: int
    after_name: str
    """The abbreviation of the time in force from then on (`CEST`, `+03`)."""


def rule_switches(rule: ZoneRule, year: int) -> tuple[Switch, ...]:
    """The changes a rule makes within a year (UTC)."""
    dst = rule.daylight_saving
    if dst is None:
        return ()
    standard, daylight = rule.standard.minutes, dst.offset.minutes
    found = []
    for rule_year in (year - 1, year, year + 1):
        start = dst.start.local(rule_year) - timedelta(minutes=standard)
        end = dst.end.local(rule_year) - timedelta(minutes=daylight)
        found.append(Switch(start.replace(tzinfo=UTC), standard, daylight, dst.abbreviation))
        found.append(Switch(end.replace(tzinfo=UTC), daylight, standard, rule.abbreviation))
    return tuple(sorted(switch for switch in found if switch.at.year == year))


@functools.lru_cache(maxsize=4096)
def zone_switches(name: str, year: int) -> tuple[Switch, ...]:
    """The changes of an IANA zone's UTC offset within a year (UTC): those of its table, then those
    of its footer rule after the table's last."""
    zone = _zone_file(name)
    begin = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())
    found = []
    first = bisect.bisect_left(zone.times, begin)
    before = zone.kinds[first - 1] if first else zone.initial
    for at, kind in zip(zone.times[first:], zone.kinds[first:], strict=True):
        if at >= end:
            break
        if kind[0] != before[0]:
            found.append(Switch(datetime.fromtimestamp(at, UTC), before[0], *kind))
        before = kind
    last = datetime.fromtimestamp(zone.times[-1], UTC) if zone.times else None
    found += [s for s in rule_switches(zone.rule, year) if last is None or s.at > last]
    return tuple(found)


def fixed_zone(offset: UtcOffset) -> ZoneRule:
    """A zone without daylight saving, named by its offset as the tz database does (`+0530`, `-03`)."""
    label = f"{offset.sign}{offset.hours_part:02d}" + (
        f"{offset.minutes_part:02d}" if offset.minutes_part else ""
    )
    return ZoneRule(offset, label, None)


def device_zone(timezone: str | None, timezone_offset: str | None) -> ZoneRule | None:
    """The zone a device lives in: its IANA `timezone` wins over its fixed `timezone_offset`."""
    if timezone:
        return zone_rule(timezone)
    if timezone_offset:
        return fixed_zone(parse_utc_offset(timezone_offset))
    return None
