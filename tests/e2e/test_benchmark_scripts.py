"""The benchmark's wrk scripts against a real `sonata serve` and the trivial app: every request answered.

Counts only, never times. Skipped where wrk is not installed (apt-get install wrk).
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmarks.seeding import GROUP_TOKEN, device_file_size, import_devices, macs
from benchmarks.servers import Running, sonata, trivial_app
from benchmarks.wrk import Link, Phone, boot_script, fetch_script, first_fetch_script, run, run_storm

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Running, list[Phone], Path]]:
    workdir = tmp_path_factory.mktemp("bench")
    with sonata(f"sqlite:///{workdir / 'bench.db'}", 1, workdir / "sonata.log") as server:
        yield server, import_devices(server.url, macs(5), 0).phones, workdir


@pytest.mark.parametrize("link", ["personal", "common"])
def test_random_fetches_are_all_answered_by_sonata_and_the_trivial_app(
    seeded: tuple[Running, list[Phone], Path], link: Link
) -> None:
    server, phones, workdir = seeded
    script = workdir / f"{link}.lua"
    script.write_text(fetch_script(phones, link, GROUP_TOKEN))
    with trivial_app([p.mac for p in phones], device_file_size(server.url, phones[0]), workdir) as trivial:
        for url in (server.url, trivial.url):
            result = run(url, script, seconds=1, threads=1, connections=2)
            assert result.requests > 0 and result.errors == 0, (url, result)


def test_a_boot_storm_fetches_each_phones_three_files_once(seeded: tuple[Running, list[Phone], Path]) -> None:
    server, phones, workdir = seeded
    script, finished = workdir / "boot.lua", workdir / "boot.finished"
    script.write_text(boot_script(phones, GROUP_TOKEN, 2, finished))
    result = run_storm(server.url, script, 2, finished, limit_seconds=60)
    assert (result.requests, result.errors, result.phones_booted) == (15, 0, 5)
    assert result.storm_seconds is not None and result.storm_seconds > 0


@pytest.mark.parametrize("link", ["personal", "common"])
def test_a_first_fetch_walk_fetches_each_device_file_once(
    seeded: tuple[Running, list[Phone], Path], link: Link
) -> None:
    server, phones, workdir = seeded
    script, finished = workdir / f"first-{link}.lua", workdir / f"first-{link}.finished"
    script.write_text(first_fetch_script(phones, link, GROUP_TOKEN, 2, finished))
    result = run_storm(server.url, script, 2, finished, limit_seconds=60)
    assert (result.requests, result.errors, result.phones_booted) == (5, 0, 5)
