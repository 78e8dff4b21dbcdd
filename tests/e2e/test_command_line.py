"""The `sonata` command line on a real database file (and PostgreSQL where the tests have a server):
devices listed, shown and deleted, imported from JSON and CSV, exported and imported again."""

import asyncio
import contextlib
import csv
import io
import json
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import click
import pytest
from tests.e2e.conftest import POSTGRES_SECRET_KEY
from tests.e2e.test_workers import fresh_postgres_url

from sonata.domain.documents import SECRET_KEYS
from sonata.domain.errors import ValidationFailed
from sonata.domain.vendors import VENDORS
from sonata.entrypoints.app import build_services, prepare
from sonata.entrypoints.cli import COMMANDS
from sonata.entrypoints.secret_keys import secret_box
from sonata.settings import Settings


def sonata(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sonata", *args],
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def prepared(env: dict[str, str]) -> dict[str, str]:
    """A database as `sonata serve` leaves it after its first start."""
    asyncio.run(prepare(Settings.from_env(env)))
    return env


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return prepared({"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}"})


def account(line: int, user: str, **more: Any) -> dict[str, Any]:
    return {
        "line": line,
        "sip_register": "sip.example.net",
        "sip_user": user,
        "sip_password": f"pw-{user}",
        **more,
    }


def yealink(mac: str, **more: Any) -> dict[str, Any]:
    return {"vendor": "yealink", "model": "t46s", "mac": mac, "accounts": [account(1, "101")], **more}


def listed(env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    result = sonata("devices", "list", "--format", "json", *args, env=env)
    assert result.returncode == 0, result.stderr
    documents: list[dict[str, Any]] = json.loads(result.stdout)
    return documents


# --- every command -----------------------------------------------------------------------------


def command_paths() -> Iterator[list[str]]:
    def walk(command: click.Command, path: list[str]) -> Iterator[list[str]]:
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    for command in COMMANDS:
        assert command.name is not None
        yield from walk(command, [command.name])


def test_version() -> None:
    result = sonata("--version", env={})
    assert (result.returncode, result.stdout) == (0, f"sonata {version('sonata')}\n")


@pytest.mark.parametrize("path", [[], *command_paths()], ids=lambda path: " ".join(path) or "sonata")
def test_every_command_has_help_with_an_example_of_itself(path: list[str]) -> None:
    result = sonata(*path, "--help", env={})
    assert result.returncode == 0, result.stderr
    usage, _, examples = result.stdout.partition("Examples:\n")
    assert usage.startswith(f"Usage: {' '.join(['sonata', *path])} ")
    assert any(line.strip().startswith(" ".join(["sonata", *path])) for line in examples.splitlines()), (
        examples
    )


# --- devices list, show, delete ----------------------------------------------------------------


def test_devices_are_listed_shown_and_deleted(env: dict[str, str], tmp_path: Path) -> None:
    documents = [
        yealink("00:15:65:00:00:02", token="office-group-01", title="Reception [desk]"),
        yealink("001565000001", token="branch-group-01"),
        {"vendor": "snom", "model": "d785", "mac": "000413aabbcc", "token": "office-group-01"},
    ]
    assert sonata("import", "-", env=env, stdin=json.dumps(documents)).returncode == 0

    table = sonata("devices", "list", env=env)
    assert table.returncode == 0 and table.stderr == "3 devices\n"
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["MAC", "VENDOR", "MODEL", "GROUP", "TITLE", "STATUS", "LAST", "FETCH"]
    assert [line.split()[0] for line in lines[2:]] == ["000413aabbcc", "001565000001", "001565000002"]
    assert "Reception [desk]" in lines[4] and "never" in lines[4]

    assert [d["mac"] for d in listed(env, "--group", "office-group-01")] == ["000413aabbcc", "001565000002"]
    assert [d["mac"] for d in listed(env, "--vendor", "YEALINK", "--group", "office-group-01")] == [
        "001565000002"
    ]
    everything = listed(env)
    assert all(
        SECRET_KEYS.isdisjoint(d) and SECRET_KEYS.isdisjoint(*d.get("accounts", [{}])) for d in everything
    )
    as_csv = list(csv.DictReader(io.StringIO(sonata("devices", "list", "--format", "csv", env=env).stdout)))
    assert [row["mac"] for row in as_csv] == ["000413aabbcc", "001565000001", "001565000002"]

    key = everything[2]["key"]
    for who in (key, "00-15-65-00-00-02"):
        shown = sonata("devices", "show", who, env=env)
        assert shown.returncode == 0, shown.stderr
        assert f"http://localhost:8080/v1/device/{key}" in shown.stdout
        assert "http://localhost:8080/v1/token/office-group-01" in shown.stdout
        assert "(password set)" in shown.stdout and "pw-101" not in shown.stdout
    as_json = json.loads(sonata("devices", "show", key, "--format", "json", env=env).stdout)
    assert as_json == everything[2]

    missing = sonata("devices", "show", "001565999999", env=env)
    assert (missing.returncode, missing.stdout, missing.stderr) == (
        1,
        "",
        "sonata: no device has this key or MAC\n",
    )
    deleted = sonata("devices", "delete", "00:15:65:00:00:02", env=env)
    assert (deleted.returncode, deleted.stderr) == (0, "deleted the yealink t46s 001565000002\n")
    assert sonata("devices", "delete", key, env=env).returncode == 1
    assert [d["mac"] for d in listed(env)] == ["000413aabbcc", "001565000001"]


def test_device_commands_need_the_database_that_exists(tmp_path: Path) -> None:
    mistyped = tmp_path / "sonta.db"
    for args in (["devices", "list"], ["export"], ["import", "-"]):
        result = sonata(*args, env={"SONATA_DATABASE_URL": f"sqlite:///{mistyped}"}, stdin="[]")
        assert result.returncode == 2
        assert (
            result.stderr
            == f"sonata: no database at {mistyped}: check SONATA_DATABASE_URL (the path of an existing sonata.db)\n"
        )
    assert list(tmp_path.iterdir()) == []


# --- import ------------------------------------------------------------------------------------


def test_a_json_import_saves_each_good_row_and_names_the_bad_ones(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "devices.json"
    path.write_text(
        json.dumps(
            [
                yealink("001565000001"),
                yealink("001565000002", accounts=[{"line": 1, "sip_register": "sip.example.net"}]),
                yealink("001565000003", model="t99", timezone="Mars/Olympus"),
                yealink("00:15:65:00:00:01", title="again"),
                "not a document",
                yealink("001565000004"),
            ]
        )
    )
    result = sonata("import", str(path), env=env)
    assert result.returncode == 1
    assert result.stdout == ""
    errors = result.stderr.splitlines()
    assert errors[0] == "row 2: accounts.0.sip_user: is required"
    assert errors[1].startswith("row 3: model: unknown yealink model") and errors[2].startswith(
        "row 3: timezone:"
    )
    assert errors[3:] == [
        "row 4: mac: is the same MAC as row 1 of this import",
        "row 5: document: must be a JSON object",
        "saved 2 of 6 devices; 4 rows failed",
    ]
    assert [d["mac"] for d in listed(env)] == ["001565000001", "001565000004"]


def test_json_lines_and_standard_input(env: dict[str, str]) -> None:
    lines = f"{json.dumps(yealink('001565000001'))}\n\n{{broken\n{json.dumps(yealink('001565000002'))}\n"
    result = sonata("import", "-", env=env, stdin=lines)
    assert result.returncode == 1
    [error, summary] = result.stderr.splitlines()
    assert error.startswith("row 3: document: is not JSON")
    assert summary == "saved 2 of 3 devices; 1 row failed"
    good = sonata("import", "-", env=env, stdin=json.dumps(yealink("001565000003")))
    assert (good.returncode, good.stderr) == (0, "saved 1 of 1 device\n")


def test_a_csv_import_names_rows_and_columns(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "phones.csv"
    path.write_text(
        "vendor,model,mac,token,title,account1_register,account1_user,account1_password,account2_register,"
        "account2_user,check_mac,line_keys\n"
        'yealink,t46s,00:15:65:00:00:01,office-group-01,"Desk, left",sip.example.net,101,pw1,,,yes,\n'
        "yealink,t46s,001565000002,,,sip.example.net,,pw2,sip.example.net,102,maybe,\n"
        'yealink,t46s,001565000003,,,sip.example.net,103,,,,,"[{""type"": ""blf""}]"\n'
        "snom,d785,000413aabbcc,,,sip.example.net,201,,,,,\n"
    )
    result = sonata("import", str(path), env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "row 3: check_mac: must be true or false",
        "row 4: line_keys.0.value: is required",
        "saved 2 of 4 devices; 2 rows failed",
    ]
    [snom, desk] = listed(env)
    assert desk["title"] == "Desk, left" and desk["rules"]["check_mac"] is True
    assert desk["accounts"] == [
        {"line": 1, "sip_register": "sip.example.net", "sip_user": "101", "enabled": True, "transport": "udp"}
    ]
    assert snom["mac"] == "000413aabbcc"
    fixed = path.read_text().replace("maybe", "no")
    second = sonata("import", "--format", "csv", "-", env=env, stdin=fixed)
    assert second.stderr.splitlines() == [
        "row 3: account1_user: is required",
        "row 4: line_keys.0.value: is required",
        "saved 2 of 4 devices; 2 rows failed",
    ]


def test_a_csv_header_naming_an_unknown_column_imports_nothing(env: dict[str, str]) -> None:
    result = sonata(
        "import", "-", env=env, stdin="vendor,model,mac,acount1_user\nyealink,t46s,001565000001,101\n"
    )
    assert (result.returncode, result.stderr) == (
        2,
        "sonata: standard input: unknown CSV column 'acount1_user'; did you mean account1_user?\n",
    )
    assert listed(env) == []


def test_an_import_shows_a_progress_bar_on_a_terminal_only(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "devices.json"
    path.write_text(json.dumps([yealink(f"00156500000{n}") for n in range(3)]))
    main, terminal = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "sonata", "import", str(path)],
            env={**os.environ, **env, "TERM": "xterm", "COLUMNS": "100"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=terminal,
            check=False,
            timeout=120,
        )
        os.close(terminal)
        shown = b""
        with contextlib.suppress(OSError):  # the terminal is closed once everything is read
            while chunk := os.read(main, 65536):
                shown += chunk
    finally:
        os.close(main)
    assert result.returncode == 0
    text = shown.decode()
    assert "importing" in text and "3/3" in text and "saved 3 of 3 devices" in text
    # Not on a terminal, as every other test runs it: the count alone.
    quiet = sonata("import", str(path), env=env)
    assert quiet.stderr == "saved 3 of 3 devices\n"


def test_a_dry_run_checks_every_row_and_saves_none(env: dict[str, str]) -> None:
    assert (
        sonata(
            "import", "-", env=env, stdin=json.dumps([yealink("001565000001", key="stored-device-key")])
        ).returncode
        == 0
    )
    before = listed(env)
    documents = [
        yealink("001565000002"),
        yealink("001565000001", key="another-device-key"),
        yealink("001565000003", key="stored-device-key"),
        yealink("001565000004", resync_minutes=0),
    ]
    dry = sonata("import", "--dry-run", "-", env=env, stdin=json.dumps(documents))
    assert dry.returncode == 1
    assert dry.stderr.splitlines() == [
        "row 2: mac: belongs to another device",
        "row 4: resync_minutes: must be from 1 to 43200 minutes",
        "dry run: 2 of 4 devices would be saved; 2 rows failed; nothing was saved",
    ]
    assert listed(env) == before
    real = sonata("import", "-", env=env, stdin=json.dumps(documents))
    assert real.stderr.splitlines()[:2] == dry.stderr.splitlines()[:2]
    assert [d["mac"] for d in listed(env)] == ["001565000002", "001565000003"]  # the key moved its device
    clean = sonata("import", "--dry-run", "-", env=env, stdin=json.dumps([yealink("001565000009")]))
    assert (clean.returncode, clean.stderr) == (
        0,
        "dry run: 1 of 1 device would be saved; nothing was saved\n",
    )
    assert len(listed(env)) == 2


# --- export, then import on an empty database --------------------------------------------------

VENDOR_PARAMS = {
    "grandstream": {"P8": "1"},
    "yealink": {"static.wifi.enable": "0", "features.dnd.enable": ""},
    "fanvil": {"GLOBAL_CONFIG_MODULE.SNTP_Timeout": "60"},
    "snom": {"user_dtmf_info[1]": "off"},
    "htek": {"P8": "1"},
}
MODELS = {"grandstream": "gxp2170", "yealink": "t46s", "fanvil": "x4", "snom": "d785", "htek": "uc926"}
MACS = {
    "grandstream": "000b82aabbcc",
    "yealink": "001565aabbcc",
    "fanvil": "0c383e07e16c",
    "snom": "000413aabbcc",
    "htek": "001fc11c22a9",
}
ENCRYPTION = {
    "yealink": {"config_encryption": "yealink_aes", "config_encryption_key": "0123456789abcdef"},
    "grandstream": {"config_encryption": "grandstream_openssl", "config_encryption_key": "config-pass"},
}


def rich_document(vendor: str) -> dict[str, Any]:
    """A device of this vendor using most of the vocabulary, secrets included."""
    return {
        "vendor": vendor,
        "model": MODELS[vendor],
        "mac": MACS[vendor],
        "token": f"{vendor}-group-01",
        "title": f"{vendor} at the desk",
        "timezone": "Europe/Berlin",
        "ntp_server": "pool.ntp.org",
        "language": "de",
        "resync_minutes": 60,
        "firmware_url": "http://fw.example.net/images/fw.bin",
        "admin_password": "admin-secret",
        "provisioning_username": "phone-1",
        "provisioning_password": "prov-secret",
        "accounts": [
            account(
                1,
                "101",
                sip_name="Alice",
                name="Front",
                transport="tls",
                register_expires=600,
                outbound_proxy="proxy.example.net",
            ),
            account(2, "102", sip_auth="auth-102", voicemail="*97"),
        ],
        "rules": {"allowed_ips": ["10.0.0.0/8"], "publish_window_minutes": 0, "check_mac": True},
        "line_keys": [
            {"type": "blf", "value": "102", "label": "Bob", "line": 1},
            {"type": "speed_dial", "value": "+4930123456", "label": "Office", "line": 2},
        ],
        "phonebook": [
            {"name": "Alice", "numbers": [{"number": "101"}, {"number": "+491701234", "type": "mobile"}]}
        ],
        "remote_phonebooks": [{"name": "Company", "url": "https://pbx.example.net/phonebook.xml"}],
        "vendor_params": VENDOR_PARAMS[vendor],
        **ENCRYPTION.get(vendor, {}),
    }


def file_names(mac: str) -> list[str | None]:
    """The device config, and every other file name a phone of some vendor asks for with this MAC."""
    return [
        None,
        "phonebook.xml",
        f"{mac}-phonebook.xml",
        f"{mac}.boot",
        f"tbook-{mac.upper()}.xml",
        f"snomD785-{mac.upper()}-firmware.xml",
    ]


def rendered_files(env: dict[str, str]) -> dict[tuple[str, str | None], bytes]:
    """Every file of every device, as a phone gets it on its personal link (encrypted where the device
    asks), keyed by MAC and file name."""

    async def rendering() -> dict[tuple[str, str | None], bytes]:
        settings = Settings.from_env(env)
        services = build_services(settings)
        files = {}
        try:
            async for device in services.devices.every():
                for name in file_names(device.mac):
                    try:
                        preview = await services.provisioning.preview(
                            device.key, name, "http://sonata.example.net"
                        )
                    except ValidationFailed:
                        continue  # not a file of this vendor
                    assert preview is not None
                    files[device.mac, name] = preview.body
        finally:
            await services.engine.dispose()
        return files

    return asyncio.run(rendering())


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """Another server's database, empty: the export's target."""
    if request.param == "sqlite":
        return prepared({"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'new-server.db'}"})
    url = fresh_postgres_url(request)
    return prepared({"SONATA_DATABASE_URL": url, "SONATA_SECRET_KEY_FILE": str(tmp_path / "postgres.key")})


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_an_export_with_secrets_makes_every_device_again_on_an_empty_database(
    env: dict[str, str], empty_database: dict[str, str], file_format: str
) -> None:
    documents = [rich_document(vendor) for vendor in sorted(VENDORS)]
    made = sonata("import", "-", env=env, stdin=json.dumps(documents))
    assert (made.returncode, made.stderr) == (0, "saved 5 of 5 devices\n")
    before = rendered_files(env)
    assert len(before) >= 2 * len(VENDORS)  # each device's config and its phonebook, at least

    exported = sonata("export", "--format", file_format, "--with-secrets", env=env)
    assert exported.returncode == 0
    assert exported.stderr.splitlines() == [
        "sonata: warning: the export holds every device's passwords and encryption keys in clear text;"
        " keep it as safe as the database",
        "exported 5 devices",
    ]
    assert all(
        secret in exported.stdout for secret in ("admin-secret", "prov-secret", "pw-102", "config-pass")
    )
    imported = sonata("import", "--format", file_format, "-", env=empty_database, stdin=exported.stdout)
    assert (imported.returncode, imported.stderr) == (0, "saved 5 of 5 devices\n")

    assert rendered_files(empty_database) == before
    again = sonata("export", "--format", file_format, "--with-secrets", env=empty_database)
    assert again.stdout == exported.stdout


def test_an_export_without_secrets_has_none_and_an_import_of_it_keeps_the_stored_ones(
    env: dict[str, str],
) -> None:
    documents = [rich_document(vendor) for vendor in sorted(VENDORS)]
    assert sonata("import", "-", env=env, stdin=json.dumps(documents)).returncode == 0
    before = rendered_files(env)
    exported = sonata("export", env=env)
    assert exported.returncode == 0 and exported.stderr == "exported 5 devices\n"
    for secret in ("admin-secret", "prov-secret", "pw-101", "pw-102", "0123456789abcdef", "config-pass"):
        assert secret not in exported.stdout
    assert [d["mac"] for d in json.loads(exported.stdout)] == sorted(MACS.values())
    assert sonata("import", "-", env=env, stdin=exported.stdout).returncode == 0
    assert rendered_files(env) == before


# --- sonata check ------------------------------------------------------------------------------


def test_check_says_what_is_right(env: dict[str, str]) -> None:
    result = sonata("check", env=env)
    assert result.returncode == 0, result.stderr
    path = env["SONATA_DATABASE_URL"].removeprefix("sqlite:///")
    [key] = secret_box(Settings.from_env(env)).key_ids
    assert result.stdout.splitlines() == [
        "settings: ok",
        f"database: ok ({path}, 0 devices)",
        f"secret key: ok (key {key} from the key file {path}.key)",
        "templates: ok (5 vendors)",
    ]


def test_check_of_a_database_never_served_says_the_key_file_comes_with_the_first_start(
    tmp_path: Path,
) -> None:
    database = tmp_path / "new.db"
    database.touch()
    result = sonata("check", env={"SONATA_DATABASE_URL": f"sqlite:///{database}"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2] == (
        f"secret key: ok (`sonata serve` makes the key file {database}.key at its first start)"
    )
    assert not Path(f"{database}.key").exists()


def test_check_names_a_missing_or_wrong_secret_key(env: dict[str, str]) -> None:
    path = env["SONATA_DATABASE_URL"].removeprefix("sqlite:///")
    [key] = secret_box(Settings.from_env(env)).key_ids
    other_key = {**env, "SONATA_SECRET_KEY": POSTGRES_SECRET_KEY}
    [other] = secret_box(Settings.from_env(other_key)).key_ids
    wrong = sonata("check", env=other_key)
    assert wrong.returncode == 1
    assert wrong.stderr.splitlines() == [
        f"sonata: secret key: the secrets in the database are encrypted under key {key}, but SONATA_SECRET_KEY"
        f" holds key {other}: start Sonata with the key it was using (README: Secrets at rest)"
    ]
    Path(f"{path}.key").unlink()
    missing = sonata("check", env=env)
    assert missing.returncode == 1
    [line] = missing.stderr.splitlines()
    assert line.startswith(f"sonata: secret key: the key file {path}.key is missing"), line
    assert missing.stdout.splitlines() == [
        "settings: ok",
        f"database: ok ({path}, 0 devices)",
        "templates: ok (5 vendors)",
    ]


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        ({"SONATA_PORT": "0"}, "sonata: settings: SONATA_PORT must be a port number from 1 to 65535"),
        (
            {"SONATA_TLS_CERT": "/nowhere/cert.pem"},
            "sonata: settings: the TLS certificate /nowhere/cert.pem needs its private key",
        ),
        ({"SONATA_DATABASE_URL": "mysql://db/sonata"}, "sonata: database: unsupported database 'mysql'"),
        (
            {"SONATA_DATABASE_URL": "postgresql://sonata@127.0.0.1:1/sonata"},
            "sonata: database: cannot reach postgresql://sonata@127.0.0.1:1/sonata: ",
        ),
        (
            {"SONATA_DATABASE_URL": "sqlite:////nowhere/sonata.db"},
            "sonata: database: no database at /nowhere/sonata.db",
        ),
    ],
)
def test_check_names_what_is_wrong_in_one_line(
    env: dict[str, str], setting: dict[str, str], problem: str
) -> None:
    result = sonata("check", env={**env, **setting})
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(problem), line
    if "settings" not in problem:  # the other parts are still checked
        assert result.stdout.splitlines() == ["settings: ok", "templates: ok (5 vendors)"]


def test_check_finds_broken_and_misnamed_templates(env: dict[str, str], tmp_path: Path) -> None:
    overrides = tmp_path / "templates"
    (overrides / "yealink").mkdir(parents=True)
    (overrides / "yealink" / "device.cfg.j2").write_text("#!version:1.0.0.1\n{% if %}\n")
    (overrides / "yealink" / "devices.cfg.j2").write_text("#!version:1.0.0.1\n")
    result = sonata("check", env={**env, "SONATA_TEMPLATES_DIR": str(overrides)})
    assert result.returncode == 1
    assert result.stdout.splitlines()[:2] == ["settings: ok", result.stdout.splitlines()[1]]
    assert result.stderr.splitlines() == [
        f"sonata: templates: {overrides / 'yealink' / 'device.cfg.j2'}, line 2: Expected an expression, got 'end of statement block'",
        f"sonata: templates: {overrides / 'yealink' / 'devices.cfg.j2'} replaces no shipped template: a file of another name is never read",
    ]
