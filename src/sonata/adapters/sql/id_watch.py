"""Reading an append-only table in the order of its ids, across processes that write it at once.

On PostgreSQL ids are drawn before commit, so a row may appear after a higher one: an id skipped
is watched as a gap until it shows up or `patience` seconds pass (a rolled-back write never fills
its gap). SQLite has one writer at a time, so its gaps are only rolled-back writes.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_GAPS = 10_000


class IdWatch:
    """The last id a reader saw, and the lower ids it has not seen yet that may still come."""

    def __init__(self, patience: float, max_gaps: int = MAX_GAPS) -> None:
        self.last: int | None = None
        """None until the reader says where it starts."""
        self._patience = patience
        self._max_gaps = max_gaps
        self._gaps: dict[int, float] = {}  # id not seen yet -> when it was first missed

    @property
    def gaps(self) -> list[int]:
        return list(self._gaps)

    def seen(self, ids: Iterable[int], now: float) -> bool:
        """Take the ids of the rows just read, in ascending order (`last` set). False when ids were
        skipped beyond what can be watched: rows may have been missed."""
        assert self.last is not None, "start the watch first"
        complete = True
        for row_id in ids:
            if row_id in self._gaps:
                del self._gaps[row_id]
            elif row_id > self.last:
                if row_id - self.last - 1 > self._max_gaps:
                    complete = False  # a jump no write in flight explains
                else:
                    self._gaps.update(dict.fromkeys(range(self.last + 1, row_id), now))
                self.last = row_id
        for row_id in [row_id for row_id, missed in self._gaps.items() if now - missed > self._patience]:
            del self._gaps[row_id]
        if len(self._gaps) > self._max_gaps:
            # More writes in flight than can be watched: forget the oldest.
            for row_id in list(self._gaps)[: len(self._gaps) - self._max_gaps]:
                del self._gaps[row_id]
            complete = False
        return complete
