"""Refused management logins, logged at WARNING without letting a client flood the log."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sonata.entrypoints.clients import MAX_CLIENT_ADDRESS


class FailedLogins:
    """At most one line per client address every `interval` seconds; the next line counts the rest.

    Remembers at most `max_addresses` addresses, forgetting the one heard from longest ago first,
    so requests from ever new addresses cannot grow memory.
    """

    def __init__(
        self,
        log: logging.Logger,
        *,
        interval: float = 10.0,
        max_addresses: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = log
        self._interval = interval
        self._max_addresses = max_addresses
        self._clock = clock
        self._recent: dict[str, tuple[float, int]] = {}  # address -> (last logged at, refusals not logged)

    def __len__(self) -> int:
        """How many addresses are remembered."""
        return len(self._recent)

    def refused(self, address: str, reason: str) -> None:
        """`reason` says what was wrong, never what token was presented."""
        address = address[:MAX_CLIENT_ADDRESS]
        now = self._clock()
        logged_at, held_back = self._recent.pop(address, (None, 0))
        if logged_at is not None and now - logged_at < self._interval:
            self._recent[address] = (logged_at, held_back + 1)
            return
        while len(self._recent) >= self._max_addresses:
            del self._recent[next(iter(self._recent))]
        self._recent[address] = (now, 0)
        more = f" ({held_back} more from this address since the last line)" if held_back else ""
        self._log.warning("refused a management API request from %s: %s%s", address, reason, more)
