"""SONATA_UNKNOWN_PHONES and SONATA_UNKNOWN_PHONE_DAYS: the bounds of the unknown phones kept."""

import pytest

from sonata.settings import Settings


def test_the_defaults_are_10000_phones_for_30_days() -> None:
    settings = Settings.from_env({})
    assert (settings.unknown_phones, settings.unknown_phone_days) == (10_000, 30)
    chosen = Settings.from_env({"SONATA_UNKNOWN_PHONES": "250", "SONATA_UNKNOWN_PHONE_DAYS": "7"})
    assert (chosen.unknown_phones, chosen.unknown_phone_days) == (250, 7)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "SONATA_UNKNOWN_PHONES",
            "0",
            "SONATA_UNKNOWN_PHONES must be a whole number of phones from 1 to 1000000, not '0'",
        ),
        ("SONATA_UNKNOWN_PHONES", "1000001", "from 1 to 1000000, not '1000001'"),
        ("SONATA_UNKNOWN_PHONES", "ten", "not 'ten'"),
        (
            "SONATA_UNKNOWN_PHONE_DAYS",
            "-3",
            "SONATA_UNKNOWN_PHONE_DAYS must be a whole number of days from 1 to 36500",
        ),
    ],
)
def test_a_bound_that_is_no_whole_number_in_range_is_one_line(name: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env({name: value})
