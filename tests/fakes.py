"""Hand-written in-memory fakes of the domain's ports."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from sonata.domain.access import ApiToken
from sonata.domain.audit import AuditEntry
from sonata.domain.model import Device, ProvisioningRecord
from sonata.domain.phone_fetch import PhoneFetch
from sonata.domain.ports import (
    AddressLocks,
    DeviceChanges,
    DevicePage,
    FetchObserver,
    PhoneDevices,
    PreviousKey,
    ProvisioningEventLog,
    RenderedFiles,
    SaveConflict,
    TemplateEngine,
    UnknownPhoneRecorder,
)
from sonata.domain.provisioning_events import ProvisioningEvent
from sonata.domain.services.provisioning import ProvisioningService
from sonata.domain.vendors.base import RenderedFile


class FixedClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeDeviceRepository:
    def __init__(
        self, store: dict[str, Device], previous_keys: dict[str, tuple[str, datetime]] | None = None
    ) -> None:
        self._store = store
        self._previous_keys = {} if previous_keys is None else previous_keys
        """A key a rotation replaced -> (the device's key, the end of its grace)."""

    async def get(self, key: str) -> Device | None:
        return self._store.get(key)

    async def get_by_mac(self, mac: str) -> Device | None:
        return next((d for d in self._store.values() if d.mac == mac), None)

    async def get_by_mac_and_token(self, mac: str, token: str) -> Device | None:
        return next((d for d in self._store.values() if d.mac == mac and d.token == token), None)

    async def save(self, device: Device) -> None:
        self._store[device.key] = device

    async def find_all(self, *, keys: Collection[str], macs: Collection[str]) -> list[Device]:
        return [d for d in self._store.values() if d.key in keys or d.mac in macs]

    async def replace_all(self, devices: Sequence[Device]) -> None:
        for device in devices:
            if device.key not in self._store:
                raise SaveConflict("no longer stored")
            self._store_unique(device)

    async def add_all(self, devices: Sequence[Device]) -> None:
        for device in devices:
            if device.key in self._store:
                raise SaveConflict("key taken")
            self._store_unique(device)

    def _store_unique(self, device: Device) -> None:
        """Like the database's unique index, refuse a MAC another device has."""
        if any(d.mac == device.mac and d.key != device.key for d in self._store.values()):
            raise SaveConflict("MAC taken")
        self._store[device.key] = device

    async def delete(self, key: str) -> bool:
        for previous in [k for k, (device_key, _) in self._previous_keys.items() if device_key == key]:
            del self._previous_keys[previous]
        return self._store.pop(key, None) is not None

    async def rotate_key(self, key: str, new_key: str, until: datetime) -> None:
        if key not in self._store or new_key in self._store:
            raise SaveConflict("no longer stored, or the new key is taken")
        self._store[new_key] = dataclasses.replace(self._store.pop(key), key=new_key)
        for previous, (device_key, served_until) in list(self._previous_keys.items()):
            if device_key == key:
                self._previous_keys[previous] = (new_key, served_until)
        self._previous_keys[key] = (new_key, until)

    async def previous_keys(self, keys: Collection[str]) -> set[str]:
        return {key for key in keys if key in self._previous_keys}

    async def list(
        self,
        *,
        vendor: str | None,
        token: str | None,
        first: int,
        after_mac: str | None,
        groups: Collection[str] | None = None,
    ) -> DevicePage:
        matching = sorted(
            (
                d
                for d in self._store.values()
                if vendor in (None, d.vendor)
                and token in (None, d.token)
                and (groups is None or d.token in groups)
            ),
            key=lambda d: d.mac,
        )
        after = [d for d in matching if after_mac is None or d.mac > after_mac]
        return DevicePage(after[:first], len(matching), len(after) > first)


class FakeCredentialStore:
    def __init__(self, store: dict[str, str]) -> None:
        self._store = store

    async def get_nonce_key(self) -> str | None:
        return self._store.get("digest_nonce_key")

    async def set_nonce_key(self, key: str) -> None:
        self._store["digest_nonce_key"] = key


class FakeApiTokenStore:
    def __init__(self, store: dict[str, tuple[ApiToken, str]]) -> None:
        self._store = store
        """name -> (token, hash)"""

    async def by_hash(self, token_hash: str) -> tuple[ApiToken, str] | None:
        return next((found for found in self._store.values() if found[1] == token_hash), None)

    async def add(self, token: ApiToken, token_hash: str) -> None:
        if token.name in self._store:
            raise SaveConflict("name taken")
        self._store[token.name] = (token, token_hash)

    async def all(self) -> list[ApiToken]:
        return [token for _, (token, _) in sorted(self._store.items())]

    async def any(self) -> bool:
        return bool(self._store)

    async def delete(self, name: str) -> bool:
        return self._store.pop(name, None) is not None


class FakeAuditLog:
    def __init__(self, entries: list[AuditEntry]) -> None:
        self._entries = entries

    async def record(self, entries: Sequence[AuditEntry]) -> None:
        for entry in entries:
            self._entries.append(dataclasses.replace(entry, id=len(self._entries) + 1))

    async def page(self, *, first: int, before_id: int | None, mac: str | None) -> list[AuditEntry]:
        newest_first = [
            entry
            for entry in reversed(self._entries)
            if (before_id is None or (entry.id or 0) < before_id) and mac in (None, entry.mac)
        ]
        return newest_first[:first]

    async def prune(self, before: datetime) -> int:
        kept = [entry for entry in self._entries if entry.at >= before]
        pruned = len(self._entries) - len(kept)
        self._entries[:] = kept
        return pruned


class FakeDatabase:
    """Committed state; each unit of work edits a copy and publishes it on commit."""

    def __init__(self) -> None:
        self.devices: dict[str, Device] = {}
        self.previous_keys: dict[str, tuple[str, datetime]] = {}
        self.credentials: dict[str, str] = {}
        self.api_tokens: dict[str, tuple[ApiToken, str]] = {}
        self.audit: list[AuditEntry] = []

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)


class FakeUnitOfWork:
    def __init__(self, database: FakeDatabase) -> None:
        self._database = database

    async def __aenter__(self) -> FakeUnitOfWork:
        self._devices = dict(self._database.devices)
        self._previous_keys = dict(self._database.previous_keys)
        self._credentials = dict(self._database.credentials)
        self._api_tokens = dict(self._database.api_tokens)
        self._audit = list(self._database.audit)
        self.devices = FakeDeviceRepository(self._devices, self._previous_keys)
        self.credentials = FakeCredentialStore(self._credentials)
        self.api_tokens = FakeApiTokenStore(self._api_tokens)
        self.audit = FakeAuditLog(self._audit)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pass

    async def commit(self) -> None:
        self._database.devices = dict(self._devices)
        self._database.previous_keys = dict(self._previous_keys)
        self._database.credentials = dict(self._credentials)
        self._database.api_tokens = dict(self._api_tokens)
        self._database.audit = list(self._audit)


class EchoTemplateEngine:
    """Renders a template as its name and sorted context keys: enough to see what was asked."""

    def __init__(self) -> None:
        self.rendered: list[tuple[str, Mapping[str, Any]]] = []

    def render(self, template: str, context: Mapping[str, Any]) -> str:
        self.rendered.append((template, context))
        return f"{template}\n"


class FakePhoneDevices:
    """The committed devices as phones find them, counting the lookups."""

    def __init__(self, database: FakeDatabase) -> None:
        self._database = database
        self.lookups = 0

    async def by_key(self, key: str) -> Device | None:
        self.lookups += 1
        return self._database.devices.get(key)

    async def by_mac_and_token(self, mac: str, token: str) -> Device | None:
        self.lookups += 1
        return next((d for d in self._database.devices.values() if d.mac == mac and d.token == token), None)

    async def by_previous_key(self, key: str) -> PreviousKey | None:
        self.lookups += 1
        if key not in self._database.previous_keys:
            return None
        device_key, until = self._database.previous_keys[key]
        return PreviousKey(self._database.devices[device_key], until)


class FakeAddressLocks:
    """Locks a committed device to the first address, as the conditional UPDATE does, and then has
    `changes` (a process's cache) drop the device, as the SQL adapter does."""

    def __init__(self, database: FakeDatabase, changes: DeviceChanges | None = None) -> None:
        self._database = database
        self._changes = changes

    async def lock(self, key: str, address: str) -> str | None:
        device = self._database.devices.get(key)
        if device is None:
            return None
        if device.locked_address is None:
            device = self._database.devices[key] = dataclasses.replace(device, locked_address=address)
        if self._changes is not None:
            self._changes.changed(key)
        return device.locked_address


class FakeRecorder:
    """Writes each fetch's record into the committed devices at once."""

    def __init__(self, database: FakeDatabase) -> None:
        self._database = database

    def record(self, key: str, record: ProvisioningRecord) -> None:
        devices = self._database.devices
        if key in devices:
            devices[key] = dataclasses.replace(devices[key], last_provisioning=record)


class FetchesSeen:
    """A FetchObserver that keeps every fetch it is told about."""

    def __init__(self) -> None:
        self.fetches: list[PhoneFetch] = []

    def fetched(self, fetch: PhoneFetch) -> None:
        self.fetches.append(fetch)


class EventsSeen:
    """A ProvisioningEventLog that keeps every event it is given."""

    def __init__(self) -> None:
        self.events: list[ProvisioningEvent] = []

    def append(self, event: ProvisioningEvent) -> None:
        self.events.append(event)


class NoRenderedFiles:
    """Keeps no file: every answer is rendered afresh."""

    def get(self, device: Device, link: str, filename: str) -> RenderedFile | None:
        return None

    def put(self, device: Device, link: str, filename: str, file: RenderedFile) -> None:
        pass


def provisioning_service(
    database: FakeDatabase,
    engine: TemplateEngine,
    clock: FixedClock,
    *,
    devices: PhoneDevices | None = None,
    files: RenderedFiles | None = None,
    locks: AddressLocks | None = None,
    publish_window_minutes: int | None = None,
    observer: FetchObserver | None = None,
    events: ProvisioningEventLog | None = None,
    unknown_phones: UnknownPhoneRecorder | None = None,
) -> ProvisioningService:
    """The provisioning service over the fake database; `devices` and `files` default to no cache."""
    return ProvisioningService(
        database.unit_of_work,
        engine,
        clock,
        devices=FakePhoneDevices(database) if devices is None else devices,
        files=NoRenderedFiles() if files is None else files,
        recorder=FakeRecorder(database),
        locks=FakeAddressLocks(database) if locks is None else locks,
        publish_window_minutes=publish_window_minutes,
        observer=observer,
        events=events,
        unknown_phones=unknown_phones,
    )
