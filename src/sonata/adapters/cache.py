"""Devices phones asked for, and the files rendered for them, kept in memory within a byte budget."""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from sonata.adapters.metrics import Metrics
from sonata.domain.model import Device
from sonata.domain.ports import PhoneDevices, PreviousKey
from sonata.domain.vendors.base import RenderedFile

PRELOAD_PAUSE = 0.02
"""Seconds the preload waits before its next chunk while phones wait for lookups: each chunk holds
the event loop while it is made into devices, and a phone's lookup needs the loop several times."""
MAX_FILES_PER_DEVICE = 16
"""A phone fetches two to four files; more variants of one (links through other host names) are
not worth keeping: the oldest goes."""


def device_bytes(device: Device) -> int:
    """What a device costs in memory, about, as measured (RSS) for devices of a few sizes."""
    return (
        1300
        + 500 * len(device.accounts)
        + 250 * len(device.line_keys)
        + sum(350 + 50 * len(contact.numbers) for contact in device.phonebook)
        + 200 * len(device.remote_phonebooks)
        + sum(120 + len(key) + len(value) for key, value in device.vendor_params)
    )


def file_bytes(link: str, filename: str, file: RenderedFile) -> int:
    """The body, the key it is kept under and the objects around it, as measured (RSS)."""
    return 500 + len(link) + len(filename) + len(file.body)


@dataclass(eq=False)
class _Entry:
    device: Device
    size: int
    files: dict[tuple[str, str], RenderedFile] = field(default_factory=dict)


class DeviceCache:
    """A read-through cache of `source` for phones: devices by key and by (MAC, token), and for each
    the files rendered from that very version, evicted least recently used first once the entries
    pass `max_bytes`.

    What it holds is only as fresh as the changes it is told about: `changed` and `forget` drop
    devices at once, and memory is used only until the monotonic time `hold_until` last set (the
    change follower moves it on after each poll). Before and past it, lookups read through and
    nothing new is kept; what is held waits for the follower, whose next poll names every change
    since its last. A lookup that raced a change is returned but not kept.
    """

    def __init__(
        self,
        source: PhoneDevices,
        max_bytes: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        metrics: Metrics | None = None,
    ) -> None:
        """`metrics` counts the lookups found in memory and the others."""
        self._source = source
        self._metrics = metrics
        self._max_bytes = max_bytes
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._keys_by_mac_and_token: dict[tuple[str, str], str] = {}
        self._bytes = 0
        self._changes = 0
        """Counts the drops, so that a lookup can tell whether one happened while it read."""
        self._held_until = -math.inf  # nothing is served from memory until a follower vouches for it
        self._reading_through = 0
        """Lookups of phones waiting for the source: the preload gives way to them."""

    @property
    def size(self) -> int:
        """The bytes accounted for the devices and files held."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    async def by_key(self, key: str) -> Device | None:
        entry = self._entries.get(key) if self._usable() else None
        if self._metrics is not None:
            self._metrics.device_lookup(hit=entry is not None)
        if entry is None:
            return await self._read_through(self._source.by_key(key))
        self._entries.move_to_end(key)
        return entry.device

    async def by_mac_and_token(self, mac: str, token: str) -> Device | None:
        key = self._keys_by_mac_and_token.get((mac, token)) if self._usable() else None
        if self._metrics is not None:
            self._metrics.device_lookup(hit=key is not None)
        if key is None:
            return await self._read_through(self._source.by_mac_and_token(mac, token))
        self._entries.move_to_end(key)
        return self._entries[key].device

    async def by_previous_key(self, key: str) -> PreviousKey | None:
        """Read from the source each time: a phone asks on a previous key only until the config it
        gets there moves it to the new key, and the grace is decided per request anyway."""
        return await self._source.by_previous_key(key)

    def get(self, device: Device, link: str, filename: str) -> RenderedFile | None:
        entry = self._entries.get(device.key)
        if entry is None or entry.device is not device:
            return None
        return entry.files.get((link, filename))

    def put(self, device: Device, link: str, filename: str, file: RenderedFile) -> None:
        entry = self._entries.get(device.key)
        if entry is None or entry.device is not device:
            return  # rendered from a version no longer (or never) held
        if len(entry.files) >= MAX_FILES_PER_DEVICE:
            oldest = next(iter(entry.files))
            self._grow(entry, -file_bytes(*oldest, entry.files.pop(oldest)))
        entry.files[link, filename] = file
        self._grow(entry, file_bytes(link, filename, file))
        self._evict()

    async def preload(self, chunks: AsyncIterator[list[Device]]) -> int:
        """Hold the devices `chunks` reads before phones ask for them, as long as they fit; returns
        how many were added. They count as used longest ago, after anything phones asked for.

        A chunk read while a change was dropped is skipped, as a racing lookup is; so is the rest
        when memory is not vouched for."""
        added = 0
        changes = self._changes
        async for chunk in chunks:
            if self._reading_through:  # phones waiting for a lookup come first
                await asyncio.sleep(PRELOAD_PAUSE)
            if not self._usable():
                break
            if changes == self._changes:
                for device in chunk:
                    size = device_bytes(device)
                    if self._bytes + size > self._max_bytes:
                        return added
                    if device.key not in self._entries:
                        self._hold(device, size)
                        self._entries.move_to_end(device.key, last=False)
                        added += 1
            changes = self._changes
        return added

    def changed(self, key: str) -> None:
        self.forget([key])

    def forget(self, keys: list[str]) -> None:
        """Drop these devices and their files."""
        self._changes += 1
        for key in keys:
            entry = self._entries.pop(key, None)
            if entry is not None:
                self._drop(key, entry)

    def clear(self) -> None:
        self._changes += 1
        self._entries.clear()
        self._keys_by_mac_and_token.clear()
        self._bytes = 0

    def hold_until(self, deadline: float) -> None:
        """Serve from memory until this monotonic time; the change follower moves it on."""
        self._held_until = deadline

    def _usable(self) -> bool:
        return self._clock() <= self._held_until

    async def _read_through(self, lookup: Awaitable[Device | None]) -> Device | None:
        changes = self._changes
        self._reading_through += 1
        try:
            device = await lookup
        finally:
            self._reading_through -= 1
        if device is None or changes != self._changes or not self._usable():
            return device
        held = self._entries.get(device.key)
        if held is not None:
            return held.device  # a lookup racing this one kept the same version first
        self._hold(device, device_bytes(device))
        self._evict()
        return device

    def _hold(self, device: Device, size: int) -> None:
        self._entries[device.key] = _Entry(device, size)
        self._bytes += size
        if device.token is not None:
            self._keys_by_mac_and_token[device.mac, device.token] = device.key

    def _grow(self, entry: _Entry, size: int) -> None:
        entry.size += size
        self._bytes += size

    def _evict(self) -> None:
        while self._bytes > self._max_bytes and self._entries:
            key, entry = self._entries.popitem(last=False)
            self._drop(key, entry)

    def _drop(self, key: str, entry: _Entry) -> None:
        self._bytes -= entry.size
        device = entry.device
        if device.token is not None and self._keys_by_mac_and_token.get((device.mac, device.token)) == key:
            del self._keys_by_mac_and_token[device.mac, device.token]
