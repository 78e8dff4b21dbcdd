"""IANA zones read from the tz database, and their rules in the shapes phones take."""

import pytest

from sonata.domain.timezones import (
    DstChange,
    Transition,
    device_zone,
    fixed_zone,
    local_zone,
    parse_posix_tz,
    parse_utc_offset,
    zone_rule,
)


def test_a_zone_with_daylight_saving() -> None:
    berlin = zone_rule("Europe/Berlin")
    assert berlin.posix == "CET-1CEST,M3.5.0,M10.5.0/3"
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
    assert fixed_zone(parse_utc_offset("GMT+05:30")).posix == "<+0530>-5:30"
    assert fixed_zone(parse_utc_offset("GMT-03")).posix == "<-03>3"
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
        DstChange(3, 5, 0, 60),
        DstChange(10, 5, 0, 120),
    )


def test_change_times_past_midnight_move_to_the_next_weekday() -> None:
    jerusalem = local_zone(zone_rule("Asia/Jerusalem"))  # M3.4.4/26: Thursday 26:00 is Friday 02:00
    assert jerusalem.dst is not None and jerusalem.dst.start == DstChange(3, 4, 5, 120)
