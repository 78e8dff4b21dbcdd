"""The log line of each phone fetch: what was asked, by whom, what it came to and how long it took.

Files served are logged at INFO, at most a few a second so that a boot storm cannot flood the log
(the next line counts those held back); refusals at WARNING, quiet ones at DEBUG. Each line also
carries its facts as fields (the `fetch` attribute of the record), which the JSON log format writes
as keys: never a key, a token or a password.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from sonata.domain.logtext import MAX_QUOTED, quoted
from sonata.domain.phone_fetch import FetchOutcome, PhoneFetch

DEFAULT_SERVED_LINES = 20
"""Files served logged per second, at most."""


class FetchLog:
    """Logs at most `lines` files served per `interval` seconds, and every refusal."""

    def __init__(
        self,
        log: logging.Logger,
        *,
        lines: int = DEFAULT_SERVED_LINES,
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

    def fetched(self, fetch: PhoneFetch) -> None:
        if fetch.outcome is FetchOutcome.SERVED:
            self._served(fetch)
        elif fetch.outcome is FetchOutcome.REFUSED:
            self._refused(fetch)

    def _served(self, fetch: PhoneFetch) -> None:
        if not self._log.isEnabledFor(logging.INFO):
            return
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
            "%s %s to %s (device %s, %s %s) in %.2f ms%s",
            "answered a probe for" if fetch.probe else "served",
            quoted(fetch.filename),
            fetch.address,
            fetch.device_mac,
            fetch.vendor,
            fetch.model,
            fetch.seconds * 1000,
            more,
            extra={"fetch": fields(fetch)},
        )

    def _refused(self, fetch: PhoneFetch) -> None:
        level = logging.DEBUG if fetch.quiet else logging.WARNING
        if not self._log.isEnabledFor(level):
            return
        self._log.log(
            level,
            "refused %s link request for %s from %s (User-Agent %s): %s (%s, %.2f ms)",
            fetch.link.value,
            quoted(fetch.filename),
            fetch.address,
            quoted(fetch.user_agent),
            fetch.reason,
            fetch.refusal,
            fetch.seconds * 1000,
            extra={"fetch": fields(fetch)},
        )


def fields(fetch: PhoneFetch) -> dict[str, Any]:
    """The fetch as the keys of a JSON log line."""
    return {
        "address": fetch.address,
        "link": fetch.link.value,
        "vendor": fetch.vendor,
        "model": fetch.model,
        "file": fetch.filename[:MAX_QUOTED] if fetch.filename else fetch.filename,
        "device": fetch.device_mac,
        "outcome": fetch.outcome.value,
        "reason": fetch.refusal.value if fetch.refusal else None,
        "probe": fetch.probe,
        "duration_ms": round(fetch.seconds * 1000, 3),
    }
