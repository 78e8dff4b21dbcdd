"""The log scan: no password, token or device key a test used may appear in any log line.

Secrets are noted as tests use them: `note_secrets_in` the GraphQL variables and answers of the e2e
servers' `graphql`, `note_secret` the tokens and keys servers start with, `note_test_secrets` a test
module's constants named for secrets and the devices and documents a test takes as arguments. The
lines are every log record of the test process from Sonata's and its servers' loggers, and every line
the `sonata serve` processes of the e2e tests wrote (`watch_log`). After each test, every line logged since the last check is matched against every
secret noted so far in the run: a secret noted by one test and logged during another is found too.
A finding fails the test, naming the kind of secret and the line with the secret masked.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

MIN_LENGTH = 8
"""Shorter values (`pw`, `101`) are too common in ordinary text to tell a leak from chance."""
MIN_DISTINCT_CHARACTERS = 3
"""A value of one or two repeated characters (the `aaaa…` of a size-limit test) is filler that hostile
requests repeat too (a 5,000-character file name of `a`s): no secret to look for."""
SECRET_FIELDS = frozenset(
    {
        "sipPassword", "adminPassword", "provisioningPassword", "configEncryptionKey",
        "sip_password", "admin_password", "provisioning_password", "config_encryption_key",
        "key", "newKey", "token",
    }
)  # fmt: skip
"""Fields of GraphQL variables, device documents and answers whose values are secrets: the four device
secrets, and device keys. (`token` is a device's group in a device and the token itself in an answer
of createApiToken: both stay out of logs.)"""
SERVER_LOGGERS = ("sonata", "uvicorn", "starlette", "strawberry", "alembic")
"""Loggers of the server side, read at DEBUG in the test process; the test clients' own (httpx's request
lines name the URLs the test fetched) are not Sonata's log."""

SHOWN_ON_PURPOSE = re.compile(r"Sonata generated the management API token .*\(shown only now\): ")
"""The one line that shows a secret by design: the token the first start generates, printed once (on
standard output, which the e2e servers' log files take in too)."""

_secrets: dict[str, str] = {}
"""Each secret noted, with the kind of it shown in a finding."""
_pattern: re.Pattern[str] | None = None
_records: list[str] = []
_log_offsets: dict[Path, int] = {}


def note_secret(value: object, kind: str) -> None:
    global _pattern
    if (
        isinstance(value, str)
        and len(value) >= MIN_LENGTH
        and len(set(value)) >= MIN_DISTINCT_CHARACTERS
        and value not in _secrets
    ):
        _secrets[value] = kind
        _pattern = None


def note_secrets_in(data: Any, kind: str = "") -> None:
    """Every value of a SECRET_FIELDS field anywhere in GraphQL variables, documents or answers."""
    if isinstance(data, Mapping):
        for name, value in data.items():
            if name in SECRET_FIELDS and isinstance(value, str):
                note_secret(value, name)
            else:
                note_secrets_in(value, name)
    elif isinstance(data, list | tuple):
        for item in data:
            note_secrets_in(item, kind)


_SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|KEY")


def note_test_secrets(module: object, arguments: Mapping[str, object]) -> None:
    """The secrets a test module keeps in constants named for them (`PASSWORD`, `API_TOKEN`,
    `YEALINK_KEY`), and those in the devices, drafts and documents its test took as arguments."""
    for name, value in vars(module).items():
        if name.isupper() and _SECRET_NAME.search(name):
            note_secret(value, name)
    for value in arguments.values():
        note_secrets_in(_plain(value))


def _plain(value: object) -> object:
    """Dataclasses (devices, drafts) as the dicts of their fields, snake_case names and all."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def watch_log(path: Path) -> None:
    """A server's log file, read from its start at the next check."""
    _log_offsets.setdefault(path, 0)


class _Capture(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(SERVER_LOGGERS):
            _records.append(self.format(record))


def install() -> None:
    """Capture every record of the server side's loggers from DEBUG on."""
    handler = _Capture(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))  # tracebacks too
    logging.getLogger().addHandler(handler)
    for name in SERVER_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)


def _new_lines() -> Iterable[str]:
    lines = [line for record in _records for line in record.splitlines()]
    _records.clear()
    for path, offset in _log_offsets.items():
        try:
            with path.open("rb") as file:
                file.seek(offset)
                data = file.read()
        except FileNotFoundError:
            continue
        complete = data[: data.rfind(b"\n") + 1]  # a line being written is read whole next time
        _log_offsets[path] = offset + len(complete)
        lines += complete.decode("utf-8", "replace").splitlines()
    return lines


def findings() -> list[str]:
    """Each new log line that shows a secret, with the secret masked and its kind named."""
    global _pattern
    lines = _new_lines()
    if not _secrets:
        return []
    if _pattern is None:
        _pattern = re.compile("|".join(re.escape(s) for s in sorted(_secrets, key=len, reverse=True)))
    found = []
    for line in lines:
        if SHOWN_ON_PURPOSE.search(line):
            continue
        matches = {match.group() for match in _pattern.finditer(line)}
        if matches:
            masked = _pattern.sub("<secret>", line)
            kinds = ", ".join(sorted({_secrets[m] for m in matches}))
            found.append(f"{kinds} in a log line: {masked}")
    return found
