"""Management API tokens: made, checked and revoked, against in-memory fakes."""

from __future__ import annotations

import pytest
from tests.fakes import FakeDatabase, FixedClock

from sonata.domain.access import EVERY_DEVICE, ON_THE_SERVER, Actor, ApiToken, Role, Scope
from sonata.domain.audit import Operation
from sonata.domain.errors import ValidationFailed
from sonata.domain.services.api_token import ApiTokenService

CONFIGURED = "configured-token-0123456789"
ADMIN = Actor("initial", "192.0.2.1")


@pytest.fixture
def database() -> FakeDatabase:
    return FakeDatabase()


def service(database: FakeDatabase, configured: str | None = None) -> ApiTokenService:
    return ApiTokenService(database.unit_of_work, FixedClock(), configured)


async def test_the_first_start_makes_the_admin_token_initial_once(database: FakeDatabase) -> None:
    token = await service(database).ensure_token()
    assert token is not None
    assert await service(database).ensure_token() is None
    found = await service(database).authenticate(token)
    assert found == ApiToken("initial", Role.ADMIN, EVERY_DEVICE, FixedClock().now())
    assert all(token not in stored_hash for _, stored_hash in database.api_tokens.values())


async def test_sonata_api_token_is_the_admin_token_env_and_makes_no_other(database: FakeDatabase) -> None:
    configured = service(database, CONFIGURED)
    assert await configured.ensure_token() is None
    assert database.api_tokens == {}
    assert await configured.authenticate(CONFIGURED) == ApiToken("env", Role.ADMIN, EVERY_DEVICE)
    assert await configured.authenticate(CONFIGURED + "x") is None
    assert await configured.authenticate("") is None


async def test_a_made_token_is_found_by_its_hash_until_it_is_revoked(database: FakeDatabase) -> None:
    tokens = service(database, CONFIGURED)
    token, made = await tokens.create("acme-frontend", Role.EDITOR, ["acme-phones-001"], ADMIN)
    assert made == ApiToken(
        "acme-frontend", Role.EDITOR, Scope(frozenset({"acme-phones-001"})), made.created_at
    )
    assert await tokens.authenticate(token) == made
    assert await tokens.all() == [made]
    await tokens.revoke("acme-frontend", ON_THE_SERVER)
    assert await tokens.authenticate(token) is None
    assert [(e.operation, e.api_token, e.token_name, e.address) for e in database.audit] == [
        (Operation.CREATE_API_TOKEN, "acme-frontend", "initial", "192.0.2.1"),
        (Operation.REVOKE_API_TOKEN, "acme-frontend", None, None),
    ]
    assert token not in repr(database.audit)


@pytest.mark.parametrize(
    ("name", "groups", "fields"),
    [
        ("", None, ["name"]),
        ("-starts-with-a-dash", None, ["name"]),
        ("has space", None, ["name"]),
        ("x" * 65, None, ["name"]),
        ("env", None, ["name"]),
        ("ok", [], ["groups"]),
        ("ok", ["short"], ["groups.0"]),
        ("ok", ["acme-phones-001", "not/a/token/at/all"], ["groups.1"]),
        ("ok", [f"group-number-{i:04d}" for i in range(101)], ["groups"]),
        ("", ["short"], ["name", "groups.0"]),
    ],
)
async def test_a_bad_name_or_group_is_a_field_error_and_makes_nothing(
    database: FakeDatabase, name: str, groups: list[str] | None, fields: list[str]
) -> None:
    with pytest.raises(ValidationFailed) as failure:
        await service(database).create(name, Role.READER, groups, ADMIN)
    assert [error.field for error in failure.value.errors] == fields
    assert database.api_tokens == {} and database.audit == []


async def test_a_name_is_taken_once(database: FakeDatabase) -> None:
    tokens = service(database)
    await tokens.create("frontend", Role.READER, None, ADMIN)
    with pytest.raises(ValidationFailed, match="exists already"):
        await tokens.create("frontend", Role.ADMIN, None, ADMIN)
    assert [t.role for t in await tokens.all()] == [Role.READER]


async def test_revoking_an_unknown_name_or_env_is_a_field_error(database: FakeDatabase) -> None:
    tokens = service(database, CONFIGURED)
    with pytest.raises(ValidationFailed, match="no API token has this name"):
        await tokens.revoke("nobody", ADMIN)
    with pytest.raises(ValidationFailed, match="SONATA_API_TOKEN"):
        await tokens.revoke("env", ADMIN)
    assert await tokens.authenticate(CONFIGURED) is not None
    assert database.audit == []
