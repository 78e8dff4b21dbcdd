"""What one GraphQL operation may ask for. Each bound is a setting (ApiLimits); an operation over
one gets a GraphQL error naming it, and no resolver runs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    ValueNode,
    VariableNode,
)
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter, SchemaExtension

from sonata.entrypoints.graphql.weight import MalformedFragments, measure
from sonata.settings import ApiLimits

# strawberry's and graphql-core's own limit messages, said the way Sonata's own are.
_FOREIGN_LIMIT_MESSAGES = (
    (
        re.compile(r"Syntax Error: Document contains more than (?P<limit>\d+) tokens\."),
        "the query has more than {limit} tokens; at most {limit} are allowed (SONATA_MAX_QUERY_TOKENS)",
    ),
    (
        re.compile(r"(?P<found>\d+) aliases found\. Allowed: (?P<limit>\d+)\Z"),
        "the query has {found} aliases; at most {limit} are allowed (SONATA_MAX_ALIASES)",
    ),
    (
        re.compile(r"'[^']{0,200}' exceeds maximum operation depth of (?P<limit>\d+)\Z"),
        "the query nests fields more than {limit} deep (SONATA_MAX_QUERY_DEPTH)",
    ),
)

COST_RULE = (
    "devices(first: n), auditLog(first: n) and provisioningEvents(first: n) cost n, importDevices one"
    " per document, every other top-level field 1"
)
PAGES = ("devices", "auditLog", "provisioningEvents", "unknownPhones")
"""The top-level fields that return a page of `first` items (the subscription provisioningEvents, which
has no `first`, costs the query's default)."""


def limit_extensions(limits: ApiLimits) -> list[Callable[[], SchemaExtension]]:
    return [
        partial(OperationLimits, limits),
        partial(MaxTokensLimiter, max_token_count=limits.max_query_tokens),
        partial(MaxAliasesLimiter, max_alias_count=limits.max_aliases),
        partial(QueryDepthLimiter, max_depth=limits.max_query_depth),
    ]


def naming_the_setting(error: GraphQLError) -> GraphQLError:
    """A limit error of strawberry or graphql-core, with the setting that sets the limit named."""
    for pattern, message in _FOREIGN_LIMIT_MESSAGES:
        if found := pattern.match(error.message):
            return GraphQLError(
                message.format(**found.groupdict()), nodes=error.nodes, extensions=error.extensions
            )
    return error


class OperationLimits(SchemaExtension):
    """The query's size before it is parsed; its fields, cost and fragment nesting before it is validated.

    Refusing here, with every fragment weighed once, keeps graphql-core's validation and strawberry's
    alias and depth limiters (which walk a fragment again at each of its spreads) to small operations.
    """

    def __init__(self, limits: ApiLimits) -> None:
        self._limits = limits

    def on_parse(self) -> Iterator[None]:
        size = len((self.execution_context.query or "").encode("utf-8", "surrogatepass"))
        if size > self._limits.max_query_bytes:
            raise GraphQLError(
                f"the query is {size} bytes long; at most {self._limits.max_query_bytes} are allowed"
                " (SONATA_MAX_QUERY_BYTES)"
            )
        yield

    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        if document is not None:
            refusals = self._refusals(document)
            if refusals:
                # Errors found before validation: strawberry then skips graphql-core's rules.
                self.execution_context.pre_execution_errors = refusals
        yield

    def _refusals(self, document: DocumentNode) -> list[GraphQLError]:
        limits = self._limits
        cost = _FieldCost(document, self.execution_context.variables or {}, self._page_sizes())
        try:
            weight = measure(document, cost)
        except MalformedFragments as error:
            return [GraphQLError(str(error))]
        refusals = []
        if weight.fields > limits.max_query_fields:
            refusals.append(
                f"the query selects {weight.fields} fields; at most {limits.max_query_fields} are allowed"
                " (SONATA_MAX_QUERY_FIELDS)"
            )
        if weight.cost > limits.max_query_cost:
            refusals.append(
                f"the query costs {weight.cost}; at most {limits.max_query_cost} is allowed"
                f" (SONATA_MAX_QUERY_COST: {COST_RULE})"
            )
        if weight.nesting > limits.max_query_depth:
            refusals.append(
                f"the query's fragments spread into each other {weight.nesting} deep; at most"
                f" {limits.max_query_depth} is allowed (SONATA_MAX_QUERY_DEPTH)"
            )
        return [GraphQLError(message) for message in refusals]

    def _page_sizes(self) -> dict[str, int]:
        """What each page returns without `first`: the default the schema declares."""
        return {page: self._page_size(page) for page in PAGES}

    def _page_size(self, name: str) -> int:
        field = self.execution_context.schema.get_field_for_type(name, "Query")
        first = next(a for a in field.arguments if a.python_name == "first") if field else None
        return first.default if first is not None and isinstance(first.default, int) else 0


class _FieldCost:
    """The cost of a top-level field, with `first` and `documents` read from literals or variables."""

    def __init__(
        self, document: DocumentNode, variables: Mapping[str, Any], page_sizes: Mapping[str, int]
    ) -> None:
        self._variables = dict(variables)
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                for variable in definition.variable_definitions or ():
                    name = variable.variable.name.value
                    if name not in self._variables and variable.default_value is not None:
                        self._variables[name] = variable.default_value
        self._page_sizes = page_sizes

    def __call__(self, field: FieldNode) -> int:
        if field.name.value in self._page_sizes:
            first = self._value(field, "first")
            return max(0, first) if isinstance(first, int) else self._page_sizes[field.name.value]
        if field.name.value == "importDevices":
            documents = self._value(field, "documents")
            return len(documents) if isinstance(documents, list) else 1
        return 1

    def _value(self, field: FieldNode, argument: str) -> object:
        """The argument's value as far as its cost needs it: an int, a list, or something else."""
        node: object = next((a.value for a in field.arguments or () if a.name.value == argument), None)
        if isinstance(node, VariableNode):
            node = self._variables.get(node.name.value)
        if isinstance(node, IntValueNode):
            # Longer than any 32-bit Int: graphql-core refuses it; it must not cost int() its time here.
            return int(node.value) if len(node.value) <= 11 else None
        if isinstance(node, ListValueNode):
            return list(node.values)
        if isinstance(node, bool | ValueNode):
            return None
        return node  # a variable's value
