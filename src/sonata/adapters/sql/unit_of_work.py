"""`async with uow:` over one SQL session; rolls back unless committed."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sonata.adapters.secret_box import SecretBox
from sonata.adapters.sql.access import SqlApiTokenStore, SqlAuditLog
from sonata.adapters.sql.repository import SqlCredentialStore, SqlDeviceRepository
from sonata.domain.errors import FieldError, ValidationFailed


class SqlUnitOfWork:
    devices: SqlDeviceRepository
    credentials: SqlCredentialStore
    api_tokens: SqlApiTokenStore
    audit: SqlAuditLog

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], box: SecretBox) -> None:
        self._session_factory = session_factory
        self._box = box

    async def __aenter__(self) -> SqlUnitOfWork:
        self._session = self._session_factory()
        self.devices = SqlDeviceRepository(self._session, self._box)
        self.credentials = SqlCredentialStore(self._session, self._box)
        self.api_tokens = SqlApiTokenStore(self._session)
        self.audit = SqlAuditLog(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._session.rollback()
        await self._session.close()
        if isinstance(exc, IntegrityError):
            # Two saves raced for one MAC or key; the database's unique index decided.
            raise ValidationFailed([FieldError("mac", "belongs to another device")]) from exc

    async def commit(self) -> None:
        await self._session.commit()
