"""Daylight saving in the shape Snom and Htek phones take it: summer rules with plain weekdays and times.

Both vendors describe daylight saving as "month, week of the month (5 = last), weekday, time of
day" for the start and for the end, plus the standard (winter) offset. A ZoneRule carries the
same facts as a POSIX rule, which allows two things these phones cannot express:

- negative daylight saving (Europe/Dublin: standard time is the summer time, winter is "DST");
  written here the other way round: winter offset as standard, a positive shift, start and end swapped;
- transition times outside 00:00-23:59 (Asia/Jerusalem `M3.4.4/26`, America/Nuuk `M3.5.0/-1`);
  written here as the same wall-clock moment on the neighbouring weekday of the same week. That is
  exact except when the shifted day crosses into another week of the month (rare; verify per zone).

Vendor-neutral, so the Htek module uses it too (it would belong in timezones.py, a shared file).
"""

from __future__ import annotations

from dataclasses import dataclass

from sonata.domain.timezones import Transition, ZoneRule

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
