"""Refused management logins: one WARNING line per address per interval, with a count of the rest."""

import logging

import pytest

from sonata.entrypoints.graphql.failed_logins import FailedLogins

log = logging.getLogger("test.failed_logins")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    found = [r.getMessage() for r in caplog.records if r.name == log.name]
    assert all(r.levelname == "WARNING" for r in caplog.records if r.name == log.name)
    caplog.clear()
    return found


def test_one_line_per_address_per_interval_then_the_count_of_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, log.name)
    clock = Clock()
    logins = FailedLogins(log, interval=10, clock=clock)
    logins.refused("192.0.2.7", "no bearer token")
    for _ in range(5):
        clock.now += 1
        logins.refused("192.0.2.7", "wrong bearer token")
    logins.refused("198.51.100.1", "wrong bearer token")
    assert lines(caplog) == [
        "refused a management API request from 192.0.2.7: no bearer token",
        "refused a management API request from 198.51.100.1: wrong bearer token",
    ]
    clock.now += 5  # 10 s after the first line
    logins.refused("192.0.2.7", "wrong bearer token")
    assert lines(caplog) == [
        "refused a management API request from 192.0.2.7: wrong bearer token"
        " (5 more from this address since the last line)"
    ]


def test_memory_stays_bounded_however_many_addresses_come(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, log.name)
    logins = FailedLogins(log, interval=10, max_addresses=100, clock=Clock())
    for n in range(10_000):
        logins.refused(f"2001:db8::{n:x}", "wrong bearer token")
    assert len(logins) == 100
    assert len(lines(caplog)) == 10_000
    logins.refused("2001:db8::0", "wrong bearer token")  # forgotten long ago: logged again
    assert len(lines(caplog)) == 1


def test_a_forged_address_is_cut_short(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, log.name)
    FailedLogins(log, clock=Clock()).refused("x" * 10_000, "wrong bearer token")
    assert lines(caplog) == [f"refused a management API request from {'x' * 64}: wrong bearer token"]
