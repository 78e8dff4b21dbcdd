"""The line of each phone fetch: every refusal, and every file served in quiet times but only a few a
second in a storm."""

import logging

import pytest

from sonata.domain.model import LinkKind
from sonata.domain.phone_fetch import FetchOutcome, PhoneFetch, RefusalKind
from sonata.domain.services.fetch_log import FetchLog

MAC = "001565aabbcc"


def served(address: str, *, probe: bool = False, filename: str = f"{MAC}.cfg") -> PhoneFetch:
    return PhoneFetch(
        address=address,
        outcome=FetchOutcome.SERVED,
        seconds=0.00025,
        link=LinkKind.PERSONAL,
        filename=filename,
        vendor="yealink",
        model="t46s",
        device_mac=MAC,
        probe=probe,
    )


def test_a_storm_logs_a_few_lines_a_second_and_counts_the_rest(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    fetches = FetchLog(logging.getLogger("test.fetches"), lines=3, interval=1.0, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="test.fetches"):
        for _ in range(10):
            fetches.fetched(served("192.0.2.1"))
        now[0] = 1.0
        fetches.fetched(served("192.0.2.2", probe=True))
    line = f"'{MAC}.cfg' to 192.0.2.1 (device {MAC}, yealink t46s) in 0.25 ms"
    assert [record.getMessage() for record in caplog.records] == [
        f"served {line}",
        f"served {line}",
        f"served {line}",
        f"answered a probe for '{MAC}.cfg' to 192.0.2.2 (device {MAC}, yealink t46s) in 0.25 ms"
        " (7 more answers not logged before this one)",
    ]


def test_every_refusal_is_a_line_a_quiet_one_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    fetches = FetchLog(logging.getLogger("test.fetches"), lines=1)

    def refusal(kind: RefusalKind, quiet: bool) -> PhoneFetch:
        return PhoneFetch(
            address="192.0.2.1",
            outcome=FetchOutcome.REFUSED,
            seconds=0.001,
            link=LinkKind.COMMON,
            filename=f"{MAC}.cfg",
            refusal=kind,
            reason="why, in words",
            quiet=quiet,
            user_agent="curl/8.0",
        )

    with caplog.at_level(logging.DEBUG, logger="test.fetches"):
        for _ in range(5):
            fetches.fetched(refusal(RefusalKind.UNKNOWN_MAC, quiet=False))
        fetches.fetched(refusal(RefusalKind.NOT_SERVED, quiet=True))
    assert [record.levelno for record in caplog.records] == [logging.WARNING] * 5 + [logging.DEBUG]
    assert caplog.records[0].getMessage() == (
        f"refused common link request for '{MAC}.cfg' from 192.0.2.1 (User-Agent 'curl/8.0'):"
        " why, in words (unknown_mac, 1.00 ms)"
    )


def test_the_file_name_is_quoted_and_cut_short(caplog: pytest.LogCaptureFixture) -> None:
    fetches = FetchLog(logging.getLogger("test.fetches"))
    with caplog.at_level(logging.INFO, logger="test.fetches"):
        fetches.fetched(served("192.0.2.1", filename="x\n" * 200))
    [record] = caplog.records
    assert "\n" not in record.getMessage() and "(400 characters)" in record.getMessage()
    assert record.__dict__["fetch"]["file"] == "x\n" * 100
