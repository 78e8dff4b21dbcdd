"""The failure budget: how many counted refusals a client address may cause within a window before
every phone request from it is refused for a cool-down.

Failures are counted per address in slots of a tenth of the window, on the wall clock, so that the
counts of several processes add up slot by slot: each process counts its own, and a sharer
(adapters/sql/failure_sharing.py) adds them to the database's sums, brings those sums back, and
carries the blocks one process decides to the others. This module only counts; it does no I/O.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

SLOTS_PER_WINDOW = 10
MAX_ADDRESSES = 10_000
"""Addresses whose failures a process keeps in memory (a few hundred bytes each), the one that failed
longest ago forgotten first. A forgotten address loses only what it had not shared yet: the
database keeps its sums, and it learns them again at its next failure."""
MAX_BLOCKED = 100_000
"""Blocked addresses a process keeps (about 100 bytes each); the oldest block goes first."""

Slots = dict[int, int]
"""Failures by slot: the slot's number (seconds since the epoch over a tenth of the window) -> count."""


@dataclass(frozen=True)
class Block:
    at: float
    until: float
    failures: int
    """Failures counted in the window when it was decided."""


@dataclass
class _Counts:
    """One address's failures: the sums the database gave last (every process's, this one's
    included), what this process is sending now, and what it counted since."""

    shared: Slots = field(default_factory=dict)
    sending: Slots = field(default_factory=dict)
    unsent: Slots = field(default_factory=dict)


class FailureBudget:
    """`budget` failures within `window` seconds block an address for `block` seconds.

    A failure counts for at least `window` seconds and at most a tenth more. A failure after the
    cool-down blocks again while the window still holds `budget` failures. The one sharer calls
    `take_unsent` and then `learn` or `put_back`, one batch at a time.
    """

    def __init__(
        self,
        budget: int,
        window: float,
        block: float,
        *,
        clock: Callable[[], float] = time.time,
        max_addresses: int = MAX_ADDRESSES,
        max_blocked: int = MAX_BLOCKED,
    ) -> None:
        self.budget = budget
        self.window = window
        self.block = block
        self.now = clock
        self._step = window / SLOTS_PER_WINDOW
        self._max_addresses = max_addresses
        self._max_blocked = max_blocked
        self._counts: dict[str, _Counts] = {}  # least recently failed first
        self._unsent: set[str] = set()
        self._blocked: dict[str, float] = {}  # address -> end of its block
        self._new_blocks: dict[str, Block] = {}

    def blocked(self, address: str) -> bool:
        """The check on every phone request: one dictionary lookup unless the address is blocked."""
        until = self._blocked.get(address)
        return until is not None and self.now() < until

    def failed(self, address: str) -> None:
        """A refusal that counts; it blocks the address when it spends the budget."""
        now = self.now()
        counts = self._counts.pop(address, None) or _Counts()
        self._counts[address] = counts
        if len(self._counts) > self._max_addresses:
            forgotten = next(iter(self._counts))
            del self._counts[forgotten]
            self._unsent.discard(forgotten)
        slot = self.slot(now)
        counts.unsent[slot] = counts.unsent.get(slot, 0) + 1
        self._unsent.add(address)
        self._check(address, counts, now)

    def count(self, address: str) -> int:
        """The failures of `address` within the window, as far as this process knows."""
        counts = self._counts.get(address)
        return self._count(counts, self.now()) if counts else 0

    def tracked(self) -> int:
        """How many addresses have failures in memory."""
        return len(self._counts)

    def slot(self, moment: float) -> int:
        return int(moment // self._step)

    def oldest_slot(self) -> int:
        """The oldest slot that still counts: earlier ones hold only failures over a window ago."""
        return self.slot(self.now()) - SLOTS_PER_WINDOW

    # --- what the sharer exchanges with the other processes ---------------------------------

    def take_unsent(self) -> dict[str, Slots]:
        """The failures counted since the last call, by address; they count here until `learn`
        brings back sums that hold them, or `put_back` returns them."""
        batch: dict[str, Slots] = {}
        for address in self._unsent:
            counts = self._counts[address]
            batch[address] = counts.sending = counts.unsent
            counts.unsent = {}
        self._unsent.clear()
        return batch

    def learn(self, sent: Mapping[str, Slots], sums: Iterable[tuple[str, int, int]]) -> None:
        """The database's sums (address, slot, failures) once `sent` is added to them; sums only
        grow, so an older one changes nothing."""
        for address, slot, failures in sums:
            counts = self._counts.get(address)
            if counts is not None and failures > counts.shared.get(slot, 0):
                counts.shared[slot] = failures
        now = self.now()
        for address in sent:
            if counts := self._counts.get(address):
                counts.sending = {}
                self._check(address, counts, now)

    def put_back(self, sent: Mapping[str, Slots]) -> None:
        """`sent` did not reach the database: it is sent again with the next batch."""
        for address in sent:
            if counts := self._counts.get(address):
                for slot, failures in counts.sending.items():
                    counts.unsent[slot] = counts.unsent.get(slot, 0) + failures
                counts.sending = {}
                self._unsent.add(address)

    def take_new_blocks(self) -> dict[str, Block]:
        """The blocks decided here since the last call, for the other processes to adopt."""
        blocks, self._new_blocks = self._new_blocks, {}
        return blocks

    def put_back_blocks(self, blocks: Mapping[str, Block]) -> None:
        for address, block in blocks.items():
            self._new_blocks.setdefault(address, block)

    def adopt(self, address: str, until: float) -> None:
        """A block another process decided (or this one, read back)."""
        self._set_block(address, max(until, self._blocked.get(address, until)))

    def take_ended(self) -> list[str]:
        """The blocks that ended since the last call; each is forgotten here."""
        now = self.now()
        ended = [address for address, until in self._blocked.items() if until <= now]
        for address in ended:
            del self._blocked[address]
        return ended

    def forget_idle(self) -> None:
        """Drop the slots past the window, and the addresses left with none."""
        oldest = self.oldest_slot()
        for address in list(self._counts):
            counts = self._counts[address]
            for slots in (counts.shared, counts.sending, counts.unsent):
                for slot in [slot for slot in slots if slot < oldest]:
                    del slots[slot]
            if not (counts.shared or counts.sending or counts.unsent):
                del self._counts[address]
                self._unsent.discard(address)

    def _count(self, counts: _Counts, now: float) -> int:
        oldest = self.slot(now) - SLOTS_PER_WINDOW
        return sum(
            failures
            for slots in (counts.shared, counts.sending, counts.unsent)
            for slot, failures in slots.items()
            if slot >= oldest
        )

    def _check(self, address: str, counts: _Counts, now: float) -> None:
        if self._blocked.get(address, now) > now:
            return
        failures = self._count(counts, now)
        if failures >= self.budget:
            block = Block(now, now + self.block, failures)
            self._set_block(address, block.until)
            self._new_blocks[address] = block

    def _set_block(self, address: str, until: float) -> None:
        self._blocked.pop(address, None)
        self._blocked[address] = until
        if len(self._blocked) > self._max_blocked:
            del self._blocked[next(iter(self._blocked))]
