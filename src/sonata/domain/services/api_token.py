"""Management API tokens: named, with a role and optionally a scope, stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence

from sonata.domain.access import EVERY_DEVICE, Actor, ApiToken, Role, Scope
from sonata.domain.audit import AuditEntry, Operation
from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.ports import Clock, SaveConflict
from sonata.domain.services.devices import UnitOfWorkFactory
from sonata.domain.validation import is_secret

ENV_TOKEN = "env"
"""The name of the admin token SONATA_API_TOKEN configures."""
INITIAL_TOKEN = "initial"
"""The name of the admin token the first start generates."""
MAX_GROUPS = 100
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def token_hash(token: str) -> str:
    # A token is 256 random bits, so a plain SHA-256 is enough to make the stored hash useless.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class ApiTokenService:
    """Checks presented tokens, and makes, lists and revokes them. SONATA_API_TOKEN, when set, is an
    admin token named `env` that is not stored; every other token is a row found by its hash."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, configured_token: str | None) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._configured_hash = token_hash(configured_token) if configured_token else None

    async def ensure_token(self) -> str | None:
        """Without SONATA_API_TOKEN and without any stored token, generate the admin token `initial`;
        returns it, the only time it is shown."""
        if self._configured_hash is not None:
            return None
        async with self._uow_factory() as uow:
            if await uow.api_tokens.any():
                return None
            token = _new_token()
            initial = ApiToken(INITIAL_TOKEN, Role.ADMIN, EVERY_DEVICE, self._clock.now())
            await uow.api_tokens.add(initial, token_hash(token))
            await uow.commit()
        return token

    async def authenticate(self, presented: str) -> ApiToken | None:
        """The token presented, or None: SONATA_API_TOKEN compared in memory, any other one found by
        its hash with one indexed read, so a revoked token is refused from the next request on."""
        if not presented:
            return None
        presented_hash = token_hash(presented)
        if self._configured_hash is not None and hmac.compare_digest(presented_hash, self._configured_hash):
            return ApiToken(ENV_TOKEN, Role.ADMIN, EVERY_DEVICE)
        async with self._uow_factory() as uow:
            found = await uow.api_tokens.by_hash(presented_hash)
        if found is None:
            return None
        token, stored_hash = found
        return token if hmac.compare_digest(presented_hash, stored_hash) else None

    async def create(
        self, name: str, role: Role, groups: Sequence[str] | None, actor: Actor
    ) -> tuple[str, ApiToken]:
        """A new token and what is stored of it; the token itself is returned this once only."""
        scope = Scope(frozenset(groups)) if groups is not None else EVERY_DEVICE
        errors = _name_errors(name) + _group_errors(groups)
        if errors:
            raise ValidationFailed(errors)
        token = _new_token()
        made = ApiToken(name, role, scope, self._clock.now())
        async with self._uow_factory() as uow:
            try:
                await uow.api_tokens.add(made, token_hash(token))
            except SaveConflict:
                raise ValidationFailed([_taken(name)]) from None
            await uow.audit.record([_entry(self._clock, Operation.CREATE_API_TOKEN, actor, name)])
            await uow.commit()
        return token, made

    async def all(self) -> list[ApiToken]:
        async with self._uow_factory() as uow:
            return await uow.api_tokens.all()

    async def revoke(self, name: str, actor: Actor) -> None:
        """Delete the token: refused from the next request on, on every worker and instance."""
        if name == ENV_TOKEN and self._configured_hash is not None:
            raise ValidationFailed(
                [FieldError("name", f"{ENV_TOKEN!r} is SONATA_API_TOKEN: unset it and restart Sonata")]
            )
        async with self._uow_factory() as uow:
            if not await uow.api_tokens.delete(name):
                raise ValidationFailed([FieldError("name", "no API token has this name")])
            await uow.audit.record([_entry(self._clock, Operation.REVOKE_API_TOKEN, actor, name)])
            await uow.commit()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _entry(clock: Clock, operation: Operation, actor: Actor, name: str) -> AuditEntry:
    return AuditEntry(clock.now(), operation, actor.token_name, actor.address, api_token=name)


def _taken(name: str) -> FieldError:
    return FieldError("name", f"a token named {name!r} exists already: revoke it or choose another name")


def _name_errors(name: str) -> list[FieldError]:
    if name == ENV_TOKEN:
        return [FieldError("name", f"{ENV_TOKEN!r} names the token SONATA_API_TOKEN sets: choose another")]
    if _NAME.fullmatch(name) is None:
        return [
            FieldError(
                "name",
                "must be 1 to 64 letters, digits, '.', '_' and '-', starting with a letter or digit",
            )
        ]
    return []


def _group_errors(groups: Sequence[str] | None) -> list[FieldError]:
    if groups is None:
        return []
    if not groups:
        return [FieldError("groups", "give at least one group, or none at all for every device")]
    if len(groups) > MAX_GROUPS:
        return [FieldError("groups", f"at most {MAX_GROUPS} groups")]
    return [
        FieldError(f"groups.{index}", "must be a device token: 12 to 128 letters, digits, '-' and '_'")
        for index, group in enumerate(groups)
        if not is_secret(group)
    ]
