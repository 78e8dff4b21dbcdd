"""Files of device documents: JSON arrays and lines, CSV rows and their columns."""

import io

import pytest
from tests.unit.test_document_export import FULL, saved

from sonata.domain.documents import document_from_device, draft_from_document
from sonata.domain.errors import ValidationFailed
from sonata.entrypoints.cli.device_files import (
    Row,
    UnreadableFile,
    is_csv,
    read_csv,
    read_json,
    write_csv,
    write_json,
)


def test_json_array_and_json_lines_number_their_documents() -> None:
    assert [(r.number, r.document) for r in read_json('[{"a": 1},\n {"b": 2}]')] == [
        (1, {"a": 1}),
        (2, {"b": 2}),
    ]
    rows = read_json('{"a": 1}\n\n{"b": 2\n{"c": 3}\n')
    assert [(r.number, r.document) for r in rows] == [(1, {"a": 1}), (3, None), (4, {"c": 3})]
    [error] = rows[1].errors
    assert error.field == "document" and error.message.startswith("is not JSON")


@pytest.mark.parametrize("text", ['[{"a": 1}', "[" * 100_000, "[1, 2"])
def test_a_broken_json_array_is_one_error_for_the_file(text: str) -> None:
    with pytest.raises(UnreadableFile, match="not a JSON array"):
        read_json(text)


def test_a_csv_row_becomes_a_document() -> None:
    text = (
        "vendor,model,mac,Status,account2_user,account2_password,account2_register,account1_user,"
        "account1_enabled,allowed_ips,check_mac,vendor_params,resync_minutes\n"
        'yealink,t46s,001565aabbcc,no,102,pw,sip.example.net,101,false,"10.0.0.0/8, 192.168.1.7",yes,'
        '"{""static.wifi.enable"": ""0""}",60\n'
        ",,,,,,,,,,,,\n"
    )
    [row] = read_csv(text)
    assert row.number == 2 and row.errors == []
    assert row.document == {
        "vendor": "yealink",
        "model": "t46s",
        "mac": "001565aabbcc",
        "status": False,
        "rules": {"allowed_ips": ["10.0.0.0/8", "192.168.1.7"], "check_mac": True},
        "vendor_params": {"static.wifi.enable": "0"},
        "resync_minutes": "60",
        "accounts": [
            {"line": 1, "sip_user": "101", "enabled": False},
            {"line": 2, "sip_user": "102", "sip_password": "pw", "sip_register": "sip.example.net"},
        ],
    }
    device = saved(draft_from_document(row.document))
    assert [a.line for a in device.accounts] == [1, 2] and device.resync_minutes == 60


def errors_of(row: Row) -> set[str]:
    with pytest.raises(ValidationFailed) as failure:
        saved(draft_from_document(row.document))
    return {row.column_of(e.field) for e in failure.value.errors}


def test_errors_of_a_csv_row_name_its_columns() -> None:
    header = "vendor,model,mac,account3_register,account3_display_name,allowed_ips,line_keys\n"
    [row] = read_csv(
        header + 'yealink,t46s,001565aabbcc,bad host!,x,"10.0.0.0/8 nonsense",[{"type": "blf"}]\n'
    )
    assert errors_of(row) == {
        "account3_register",
        "account3_user",
        "allowed_ips",
        "line_keys.0.value",
        "line_keys.0.line",
    }
    [row] = read_csv("vendor,model,mac,expires_at,account1_enabled\nyealink,t46s,001565aabbcc,soon,maybe\n")
    assert errors_of(row) == {"expires_at", "account1_enabled"}


def test_a_cell_that_is_not_json_is_an_error_of_its_column() -> None:
    [row] = read_csv("vendor,phonebook\nyealink,[{broken\n")
    assert row.document is None and [e.field for e in row.errors] == ["phonebook"]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("vendor,acount1_user", "unknown CSV column 'acount1_user'; did you mean account1_user?"),
        ("vendor,account1_colour", "unknown CSV column 'account1_colour'"),
        ("vendor,account99_user", "unknown CSV column 'account99_user'"),
        ("vendor,mac,MAC", "names mac more than once"),
    ],
)
def test_a_csv_header_with_an_unknown_or_repeated_column_is_refused(header: str, message: str) -> None:
    with pytest.raises(UnreadableFile, match=message):
        read_csv(f"{header}\nyealink,x,y\n")


def test_a_row_with_more_cells_than_the_header_is_an_error() -> None:
    [row] = read_csv("vendor,mac\nyealink,001565aabbcc,extra\n")
    assert [e.field for e in row.errors] == ["row"]


@pytest.mark.parametrize("with_secrets", [True, False])
def test_csv_and_json_exports_read_back_into_the_device(with_secrets: bool) -> None:
    document = document_from_device(FULL, with_secrets=with_secrets)
    csv_out, json_out = io.StringIO(), io.StringIO()
    write_csv([document], csv_out, with_secrets=with_secrets)
    write_json([document, document], json_out)
    [csv_row] = read_csv(csv_out.getvalue())
    assert [r.document for r in read_json(json_out.getvalue())] == [document, document]
    header = csv_out.getvalue().splitlines()[0].split(",")
    assert ("account1_password" in header) is with_secrets and ("admin_password" in header) is with_secrets
    assert {"account1_user", "account2_user"} <= set(header) and "account3_user" not in header
    if with_secrets:
        assert saved(draft_from_document(csv_row.document)) == FULL
    else:
        assert draft_from_document(csv_row.document) == draft_from_document(document)


def test_a_file_is_csv_by_its_name_or_else_by_not_looking_like_json() -> None:
    assert is_csv("devices.CSV", "[")
    assert not is_csv("devices.json", "vendor,mac")
    assert not is_csv("-", '  {"vendor": "yealink"}')
    assert not is_csv("-", "\n[]")
    assert is_csv("-", "vendor,mac\n")
