"""`make run`'s setup (scripts/venv.sh): it says which Python Sonata needs, recovers from a broken first
setup without `make clean`, and does nothing when there is nothing to do. The install itself is
replaced by a stand-in (INSTALL) that only makes `import sonata` work: the tests run offline."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Writes an empty sonata module into the virtual environment and counts the installs.
INSTALL = (
    '"$VENV/bin/python" -c "import pathlib, sysconfig;'
    " pathlib.Path(sysconfig.get_paths()['purelib'], 'sonata.py').write_text('')\""
    " && echo installed >> installs.log"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "venv.sh", tmp_path / "scripts" / "venv.sh")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'sonata'\n")
    return tmp_path


def make_venv(project: Path, python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-s", "venv", f"PYTHON={python}"],
        cwd=project,
        env={**os.environ, "INSTALL": INSTALL},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def installs(project: Path) -> int:
    log = project / "installs.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def fake_python(project: Path, name: str, version: str) -> Path:
    """A `python` that answers --version with `version` and fails anything else, as an old one fails the check."""
    path = project / name
    path.write_text(f'#!/bin/sh\n[ "$1" = --version ] && echo "Python {version}" && exit 0\nexit 1\n')
    path.chmod(0o755)
    return path


def test_a_too_old_or_missing_python_is_named_with_the_one_sonata_needs(project: Path) -> None:
    old = make_venv(project, str(fake_python(project, "python3.9", "3.9.2")))
    assert old.returncode != 0
    assert f"Sonata needs Python 3.11 or later, and {project / 'python3.9'} is: Python 3.9.2." in old.stderr
    assert "make run PYTHON=python3.12" in old.stderr
    missing = make_venv(project, "no-such-python3")
    assert missing.returncode != 0 and "no-such-python3 is: not found" in missing.stderr
    assert not (project / ".venv").exists() and installs(project) == 0


def test_a_broken_first_setup_is_made_again_and_a_good_one_left_alone(project: Path) -> None:
    # A first setup with an old python3 left a virtual environment whose python fails the check.
    (project / ".venv" / "bin").mkdir(parents=True)
    shutil.copy(fake_python(project, "python3.9", "3.9.2"), project / ".venv" / "bin" / "python")
    first = make_venv(project)
    assert first.returncode == 0, first.stderr
    assert ".venv is broken or was made by a Python older than 3.11" in first.stderr
    assert installs(project) == 1
    venv_python = project / ".venv" / "bin" / "python"
    assert subprocess.run([venv_python, "-c", "import sonata"], check=False).returncode == 0

    marker = project / ".venv" / "made-once"
    marker.touch()
    assert make_venv(project).returncode == 0 and installs(project) == 1  # nothing to do

    (project / ".venv" / ".installed").unlink()  # an install interrupted
    assert make_venv(project).returncode == 0 and installs(project) == 2

    purelib = subprocess.run(
        [venv_python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "sonata.py").unlink()  # an install that no longer imports
    assert make_venv(project).returncode == 0 and installs(project) == 3

    stamp = project / ".venv" / ".installed"
    os.utime(project / "pyproject.toml", (stamp.stat().st_mtime + 10,) * 2)  # dependencies changed
    assert make_venv(project).returncode == 0 and installs(project) == 4
    assert marker.exists()  # the virtual environment itself was kept each time


def test_a_virtual_environment_without_pip_is_made_again(project: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", project / ".venv"], check=True)
    result = make_venv(project)
    assert result.returncode == 0, result.stderr
    assert "is broken" in result.stderr and installs(project) == 1
