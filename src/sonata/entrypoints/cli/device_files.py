"""Files of device documents: JSON (an array, or one document a line) and CSV (one device a row).

A CSV row is turned into the same snake_case document a JSON file holds, and an error of that
document is named by the row's column. The columns are listed in the README ("Importing and
exporting devices")."""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from sonata.domain.documents import SECRET_KEYS
from sonata.domain.errors import FieldError
from sonata.domain.limits import MAX_ACCOUNTS

TEXT_COLUMNS = (
    "key", "token", "title", "vendor", "model", "mac", "status", "timezone", "timezone_offset",
    "ntp_server", "language", "resync_minutes", "firmware_url", "provisioning_username",
    "config_encryption",
)  # fmt: skip
"""Columns holding the document's key of the same name, in the order an export writes them."""
RULES_COLUMNS = ("expires_at", "check_mac", "allowed_ips", "publish_window_minutes", "lock_to_first_address")
"""Columns holding the document's `rules`."""
JSON_COLUMNS = ("line_keys", "phonebook", "remote_phonebooks", "vendor_params")
"""Columns holding the document's key of the same name written as JSON."""
SECRET_COLUMNS = ("admin_password", "provisioning_password", "config_encryption_key")
ACCOUNT_COLUMNS = {
    "label": "name", "display_name": "sip_name", "register": "sip_register", "user": "sip_user",
    "auth": "sip_auth", "password": "sip_password", "enabled": "enabled", "transport": "transport",
    "register_expires": "register_expires", "outbound_proxy": "outbound_proxy",
    "backup_server": "backup_server", "voicemail": "voicemail",
}  # fmt: skip
"""`account<line>_<name>` columns -> the key of the document's account on that line."""
_BOOLEAN_KEYS = frozenset({"status", "check_mac", "lock_to_first_address", "enabled"})
_BOOLEANS = {
    "true": True,
    "yes": True,
    "1": True,
    "on": True,
    "false": False,
    "no": False,
    "0": False,
    "off": False,
}
_ACCOUNT_COLUMN = re.compile(r"account([1-9][0-9]?)_([a-z_]+)\Z")
_NAMES_OF_ACCOUNT_KEYS = {key: name for name, key in ACCOUNT_COLUMNS.items()}
_ACCOUNT_PATH = re.compile(r"accounts\.([0-9]+)(?:\.([a-z_]+))?")


class UnreadableFile(Exception):
    """A file no row of which can be read (not JSON, a CSV header naming unknown columns)."""


@dataclass
class Row:
    """One document of a file, with the number the file shows it by."""

    number: int
    """A JSON array's element (from 1), a JSON-lines file's line, a CSV file's row (the header is row 1)."""
    document: Any = None
    errors: list[FieldError] = field(default_factory=list)
    """Why the row could not be read into a document at all."""
    column_of: Callable[[str], str] = str
    """The file's name of a document's field path (a CSV column), for error messages."""


def is_csv(name: str, text: str) -> bool:
    """A `.csv` file, or another one (standard input) that does not start like JSON."""
    if name.lower().endswith(".csv"):
        return True
    return not name.lower().endswith((".json", ".jsonl", ".ndjson")) and not text.lstrip().startswith(
        ("[", "{")
    )


def read_json(text: str) -> list[Row]:
    """An array of documents, or one document a line (blank lines skipped)."""
    if text.lstrip().startswith("["):
        try:
            documents = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise UnreadableFile(f"not a JSON array of documents: {error}") from None
        if not isinstance(documents, list):
            raise UnreadableFile("not a JSON array of documents")
        return [Row(number, document) for number, document in enumerate(documents, start=1)]
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(Row(number, json.loads(line)))
        except (ValueError, RecursionError) as error:
            rows.append(Row(number, errors=[FieldError("document", f"is not JSON: {error}")]))
    return rows


def csv_columns(account_lines: Iterable[int], *, with_secrets: bool) -> list[str]:
    """The header of an export: every column, the accounts' for these lines."""
    secrets = SECRET_COLUMNS if with_secrets else ()
    accounts = [
        f"account{line}_{name}"
        for line in sorted(account_lines)
        for name, key in ACCOUNT_COLUMNS.items()
        if with_secrets or key not in SECRET_KEYS
    ]
    return [*TEXT_COLUMNS, *RULES_COLUMNS, *JSON_COLUMNS, *secrets, *accounts]


def _known_column(name: str) -> bool:
    account = _ACCOUNT_COLUMN.match(name)
    if account:
        return int(account[1]) <= MAX_ACCOUNTS and account[2] in ACCOUNT_COLUMNS
    return name in (*TEXT_COLUMNS, *RULES_COLUMNS, *JSON_COLUMNS, *SECRET_COLUMNS)


def _unknown_column_message(name: str) -> str:
    known = [
        *TEXT_COLUMNS,
        *RULES_COLUMNS,
        *JSON_COLUMNS,
        *SECRET_COLUMNS,
        *(f"account1_{n}" for n in ACCOUNT_COLUMNS),
    ]
    nearest = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {nearest[0]}?" if nearest else " (the README lists the columns)"
    return f"unknown CSV column {name!r}{hint}"


def read_csv(text: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return []
    columns = [name.strip().lower() for name in header]
    for name in columns:
        if not _known_column(name):
            raise UnreadableFile(_unknown_column_message(name))
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise UnreadableFile(f"the CSV header names {', '.join(repeated)} more than once")
    rows = []
    for cells in reader:
        number = (
            reader.line_num
        )  # the file's line of the row's end: the row number, but for line breaks in cells
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            rows.append(
                Row(number, errors=[FieldError("row", f"has {len(cells)} cells, the header {len(columns)}")])
            )
            continue
        rows.append(_csv_row(number, dict(zip(columns, cells, strict=False))))
    return rows


def _csv_row(number: int, cells: Mapping[str, str]) -> Row:
    """A CSV row as a document: empty cells are left out, as absent keys are in JSON."""
    document: dict[str, Any] = {}
    rules: dict[str, Any] = {}
    accounts: dict[int, dict[str, Any]] = {}
    errors = []
    for column, cell in cells.items():
        text = cell.strip()
        if not text:
            continue
        account = _ACCOUNT_COLUMN.match(column)
        if account:
            key = ACCOUNT_COLUMNS[account[2]]
            accounts.setdefault(int(account[1]), {})[key] = _cell(key, text)
        elif column in RULES_COLUMNS:
            rules[column] = text.replace(",", " ").split() if column == "allowed_ips" else _cell(column, text)
        elif column in JSON_COLUMNS:
            try:
                document[column] = json.loads(text)
            except (ValueError, RecursionError) as error:
                errors.append(FieldError(column, f"must be JSON: {error}"))
        else:
            document[column] = _cell(column, text)
    if rules:
        document["rules"] = rules
    lines = sorted(accounts)
    if lines:
        document["accounts"] = [{"line": line, **accounts[line]} for line in lines]
    if errors:
        return Row(number, errors=errors)
    return Row(number, document, column_of=lambda path: _column_of(path, lines))


def _cell(key: str, text: str) -> Any:
    """A cell's text as the document's value: booleans read as JSON's, the rest as text (a whole
    number written as text is read as one, and a wrong value gets the field's own error)."""
    if key in _BOOLEAN_KEYS:
        return _BOOLEANS.get(text.lower(), text)
    return text


def _column_of(path: str, lines: Sequence[int]) -> str:
    """`accounts.0.sip_user` -> `account<line>_user`, `rules.allowed_ips.2` -> `allowed_ips`; a path
    inside a JSON column, such as `line_keys.3.value`, stays as it is."""
    account = _ACCOUNT_PATH.fullmatch(path)
    if account and int(account[1]) < len(lines):
        line = lines[int(account[1])]
        name = _NAMES_OF_ACCOUNT_KEYS.get(account[2] or "")
        return f"account{line}_{name}" if name else f"account{line}"
    if path.startswith("rules."):
        return path.removeprefix("rules.").split(".")[0]
    return path


def write_json(documents: Iterable[Mapping[str, Any]], out: TextIO) -> None:
    """An array of documents, one a line."""
    out.write("[")
    for index, document in enumerate(documents):
        out.write(",\n" if index else "\n")
        out.write(json.dumps(document, ensure_ascii=False))
    out.write("\n]\n")


def write_csv(documents: Sequence[Mapping[str, Any]], out: TextIO, *, with_secrets: bool) -> None:
    lines = {account["line"] for document in documents for account in document.get("accounts", ())}
    columns = csv_columns(lines, with_secrets=with_secrets)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for document in documents:
        cells = _csv_cells(document)
        writer.writerow([cells.get(column, "") for column in columns])


def _csv_cells(document: Mapping[str, Any]) -> dict[str, str]:
    cells = {}
    for column, value in document.items():
        if column == "rules":
            cells.update({name: _text(item) for name, item in value.items()})
        elif column == "accounts":
            for account in value:
                line = account["line"]
                cells.update(
                    {
                        f"account{line}_{_NAMES_OF_ACCOUNT_KEYS[key]}": _text(v)
                        for key, v in account.items()
                        if key != "line"
                    }
                )
        elif column in JSON_COLUMNS:
            cells[column] = json.dumps(value, ensure_ascii=False)
        else:
            cells[column] = _text(value)
    return cells


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return str(value)
