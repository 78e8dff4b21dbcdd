"""The ports the domain needs from the outside world, as small Protocols."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from sonata.domain.access import ApiToken
from sonata.domain.audit import AuditEntry
from sonata.domain.model import Device, ProvisioningRecord
from sonata.domain.provisioning_events import ProvisioningEvent
from sonata.domain.unknown_phones import UnknownPhone, UnknownPhonePage

if TYPE_CHECKING:
    from sonata.domain.phone_fetch import PhoneFetch
    from sonata.domain.vendors.base import RenderedFile


class TemplateEngine(Protocol):
    def render(self, template: str, context: Mapping[str, Any]) -> str: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class DevicePage:
    devices: list[Device]
    total_count: int
    has_next_page: bool


class SaveConflict(Exception):
    """The database refused a write that validation allowed: a concurrent save got there first.
    Nothing of the unit of work may be committed after it."""


class DeviceRepository(Protocol):
    async def get(self, key: str) -> Device | None: ...

    async def get_by_mac(self, mac: str) -> Device | None: ...

    async def get_by_mac_and_token(self, mac: str, token: str) -> Device | None:
        """The device with this MAC, only if its token is `token`: one lookup that costs the same
        whether the MAC is unknown or the token wrong."""

    async def save(self, device: Device) -> None:
        """Insert the device, or replace the one stored under the same key."""

    async def find_all(self, *, keys: Collection[str], macs: Collection[str]) -> list[Device]:
        """The stored devices that have one of these keys or one of these MACs."""

    async def replace_all(self, devices: Sequence[Device]) -> None:
        """Replace these stored devices (found by key), in the order given: each may take a MAC an
        earlier one left. Raises SaveConflict when one is no longer stored or its MAC is taken."""

    async def add_all(self, devices: Sequence[Device]) -> None:
        """Insert these new devices; raises SaveConflict when a key or MAC is taken."""

    async def delete(self, key: str) -> bool:
        """Delete the device, and the keys rotations took from it."""

    async def rotate_key(self, key: str, new_key: str, until: datetime) -> None:
        """Give the device `new_key`; `key` keeps naming it until `until`, on the phone route only.
        Everything else of the device stays as stored. Raises SaveConflict when it is gone."""

    async def previous_keys(self, keys: Collection[str]) -> set[str]:
        """Those of `keys` that rotations took from a device: no other device may take them."""

    async def list(
        self,
        *,
        vendor: str | None,
        token: str | None,
        first: int,
        after_mac: str | None,
        groups: Collection[str] | None = None,
    ) -> DevicePage:
        """Devices ordered by MAC, starting after `after_mac`; only those of `groups` where given."""


@dataclass(frozen=True)
class PreviousKey:
    """A key rotateDeviceKey replaced, and the device it still names until `until`."""

    device: Device
    until: datetime


class PhoneDevices(Protocol):
    """Devices as a phone's request finds them: the hot path, which may answer from memory, but only
    with a version the database held within the freshness bound."""

    async def by_key(self, key: str) -> Device | None: ...

    async def by_previous_key(self, key: str) -> PreviousKey | None:
        """The device a rotation took this key from, whether or not its grace has ended."""

    async def by_mac_and_token(self, mac: str, token: str) -> Device | None:
        """The device with this MAC, only if its token is `token`: one lookup that costs the same
        whether the MAC is unknown or the token wrong."""


class RenderedFiles(Protocol):
    """Files rendered before, reused only for the very device version they were rendered from."""

    def get(self, device: Device, link: str, filename: str) -> RenderedFile | None: ...

    def put(self, device: Device, link: str, filename: str, file: RenderedFile) -> None: ...


class ProvisioningRecorder(Protocol):
    def record(self, key: str, record: ProvisioningRecord) -> None:
        """Note the device's latest answered fetch; it is written later, and a phone never waits for it."""


class UnknownPhoneRecorder(Protocol):
    def noticed(self, phone: UnknownPhone) -> None:
        """A phone asked on a common link for a MAC no device has under that token. It is written
        later, and a phone never waits for it; only where some device has the token and none the MAC."""


class UnknownPhoneLog(Protocol):
    async def page(
        self, *, groups: Collection[str] | None, first: int, after_id: int | None
    ) -> UnknownPhonePage:
        """The remembered phones of these groups (None: of every group) whose MAC no device has,
        those first seen last first, after the one with `after_id`."""


class FetchObserver(Protocol):
    def fetched(self, fetch: PhoneFetch) -> None:
        """Count a phone fetch (the metrics); called on the phone's path, so it must be quick."""


class ProvisioningEventLog(Protocol):
    def append(self, event: ProvisioningEvent) -> None:
        """Keep the event for its device's history; it is written later, and a phone never waits for it."""


class ProvisioningEventStore(Protocol):
    async def page(
        self, *, mac: str, first: int, before_id: int | None, groups: Collection[str] | None
    ) -> list[ProvisioningEvent]:
        """Up to `first` events of the device with this MAC, newest first, older than the event
        `before_id`; only those of `groups` where given."""


class LiveProvisioningEvents(Protocol):
    def follow(
        self, groups: frozenset[str] | None
    ) -> AbstractAsyncContextManager[AsyncIterator[ProvisioningEvent]]:
        """The events stored from now on of devices of these groups (None: of every device), as
        every serving process stores them, until the context ends."""


class AddressLocks(Protocol):
    async def lock(self, key: str, address: str) -> str | None:
        """Lock the device with this key to `address`, unless a fetch locked it first: the address
        it is locked to now (across processes); None when no device has this key any more."""


class DeviceChanges(Protocol):
    def changed(self, key: str) -> None:
        """The device with this key was saved or deleted: nothing kept of it may be served again."""


class CredentialStore(Protocol):
    async def get_nonce_key(self) -> str | None:
        """The key signing Digest nonces, in hex."""

    async def set_nonce_key(self, key: str) -> None: ...


class ApiTokenStore(Protocol):
    """Management API tokens, stored by the SHA-256 of the token."""

    async def by_hash(self, token_hash: str) -> tuple[ApiToken, str] | None:
        """The token whose hash this is, and the stored hash: one indexed read."""

    async def add(self, token: ApiToken, token_hash: str) -> None:
        """Store a new token; raises SaveConflict when its name is taken."""

    async def all(self) -> list[ApiToken]:
        """Every stored token, by name."""

    async def any(self) -> bool: ...

    async def delete(self, name: str) -> bool: ...


class AuditLog(Protocol):
    async def record(self, entries: Sequence[AuditEntry]) -> None:
        """Add the entries, in the unit of work of the changes they record."""

    async def page(self, *, first: int, before_id: int | None, mac: str | None) -> list[AuditEntry]:
        """Up to `first` entries, newest first, older than the entry `before_id`; only the MAC's
        where given."""

    async def prune(self, before: datetime) -> int:
        """Delete the entries made before `before`; how many."""


class UnitOfWork(Protocol):
    """`async with uow:` rolls back unless `commit()` was called."""

    @property
    def devices(self) -> DeviceRepository: ...

    @property
    def credentials(self) -> CredentialStore: ...

    @property
    def api_tokens(self) -> ApiTokenStore: ...

    @property
    def audit(self) -> AuditLog: ...

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
