"""Every zone of the tz database, on every vendor: the clock changes a phone computes from what Sonata
writes, this year and next, are tzdata's, or the zone is one of the vendor's documented
approximations (sonata.domain.phone_dst, README "Daylight saving on the phones").

"This year" is read once per run from the system clock, so the tests hold whatever the year.
"""

from datetime import UTC, datetime

import pytest
from tests.unit.vendors.phone_clocks import (
    PHONE_VENDORS,
    TZDATA_ZONES,
    phone_switches,
    posix_clock,
    tzdata_footer,
    tzdata_switches,
)

from sonata.domain.phone_dst import APPROXIMATIONS, approximation, footer_governs

THIS_YEAR = datetime.now(UTC).year
CYCLE = 28
"""Within 28 consecutive years (1901-2099) every calendar comes back: a rule that is exact in all
of them is exact in every year."""


def _wrong_years(vendor_id: str, zone: str, rendered_in: int, years: range) -> list[int]:
    return [
        year
        for year in years
        if phone_switches(vendor_id, zone, rendered_in, year) != tzdata_switches(zone, year)
    ]


@pytest.mark.parametrize("vendor_id", PHONE_VENDORS)
def test_phones_change_clocks_when_tzdata_does_this_year_and_next(vendor_id: str) -> None:
    wrong = {
        zone: years
        for zone in TZDATA_ZONES
        if (years := _wrong_years(vendor_id, zone, THIS_YEAR, range(THIS_YEAR, THIS_YEAR + 2)))
    }
    unexplained = {
        zone: years for zone, years in wrong.items() if not approximation(vendor_id, zone, THIS_YEAR)
    }
    assert unexplained == {}


@pytest.mark.parametrize("vendor_id", PHONE_VENDORS)
def test_each_listed_approximation_is_wrong_in_some_year(vendor_id: str) -> None:
    """The list holds no zone whose rule the vendor's settings get right every year."""
    right_every_year = [
        zone
        for zone in APPROXIMATIONS[vendor_id]
        if not _wrong_years(vendor_id, zone, THIS_YEAR, range(THIS_YEAR, THIS_YEAR + CYCLE))
    ]
    assert right_every_year == []


def test_the_listed_approximations_are_zones_of_the_tz_database() -> None:
    assert set(APPROXIMATIONS) == set(PHONE_VENDORS)
    assert {zone for zones in APPROXIMATIONS.values() for zone in zones} <= set(TZDATA_ZONES)


def test_zones_changing_year_by_year_are_those_whose_yearly_rule_misses_tzdata() -> None:
    """Sonata's reading of the TZif tables against Python's: a zone's yearly (footer) rule governs
    this year and next exactly when it gives tzdata's changes."""
    years = (THIS_YEAR, THIS_YEAR + 1)
    missed = {
        zone
        for zone in TZDATA_ZONES
        if any(posix_clock(tzdata_footer(zone)).switches(y) != tzdata_switches(zone, y) for y in years)
    }
    assert {zone for zone in TZDATA_ZONES if not footer_governs(zone, THIS_YEAR)} == missed


# --- the cases of the review, in fixed years (the tz database's rules for them are settled) -----

WEEK_RULE_VENDORS = ("yealink", "fanvil", "snom", "htek")


@pytest.mark.parametrize("vendor_id", WEEK_RULE_VENDORS)
@pytest.mark.parametrize(
    ("zone", "rendered_in"),
    [
        # Friday 02:00 after the fourth Thursday of March: the last Friday in 2024 (the 29th), the
        # fourth and last in 2025; a rule of "the fourth Friday" starts a week early in 2024.
        ("Asia/Jerusalem", 2024),
        ("Asia/Jerusalem", 2026),
        # Sunday 00:00 after the first Saturday of September and April (POSIX `/24`).
        ("America/Santiago", 2026),
        # Saturday 23:00 before the last Sunday of March (POSIX `/-1`).
        ("America/Nuuk", 2026),
        # Friday 00:00 after the last Thursday of October (POSIX `/24`).
        ("Africa/Cairo", 2026),
        # Daylight saving that the zone's yearly rule no longer has: Moscow until 2010 (rule
        # `MSK-3`), Mexico City until 2022 (rule `CST6`), read from the zone's table.
        ("Europe/Moscow", 2008),
        ("America/Mexico_City", 2020),
    ],
)
def test_a_rule_right_in_this_year_and_the_next_where_one_exists(
    vendor_id: str, zone: str, rendered_in: int
) -> None:
    assert _wrong_years(vendor_id, zone, rendered_in, range(rendered_in, rendered_in + 2)) == []


@pytest.mark.parametrize(
    ("vendor_id", "worst"), [("yealink", 60), ("fanvil", 1), ("snom", 1), ("htek", 60), ("grandstream", 0)]
)
def test_where_no_rule_is_right_in_both_years_the_nearest(vendor_id: str, worst: int) -> None:
    """Santiago in 2024 and 2025: the Sunday after the first Saturday of September is the 8th,
    then the 7th (the second, then the first Sunday). No week rule names both; Saturday at the last
    time the phone takes (23:59, or 23:00 in whole hours) misses by a minute or an hour, where a
    week rule misses by a week in one of the years."""
    for year in (2024, 2025):
        phone = phone_switches(vendor_id, "America/Santiago", 2024, year)
        real = tzdata_switches("America/Santiago", year)
        assert [(p.before, p.after) for p in phone] == [(r.before, r.after) for r in real]
        assert max((r.at - p.at).total_seconds() for p, r in zip(phone, real, strict=True)) == worst * 60
        assert min((r.at - p.at).total_seconds() for p, r in zip(phone, real, strict=True)) >= 0
