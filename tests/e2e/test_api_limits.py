"""What one management API request may cost, against a real server: the attacks of issue 6 are
refused at once, with an error naming the limit, while the operations the README shows still run."""

import socket
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from graphql import get_introspection_query
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server

ONE_MIB = 1024 * 1024


def post(server: Server, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    return server.client.post(
        f"{server.url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {server.token}"},
    )


def refusal(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None, "a resolver ran"
    return " / ".join(e["message"] for e in body["errors"])


def raw_request(server: Server, head: str, body_chunks: tuple[bytes, ...] = ()) -> bytes:
    """Sends a request head (and body) as a client may, then reads what the server answers."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(head.replace("\n", "\r\n").encode() + b"\r\n")
        for chunk in body_chunks:
            connection.sendall(chunk)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.endswith(b")"):
            received = connection.recv(65536)
            if not received:
                break
            answer += received
        return answer


def test_a_body_declared_over_the_limit_is_refused_before_it_is_read(server: Server) -> None:
    # Only the head is sent: a server that waited for the 10 MB would never answer.
    answer = raw_request(
        server,
        f"POST /graphql HTTP/1.1\nHost: sonata\nAuthorization: Bearer {API_TOKEN}\n"
        f"Content-Type: application/json\nContent-Length: {10 * ONE_MIB}\n",
    )
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith(b"the request body is larger than 1048576 bytes (SONATA_MAX_BODY_BYTES)")


def test_a_chunked_body_is_refused_once_it_passes_the_limit(server: Server) -> None:
    chunk = b"%x\r\n%s\r\n" % (64 * 1024, b" " * 64 * 1024)
    answer = raw_request(
        server,
        f"POST /graphql HTTP/1.1\nHost: sonata\nAuthorization: Bearer {API_TOKEN}\n"
        "Content-Type: application/json\nTransfer-Encoding: chunked\n",
        (chunk,) * 17,  # 1 MiB and one chunk more, and never the last chunk: the server must stop counting
    )
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith(b"(SONATA_MAX_BODY_BYTES)")


def timed_post(server: Server, query: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = post(server, query)
    return time.perf_counter() - started, response


def test_the_attacks_of_the_issue_are_refused_at_once(server: Server) -> None:
    """Today: 500 aliases of devices(first: 500) ran 31 s, 16,666 aliases of vendors returned 48 MB."""
    many_pages = (
        "{" + " ".join(f"a{i}: devices(first: 500) {{ nodes {{ key mac }} }}" for i in range(500)) + "}"
    )
    many_vendors = (
        "{" + " ".join(f"a{i}: vendors {{ id name models {{ id name }} }}" for i in range(16666)) + "}"
    )
    normal = statistics.median(timed_post(server, "{ vendors { id } }")[0] for _ in range(5))
    for attack, limit in [
        (many_pages, "more than 5000 tokens; at most 5000 are allowed (SONATA_MAX_QUERY_TOKENS)"),
        (many_vendors, "SONATA_MAX_QUERY_BYTES"),
    ]:
        elapsed, response = timed_post(server, attack)
        assert limit in refusal(response)
        assert len(response.content) < 1000
        # Generous: refusing a 900 kB query should cost no more than a few small requests.
        assert elapsed < 100 * normal, (elapsed, normal)


def test_each_operation_limit_names_itself_on_its_own(server: Server) -> None:
    aliases = "{" + " ".join(f"a{i}: __typename" for i in range(101)) + "}"
    assert (
        refusal(post(server, aliases))
        == "the query has 101 aliases; at most 100 are allowed (SONATA_MAX_ALIASES)"
    )
    fields = "{ vendors { models { " + "id " * 500 + "} } }"
    assert refusal(post(server, fields)) == (
        "the query selects 502 fields; at most 500 are allowed (SONATA_MAX_QUERY_FIELDS)"
    )
    pages = "{ a: devices(first: 500) { totalCount } b: devices(first: 500) { totalCount } c: devices { totalCount } }"
    assert refusal(post(server, pages)).startswith(
        "the query costs 1050; at most 1000 is allowed (SONATA_MAX_QUERY_COST"
    )
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(10))
    assert refusal(post(server, "{ ...F0 } " + chain + " fragment F10 on Query { vendors { id } }")) == (
        "the query's fragments spread into each other 11 deep; at most 10 is allowed (SONATA_MAX_QUERY_DEPTH)"
    )
    doubling = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(50))
    bomb = refusal(post(server, "{ ...F0 } " + doubling + " fragment F50 on Query { vendors { id } }"))
    assert f"the query selects {2**51} fields" in bomb


def test_the_readme_and_graphiql_operations_pass_the_default_limits(server: Server) -> None:
    introspection = post(server, get_introspection_query(descriptions=True, input_value_deprecation=True))
    assert "errors" not in introspection.json() and introspection.json()["data"]["__schema"]["types"]
    documents = [
        {
            "vendor": "yealink",
            "model": "t46s",
            "mac": f"001565{n:06x}",
            "token": "bulk-import-group",
            "accounts": [
                {"line": 1, "sip_register": "sip.example.net", "sip_user": f"{n}", "sip_password": "pw"}
            ],
        }
        for n in range(500)
    ]
    saved = server.graphql(
        "mutation($docs: [JSON!]!) { importDevices(documents: $docs) { saved } }", {"docs": documents}
    )
    assert saved["importDevices"]["saved"] == 500
    page = server.graphql('{ devices(token: "bulk-import-group", first: 500) { totalCount nodes { mac } } }')
    assert page["devices"]["totalCount"] == 500 and len(page["devices"]["nodes"]) == 500


def test_every_limit_is_a_setting(tmp_path: Path) -> None:
    limits = {
        "SONATA_MAX_BODY_BYTES": "300",
        "SONATA_MAX_JSON_DEPTH": "3",
        "SONATA_MAX_QUERY_BYTES": "100",
        "SONATA_MAX_QUERY_TOKENS": "20",
        "SONATA_MAX_ALIASES": "1",
        "SONATA_MAX_QUERY_DEPTH": "1",
        "SONATA_MAX_QUERY_FIELDS": "3",
        "SONATA_MAX_QUERY_COST": "10",
    }
    small = start_server(
        tmp_path,
        {
            "SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'limits.db'}",
            "SONATA_API_TOKEN": API_TOKEN,
            **limits,
        },
    )
    try:
        assert post(small, "{ vendors { id } }").json()["data"]["vendors"]
        big = post(small, "{ vendors { id } }", {"padding": "x" * 300})
        assert big.status_code == 413 and "300 bytes" in big.text
        deep = post(small, "{ vendors { id } }", {"a": {"b": {"c": 1}}})
        assert deep.status_code == 400 and "nests deeper than 3 levels" in deep.text
        assert "(SONATA_MAX_QUERY_BYTES)" in refusal(post(small, "{ vendors { id } }" + " " * 100))
        assert "more than 20 tokens; at most 20 are allowed (SONATA_MAX_QUERY_TOKENS)" in refusal(
            post(small, "{ vendors(" + "a: 1 " * 10 + ") { id } }")
        )
        assert "the query has 2 aliases; at most 1 are allowed (SONATA_MAX_ALIASES)" in refusal(
            post(small, "{ a: __typename b: __typename }")
        )
        assert "the query nests fields more than 1 deep (SONATA_MAX_QUERY_DEPTH)" in refusal(
            post(small, "{ vendors { models { id } } }")
        )
        assert "(SONATA_MAX_QUERY_FIELDS)" in refusal(post(small, "{ vendors { id name } __typename }"))
        assert "(SONATA_MAX_QUERY_COST" in refusal(post(small, "{ devices(first: 11) { totalCount } }"))
    finally:
        stop_server(small)
