"""Hypothesis against a real server: operations generated from the schema (valid and invalid ones),
device documents sent as variables and raw request bodies never get a 5xx or an "internal error",
and leave no traceback in the log.

Bounded and derandomized: the same few hundred requests on every run, in a few seconds.
"""

import json
from datetime import UTC
from typing import Any

import graphql
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes
from tests.e2e.conftest import API_TOKEN, Server

from sonata.entrypoints.graphql.schema import build_schema
from sonata.settings import ApiLimits

SCHEMA = str(build_schema(ApiLimits()))

FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Any code point, lone surrogates and control characters included, which JSON escapes on the way.
TEXT = st.text(st.characters(exclude_categories=()), max_size=30) | st.sampled_from(
    ["\ud800", "a\udfffb", "nul\x00", "line\u2028separator"]
)
DOCUMENT_KEYS = "key token vendor model mac accounts line sip_register sip_user sip_password rules time ip"
DOCUMENT_KEYS += " vendor_params phonebook line_keys timezone"
NAMES = st.sampled_from(DOCUMENT_KEYS.split()) | st.from_regex(
    r"[A-Za-z_][A-Za-z0-9_.]{0,12}", fullmatch=True
)


def _object(fields: dict[str, graphql.ValueNode]) -> graphql.ObjectValueNode:
    return nodes.Object(
        [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=k.replace(".", "_")), value=v)
            for k, v in fields.items()
        ]
    )


JSON_NODES = st.recursive(
    st.text(max_size=30).map(nodes.String)
    | st.integers(-(2**40), 2**40).map(nodes.Int)
    | st.booleans().map(nodes.Boolean)
    | st.just(nodes.Null),
    lambda children: (
        st.lists(children, max_size=4).map(nodes.List)
        | st.dictionaries(NAMES, children, max_size=5).map(_object)
    ),
    max_leaves=12,
)
DATETIME_NODES = st.datetimes(timezones=st.just(UTC)).map(lambda d: nodes.String(d.isoformat())) | st.text(
    max_size=30
).map(nodes.String)
SCALARS = {"JSON": JSON_NODES, "DateTime": DATETIME_NODES}

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(NAMES | TEXT, children, max_size=4),
    max_leaves=15,
)
REQUESTS = st.fixed_dictionaries(
    {},
    optional={
        "query": st.text(max_size=60) | from_schema(SCHEMA, custom_scalars=SCALARS) | JSON_VALUES,
        "variables": JSON_VALUES,
        "operationName": st.text(max_size=10) | JSON_VALUES,
        "extensions": JSON_VALUES,
    },
)
ACCOUNTS = st.fixed_dictionaries(
    {"line": st.integers(-1, 40), "sipRegister": st.just("sip.example.net") | TEXT, "sipUser": TEXT},
    optional={"sipPassword": TEXT, "sipName": TEXT, "transport": st.sampled_from(["UDP", "TLS"])},
)
CONTACTS = st.fixed_dictionaries(
    {"name": TEXT, "numbers": st.lists(st.fixed_dictionaries({"number": TEXT}), max_size=3)}
)
DEVICES = st.fixed_dictionaries(
    {
        "vendor": st.sampled_from(["yealink", "grandstream", "fanvil", "snom", "htek"]) | TEXT,
        "model": st.sampled_from(["t46s", "gxp2170", "x4", "d785", "uc926"]) | TEXT,
        "mac": st.sampled_from(["00:15:65:aa:bb:cc", "000b82aabbcc"]) | TEXT,
    },
    optional={
        "key": TEXT,
        "token": TEXT,
        "title": TEXT,
        "ntpServer": TEXT,
        "timezone": st.just("Europe/Berlin") | TEXT,
        "language": TEXT,
        "adminPassword": TEXT,
        "vendorParams": st.dictionaries(TEXT, TEXT, max_size=3),
        "accounts": st.lists(ACCOUNTS, max_size=3),
        "phonebook": st.lists(CONTACTS, max_size=3),
        "rules": st.fixed_dictionaries({}, optional={"allowedIps": st.lists(TEXT, max_size=2)}),
    },
)
DOCUMENTS = st.lists(st.dictionaries(NAMES | TEXT, JSON_VALUES, max_size=6), max_size=3)
SAVE = "mutation($input: DeviceInput!) { saveDevice(input: $input) { device { key } errors { field } } }"
IMPORT = "mutation($docs: [JSON!]!) { importDevices(documents: $docs) { saved } }"
BODIES = (
    st.binary(max_size=300)
    | JSON_VALUES.map(lambda v: json.dumps(v).encode())
    | REQUESTS.map(lambda r: json.dumps(r).encode())
    | REQUESTS.map(lambda r: json.dumps(r).encode()[:-3])
)
CONTENT_TYPES = st.sampled_from(
    ["application/json", "application/json; charset=latin-1", "text/plain", "", "application/graphql"]
)


def assert_no_fault(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    assert "INTERNAL_SERVER_ERROR" not in response.text, response.text


def post(server: Server, body: dict[str, Any]) -> httpx.Response:
    return server.client.post(
        f"{server.url}/graphql", json=body, headers={"Authorization": f"Bearer {API_TOKEN}"}
    )


def test_valid_operations_generated_from_the_schema(server: Server) -> None:
    @FUZZ
    @given(from_schema(SCHEMA, custom_scalars=SCALARS, mode=Mode.POSITIVE))
    def check(query: str) -> None:
        response = post(server, {"query": query})
        assert_no_fault(response)
        assert response.status_code == 200

    check()


def test_invalid_operations_generated_from_the_schema(server: Server) -> None:
    @FUZZ
    @given(from_schema(SCHEMA, custom_scalars=SCALARS, mode=Mode.NEGATIVE))
    def check(query: str) -> None:
        response = post(server, {"query": query})
        assert_no_fault(response)
        assert response.status_code == 200 and response.json()["errors"]

    check()


def test_device_documents_sent_as_variables(server: Server) -> None:
    @FUZZ
    @given(DEVICES, DOCUMENTS)
    def check(device: dict[str, Any], documents: list[Any]) -> None:
        for query, variables in ((SAVE, {"input": device}), (IMPORT, {"docs": documents})):
            response = server.client.post(
                f"{server.url}/graphql",
                content=json.dumps({"query": query, "variables": variables}),  # lone surrogates as \\udXXX
                headers={"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"},
            )
            assert_no_fault(response)

    check()


def test_raw_bodies(server: Server) -> None:
    @FUZZ
    @given(BODIES, CONTENT_TYPES)
    def check(body: bytes, content_type: str) -> None:
        headers = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": content_type}
        assert_no_fault(server.client.post(f"{server.url}/graphql", content=body, headers=headers))

    check()


def test_query_strings(server: Server) -> None:
    @FUZZ
    @given(st.dictionaries(st.sampled_from(["query", "variables", "operationName", "extensions"]), st.text()))
    def check(params: dict[str, str]) -> None:
        headers = {"Authorization": f"Bearer {API_TOKEN}", "Accept": "application/json"}
        assert_no_fault(server.client.get(f"{server.url}/graphql", params=params, headers=headers))

    check()


def test_the_fuzzing_left_no_traceback_and_no_error_in_the_log(server: Server) -> None:
    log = server.log()
    assert "Traceback" not in log and " ERROR " not in log and "Exception in ASGI" not in log
