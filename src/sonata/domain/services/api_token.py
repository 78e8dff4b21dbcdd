"""The bearer token of the management API."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sonata.domain.services.devices import UnitOfWorkFactory


def _hash(token: str) -> str:
    # The token is 256 random bits, so a plain SHA-256 is enough to make the stored hash useless.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenService:
    """Checks presented tokens against the configured one, or against a generated one's hash."""

    def __init__(self, uow_factory: UnitOfWorkFactory, configured_token: str | None) -> None:
        self._uow_factory = uow_factory
        self._expected_hash = _hash(configured_token) if configured_token else None

    async def ensure_token(self) -> str | None:
        """Load the stored hash, or generate a token; returns a newly generated token, once."""
        if self._expected_hash is not None:
            return None
        async with self._uow_factory() as uow:
            stored = await uow.credentials.get_api_token_hash()
            if stored is not None:
                self._expected_hash = stored
                return None
            token = secrets.token_urlsafe(32)
            await uow.credentials.set_api_token_hash(_hash(token))
            await uow.commit()
        self._expected_hash = _hash(token)
        return token

    def is_valid(self, presented: str) -> bool:
        if self._expected_hash is None or not presented:
            return False
        return hmac.compare_digest(_hash(presented), self._expected_hash)
