"""Malformed requests to /graphql, against a real server: each a 400 saying what is wrong (or a
GraphQL error), never a 500, and never a traceback in the log."""

import httpx
import pytest
from tests.e2e.conftest import Server

VENDORS = '{"query": "{ vendors { id } }"'


def send(server: Server, body: bytes, content_type: str = "application/json") -> httpx.Response:
    return server.client.post(
        f"{server.url}/graphql",
        content=body,
        headers={"Authorization": f"Bearer {server.token}", "Content-Type": content_type},
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[1, 2]", "the request body must be one JSON object"),
        (b"42", "the request body must be one JSON object"),
        (b'"{ vendors { id } }"', "the request body must be one JSON object"),
        (b"null", "the request body must be one JSON object"),
        (b'{"query": "{ vendors { id } }\xff\xfe"}', "the request body is not UTF-8: byte 29 is 0xff"),
        (b'{"query": "{ vendors { id } }",', "the request body is not JSON: Expecting property name"),
        (VENDORS.encode() + b', "variables": {"n": ' + b"7" * 5000 + b"}}", "a number of 5000 digits"),
        (
            VENDORS.encode() + b', "variables": {"n": ' + b"[" * 1000 + b"]" * 1000 + b"}}",
            "nests deeper than 32",
        ),
        (VENDORS.encode() + b', "variables": {"n": Infinity}}', "holds Infinity, which is not a JSON value"),
        (VENDORS.encode() + b', "variables": "{}"}', "the variables must be a JSON object or null"),
        (VENDORS.encode() + b', "operationName": 7}', "the operationName must be a string or null"),
        (
            VENDORS.encode() + b', "variables": {"input": {"key": "\\ud800"}}}',
            "has a lone surrogate \\ud800 at variables.input.key, which is no character",
        ),
        (b'{"variables": {}}', "the request has no query"),
        (b'{"query": 7}', "the query must be a string"),
    ],
)
def test_a_malformed_body_is_a_400_saying_what_is_wrong(server: Server, body: bytes, reason: str) -> None:
    response = send(server, body)
    assert response.status_code == 400 and reason in response.text, response.text


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_body_that_is_not_json_by_its_type_is_a_400(server: Server, content_type: str) -> None:
    response = send(server, (VENDORS + "}").encode(), content_type)
    assert response.status_code == 400 and "Content-Type: application/json" in response.text


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"query": "{ vendors { id } }", "variables": "{"}, "the variables parameter is not JSON"),
        (
            {"query": "{ vendors { id } }", "variables": "[1]"},
            "the variables parameter must be a JSON object",
        ),
        ({"query": "{ vendors { id } }", "variables": "[" * 100 + "]" * 100}, "nests deeper than 32 levels"),
        (
            {"query": "{ vendors { id } }", "extensions": "7"},
            "the extensions parameter must be a JSON object",
        ),
        (
            {"query": 'mutation { deleteDevice(key: "k") { deleted } }'},
            "mutations are not allowed when using GET",
        ),
        ({"variables": "{}"}, "the request has no query"),
    ],
)
def test_bad_query_parameters_are_a_400(server: Server, params: dict[str, str], reason: str) -> None:
    headers = {"Authorization": f"Bearer {server.token}", "Accept": "application/json"}
    response = server.client.get(f"{server.url}/graphql", params=params, headers=headers)
    assert response.status_code == 400 and reason in response.text, response.text


def test_a_query_string_is_read_like_a_body(server: Server) -> None:
    response = server.client.get(
        f"{server.url}/graphql",
        params={"query": "query($v: String) { device(key: $v) { key } }", "variables": '{"v": "nope"}'},
        headers={"Authorization": f"Bearer {server.token}"},
    )
    assert response.status_code == 200 and response.json() == {"data": {"device": None}}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ devices(first: " + "9" * 5000 + ") { totalCount } }", "Expected value of type 'Int'"),
        ('{ device(key: "\\ud800") { key } }', "Invalid Unicode escape sequence"),
        ("{ " + "vendors { " * 300 + "id" + " }" * 300 + " }", "Document is nested too deeply"),
        ("{ ...Missing }", "Unknown fragment 'Missing'."),
    ],
)
def test_a_malformed_document_is_a_graphql_error(server: Server, query: str, message: str) -> None:
    response = send(server, httpx.Request("POST", "/", json={"query": query}).content)
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert message in errors[0]["message"] and "extensions" not in errors[0], errors


def test_none_of_it_left_a_traceback_or_an_error_in_the_log(server: Server) -> None:
    log = server.log()
    assert "Traceback" not in log and " ERROR " not in log and "Exception in ASGI" not in log
