"""uvloop and httptools serve where they are installed; without them the server starts all the same."""

import importlib.util
from pathlib import Path

import pytest
from tests.e2e.conftest import API_TOKEN, start_server, stop_server, without_modules
from tests.e2e.test_management_api import SAVE, yealink_input

YEALINK_UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:12:34:56"


@pytest.mark.parametrize(
    ("hidden", "runtime"), [((), "uvloop, httptools"), (("uvloop", "httptools"), "asyncio, h11")]
)
def test_the_fastest_installed_loop_and_parser_serve_phones(
    tmp_path: Path, hidden: tuple[str, ...], runtime: str
) -> None:
    if not hidden and None in (importlib.util.find_spec("uvloop"), importlib.util.find_spec("httptools")):
        pytest.skip("uvloop or httptools is not installed here")
    env = {"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}", "SONATA_API_TOKEN": API_TOKEN}
    server = start_server(tmp_path, {**env, **without_modules(tmp_path, *hidden)})
    try:
        # One worker, the default, is the process started itself.
        assert f"worker {server.process.pid} ready ({runtime})\n" in server.log()
        device = server.graphql(SAVE, {"input": yealink_input()})["saveDevice"]["device"]
        config = server.get(f"{device['links']['personal']}/001565123456.cfg", YEALINK_UA)
        assert config.status_code == 200 and b"local_time.ntp_server1 = pool.ntp.org" in config.content
    finally:
        stop_server(server)
    assert "Traceback" not in server.log()
