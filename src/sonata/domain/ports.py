"""The ports the domain needs from the outside world, as small Protocols."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from sonata.domain.model import Device, ProvisioningRecord


class TemplateEngine(Protocol):
    def render(self, template: str, context: Mapping[str, Any]) -> str: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class DevicePage:
    devices: list[Device]
    total_count: int
    has_next_page: bool


class DeviceRepository(Protocol):
    async def get(self, key: str) -> Device | None: ...

    async def get_by_mac(self, mac: str) -> Device | None: ...

    async def get_by_mac_and_token(self, mac: str, token: str) -> Device | None:
        """The device with this MAC, only if its token is `token`: one lookup that costs the same
        whether the MAC is unknown or the token wrong."""

    async def save(self, device: Device) -> None:
        """Insert the device, or replace the one stored under the same key."""

    async def delete(self, key: str) -> bool: ...

    async def list(
        self, *, vendor: str | None, token: str | None, first: int, after_mac: str | None
    ) -> DevicePage:
        """Devices ordered by MAC, starting after `after_mac`."""

    async def record_provisioning(self, key: str, record: ProvisioningRecord) -> None: ...


class CredentialStore(Protocol):
    async def get_api_token_hash(self) -> str | None: ...

    async def set_api_token_hash(self, token_hash: str) -> None: ...


class UnitOfWork(Protocol):
    """`async with uow:` rolls back unless `commit()` was called."""

    @property
    def devices(self) -> DeviceRepository: ...

    @property
    def credentials(self) -> CredentialStore: ...

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
