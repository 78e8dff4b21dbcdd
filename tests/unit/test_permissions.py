"""The permission check on the real schema: a forbidden field, however it is reached, runs no resolver.

The role matrix itself, every operation against a running server, is tests/e2e/test_roles.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.types import ExecutionResult

from sonata.domain.access import EVERY_DEVICE, ApiToken, Role, Scope
from sonata.entrypoints.graphql.permissions import RULES
from sonata.entrypoints.graphql.schema import build_schema
from sonata.settings import ApiLimits

READER = ApiToken("reader", Role.READER, EVERY_DEVICE)
SCOPED_ADMIN = ApiToken("scoped", Role.ADMIN, Scope(frozenset({"acme-phones-001"})))
SCHEMA = build_schema(ApiLimits())


class Refusing:
    """A context holding only the caller: a resolver that ran would fail on anything else."""

    def __init__(self, caller: ApiToken) -> None:
        self.caller = caller

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a resolver ran and read context.{name}")


def run(caller: ApiToken, query: str) -> ExecutionResult:
    return SCHEMA.execute_sync(query, context_value=Refusing(caller))


@pytest.mark.parametrize(
    ("caller", "query", "message"),
    [
        (READER, '{ renderConfig(key: "k") { body } }', "renderConfig needs the role editor or admin"),
        (READER, '{ preview: renderConfig(key: "k") { body } }', "renderConfig needs"),
        (READER, '{ ...F } fragment F on Query { renderConfig(key: "k") { body } }', "renderConfig needs"),
        (READER, '{ ... on Query { renderConfig(key: "k") { body } } }', "renderConfig needs"),
        (READER, "{ devices { nodes { mac key } } }", "Device.key needs the role editor or admin"),
        (READER, '{ device(mac: "001565000001") { links { personal } } }', "Device.links needs"),
        (READER, "{ devices { nodes { ...D } } } fragment D on Device { token }", "Device.token needs"),
        (READER, 'mutation { deleteDevice(key: "k") { deleted } }', "deleteDevice needs"),
        (SCOPED_ADMIN, "{ auditLog { nodes { at } } }", "auditLog needs an admin token without groups"),
        (SCOPED_ADMIN, "{ apiTokens { name } }", "apiTokens needs an admin token without groups"),
    ],
)
def test_a_forbidden_field_is_refused_before_anything_runs(
    caller: ApiToken, query: str, message: str
) -> None:
    result = run(caller, query)
    assert result.data is None and result.errors
    assert [(e.extensions or {}).get("code") for e in result.errors] == ["FORBIDDEN"]
    assert result.errors[0].message.startswith(message)


def test_what_is_allowed_runs() -> None:
    result = run(READER, "{ __typename vendors { id } }")
    assert result.errors is None and result.data is not None


def test_every_query_mutation_and_subscription_has_a_rule() -> None:
    schema = SCHEMA._schema
    roots = {
        "Query": schema.query_type,
        "Mutation": schema.mutation_type,
        "Subscription": schema.subscription_type,
    }
    named = {f"{name}.{field}" for name, root in roots.items() if root for field in root.fields}
    assert named == {rule for rule in RULES if rule.split(".")[0] in roots}
