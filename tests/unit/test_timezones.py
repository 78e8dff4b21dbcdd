"""IANA zones read from the tz database, and their rules in the shapes phones take."""

from datetime import UTC, datetime

import pytest

from sonata.domain.phone_dst import MINUTES, WHOLE_HOURS, local_zone, phone_rule
from sonata.domain.timezones import (
    Switch,
    Transition,
    device_zone,
    fixed_zone,
    parse_posix_tz,
    parse_utc_offset,
    zone_rule,
    zone_switches,
)


def test_a_zone_with_daylight_saving() -> None:
    berlin = zone_rule("Europe/Berlin")  # CET-1CEST,M3.5.0,M10.5.0/3
    assert (berlin.abbreviation, berlin.daylight_saving and berlin.daylight_saving.abbreviation) == (
        "CET",
        "CEST",
    )
    assert berlin.standard.minutes == 60 and berlin.daylight_shift_minutes == 60
    assert berlin.daylight_saving is not None
    assert berlin.daylight_saving.start == Transition(3, 5, 0, 120)
    assert berlin.daylight_saving.end == Transition(10, 5, 0, 180)


@pytest.mark.parametrize(
    ("name", "standard", "shift"),
    [
        ("America/New_York", -300, 60),
        ("Asia/Kolkata", 330, 0),
        ("Australia/Sydney", 600, 60),
        ("Asia/Kathmandu", 345, 0),
        ("UTC", 0, 0),
        ("America/Sao_Paulo", -180, 0),
    ],
)
def test_standard_offsets_and_shifts(name: str, standard: int, shift: int) -> None:
    zone = zone_rule(name)
    assert (zone.standard.minutes, zone.daylight_shift_minutes, zone.iana_name) == (standard, shift, name)


@pytest.mark.parametrize(
    "name", ["Europe/Atlantis", "../../etc/passwd", "Europe/../../etc/passwd", "", "posix/UTC"]
)
def test_unknown_or_crafted_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        zone_rule(name)


def test_posix_strings_with_quoted_names_and_odd_hours() -> None:
    nuuk = parse_posix_tz("<-02>2<-01>,M3.5.0/-1,M10.5.0/0")
    assert nuuk.standard.minutes == -120 and nuuk.abbreviation == "-02"
    assert nuuk.daylight_saving is not None and nuuk.daylight_saving.start.minutes == -60
    with pytest.raises(ValueError):
        parse_posix_tz("EST5EDT,J60,J300")


def test_fixed_offsets_as_zones() -> None:
    assert fixed_zone(parse_utc_offset("GMT+05:30")).abbreviation == "+0530"
    assert fixed_zone(parse_utc_offset("GMT-03")) == parse_posix_tz("<-03>3")
    assert device_zone(None, "GMT+03") == fixed_zone(parse_utc_offset("GMT+03"))
    assert device_zone("Europe/Berlin", "GMT+03") == zone_rule("Europe/Berlin")
    assert device_zone(None, None) is None


def test_negative_daylight_saving_is_turned_into_a_forward_shift() -> None:
    dublin = zone_rule("Europe/Dublin")
    assert dublin.daylight_shift_minutes == -60
    local = local_zone(dublin)
    assert local.standard_minutes == 0 and local.dst is not None
    assert (local.dst.shift_minutes, local.dst.start, local.dst.end) == (
        60,
        Transition(3, 5, 0, 60),
        Transition(10, 5, 0, 120),
    )


def test_the_changes_of_a_year_come_from_the_zones_table_then_its_yearly_rule() -> None:
    # Moscow kept daylight saving until 2010; its TZif footer (`MSK-3`) has none.
    assert zone_switches("Europe/Moscow", 2009) == (
        Switch(datetime(2009, 3, 28, 23, 0, tzinfo=UTC), 180, 240, "MSD"),
        Switch(datetime(2009, 10, 24, 23, 0, tzinfo=UTC), 240, 180, "MSK"),
    )
    assert zone_switches("Europe/Moscow", 2030) == ()
    # Far past any table, the footer rule.
    assert zone_switches("Europe/Berlin", 2090) == (
        Switch(datetime(2090, 3, 26, 1, 0, tzinfo=UTC), 60, 120, "CEST"),
        Switch(datetime(2090, 10, 29, 1, 0, tzinfo=UTC), 120, 60, "CET"),
    )


def test_change_times_past_midnight_move_to_the_weekday_they_fall_on() -> None:
    # M3.4.4/26: Thursday 26:00 is Friday 02:00 after the fourth Thursday of March, the fourth
    # Friday in 2026 and 2027, the last Friday in 2024 and 2025.
    for year, week in ((2026, 4), (2024, 5)):
        jerusalem = phone_rule(zone_rule("Asia/Jerusalem"), year, MINUTES).daylight_saving
        assert jerusalem is not None and jerusalem.start == Transition(3, week, 5, 120)


def test_a_change_at_quarter_hours_is_written_at_the_nearest_hour() -> None:
    chatham = phone_rule(zone_rule("Pacific/Chatham"), 2026, WHOLE_HOURS).daylight_saving
    assert chatham is not None  # <+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45
    assert (chatham.start, chatham.end) == (Transition(9, 5, 0, 180), Transition(4, 1, 0, 240))
    assert phone_rule(zone_rule("Pacific/Chatham"), 2026, MINUTES) == zone_rule("Pacific/Chatham")
