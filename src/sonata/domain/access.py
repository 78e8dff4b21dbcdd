"""Who may do what through the management API: roles, group scopes, and who acts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sonata.domain.model import Device


class Role(Enum):
    """What an API token may do, each role including the ones below it."""

    READER = "reader"
    """Queries that show no secret: no renderConfig, no device key, group token or links."""
    EDITOR = "editor"
    """Devices: read, save, update, rotate keys, delete, import, renderConfig."""
    ADMIN = "admin"
    """Everything: devices, API tokens and the audit log."""

    def includes(self, other: Role) -> bool:
        return _RANKS[self] >= _RANKS[other]


_RANKS = {Role.READER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True)
class Scope:
    """The device groups (a device's `token`) a caller sees and changes; None: every device."""

    groups: frozenset[str] | None = None

    @property
    def every_device(self) -> bool:
        return self.groups is None

    def admits(self, group: str | None) -> bool:
        """Whether a device of this group is within the scope (a device without a group is only
        within the scope of every device)."""
        return self.groups is None or group in self.groups

    def sees(self, device: Device) -> bool:
        return self.admits(device.token)


EVERY_DEVICE = Scope()


@dataclass(frozen=True)
class ApiToken:
    """A management API token as stored: never the token itself."""

    name: str
    role: Role
    scope: Scope
    created_at: datetime | None = None
    """None for the token SONATA_API_TOKEN configures, which is not stored."""


@dataclass(frozen=True)
class Actor:
    """Who makes a change, as the audit log records it, and which devices it may change."""

    token_name: str | None
    """The API token's name; None for the server's command line."""
    address: str | None
    scope: Scope = EVERY_DEVICE

    @classmethod
    def of(cls, token: ApiToken, address: str | None) -> Actor:
        return cls(token.name, address or None, token.scope)


ON_THE_SERVER = Actor(None, None)
"""Whoever runs Sonata's command line on the server: every device, recorded without a token."""
