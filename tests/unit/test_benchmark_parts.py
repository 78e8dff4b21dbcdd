"""The benchmark's parts that need no server: wrk's result line, the Lua scripts, the table, memory."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from benchmarks import storm
from benchmarks.seeding import Imported, macs
from benchmarks.servers import tree_rss_kib
from benchmarks.table import COLUMNS, Row, markdown
from benchmarks.trivial_app import ready_bodies
from benchmarks.wrk import Phone, WrkResult, boot_script, combine, fetch_script, parse_result

WRK_OUTPUT = """\
Running 8s test @ http://127.0.0.1:18080
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    19.01ms    3.21ms  61.02ms   90.12%
  24000 requests in 8.00s, 70.12MB read
  Non-2xx or 3xx responses: 3
WRK_RESULT requests=24000 seconds=8.004000 p50_ms=18.250 p99_ms=40.125 status_errors=3 socket_errors=2
Requests/sec:   2998.50
"""

PHONES = [Phone("kEy-1_a", "001565aabbcc"), Phone("key2", "00156500beef")]


def test_the_result_line_gives_rate_latency_and_errors() -> None:
    result = parse_result(WRK_OUTPUT)
    assert result == WrkResult(24000, 8.004, 18.25, 40.125, status_errors=3, socket_errors=2)
    assert result.errors == 5
    assert result.rate == pytest.approx(24000 / 8.004)


def test_a_boot_storm_rate_counts_the_storm_not_the_whole_run() -> None:
    line = (
        "WRK_RESULT requests=30000 seconds=9.500000 p50_ms=5.000 p99_ms=90.000 status_errors=0 "
        "socket_errors=0 storm_seconds=7.500000 phones_booted=10000"
    )
    result = parse_result(line)
    assert (result.storm_seconds, result.phones_booted) == (7.5, 10000)
    assert result.rate == 4000


def test_output_without_a_result_line_is_an_error_that_shows_it() -> None:
    with pytest.raises(RuntimeError, match="unable to connect"):
        parse_result("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_rounds_combine_into_one_measurement() -> None:
    rounds = [WrkResult(100, 1.0, 10.0, 30.0, 1, 0), WrkResult(300, 1.0, 20.0, 50.0, 0, 2)]
    assert combine(rounds) == WrkResult(400, 2.0, 15.0, 50.0, 1, 2)


@pytest.mark.parametrize("link", ["personal", "common"])
def test_the_fetch_script_carries_every_phone_and_its_link(link: str) -> None:
    script = fetch_script(PHONES, link, "group-token")  # type: ignore[arg-type]
    # Records of one width: the shorter key is padded.
    assert "PHONES = [[\nkEy-1_a 001565aabbcc\nkey2    00156500beef\n]]\nRECORD = 21\nCOUNT = 2\n" in script
    assert f'LINK = "{link}"' in script and 'TOKEN = "group-token"' in script
    assert "Yealink SIP-T46S 66.86.0.15 " in script  # shared.lua
    assert "math.random(COUNT)" in script  # random_fetch.lua


def test_the_boot_script_knows_its_threads_and_where_they_report(tmp_path: Path) -> None:
    script = boot_script(PHONES, "group-token", 2, tmp_path / "finished")
    assert "THREADS = 2\n" in script and f'FINISHED_FILE = "{tmp_path / "finished"}"' in script
    assert '"y000000000066.cfg"' in script and "wrk.thread:stop()" in script


@pytest.mark.parametrize(
    "phone", [Phone("a key", "001565aabbcc"), Phone("k]]", "001565aabbcc"), Phone("k", "")]
)
def test_a_key_or_mac_no_url_can_carry_is_refused(phone: Phone) -> None:
    with pytest.raises(ValueError, match="cannot carry"):
        fetch_script([phone], "personal", "group-token")


def test_a_path_no_lua_string_can_hold_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="plain Lua string"):
        boot_script(PHONES, "group-token", 2, tmp_path / 'fin"ished')


def test_macs_are_distinct_yealink_macs_the_same_each_run() -> None:
    drawn = macs(5000)
    assert len(set(drawn)) == 5000 and drawn == macs(5000)
    assert all(len(mac) == 12 and mac.startswith("001565") and int(mac, 16) >= 0 for mac in drawn)


def test_the_import_time_of_the_first_documents() -> None:
    imported = Imported([], [(500, 0.5), (1000, 1.25), (1200, 1.5)])
    assert imported.seconds_for(1000) == 1.25
    assert imported.seconds_for(700) is None


def test_the_trivial_app_bodies_have_the_size_asked_for() -> None:
    bodies = ready_bodies(["001565aabbcc", "00156500beef"], 2900)
    assert {len(body) for body in bodies.values()} == {2900}
    assert b"001565aabbcc" in bodies["001565aabbcc"] and bodies["001565aabbcc"] != bodies["00156500beef"]


def test_the_table_has_a_cell_for_every_column() -> None:
    measured = WrkResult(2000, 1.0, 10.0, 20.0, 0, 0)
    trivial = WrkResult(2500, 1.0, 8.0, 15.0, 0, 0)
    rows = [
        Row("SQLite", 10000, "common link", 1, measured, trivial, 150 * 1024),
        Row("SQLite", 10000, "common link", 2, notes="n/a: --workers not supported"),
    ]
    lines = markdown(rows).splitlines()
    assert lines[0].count("|") == len(COLUMNS) + 1 == lines[2].count("|") == lines[3].count("|")
    assert (
        lines[2] == "| SQLite | 10k | common link | 1 | 2,000 | 10.0 | 20.0 | 0 | 2,500 | 0.80 | 150 MB |  |"
    )
    assert lines[3].endswith("| n/a: --workers not supported |")


def test_memory_counts_child_processes() -> None:
    alone = tree_rss_kib(os.getpid())
    assert alone > 0
    ready = "import time; print('ready', flush=True); time.sleep(60)"
    with subprocess.Popen([sys.executable, "-c", ready], stdout=subprocess.PIPE, text=True) as child:
        try:
            assert child.stdout is not None and child.stdout.readline() == "ready\n"
            # A Python interpreter takes several megabytes of its own.
            assert tree_rss_kib(os.getpid()) > alone + 2048
        finally:
            child.kill()


def test_without_wrk_the_benchmark_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert storm.main(["--devices", "10"]) == 2
    assert "install it with: apt-get install wrk" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--workers", "1,x"], "no list of worker counts"),
        (["--workers", "0"], "no list of worker counts"),
        (["--database-url", "sqlite:///x.db"], "postgresql:// URL"),
        (["--duration", "0"], "number above 0"),
    ],
)
def test_options_it_cannot_use_are_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        storm.main(argv)
    assert exit_.value.code == 2 and message in capsys.readouterr().err
