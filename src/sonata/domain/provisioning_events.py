"""A device's history: each fetch of a known device, served or refused, as provisioningEvents shows it.

A fetch that finds no device (an unknown key, token or MAC, a file name too long to read) belongs
to no device's history; its refusal is only logged and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sonata.domain.phone_fetch import RefusalKind


@dataclass(frozen=True, slots=True)
class ProvisioningEvent:
    at: datetime
    mac: str
    group: str | None
    """The device's group (its token) at the fetch: who may see the event."""
    address: str
    user_agent: str | None
    filename: str | None
    """The file served, or the name asked for (None: the bare personal link)."""
    refusal: RefusalKind | None = None
    """None: the file was served."""
    reason: str = ""
    """A refusal's reason in words: names the device by its MAC, a key by its fingerprint at most."""
    id: int | None = None
    """Set once stored: later events have higher ids."""

    @property
    def served(self) -> bool:
        return self.refusal is None
