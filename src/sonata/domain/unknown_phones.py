"""Phones that asked on a group's common link for a MAC no device has: remembered, so that an
administrator sees them (unknownPhones, `sonata devices unknown`) and publishes them.

Only a phone that says who it is (a User-Agent a vendor recognises, or a MAC of a vendor's range)
is remembered, and only where some device has the token; the phone still gets the uniform 404.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_UNKNOWN_PHONES = 10_000
"""Phones remembered at most: past it, those seen longest ago are forgotten."""
UNKNOWN_PHONE_DAYS = 30
"""A phone not seen for this many days is forgotten."""
MAX_READ_TEXT = 64
"""Vendor, model and firmware as a User-Agent gives them, cut to this many characters."""


@dataclass(frozen=True, slots=True)
class UnknownPhone:
    token: str
    """The group whose common link the phone used."""
    mac: str
    vendor: str | None
    """As the User-Agent says, else as the MAC's range does."""
    model: str | None
    firmware: str | None
    address: str
    """The client address of its last request."""
    first_seen: datetime
    last_seen: datetime
    id: int | None = None
    """Set once stored: a phone first seen later has a higher id."""

    def seen_again(self, later: UnknownPhone) -> UnknownPhone:
        """This phone as a later request shows it: its address and time; what that request did not
        say about the phone (no User-Agent) is kept."""
        return dataclasses.replace(
            later,
            vendor=later.vendor or self.vendor,
            model=later.model or self.model,
            firmware=later.firmware or self.firmware,
            first_seen=min(self.first_seen, later.first_seen),
            last_seen=max(self.last_seen, later.last_seen),
            id=self.id,
        )

    def document(self) -> dict[str, Any]:
        """The start of the device document that publishes this phone: what it is and its group
        (vendor and model as the vendor's catalogue names them, where the phone said)."""
        known = {"vendor": self.vendor, "model": self.model}
        return {**{k: v for k, v in known.items() if v}, "mac": self.mac, "token": self.token}


def cut(text: str | None) -> str | None:
    return text[:MAX_READ_TEXT] if text else None


@dataclass(frozen=True)
class UnknownPhonePage:
    phones: list[UnknownPhone]
    total_count: int
    has_next_page: bool
