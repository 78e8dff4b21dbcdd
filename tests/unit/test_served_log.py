"""The INFO line per file served: every one in quiet times, a few a second in a storm."""

import logging

import pytest

from sonata.domain.services.served_log import ServedLog

MAC = "001565aabbcc"


def test_a_storm_logs_a_few_lines_a_second_and_counts_the_rest(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    served = ServedLog(logging.getLogger("test.served"), lines=3, interval=1.0, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="test.served"):
        for _ in range(10):
            served.served(f"{MAC}.cfg", "192.0.2.1", MAC, probe=False)
        now[0] = 1.0
        served.served(f"{MAC}.cfg", "192.0.2.2", MAC, probe=True)
    assert [record.getMessage() for record in caplog.records] == [
        f"served '{MAC}.cfg' to 192.0.2.1 (device {MAC})",
        f"served '{MAC}.cfg' to 192.0.2.1 (device {MAC})",
        f"served '{MAC}.cfg' to 192.0.2.1 (device {MAC})",
        f"answered a probe for '{MAC}.cfg' to 192.0.2.2 (device {MAC}) (7 more answers not logged before this one)",
    ]


def test_the_file_name_is_quoted_and_cut_short(caplog: pytest.LogCaptureFixture) -> None:
    served = ServedLog(logging.getLogger("test.served"))
    with caplog.at_level(logging.INFO, logger="test.served"):
        served.served("x\n" * 200, "192.0.2.1", MAC, probe=False)
    assert "\n" not in caplog.records[0].getMessage() and "(400 characters)" in caplog.text
