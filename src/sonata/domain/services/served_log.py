"""The INFO line for each file served, held to a few a second so that a boot storm cannot flood the log."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sonata.domain.logtext import quoted


class ServedLog:
    """Logs at most `lines` files served per `interval` seconds; the next line counts the ones held back."""

    def __init__(
        self,
        log: logging.Logger,
        *,
        lines: int = 20,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = log
        self._lines = lines
        self._interval = interval
        self._clock = clock
        self._window_start = -interval
        self._logged = 0
        self._held_back = 0

    def served(self, filename: str, client_ip: str, device_mac: str, probe: bool) -> None:
        now = self._clock()
        if now - self._window_start >= self._interval:
            self._window_start, self._logged = now, 0
        if self._logged >= self._lines:
            self._held_back += 1
            return
        self._logged += 1
        more = f" ({self._held_back} more answers not logged before this one)" if self._held_back else ""
        self._held_back = 0
        self._log.info(
            "%s %s to %s (device %s)%s",
            "answered a probe for" if probe else "served",
            quoted(filename),
            client_ip,
            device_mac,
            more,
        )
