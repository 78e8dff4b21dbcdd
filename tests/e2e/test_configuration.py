"""Bad configuration: the real `sonata` command says in one line what is wrong and what to do, exit code 2."""

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from tests.e2e.conftest import API_TOKEN, free_port


def run_sonata(
    *args: str, env: dict[str, str], cwd: Path, prefix: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "sonata", *args],
        env={**os.environ, "SONATA_API_TOKEN": API_TOKEN, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,  # a command that wrongly starts serving fails here instead of hanging the suite
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *mentions: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("sonata: ")
    for mention in mentions:
        assert mention in line, line


@pytest.mark.parametrize(
    ("env", "args", "mentions"),
    [
        ({"SONATA_DATABASE_URL": "sqlite:///:memory:"}, [], ["in-memory", "give a file path"]),
        ({"SONATA_DATABASE_URL": "sqlite://"}, [], ["in-memory", "give a file path"]),
        (
            {"SONATA_DATABASE_URL": "sqlite:///file:memdb1?mode=memory&cache=shared&uri=true"},
            [],
            ["in-memory", "give a file path"],
        ),
        ({"SONATA_DATABASE_URL": "sqlite:///file::memory:?cache=shared"}, [], ["without SQLite URI options"]),
        ({"SONATA_API_TOKEN": " " * 20}, [], ["SONATA_API_TOKEN", "without spaces"]),
        ({"SONATA_PUBLIC_URL": "notaurl"}, [], ["SONATA_PUBLIC_URL", "http:// or https://"]),
        ({"SONATA_PUBLIC_URL": "http://[::1"}, [], ["SONATA_PUBLIC_URL", "http:// or https://"]),
        ({}, ["--port", "70000"], ["--port", "1 to 65535", "'70000'"]),
        ({}, ["--port", "0"], ["--port", "1 to 65535", "'0'"]),
        ({"SONATA_PORT": "70000"}, [], ["SONATA_PORT", "1 to 65535"]),
        ({"SONATA_PORT": "-1"}, [], ["SONATA_PORT", "1 to 65535"]),
        ({"SONATA_PORT": "٨٠"}, [], ["SONATA_PORT", "1 to 65535"]),  # Arabic-Indic digits
        ({"SONATA_TEMPLATES_DIR": "no-such-folder"}, [], ["SONATA_TEMPLATES_DIR", "does not exist"]),
        ({"SONATA_API_TOKEN": "x"}, [], ["SONATA_API_TOKEN", "16 characters", "unset it"]),
        ({"SONATA_HEADER_TIMEOUT": "0"}, [], ["SONATA_HEADER_TIMEOUT", "greater than 0"]),
        ({"SONATA_HEADER_TIMEOUT": "soon"}, [], ["SONATA_HEADER_TIMEOUT", "greater than 0"]),
        ({"SONATA_WORKERS": "0"}, [], ["SONATA_WORKERS", "1 or more", "'0'"]),
        ({"SONATA_WORKERS": "two"}, [], ["SONATA_WORKERS", "1 or more", "'two'"]),
        ({}, ["--workers", "-2"], ["--workers", "1 or more", "'-2'"]),
        (
            {"SONATA_LOG_LEVEL": "verbose"},
            [],
            ["SONATA_LOG_LEVEL", "DEBUG, INFO, WARNING, ERROR", "'verbose'"],
        ),
        ({"SONATA_LOG_FORMAT": "xml"}, [], ["SONATA_LOG_FORMAT", "text, json", "'xml'"]),
        ({"SONATA_SHUTDOWN_TIMEOUT": "0"}, [], ["SONATA_SHUTDOWN_TIMEOUT", "greater than 0"]),
        ({"SONATA_SHUTDOWN_TIMEOUT": "2.5"}, [], ["SONATA_SHUTDOWN_TIMEOUT", "whole number"]),
        ({"SONATA_METRICS_TOKEN": "short"}, [], ["SONATA_METRICS_TOKEN", "16 characters", "open"]),
        (
            {"SONATA_CORS_ORIGINS": "https://admin.example.net/app"},
            [],
            ["SONATA_CORS_ORIGINS", "path", "write https://admin.example.net"],
        ),
    ],
)
def test_a_bad_setting_stops_serve_with_one_line(
    tmp_path: Path, env: dict[str, str], args: list[str], mentions: list[str]
) -> None:
    result = run_sonata(
        "serve", "--host", "127.0.0.1", *(args or ["--port", str(free_port())]), env=env, cwd=tmp_path
    )
    assert_one_clear_line(result, *mentions)
    assert result.stdout == ""
    assert not (tmp_path / "sonata.db").exists()


def test_a_short_metrics_token_is_refused_without_being_echoed(tmp_path: Path) -> None:
    result = run_sonata("serve", env={"SONATA_METRICS_TOKEN": "m3trics s3cret"}, cwd=tmp_path)
    assert_one_clear_line(result, "SONATA_METRICS_TOKEN", "without spaces")
    assert "s3cret" not in result.stderr


def test_a_templates_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "templates.txt").write_text("not a folder")
    result = run_sonata("serve", env={"SONATA_TEMPLATES_DIR": str(tmp_path / "templates.txt")}, cwd=tmp_path)
    assert_one_clear_line(result, "SONATA_TEMPLATES_DIR", str(tmp_path / "templates.txt"), "not a directory")


def test_a_short_management_token_is_refused_without_being_echoed(tmp_path: Path) -> None:
    token = "sh0rt-s3cret-15"
    assert len(token) == 15
    result = run_sonata("serve", env={"SONATA_API_TOKEN": token}, cwd=tmp_path)
    assert_one_clear_line(result, "SONATA_API_TOKEN", "16 characters")
    assert "s3cret" not in result.stderr


def test_render_with_a_mistyped_database_path_creates_nothing(tmp_path: Path) -> None:
    mistyped = tmp_path / "sonta.db"
    result = run_sonata(
        "render", "001565778899", env={"SONATA_DATABASE_URL": f"sqlite:///{mistyped}"}, cwd=tmp_path
    )
    assert_one_clear_line(result, f"no database at {mistyped}", "SONATA_DATABASE_URL")
    assert list(tmp_path.iterdir()) == []
