"""Reading a GraphQL request from HTTP: every malformed one is refused with what is wrong."""

import json

import pytest
from starlette.types import Message

from sonata.entrypoints.graphql.http_request import (
    Refused,
    capped,
    declared_too_large,
    from_body,
    from_query_string,
)

JSON = "application/json"


def refusal(body: bytes, content_type: str | None = JSON) -> str:
    with pytest.raises(Refused) as refused:
        from_body(body, content_type, max_depth=8)
    assert refused.value.status == 400
    return refused.value.reason


def test_a_well_formed_request_is_read() -> None:
    body = {
        "query": "query Q($k: String) { device(key: $k) { key } }",
        "variables": {"k": "ü€"},
        "operationName": "Q",
    }
    request = from_body(json.dumps(body).encode(), "application/json; charset=utf-8", max_depth=8)
    assert (request.query, request.variables, request.operation_name) == (body["query"], {"k": "ü€"}, "Q")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[1, 2]", "the request body must be one JSON object"),
        (b"5", "the request body must be one JSON object"),
        (b"null", "the request body must be one JSON object"),
        (b'{"query": "\xff"}', "the request body is not UTF-8: byte 11 is 0xff"),
        (b'{"query": ', "the request body is not JSON: Expecting value at line 1, column 11"),
        (
            b'{"query": "{ x }", "variables": {"n": ' + b"9" * 5000 + b"}}",
            "has a number of 5000 digits; at most 30",
        ),
        (
            b'{"query": "{ x }", "variables": {"n": NaN}}',
            "the request body holds NaN, which is not a JSON value",
        ),
        (
            b'{"query": "{ x }", "variables": {"n": ' + b"[" * 9 + b"]" * 9 + b"}}",
            "nests deeper than 8 levels",
        ),
        (
            b'{"query": "{ x }", "variables": {"n": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
            "nests deeper than 8 levels",
        ),
        (
            b'{"query": "{ x }", "variables": {"input": {"accounts": [{"sipPassword": "a\\ud800"}]}}}',
            "has a lone surrogate \\ud800 at variables.input.accounts.0.sipPassword, which is no character",
        ),
        (
            b'{"query": "{ x }", "variables": {"\\udfff": 1}}',
            "has a lone surrogate \\udfff in a key at variables",
        ),
        (b'{"query": "{ x(k: \\"\\ud83d\\") }"}', "has a lone surrogate \\ud83d at query"),
        (b"{}", "the request has no query"),
        (b'{"query": ""}', "the request has no query"),
        (b'{"query": 5}', "the query must be a string"),
        (b'{"query": "{ x }", "variables": "{}"}', "the variables must be a JSON object or null"),
        (b'{"query": "{ x }", "variables": [1]}', "the variables must be a JSON object or null"),
        (b'{"query": "{ x }", "operationName": ["Q"]}', "the operationName must be a string or null"),
        (b'{"query": "{ x }", "extensions": 1}', "the extensions must be a JSON object or null"),
    ],
)
def test_malformed_bodies_are_refused_saying_what_is_wrong(body: bytes, reason: str) -> None:
    assert reason in refusal(body)


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_only_json_bodies_are_read(content_type: str | None) -> None:
    assert "Content-Type: application/json" in refusal(b'{"query": "{ x }"}', content_type)


def test_query_string_parameters_are_read_and_checked_alike() -> None:
    request = from_query_string(
        {"query": "{ x }", "variables": '{"a": [1]}', "operationName": "Q"}, max_depth=8
    )
    assert (request.query, request.variables, request.operation_name) == ("{ x }", {"a": [1]}, "Q")
    assert from_query_string({"query": "{ x }", "variables": ""}, max_depth=8).variables is None
    for params, reason in [
        ({"query": "{ x }", "variables": "{"}, "the variables parameter is not JSON"),
        ({"query": "{ x }", "variables": "[1]"}, "the variables parameter must be a JSON object or null"),
        ({"query": "{ x }", "extensions": "1"}, "the extensions parameter must be a JSON object or null"),
        ({"variables": "{}"}, "the request has no query"),
    ]:
        with pytest.raises(Refused, match=reason.replace("(", r"\(")):
            from_query_string(params, max_depth=8)


@pytest.mark.parametrize(
    ("content_length", "too_large"),
    [(None, False), ("", False), ("1000", False), ("1001", True), ("9" * 5000, True), ("-1", False)],
)
def test_content_length_over_the_limit_is_known_before_reading(
    content_length: str | None, too_large: bool
) -> None:
    assert declared_too_large(content_length, 1000) is too_large


async def test_a_streamed_body_is_refused_once_it_passes_the_limit() -> None:
    chunks: list[Message] = [
        {"type": "http.request", "body": b"x" * 600, "more_body": True},
        {"type": "http.request", "body": b"x" * 600, "more_body": True},
        {"type": "http.request", "body": b"never read", "more_body": False},
    ]
    read = []

    async def receive() -> Message:
        read.append(chunks[len(read)])
        return read[-1]

    receive_capped = capped(receive, 1000)
    assert (await receive_capped())["body"] == b"x" * 600
    with pytest.raises(Refused) as refused:
        await receive_capped()
    assert (refused.value.status, len(read)) == (413, 2)
    assert refused.value.reason == "the request body is larger than 1000 bytes (SONATA_MAX_BODY_BYTES)"
