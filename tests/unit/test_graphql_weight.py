"""Weighing a GraphQL document: fields, top-level cost and fragment nesting, each fragment walked once."""

import pytest
from graphql import FieldNode, IntValueNode, parse

from sonata.entrypoints.graphql.weight import MalformedFragments, Weight, measure


def one_each(field: FieldNode) -> int:
    return 1


def first_or_one(field: FieldNode) -> int:
    first = next((a.value for a in field.arguments or () if a.name.value == "first"), None)
    return int(first.value) if isinstance(first, IntValueNode) else 1


def test_every_field_counts_aliases_included_and_only_top_level_fields_cost() -> None:
    weight = measure(parse("{ a: vendors { id models { id } } b: vendors { id } __typename }"), one_each)
    assert weight == Weight(fields=7, cost=3, nesting=0)


def test_a_fragment_weighs_at_every_spread_and_costs_only_where_spread_at_the_top() -> None:
    document = parse(
        """
        query { ...Top ...Top vendors { ...Inner } }
        fragment Top on Query { devices(first: 200) { totalCount } }
        fragment Inner on Vendor { id name }
        """
    )
    assert measure(document, first_or_one) == Weight(fields=2 * 2 + 1 + 2, cost=2 * 200 + 1, nesting=1)


def test_inline_fragments_at_the_top_cost_like_top_level_fields() -> None:
    document = parse(
        "{ ... on Query { devices(first: 300) { totalCount } ... { devices(first: 5) { nodes { key } } } } }"
    )
    assert measure(document, first_or_one) == Weight(fields=5, cost=305, nesting=0)


def test_all_operations_of_a_document_add_up() -> None:
    document = parse(
        "query A { devices(first: 3) { totalCount } } query B { devices(first: 4) { totalCount } }"
    )
    assert measure(document, first_or_one).cost == 7


def test_fragments_doubling_sixty_times_are_weighed_without_expanding_them() -> None:
    # Expanded, this is 2^60 fields: only weighing each fragment once can answer at all.
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(60))
    document = parse("{ ...F0 } " + fragments + " fragment F60 on Query { vendors { id } }")
    assert measure(document, one_each) == Weight(fields=2**61, cost=2**60, nesting=61)


def test_a_chain_of_three_thousand_fragments_needs_no_deep_recursion() -> None:
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(3000))
    document = parse("{ ...F0 } " + fragments + " fragment F3000 on Query { __typename }")
    assert measure(document, one_each) == Weight(fields=1, cost=1, nesting=3001)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ ...Missing }", "Unknown fragment 'Missing'."),
        ("{ ...A } fragment A on Query { vendors { ...Missing } }", "Unknown fragment 'Missing'."),
        ("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }", "within itself"),
        ("{ __typename } fragment A on Query { ...A }", "Cannot spread fragment 'A' within itself."),
    ],
)
def test_unknown_and_cyclic_fragments_are_refused(query: str, message: str) -> None:
    with pytest.raises(MalformedFragments, match=message):
        measure(parse(query), one_each)
