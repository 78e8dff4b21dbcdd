"""Validating a batch of imported drafts against one read of the stored devices.

Each draft is judged exactly as `DeviceService.save` would judge it, were the drafts saved one
after another: the view is updated with every device accepted, so a later draft sees it."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from sonata.domain.access import EVERY_DEVICE, Scope
from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.mac import parse_mac
from sonata.domain.model import Device
from sonata.domain.validation import DeviceDraft, is_secret, validate_device


def lookup_key(draft: DeviceDraft) -> str | None:
    """The key a draft is looked up by: only a well-formed one names a stored device."""
    return draft.key if draft.key and is_secret(draft.key) else None


def lookups(drafts: Sequence[DeviceDraft]) -> tuple[set[str], set[str]]:
    """The keys and MACs whose stored devices the drafts are judged against."""
    keys = {key for draft in drafts if (key := lookup_key(draft))}
    macs = {mac for draft in drafts if (mac := parse_mac(draft.mac))}
    return keys, macs


def judge(
    draft: DeviceDraft,
    by_key: Device | None,
    holder: Device | None,
    now: datetime,
    *,
    retired_key: bool = False,
    scope: Scope = EVERY_DEVICE,
) -> Device:
    """The device a save of `draft` stores, or ValidationFailed. `by_key` is the stored device with
    the draft's key, `holder` the one with its MAC: a draft without a key replaces the holder, and
    no device may take a MAC another one holds. A `retired_key` (one a rotation took from a device)
    names no new device: its phone may still be fetching on it.

    Within a `scope`, a device outside it is never replaced (keys and MACs are unique across every
    group, so its key or MAC is refused as another device's) and the saved device's group must be
    one of the scope's."""
    if retired_key and by_key is None:
        raise ValidationFailed(
            [FieldError("key", "was taken from another device by rotateDeviceKey; choose another key")]
        )
    if by_key is not None and not scope.sees(by_key):
        raise ValidationFailed([FieldError("key", "belongs to another device")])
    previous = by_key if by_key is not None or draft.key else holder
    if previous is not None and not scope.sees(previous):
        raise ValidationFailed([FieldError("mac", "belongs to another device")])
    try:
        device = validate_device(draft, previous, now)
    except ValidationFailed as failure:
        checked = any(error.field == "token" for error in failure.errors)
        raise ValidationFailed(
            failure.errors + ([] if checked else _out_of_scope(draft.token, scope))
        ) from None
    if holder is not None and holder.key != device.key:
        raise ValidationFailed([FieldError("mac", "belongs to another device")])
    if errors := _out_of_scope(device.token, scope):
        raise ValidationFailed(errors)
    return device


def _out_of_scope(group: str | None, scope: Scope) -> list[FieldError]:
    if scope.admits(group):
        return []
    return [FieldError("token", "must be one of the groups this API token may change")]


class ImportBatch:
    """The stored devices a batch's drafts name, as they stand after each accepted draft."""

    def __init__(
        self, stored: Iterable[Device], retired_keys: Collection[str] = (), scope: Scope = EVERY_DEVICE
    ) -> None:
        """`retired_keys`: keys rotations took from devices, which no new device may take; `scope`:
        the groups the drafts may save devices of."""
        self._retired_keys = frozenset(retired_keys)
        self._scope = scope
        self._by_key = {device.key: device for device in stored}
        self._by_mac = {device.mac: device for device in self._by_key.values()}
        self.stored_keys = frozenset(self._by_key)
        """The keys of the devices the database held when the batch was read."""

    def accept(self, draft: DeviceDraft, now: datetime) -> Device:
        """The device the draft saves (found by key when given, else by MAC), or ValidationFailed."""
        key = lookup_key(draft)
        mac = parse_mac(draft.mac)
        device = judge(
            draft,
            self._by_key.get(key) if key else None,
            self._by_mac.get(mac) if mac else None,
            now,
            retired_key=key in self._retired_keys,
            scope=self._scope,
        )
        replaced = self._by_key.get(device.key)
        if replaced is not None:
            del self._by_mac[replaced.mac]
        self._by_key[device.key] = device
        self._by_mac[device.mac] = device
        return device
