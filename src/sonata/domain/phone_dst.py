"""Daylight saving as a phone can be told it, right for the year of the render and the next.

Phones take a change of clocks as "month, week of the month (5 = last), weekday, time of day",
the time read on the clock in force before the change, as POSIX TZ rules do. Most of them take
only times from 00:00 to 23:59, some only whole hours, while the tz database also says "Friday
02:00 after the fourth Thursday" (Asia/Jerusalem `M3.4.4/26`), "24:00 on the first Saturday"
(America/Santiago) or lists changes year by year (Africa/Casablanca, a zone about to drop
daylight saving). `phone_rule` gives the zone's rule in the terms a vendor can write:

- the zone's own rule when the TZif footer rule governs this year and the next and the vendor
  can write its changes as they are: right in every year;
- otherwise, for each change, the rule the vendor can write that is right in this year and the
  next (found from the days and times of the change in those two years), or, where no such rule
  exists, the one whose worse error over the two years is smallest.

The second case makes a render depend on the year it is made in; a file rendered late in one
year stays right (or as near) through the next. APPROXIMATIONS lists, per vendor, the zones
whose phones are not right in every year; the provisioning service logs them, once per device
and zone (README, "Daylight saving on the phones").
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sonata.domain.timezones import (
    DaylightSaving,
    Switch,
    Transition,
    UtcOffset,
    ZoneRule,
    rule_switches,
    zone_rule,
    zone_switches,
)

_DAY = 24 * 60


@dataclass(frozen=True)
class DstFormat:
    """The times of day a vendor's settings take for a change: `earliest` to `latest` minutes after
    midnight, in steps of `step` minutes."""

    step: int = 1
    earliest: int = 0
    latest: int = _DAY - 1

    def takes(self, minutes: int) -> bool:
        return self.earliest <= minutes <= self.latest and minutes % self.step == 0

    def around(self, minutes: int) -> list[int]:
        """The times it takes nearest to `minutes` either side (held at the edge of its range)."""
        held = min(max(minutes, self.earliest), self.latest)
        early = held - held % self.step
        return [early] if early == held or early + self.step > self.latest else [early, early + self.step]


MINUTES = DstFormat()
"""Hours 0-23 and minutes (Snom, Fanvil)."""
WHOLE_HOURS = DstFormat(step=60, latest=23 * 60)
"""Hours 0-23 only (Yealink, Htek)."""
POSIX = DstFormat(earliest=-167 * 60, latest=167 * 60)
"""A POSIX TZ string with its extension to hours from -167 to 167 (Grandstream's P246)."""


@functools.lru_cache(maxsize=4096)
def phone_rule(zone: ZoneRule, year: int, written: DstFormat) -> ZoneRule:
    """The zone's rule as the vendor can write it, for the phone to be right in `year` and the next.
    Cached: every render of a device with a zone asks, and the answer depends on these alone."""
    if zone.iana_name is None:
        return zone
    years = (year, year + 1)
    dst = zone.daylight_saving
    if footer_governs(zone.iana_name, year):
        if dst is None:
            return zone
        start, end = (_change(own, [own.local(y) for y in years], written) for own in (dst.start, dst.end))
        return replace(zone, daylight_saving=replace(dst, start=start, end=end))
    switches = [zone_switches(zone.iana_name, y) for y in years]
    rule = _rule_of(switches, zone.iana_name) or zone
    dst = rule.daylight_saving
    if dst is None:
        return rule
    own = zone.daylight_saving if rule is zone else None
    standard, daylight = rule.standard.minutes, dst.offset.minutes
    start = _change(own.start if own else None, _walls(switches, standard, daylight), written)
    end = _change(own.end if own else None, _walls(switches, daylight, standard), written)
    return replace(rule, daylight_saving=replace(dst, start=start, end=end))


@functools.lru_cache(maxsize=4096)
def footer_governs(name: str, year: int) -> bool:
    """Whether the zone's changes in `year` and the next are those of its footer rule (a rule that
    repeats every year), not changes its tz database entry lists for these years only."""
    rule = zone_rule(name)
    return all(zone_switches(name, y) == rule_switches(rule, y) for y in (year, year + 1))


def _regular(year_switches: Sequence[Switch]) -> bool:
    """One change forward and one back between the same two offsets."""
    if len(year_switches) != 2:
        return False
    first, second = year_switches
    return (first.before, first.after) == (second.after, second.before)


def _rule_of(switches: Sequence[Sequence[Switch]], name: str) -> ZoneRule | None:
    """A rule with the offsets of the first year of one change forward and one back, its change
    dates still to be fitted; None without such a year."""
    regular = next((s for s in switches if _regular(s)), None)
    if regular is None:
        return None
    forward, back = sorted(regular, key=lambda switch: switch.after - switch.before, reverse=True)
    placeholder = Transition(1, 1, 0, 0)
    return ZoneRule(
        UtcOffset(back.after),
        back.after_name,
        DaylightSaving(UtcOffset(forward.after), forward.after_name, placeholder, placeholder),
        name,
    )


def _walls(switches: Sequence[Sequence[Switch]], before: int, after: int) -> list[datetime | None]:
    """For each year, the wall-clock time (on the clock before it) of its one change from `before`
    to `after`, if it has exactly one."""
    walls: list[datetime | None] = []
    for year_switches in switches:
        found = [s for s in year_switches if (s.before, s.after) == (before, after)]
        one = found[0].at.replace(tzinfo=None) + timedelta(minutes=before) if len(found) == 1 else None
        walls.append(one)
    return walls


def _change(own: Transition | None, walls: Sequence[datetime | None], written: DstFormat) -> Transition:
    """The zone's own change if the vendor can write it; else the change the vendor can write that
    lands nearest the real one (`walls`: its wall-clock time in this year and the next, where
    known): the smallest worse error of the two years, then the smaller error this year, then
    the first made."""
    if own is not None and written.takes(own.minutes):
        return own
    candidates = [] if own is None else [replace(own, minutes=m) for m in written.around(own.minutes)]
    known = [wall for wall in walls if wall is not None]
    for wall in known:
        candidates += _week_rules_at(wall, written)

    def errors(candidate: Transition) -> tuple[timedelta, ...]:
        return tuple(abs(candidate.local(wall.year) - wall) for wall in known)

    return min(
        candidates, key=lambda candidate: (max(errors(candidate), default=timedelta()), errors(candidate))
    )


def _week_rules_at(wall: datetime, written: DstFormat) -> list[Transition]:
    """The rules that the vendor can write landing on `wall` (or on the times it takes either side)."""
    minutes = wall.hour * 60 + wall.minute
    early = wall - timedelta(minutes=minutes % written.step, seconds=wall.second)
    moments = [early] if early == wall else [early, early + timedelta(minutes=written.step)]
    rules = []
    for moment in moments:
        month_days = calendar.monthrange(moment.year, moment.month)[1]
        weekday = moment.isoweekday() % 7
        time_of_day = moment.hour * 60 + moment.minute
        weeks = [(moment.day - 1) // 7 + 1]
        if moment.day + 7 > month_days and weeks[0] != 5:
            weeks.append(5)
        rules += [Transition(moment.month, week, weekday, time_of_day) for week in weeks]
    return rules


@dataclass(frozen=True)
class Dst:
    shift_minutes: int
    """How far clocks go forward in summer; always positive."""
    start: Transition
    end: Transition


@dataclass(frozen=True)
class LocalZone:
    standard_minutes: int
    """The winter offset, minutes east of UTC."""
    dst: Dst | None


def local_zone(rule: ZoneRule) -> LocalZone:
    """The rule as winter offset plus a forward summer shift, for vendors (Snom, Htek, Fanvil) that
    cannot write negative daylight saving (Europe/Dublin: standard time is the summer time, winter
    the "daylight" one): that is written the other way round, start and end swapped."""
    dst = rule.daylight_saving
    shift = rule.daylight_shift_minutes
    if dst is None or shift == 0:
        return LocalZone(rule.standard.minutes, None)
    if shift < 0:
        return LocalZone(dst.offset.minutes, Dst(-shift, dst.end, dst.start))
    return LocalZone(rule.standard.minutes, Dst(shift, dst.start, dst.end))


# --- the zones whose phones are not right in every year ------------------------------------------

_AROUND_MIDNIGHT = {
    "Africa/Cairo": "changes at 24:00 on the last Thursday of October; the Friday's week varies",
    "Egypt": "as Africa/Cairo",
    "America/Nuuk": "changes at -1:00 on the last Sunday of March; the Saturday's week varies",
    "America/Godthab": "as America/Nuuk",
    "America/Scoresbysund": "as America/Nuuk",
    "America/Santiago": "changes at 24:00 on the first Saturday; the Sunday's week varies",
    "Chile/Continental": "as America/Santiago",
    "Asia/Gaza": "changes at 50:00 on the fourth Thursday; the Saturday's week varies",
    "Asia/Hebron": "as Asia/Gaza",
    "Asia/Jerusalem": "changes at 26:00 on the fourth Thursday of March; the Friday's week varies",
    "Asia/Tel_Aviv": "as Asia/Jerusalem",
    "Israel": "as Asia/Jerusalem",
}
"""Changes at hours outside 00:00-23:59: "week n, weekday" names another day in some years."""
_QUARTER_HOURS = {
    "Pacific/Chatham": "changes at 2:45 and 3:45; written to the nearest whole hour",
    "NZ-CHAT": "as Pacific/Chatham",
}
_HTEK_SHIFTS = {
    "Antarctica/Troll": "shifts two hours in summer; Htek phones shift one",
    "Australia/Lord_Howe": "shifts 30 minutes in summer; Htek phones shift one hour",
    "Australia/LHI": "as Australia/Lord_Howe",
}

APPROXIMATIONS: Mapping[str, Mapping[str, str]] = {
    "grandstream": {},
    "snom": _AROUND_MIDNIGHT,
    "fanvil": _AROUND_MIDNIGHT,
    "yealink": _AROUND_MIDNIGHT | _QUARTER_HOURS,
    "htek": _AROUND_MIDNIGHT | _QUARTER_HOURS | _HTEK_SHIFTS,
}
"""Vendor id -> IANA zone -> why the rule the vendor can write for it is not right in every year.
Besides these, in any year, the zones whose tz database entry lists changes for that year or the
next that its yearly rule does not repeat (`footer_governs`)."""

YEAR_BY_YEAR = "the tz database lists changes for this year or the next that no yearly rule repeats"


def approximation(vendor_id: str, zone: str, year: int) -> str | None:
    """Why the phone's daylight saving in `zone`, as rendered in `year`, is not right in every
    year; None when it is."""
    reason = APPROXIMATIONS.get(vendor_id, {}).get(zone)
    if reason is None and not footer_governs(zone, year):
        reason = YEAR_BY_YEAR
    return reason
