"""When clocks change: as the tz database says, and as each phone computes it from what Sonata writes.

A phone's model reads the settings a vendor module hands its template (the values written verbatim)
and returns the instants, in UTC, at which the phone moves its clock within one year, with the
offsets before and after. The rules phones read are "month, week of the month (5 = last),
weekday, time of day": the change happens at that wall-clock time, read on the clock in force
before the change (standard time for the start of daylight saving, daylight time for its end),
as in POSIX TZ strings.
"""

from __future__ import annotations

import calendar
import functools
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

from sonata.domain.model import Device
from sonata.domain.timezones import parse_posix_tz
from sonata.domain.vendors import VENDORS
from sonata.domain.vendors.base import RenderRequest
from sonata.domain.vendors.htek import TIME_ZONE_CODES


@dataclass(frozen=True, order=True)
class Switch:
    at: datetime
    """The instant, in UTC."""
    before: int
    """UTC offset in minutes until then."""
    after: int


# --- the tz database ------------------------------------------------------------------------------


def _offset(zone: zoneinfo.ZoneInfo, at: datetime) -> int:
    offset = at.astimezone(zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds()) // 60


TZDATA = resources.files("tzdata")
TZDATA_ZONES = tuple(sorted(TZDATA.joinpath("zones").read_text().split()))
"""Every zone of the tzdata package, the tz database Sonata reads (before the system's)."""


@functools.cache
def _tzdata_zone(name: str) -> zoneinfo.ZoneInfo:
    with TZDATA.joinpath("zoneinfo", *name.split("/")).open("rb") as file:
        return zoneinfo.ZoneInfo.from_file(file, key=name)


def tzdata_footer(name: str) -> str:
    """The zone's yearly rule, the last line of its TZif file (RFC 8536)."""
    data = TZDATA.joinpath("zoneinfo", *name.split("/")).read_bytes()
    return data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii")


@functools.cache
def tzdata_switches(name: str, year: int) -> tuple[Switch, ...]:
    """Every change of the zone's UTC offset within the year (UTC) as Python's zoneinfo reads the
    tzdata package, to the second: the offset is read once a day, and a day whose end differs from
    its start is halved down to the second."""
    zone = _tzdata_zone(name)
    day = timedelta(days=1)
    at, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    before = _offset(zone, at)
    found = []
    while at < end:
        following = min(at + day, end)
        after = _offset(zone, following)
        if after != before:
            low, high = int(at.timestamp()), int(following.timestamp())  # `before` at low, not at high
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(zone, datetime.fromtimestamp(middle, UTC)) == before:
                    low = middle
                else:
                    high = middle
            found.append(Switch(datetime.fromtimestamp(high, UTC), before, after))
        at, before = following, after
    return tuple(found)


# --- phones: rules of month, week, weekday and time of day ----------------------------------------


@dataclass(frozen=True)
class WeekRule:
    month: int
    week: int
    """1-4, 5 = the last in the month."""
    weekday: int
    """0 = Sunday ... 6 = Saturday."""
    minutes: int
    """Wall-clock time after midnight (phones: 0-1439; POSIX strings may go beyond)."""

    def local(self, year: int) -> datetime:
        first_weekday = (calendar.weekday(year, self.month, 1) + 1) % 7  # 0 = Sunday
        day = 1 + (self.weekday - first_weekday) % 7 + 7 * (self.week - 1)
        while day > calendar.monthrange(year, self.month)[1]:
            day -= 7
        return datetime.combine(date(year, self.month, day), datetime.min.time(), UTC) + timedelta(
            minutes=self.minutes
        )


@dataclass(frozen=True)
class PhoneClock:
    standard: int
    """UTC offset in minutes without daylight saving."""
    shift: int = 0
    """Minutes added in daylight saving (may be negative); 0 without."""
    start: WeekRule | None = None
    end: WeekRule | None = None

    def switches(self, year: int) -> tuple[Switch, ...]:
        if self.start is None or self.end is None or self.shift == 0:
            return ()
        daylight = self.standard + self.shift
        found = []
        for rule_year in (year - 1, year, year + 1):
            start = self.start.local(rule_year) - timedelta(minutes=self.standard)
            end = self.end.local(rule_year) - timedelta(minutes=daylight)
            found += [Switch(start, self.standard, daylight), Switch(end, daylight, self.standard)]
        return tuple(sorted(switch for switch in found if switch.at.year == year))


def posix_clock(text: str) -> PhoneClock:
    """A POSIX TZ string, read as the standard says (hours past 24 or below 0 included)."""
    rule = parse_posix_tz(text)
    dst = rule.daylight_saving
    if dst is None:
        return PhoneClock(rule.standard.minutes)
    start, end = (WeekRule(t.month, t.week, t.weekday, t.minutes) for t in (dst.start, dst.end))
    return PhoneClock(rule.standard.minutes, dst.offset.minutes - rule.standard.minutes, start, end)


# --- each vendor's reading of its settings -----------------------------------------------------------

_YEALINK_OFFSET = re.compile(r"^(?P<sign>[+-]?)(?P<hours>\d{1,2})(?::(?P<minutes>\d{2}))?$")
_YEALINK_RULE = re.compile(r"^(\d{1,2})/([1-5])/([1-7])/(\d{1,2})$")
_SNOM_RULE = re.compile(r"^(\d{2})\.(0[1-5])\.(0[1-7]) (\d{2}):(\d{2}):(\d{2})$")


def yealink_clock(time: Mapping[str, Any]) -> PhoneClock:
    """`local_time.time_zone` (`+5:30`), `summer_time` 1 with `dst_time_type` 1: `start_time` and
    `end_time` as month/week/weekday (1 = Monday ... 7 = Sunday)/hour 0-23, `offset_time` minutes."""
    zone = _YEALINK_OFFSET.match(time["time_zone"])
    assert zone, time["time_zone"]
    standard = (-1 if zone["sign"] == "-" else 1) * (int(zone["hours"]) * 60 + int(zone["minutes"] or 0))
    dst = time["dst"]
    if not time["summer_time"]:
        return PhoneClock(standard)

    def rule(text: str) -> WeekRule:
        match = _YEALINK_RULE.match(text)
        assert match, text
        month, week, weekday, hour = (int(group) for group in match.groups())
        assert 1 <= month <= 12 and hour <= 23, text
        return WeekRule(month, week, weekday % 7, hour * 60)

    return PhoneClock(standard, int(dst["offset"]), rule(dst["start"]), rule(dst["end"]))


def fanvil_clock(zone: Mapping[str, Any]) -> PhoneClock:
    """`Time_Zone` in quarter hours; with `Enable_DST`, `DST_Min_Offset` minutes and start and end as
    month, week (-1 = last), weekday (0 = Sunday), hour 0-23, minute 0-59."""
    standard = int(zone["time_zone"]) * 15
    dst = zone["dst"]
    if not zone["enable_dst"]:
        return PhoneClock(standard)

    def rule(change: Mapping[str, int]) -> WeekRule:
        assert 0 <= change["hour"] <= 23 and 0 <= change["minute"] <= 59, change
        assert change["week"] in (1, 2, 3, 4, -1), change
        week = 5 if change["week"] == -1 else change["week"]
        return WeekRule(change["month"], week, change["weekday"], change["hour"] * 60 + change["minute"])

    return PhoneClock(standard, int(dst["min_offset"]), rule(dst["start"]), rule(dst["end"]))


def snom_clock(zone: Mapping[str, Any]) -> PhoneClock:
    """`utc_offset` in seconds; `dst` "shift MM.WW.DD HH:MM:SS MM.WW.DD HH:MM:SS" (shift in seconds,
    week 5 = last, weekday 1 = Monday ... 7 = Sunday, hours 00-23)."""
    standard = int(zone["utc_offset"]) // 60
    if not zone["dst"]:
        return PhoneClock(standard)
    shift, start_date, start_time, end_date, end_time = zone["dst"].split(" ")

    def rule(text: str) -> WeekRule:
        match = _SNOM_RULE.match(text)
        assert match, text
        month, week, weekday, hours, minutes, seconds = (int(group) for group in match.groups())
        assert hours <= 23 and minutes <= 59 and seconds == 0, text
        return WeekRule(month, week, weekday % 7, hours * 60 + minutes)

    return PhoneClock(
        standard, int(shift) // 60, rule(f"{start_date} {start_time}"), rule(f"{end_date} {end_time}")
    )


_HTEK_OFFSETS = {code: minutes for minutes, code in TIME_ZONE_CODES.items()}


def htek_clock(zone: Mapping[str, Any] | None) -> PhoneClock | None:
    """P64 zone code (its offset); P75 daylight saving with start and end as month, week (5 = last),
    weekday (0 = Sunday), hour 0-23, and a shift of one hour (Htek writes none). None when
    nothing is written: the phone keeps whatever zone it had."""
    if zone is None:
        return None
    standard = _HTEK_OFFSETS[zone["code"]]
    dst = zone["dst"]
    if dst is None:
        return PhoneClock(standard)

    def rule(change: Mapping[str, int]) -> WeekRule:
        assert 0 <= change["hour"] <= 23, change
        return WeekRule(change["month"], change["week"], change["weekday"], change["hour"] * 60)

    return PhoneClock(standard, 60, rule(dst["start"]), rule(dst["end"]))


def grandstream_clock(setting: Any) -> PhoneClock:
    """P64: an entry of the phone's list (POSIX style) or `customize` with a POSIX string in P246."""
    return posix_clock(setting.custom if setting.zone == "customize" else setting.zone)


_DEVICES = {
    "yealink": ("t46s", "001565aabbcc", "time", yealink_clock),
    "fanvil": ("x4", "0c383e07e16c", "zone", fanvil_clock),
    "snom": ("d785", "000413aabbcc", "zone", snom_clock),
    "htek": ("uc926", "001fc11c22a9", "zone", htek_clock),
    "grandstream": ("gxp2170", "000b82aabbcc", "timezone", grandstream_clock),
}
PHONE_VENDORS = tuple(_DEVICES)


def phone_clock(vendor_id: str, zone: str, year: int) -> PhoneClock | None:
    """How the vendor's phone keeps time in `zone` from the settings Sonata writes in `year`."""
    model, mac, setting, read = _DEVICES[vendor_id]
    vendor = VENDORS[vendor_id]
    device = Device(key="dst-check", vendor=vendor_id, model=model, mac=mac, timezone=zone)
    filename = vendor.device_filename(device)
    requested = vendor.identify_file(filename)
    assert requested is not None
    context = vendor.context(RenderRequest(device, requested, filename, "http://sonata.example.net", year))
    clock: Callable[[Any], PhoneClock | None] = read
    return clock(context[setting])


def phone_switches(vendor_id: str, zone: str, rendered_in: int, year: int) -> tuple[Switch, ...]:
    """The phone's switches in `year` from a config rendered in `rendered_in` (none when no zone is
    written: the phone is not told to change its clock)."""
    clock = phone_clock(vendor_id, zone, rendered_in)
    return () if clock is None else clock.switches(year)
