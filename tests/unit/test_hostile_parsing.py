"""Hostile input of 100 kB costs about what a real phone's does: nothing that reads it backtracks.

Each case is timed side by side with parsing a real User-Agent, and must stay under a generous
multiple of it. Linear code stays far below; a backtracking pattern takes minutes on 100 kB.
"""

import contextlib
import time
from collections.abc import Callable
from typing import Any

import pytest

from sonata.domain.mac import parse_mac
from sonata.domain.timezones import parse_utc_offset, zone_rule
from sonata.domain.vendors import VENDORS, identify_phone, mac_in_filename

SIZE = 100_000
CAPPED_RATIO = 100
"""Capped input (User-Agents, file names) is read only up to its cap: measured below 10x."""
LINEAR_RATIO = 10_000
"""Uncapped input is read whole, once: 100 kB is some 2,000 real User-Agents, yet linear code
stays below 600x (measured); a backtracking pattern is millions of times slower."""

REAL_USER_AGENTS = {
    "grandstream": "Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 000b82aabbcc",
    "yealink": "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc",
    "fanvil": "Fanvil X6U Pro 0.0.10 0c383e2cd782",
    "snom": "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 2010.12-00004-g9ba52f5 000413922D24 SXM:0 UXM:0)",
    "htek": "Htek UC903 2.0.4.2 00:1f:c1:1c:22:a9",
}
# Each vendor's own start, then the start of what its patterns read after it.
PREFIXES = {
    "grandstream": ("Grandstream ", "Grandstream Model HW gxp", "Grandstream GXP2000 (gxp2000e.bin:1"),
    "yealink": ("Yealink ", "Yealink-", "Yealink SIP-T", "Yealink a"),
    "fanvil": ("Fanvil ", "Fanvil x", "Fanvil X5U"),
    "snom": ("Mozilla/4.0 (compatible; snom", "snom-", "snom1-SIP ", "Mozilla/4.0 (compatible; snom1"),
    "htek": ("Htek ", "Htek UC", "Htek v1"),
}
# Runs of what the patterns repeat: digits, letters, both, separators, suffixes.
RUNS = ("1", "a", "a1", "1.", ".1", "-", "_", "-v", "-v1", "-pro", ":", "/", " ", "snom", "-sip ", "-sip/1.")
LAST = ("", "!")


def hostile(prefix: str, run: str, last: str) -> str:
    body = run * (SIZE // len(run) + 1)
    return (prefix + body)[: SIZE - len(last)] + last


def cost(function: Callable[[str], Any], argument: str, repeat: int = 3) -> float:
    """The best of a few runs, so that a busy machine does not count."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with contextlib.suppress(ValueError):  # time zones refuse what they cannot read
            function(argument)
        times.append(time.perf_counter() - started)
    return min(times)


@pytest.fixture(scope="module")
def real() -> float:
    """Parsing a real User-Agent: the slowest vendor's, at its best."""
    return max(cost(identify_phone, user_agent, repeat=50) for user_agent in REAL_USER_AGENTS.values())


def assert_cheap(function: Callable[[str], Any], argument: str, real: float, ratio: int) -> None:
    spent = cost(function, argument)
    assert spent < ratio * real, (
        f"{getattr(function, '__qualname__', function)} took {spent * 1000:.2f} ms on "
        f"{argument[:40]!r}… ({spent / real:.0f}x parsing a real User-Agent)"
    )


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_hostile_user_agents_cost_about_what_a_real_one_does(vendor: str, real: float) -> None:
    for prefix in PREFIXES[vendor]:
        for run in RUNS:
            for last in LAST:
                user_agent = hostile(prefix, run, last)
                assert_cheap(VENDORS[vendor].parse_user_agent, user_agent, real, CAPPED_RATIO)
                assert_cheap(identify_phone, user_agent, real, CAPPED_RATIO)


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_vendor_patterns_are_linear_without_the_cap(vendor: str, real: float) -> None:
    """What each vendor reads inside the cap is linear in itself (one long token per shape)."""
    for prefix in PREFIXES[vendor]:
        for run in RUNS:
            if run.strip() != run:
                continue  # runs of many tokens are linear in the token count: the cap bounds them
            for last in LAST:
                assert_cheap(VENDORS[vendor].read_user_agent, hostile(prefix, run, last), real, LINEAR_RATIO)


FILE_NAME_STARTS = (
    "",
    "cfg",
    "cfggxp1",
    "y",
    "001565aabbcc",
    "fanvil_",
    "snom",
    "snomd785-",
    "tbook-",
    "factory",
)
FILE_NAME_RUNS = ("0", "a", ".", ".txt", ".xml", "-", "_", "0.")


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_hostile_file_names_cost_about_what_a_real_user_agent_does(vendor: str, real: float) -> None:
    for start in FILE_NAME_STARTS:
        for run in FILE_NAME_RUNS:
            for last in ("", "!", ".cfg", ".xml"):
                filename = hostile(start, run, last)
                assert_cheap(VENDORS[vendor].identify_file, filename, real, CAPPED_RATIO)
                assert_cheap(VENDORS[vendor].read_filename, filename, real, LINEAR_RATIO)


def test_a_mac_is_looked_for_in_hostile_file_names_cheaply(real: float) -> None:
    for start in FILE_NAME_STARTS:
        for run in FILE_NAME_RUNS:
            assert_cheap(mac_in_filename, hostile(start, run, ".cfg"), real, CAPPED_RATIO)


@pytest.mark.parametrize("run", ["0", "00:", "00-", "0000.", "a", " ", "0 "])
def test_hostile_macs_cost_about_what_a_real_user_agent_does(run: str, real: float) -> None:
    for last in LAST:
        assert_cheap(parse_mac, hostile("", run, last), real, CAPPED_RATIO)
        assert_cheap(parse_mac, hostile("00:15:65:aa:bb:cc", run, last), real, CAPPED_RATIO)


@pytest.mark.parametrize(
    ("prefix", "run"),
    [("GMT", " "), ("UTC+", " "), ("+", "1"), ("", "GMT"), ("Europe/", "a"), ("a", "/a"), ("a", "+-")],
)
def test_hostile_time_zone_fields_are_read_in_linear_time(prefix: str, run: str, real: float) -> None:
    for last in LAST:
        assert_cheap(parse_utc_offset, hostile(prefix, run, last), real, LINEAR_RATIO)
        assert_cheap(zone_rule, hostile(prefix, run, last), real, CAPPED_RATIO)


def test_a_zone_name_longer_than_any_is_a_clear_error_not_a_file_system_one() -> None:
    with pytest.raises(ValueError, match="not a known IANA time zone"):
        zone_rule("Europe/" + "a" * 1000)


def test_only_the_head_of_a_user_agent_is_read() -> None:
    real = REAL_USER_AGENTS["yealink"]
    assert identify_phone(real + " " + "x" * SIZE) == identify_phone(real)
    identity = identify_phone("Yealink SIP-T46S 66.86.0.15 " + "x" * 600 + " 00:15:65:aa:bb:cc")
    assert identity is not None and identity.model == "t46s" and identity.mac is None
