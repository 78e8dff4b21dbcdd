"""Each GraphQL limit, on the real schema: over it, an error naming it and no resolver run."""

from typing import Any

import pytest
from strawberry.types import ExecutionResult

from sonata.domain.access import EVERY_DEVICE, ApiToken, Role
from sonata.entrypoints.graphql.schema import build_schema
from sonata.settings import ApiLimits

SMALL = ApiLimits(
    max_query_bytes=2000,
    max_query_tokens=300,
    max_aliases=5,
    max_query_depth=2,
    max_query_fields=20,
    max_query_cost=100,
)


class Untouchable:
    """A context any resolver that needs one would fail on: over a limit, none may run. It holds
    only the caller, whose permissions are checked with the limits, before any resolver."""

    caller = ApiToken("admin", Role.ADMIN, EVERY_DEVICE)

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a resolver ran and read context.{name}")


def run(query: str, variables: dict[str, Any] | None = None, limits: ApiLimits = SMALL) -> ExecutionResult:
    return build_schema(limits).execute_sync(query, variable_values=variables, context_value=Untouchable())


def refusal(query: str, variables: dict[str, Any] | None = None) -> str:
    result = run(query, variables)
    assert result.data is None and result.errors, result
    return " / ".join(e.message for e in result.errors)


def test_within_every_limit_the_operation_runs() -> None:
    result = run("{ a: vendors { id } b: vendors { name } }")
    assert result.errors is None and result.data is not None and len(result.data["a"]) >= 5


def test_query_size() -> None:
    assert refusal("{ vendors { id } }" + " " * 2000) == (
        "the query is 2018 bytes long; at most 2000 are allowed (SONATA_MAX_QUERY_BYTES)"
    )


def test_tokens() -> None:
    assert "more than 300 tokens" in refusal(
        "{ vendors(" + ", ".join(f"a{i}: 1" for i in range(100)) + ") { id } }"
    )


def test_aliases() -> None:
    assert (
        refusal("{ " + " ".join(f"a{i}: __typename" for i in range(6)) + " }")
        == "the query has 6 aliases; at most 5 are allowed (SONATA_MAX_ALIASES)"
    )


def test_depth() -> None:
    assert (
        refusal("{ devices { nodes { accounts { line } } } }")
        == "the query nests fields more than 2 deep (SONATA_MAX_QUERY_DEPTH)"
    )


def test_fields() -> None:
    assert refusal("{ vendors { " + "id " * 21 + "} }") == (
        "the query selects 22 fields; at most 20 are allowed (SONATA_MAX_QUERY_FIELDS)"
    )


def test_fragment_nesting_counts_against_the_depth() -> None:
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(2))
    assert refusal("{ ...F0 } " + fragments + " fragment F2 on Query { __typename }") == (
        "the query's fragments spread into each other 3 deep; at most 2 is allowed (SONATA_MAX_QUERY_DEPTH)"
    )


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        ("{ a: devices(first: 60) { totalCount } b: devices(first: 41) { totalCount } }", None, 101),
        (
            "{ a: devices { totalCount } b: devices { totalCount } c: devices(first: 1) { totalCount } }",
            None,
            101,
        ),
        (
            "query($n: Int) { a: devices(first: $n) { totalCount } b: devices(first: $n) { totalCount } }",
            {"n": 51},
            102,
        ),
        (
            "query($n: Int = 51) { a: devices(first: $n) { totalCount } b: devices(first: $n) { totalCount } }",
            {},
            102,
        ),
        ("{ ...D ...D } fragment D on Query { devices(first: 51) { totalCount } }", None, 102),
        ("mutation($d: [JSON!]!) { importDevices(documents: $d) { saved } }", {"d": [{}] * 101}, 101),
        ("mutation { importDevices(documents: [" + "{}, " * 101 + "]) { saved } }", None, 101),
    ],
)
def test_cost_sums_what_each_top_level_field_asks_for(
    query: str, variables: dict[str, Any] | None, cost: int
) -> None:
    assert refusal(query, variables).startswith(
        f"the query costs {cost}; at most 100 is allowed (SONATA_MAX_QUERY_COST"
    )


def test_every_limit_over_is_named_at_once() -> None:
    query = "{ " + " ".join(f"a{i}: devices(first: 30) {{ totalCount }}" for i in range(21)) + " }"
    assert [m.split(";")[0] for m in refusal(query).split(" / ")] == [
        "the query selects 42 fields",
        "the query costs 630",
    ]
