"""The management API's own administration: API tokens and the audit log (admins without groups)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from sonata.domain import access, audit
from sonata.domain.errors import ValidationFailed
from sonata.domain.services.audit_log import encode_audit_cursor
from sonata.entrypoints.graphql.context import api_context
from sonata.entrypoints.graphql.errors import refused_as_bad_input
from sonata.entrypoints.graphql.types import FieldError, PageInfo, camel_path

strawberry.enum(access.Role, name="ApiRole")
strawberry.enum(audit.Operation, name="AuditOperation")


@strawberry.type
class ApiToken:
    name: str
    role: access.Role
    groups: list[str] | None = strawberry.field(
        description="The device groups (device tokens) it sees and changes; null: every device."
    )
    created_at: datetime | None = strawberry.field(
        description="null for `env`, the token SONATA_API_TOKEN sets, which is not stored."
    )

    @classmethod
    def from_domain(cls, token: access.ApiToken) -> ApiToken:
        groups = sorted(token.scope.groups) if token.scope.groups is not None else None
        return cls(name=token.name, role=token.role, groups=groups, created_at=token.created_at)


@strawberry.type
class CreateApiTokenPayload:
    token: str | None = strawberry.field(
        description="The token to send as 'Authorization: Bearer <token>'. Shown only now: Sonata "
        "stores its hash."
    )
    api_token: ApiToken | None
    errors: list[FieldError]


@strawberry.type
class RevokeApiTokenPayload:
    revoked: bool
    errors: list[FieldError]


@strawberry.type
class AuditEntry:
    at: datetime
    operation: audit.Operation
    token_name: str | None = strawberry.field(
        description="The name of the API token used; null for a change made with the `sonata` "
        "command on the server."
    )
    address: str | None = strawberry.field(description="The client address of the API request.")
    mac: str | None
    group: str | None = strawberry.field(
        description="The device's group (its token) after the change; for a deletion, before it."
    )
    api_token: str | None = strawberry.field(description="The name of the API token created or revoked.")
    changed: list[str] = strawberry.field(
        description="The fields whose values changed, as field errors name them; never a value."
    )

    @classmethod
    def from_domain(cls, entry: audit.AuditEntry) -> AuditEntry:
        return cls(
            at=entry.at,
            operation=entry.operation,
            token_name=entry.token_name,
            address=entry.address,
            mac=entry.mac,
            group=entry.group,
            api_token=entry.api_token,
            changed=[camel_path(path) for path in entry.changed],
        )


@strawberry.type
class AuditEntryConnection:
    nodes: list[AuditEntry]
    page_info: PageInfo


# strawberry's field decorators with arguments are untyped for mypy: hence the ignores below.
@strawberry.type
class AdministrationQuery:
    @strawberry.field(description="Every API token but `env`, by name; never a token itself.")  # type: ignore[untyped-decorator]
    async def api_tokens(self, info: Info[Any, None]) -> list[ApiToken]:
        return [ApiToken.from_domain(token) for token in await api_context(info).tokens.all()]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Changes made through this API or the `sonata` command, newest first, kept "
        "SONATA_AUDIT_RETENTION_DAYS days; only those of the device with this MAC where given."
    )
    async def audit_log(
        self, info: Info[Any, None], first: int = 50, after: str | None = None, mac: str | None = None
    ) -> AuditEntryConnection:
        with refused_as_bad_input():
            page = await api_context(info).audit.page(first=first, after=after, mac=mac)
        return AuditEntryConnection(
            nodes=[AuditEntry.from_domain(entry) for entry in page.entries],
            page_info=PageInfo.of(page.entries, page.has_next_page, encode_audit_cursor),
        )


@strawberry.type
class AdministrationMutation:
    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description="Make an API token; with groups, it sees and changes only the devices of those "
        "groups (device tokens). The token is in the answer this once only."
    )
    async def create_api_token(
        self, info: Info[Any, None], name: str, role: access.Role, groups: list[str] | None = None
    ) -> CreateApiTokenPayload:
        context = api_context(info)
        try:
            token, made = await context.tokens.create(name, role, groups, context.actor)
        except ValidationFailed as failure:
            errors = [FieldError.from_domain(error) for error in failure.errors]
            return CreateApiTokenPayload(token=None, api_token=None, errors=errors)
        return CreateApiTokenPayload(token=token, api_token=ApiToken.from_domain(made), errors=[])

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description="Delete the API token with this name: refused from the next request on."
    )
    async def revoke_api_token(self, info: Info[Any, None], name: str) -> RevokeApiTokenPayload:
        context = api_context(info)
        try:
            await context.tokens.revoke(name, context.actor)
        except ValidationFailed as failure:
            errors = [FieldError.from_domain(error) for error in failure.errors]
            return RevokeApiTokenPayload(revoked=False, errors=errors)
        return RevokeApiTokenPayload(revoked=True, errors=[])
