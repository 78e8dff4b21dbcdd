"""Publishing devices: save, delete, look up, list, import."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sonata.domain.access import ON_THE_SERVER, Actor
from sonata.domain.audit import AuditEntry, Operation
from sonata.domain.documents import document_mac, draft_from_document
from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.mac import parse_mac
from sonata.domain.model import Device
from sonata.domain.patches import DevicePatch, apply_patch
from sonata.domain.ports import Clock, DeviceChanges, DevicePage, SaveConflict, UnitOfWork
from sonata.domain.services.import_batch import ImportBatch, judge, lookup_key, lookups
from sonata.domain.validation import DeviceDraft, generate_key, is_secret

UnitOfWorkFactory = Callable[[], UnitOfWork]

MAX_PAGE_SIZE = 500
IMPORT_BATCH = 500
"""Imported documents judged against one read of the stored devices and saved in one transaction."""
MAX_GRACE_MINUTES = 30 * 24 * 60
"""How long a key rotateDeviceKey replaced may still be served."""


@dataclass(frozen=True)
class SaveResult:
    device: Device | None
    errors: list[FieldError]


def encode_cursor(mac: str) -> str:
    return base64.urlsafe_b64encode(f"mac:{mac}".encode()).decode()


def decode_cursor(cursor: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        text = ""
    mac = parse_mac(text.removeprefix("mac:")) if text.startswith("mac:") else None
    if mac is None:
        raise ValidationFailed([FieldError("after", "is not a cursor this API handed out")])
    return mac


class DeviceService:
    """Devices as `actor` sees and changes them: only those of its scope, every change recorded in the
    audit log in the transaction that makes it. A device outside the scope is missing to it."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        changes: DeviceChanges | None = None,
        actor: Actor = ON_THE_SERVER,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._changes = changes
        self._actor = actor
        self._scope = actor.scope

    def acting_as(self, actor: Actor) -> DeviceService:
        """The same service for another actor."""
        return DeviceService(self._uow_factory, self._clock, self._changes, actor)

    def _entry(self, operation: Operation, before: Device | None, after: Device | None) -> AuditEntry:
        return AuditEntry.of_device(self._clock.now(), operation, self._actor, before, after)

    def _visible(self, device: Device | None) -> Device | None:
        return device if device is not None and self._scope.sees(device) else None

    def _changed(self, key: str) -> None:
        """Tell what keeps devices in memory, once the change is committed."""
        if self._changes is not None:
            self._changes.changed(key)

    async def save(self, draft: DeviceDraft) -> Device:
        """Create or replace a whole device, found by key when given, else by MAC."""
        return await self._save(draft, Operation.SAVE_DEVICE)

    async def _save(self, draft: DeviceDraft, operation: Operation) -> Device:
        async with self._uow_factory() as uow:
            key, mac = lookup_key(draft), parse_mac(draft.mac)
            by_key = await uow.devices.get(key) if key else None
            holder = await uow.devices.get_by_mac(mac) if mac else None
            retired = bool(key and by_key is None and await uow.devices.previous_keys([key]))
            device = judge(draft, by_key, holder, self._clock.now(), retired_key=retired, scope=self._scope)
            await uow.devices.save(device)
            before = next((d for d in (by_key, holder) if d is not None and d.key == device.key), None)
            await uow.audit.record([self._entry(operation, before, device)])
            await uow.commit()
        self._changed(device.key)
        return device

    async def update(self, key: str, patch: DevicePatch) -> Device:
        """Change the fields a patch gives of the device with this key; the others stay."""
        async with self._uow_factory() as uow:
            previous = self._visible(await uow.devices.get(key) if is_secret(key) else None)
            if previous is None:
                raise ValidationFailed([FieldError("key", "no device has this key")])
            draft = apply_patch(previous, patch)
            mac = parse_mac(draft.mac)
            holder = await uow.devices.get_by_mac(mac) if mac else None
            device = judge(draft, previous, holder, self._clock.now(), scope=self._scope)
            await uow.devices.save(device)
            await uow.audit.record([self._entry(Operation.UPDATE_DEVICE, previous, device)])
            await uow.commit()
        self._changed(device.key)
        return device

    async def rotate_key(self, key: str, grace_minutes: int) -> Device:
        """Give the device a new key. The old one serves the phone for `grace_minutes` more, with
        files pointing it at the new key's link; then it is refused like any unknown key.

        Not a save: the publish window and the address lock go on from the last save."""
        errors = []
        if not 0 <= grace_minutes <= MAX_GRACE_MINUTES:
            errors.append(
                FieldError("grace_minutes", f"must be from 0 to {MAX_GRACE_MINUTES} minutes (30 days)")
            )
        async with self._uow_factory() as uow:
            device = self._visible(await uow.devices.get(key) if is_secret(key) else None)
            if device is None:
                errors.append(FieldError("key", "no device has this key"))
            if errors:
                raise ValidationFailed(errors)
            assert device is not None
            rotated = dataclasses.replace(device, key=generate_key())
            until = self._clock.now() + timedelta(minutes=grace_minutes)
            try:
                await uow.devices.rotate_key(key, rotated.key, until)
            except SaveConflict:
                raise ValidationFailed(
                    [FieldError("key", "the device changed meanwhile; try again")]
                ) from None
            await uow.audit.record([self._entry(Operation.ROTATE_DEVICE_KEY, device, rotated)])
            await uow.commit()
        self._changed(key)
        self._changed(rotated.key)
        return rotated

    async def save_reporting(self, draft: DeviceDraft) -> SaveResult:
        return await _reporting(self.save(draft))

    async def update_reporting(self, key: str, patch: DevicePatch) -> SaveResult:
        return await _reporting(self.update(key, patch))

    async def rotate_key_reporting(self, key: str, grace_minutes: int) -> SaveResult:
        return await _reporting(self.rotate_key(key, grace_minutes))

    async def import_documents(
        self,
        documents: list[Any],
        *,
        dry_run: bool = False,
        progress: Callable[[int], None] | None = None,
        document_name: Callable[[int], str] = "document {}".format,
    ) -> list[SaveResult]:
        """Validate and save each document on its own; a bad one does not stop the others.

        A document with the MAC or key of an earlier one of the same call is refused: saving it
        would silently replace the device the earlier one saved (its error names the earlier one by
        `document_name` of its index). The others are saved in batches, each batch in one
        transaction, with the outcome each would have had saved alone; `progress` is told how many
        documents each batch settled. A `dry_run` gives each document the outcome it would have and
        saves none."""
        results: dict[int, SaveResult] = {}
        drafts: list[tuple[int, DeviceDraft]] = []
        first_with: dict[tuple[str, str], int] = {}
        for index, document in enumerate(documents):
            repeated = repeats_in_import(document, index, first_with, document_name)
            if repeated:
                results[index] = SaveResult(None, repeated)
                continue
            try:
                drafts.append((index, draft_from_document(document)))
            except ValidationFailed as failure:
                results[index] = SaveResult(None, failure.errors)
        settled = progress or (lambda count: None)
        settled(len(results))
        # A dry run judges all drafts at once, as one batch; an import saves them batch by batch.
        step = len(drafts) if dry_run else IMPORT_BATCH
        for start in range(0, len(drafts), step):
            batch = drafts[start : start + step]
            judging = self._judge_all if dry_run else self._import_batch
            outcomes = await judging([draft for _, draft in batch])
            results.update(zip([index for index, _ in batch], outcomes, strict=True))
            settled(len(batch))
        return [results[index] for index in range(len(documents))]

    async def _judge_all(self, drafts: list[DeviceDraft]) -> list[SaveResult]:
        """The outcome each draft would have, saved one after another: all judged against one read
        of the stored devices they name (read IMPORT_BATCH drafts at a time)."""
        stored: dict[str, Device] = {}
        retired: set[str] = set()
        async with self._uow_factory() as uow:
            for start in range(0, len(drafts), IMPORT_BATCH):
                keys, macs = lookups(drafts[start : start + IMPORT_BATCH])
                stored.update((d.key, d) for d in await uow.devices.find_all(keys=keys, macs=macs))
                retired |= await uow.devices.previous_keys(keys)
        batch = ImportBatch(stored.values(), retired, self._scope)
        return [_accepting(batch, draft, self._clock.now()) for draft in drafts]

    async def _import_batch(self, drafts: list[DeviceDraft]) -> list[SaveResult]:
        """Judge the drafts against one read and write the good ones in one transaction; where the
        database refuses that (a concurrent save took a MAC), save them one by one instead."""
        keys, macs = lookups(drafts)
        async with self._uow_factory() as uow:
            stored = {device.key: device for device in await uow.devices.find_all(keys=keys, macs=macs)}
            batch = ImportBatch(stored.values(), await uow.devices.previous_keys(keys), self._scope)
            outcomes = [_accepting(batch, draft, self._clock.now()) for draft in drafts]
            saved = [outcome.device for outcome in outcomes if outcome.device is not None]
            try:
                # Replacements first, in document order: a device may take the MAC an earlier one left.
                await uow.devices.replace_all([d for d in saved if d.key in batch.stored_keys])
                await uow.devices.add_all([d for d in saved if d.key not in batch.stored_keys])
                await uow.audit.record(
                    [self._entry(Operation.IMPORT_DEVICES, stored.get(d.key), d) for d in saved]
                )
                await uow.commit()
            except SaveConflict:
                conflict = True
            else:
                conflict = False
        if conflict:
            return [await _reporting(self._save(draft, Operation.IMPORT_DEVICES)) for draft in drafts]
        for device in saved:
            self._changed(device.key)
        return outcomes

    async def delete(self, key: str) -> bool:
        if not is_secret(key):
            return False
        async with self._uow_factory() as uow:
            device = self._visible(await uow.devices.get(key))
            if device is None or not await uow.devices.delete(key):
                return False
            await uow.audit.record([self._entry(Operation.DELETE_DEVICE, device, None)])
            await uow.commit()
        self._changed(key)
        return True

    async def find(self, *, key: str | None = None, mac: str | None = None) -> Device | None:
        async with self._uow_factory() as uow:
            if key is not None:
                device = self._visible(await uow.devices.get(key) if is_secret(key) else None)
                if device is not None and mac is not None and device.mac != parse_mac(mac):
                    return None
                return device
            normalized = parse_mac(mac) if mac is not None else None
            return self._visible(await uow.devices.get_by_mac(normalized) if normalized else None)

    async def find_by_key_or_mac(self, key_or_mac: str) -> Device | None:
        """The device with this key, else the one with this MAC (a MAC is a well-formed key too)."""
        return await self.find(key=key_or_mac) or await self.find(mac=key_or_mac)

    async def every(self, *, vendor: str | None = None, token: str | None = None) -> AsyncIterator[Device]:
        """Every device (of this vendor, of this group) by MAC, read a page at a time."""
        after = None
        while True:
            page = await self.list(vendor=vendor, token=token, first=MAX_PAGE_SIZE, after=after)
            for device in page.devices:
                yield device
            if not page.has_next_page:
                return
            after = encode_cursor(page.devices[-1].mac)

    async def list(
        self, *, vendor: str | None, token: str | None, first: int, after: str | None
    ) -> DevicePage:
        if not 0 <= first <= MAX_PAGE_SIZE:
            raise ValidationFailed([FieldError("first", f"must be from 0 to {MAX_PAGE_SIZE}")])
        after_mac = decode_cursor(after) if after else None
        async with self._uow_factory() as uow:
            return await uow.devices.list(
                vendor=vendor.lower() if vendor else None,
                token=token,
                first=first,
                after_mac=after_mac,
                groups=self._scope.groups,
            )


def repeats_in_import(
    document: Any,
    index: int,
    first_with: dict[tuple[str, str], int],
    document_name: Callable[[int], str] = "document {}".format,
) -> list[FieldError]:
    """Errors for the MAC or key of an earlier document of the same import (`first_with` notes where
    each was first named, and learns this document's), naming it by `document_name` of its index."""
    identity = _identity(document)
    for name, _, value in identity:
        first_with.setdefault((name, value), index)
    return [
        FieldError(name, f"is the same {label} as {document_name(first_with[name, value])} of this import")
        for name, label, value in identity
        if first_with[name, value] != index
    ]


def _identity(document: Any) -> list[tuple[str, str, str]]:
    """What names the device a document saves: its MAC and, where given, its key."""
    identity = []
    if (mac := document_mac(document)) is not None:
        identity.append(("mac", "MAC", mac))
    key = document.get("key") if isinstance(document, Mapping) else None
    if isinstance(key, str) and is_secret(key):
        identity.append(("key", "key", key))
    return identity


def _accepting(batch: ImportBatch, draft: DeviceDraft, now: datetime) -> SaveResult:
    try:
        return SaveResult(batch.accept(draft, now), [])
    except ValidationFailed as failure:
        return SaveResult(None, failure.errors)


async def _reporting(saving: Awaitable[Device]) -> SaveResult:
    try:
        return SaveResult(await saving, [])
    except ValidationFailed as failure:
        return SaveResult(None, failure.errors)
