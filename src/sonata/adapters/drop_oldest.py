"""A bounded queue for what must never make its producer wait: when full, the oldest item goes."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class DropOldestQueue(Generic[T]):
    """At most `limit` items, oldest first; an item put into a full queue pushes the oldest out,
    which is counted until `take_dropped` is called."""

    def __init__(self, limit: int) -> None:
        self._items: deque[T] = deque(maxlen=limit)
        self._dropped = 0

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: T) -> None:
        if len(self._items) == self._items.maxlen:
            self._dropped += 1
        self._items.append(item)

    def take_all(self) -> list[T]:
        items = list(self._items)
        self._items.clear()
        return items

    def put_back(self, items: Iterable[T]) -> None:
        """Return items taken before those queued since: they go in front, and as the oldest they are
        the ones dropped where there is no room for all."""
        newer = list(self._items)
        self._items.clear()
        for item in [*items, *newer]:
            self.put(item)

    def take_dropped(self) -> int:
        """How many items were dropped since the last call."""
        dropped, self._dropped = self._dropped, 0
        return dropped
