"""Remembering what a pure function made of client text, for the most recent inputs only."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedMemo(Generic[K, V]):
    """`compute(key)`, remembered for the last `size` distinct keys (the oldest is forgotten first)."""

    def __init__(self, compute: Callable[[K], V], size: int) -> None:
        self._compute = compute
        self._size = size
        self._values: dict[K, V] = {}

    def __call__(self, key: K) -> V:
        try:
            return self._values[key]
        except KeyError:
            pass
        value = self._compute(key)
        if len(self._values) >= self._size:
            del self._values[next(iter(self._values))]
        self._values[key] = value
        return value

    def __len__(self) -> int:
        return len(self._values)
