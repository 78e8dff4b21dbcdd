"""The README's commands work as written after `make run`: `.venv/bin/sonata` with commands and options
that exist, never a bare `sonata` that only an activated environment would find."""

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from sonata.entrypoints.cli import cli

ROOT = Path(__file__).resolve().parents[2]
COMMAND = ".venv/bin/sonata"
# Where `sonata` is on the PATH: in the container and the systemd unit's own environment.
ELSEWHERE = "## Deployment"


def code_lines() -> Iterator[tuple[int, str, str]]:
    """(line number, section, text) of each line in a fenced block of the README."""
    section, fenced = "", False
    for number, line in enumerate((ROOT / "README.md").read_text().splitlines(), start=1):
        if line.startswith("## "):
            section = line
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif fenced:
            yield number, section, line


def invocations() -> Iterator[tuple[int, list[str]]]:
    """The words after each `.venv/bin/sonata` of the README, up to a comment, redirection or pipe."""
    for number, _, line in code_lines():
        for found in re.finditer(re.escape(COMMAND) + r"((?: [^#>|)]*)?)", line):
            words = [w.strip("[]…") for w in found.group(1).split()]
            yield number, [w for w in words if w]


def test_the_readme_shows_the_commands() -> None:
    assert sum(1 for _ in invocations()) >= 20


@pytest.mark.parametrize(
    ("number", "words"), list(invocations()), ids=lambda v: str(v) if isinstance(v, int) else None
)
def test_each_command_of_the_readme_exists_with_its_options(number: int, words: list[str]) -> None:
    command: click.Command = cli
    path = []
    for word in words:
        if isinstance(command, click.Group) and word in command.commands:
            command = command.commands[word]
            path.append(word)
    options = {option for param in command.params for option in [*param.opts, *param.secondary_opts]}
    for word in words:
        if word.startswith("--"):
            assert word.split("=")[0] in options | {"--help"}, (
                f"README line {number}: sonata {' '.join(path)} {word}"
            )
    if words != ["--version"]:
        assert not isinstance(command, click.Group), f"README line {number}: no command of sonata in {words}"


def test_no_command_line_of_the_readme_needs_an_activated_environment() -> None:
    bare = [
        (number, line)
        for number, section, line in code_lines()
        if section != ELSEWHERE and re.match(r"(?:\$ )?(?:[A-Z_]+=\S+ )*sonata ", line.strip())
    ]
    assert bare == []


def test_make_run_installs_the_command_where_the_readme_says() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"sonata": "sonata.entrypoints.cli:main"}
    makefile = (ROOT / "Makefile").read_text()
    assert "VENV ?= .venv" in makefile and "BIN := $(VENV)/bin" in makefile
