"""What the audit log records of a change: who, from where, which device, what, and which fields.

Fields are recorded by name only, never with a value: a changed SIP password is the line
`accounts.0.sip_password` and nothing more.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sonata.domain.access import Actor
from sonata.domain.model import Device, HostPort


class Operation(Enum):
    SAVE_DEVICE = "save_device"
    UPDATE_DEVICE = "update_device"
    ROTATE_DEVICE_KEY = "rotate_device_key"
    DELETE_DEVICE = "delete_device"
    IMPORT_DEVICES = "import_devices"
    CREATE_API_TOKEN = "create_api_token"
    REVOKE_API_TOKEN = "revoke_api_token"


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    operation: Operation
    token_name: str | None
    """The API token's name; None for the server's command line."""
    address: str | None
    mac: str | None = None
    group: str | None = None
    """The device's group (its token) after the change; before it, for a deletion."""
    api_token: str | None = None
    """The name of the API token created or revoked."""
    changed: tuple[str, ...] = ()
    id: int | None = None
    """Set once stored: later entries have higher ids."""

    @classmethod
    def of_device(
        cls,
        at: datetime,
        operation: Operation,
        actor: Actor,
        before: Device | None,
        after: Device | None,
    ) -> AuditEntry:
        """A device saved (`before` None when created) or deleted (`after` None)."""
        device = after or before
        assert device is not None
        return cls(
            at=at,
            operation=operation,
            token_name=actor.token_name,
            address=actor.address,
            mac=device.mac,
            group=device.token,
            changed=changed_fields(before, after) if after is not None else (),
        )


_NOT_CHANGES = frozenset({"created_at", "updated_at", "last_provisioning", "locked_address"})
"""Device fields no save sets: Sonata keeps them."""
_NOTHING = Device(key="", vendor="", model="", mac="")
_PRESENT = object()
"""Marks where an account, line key or contact sits, so one that comes or goes is named once."""


def changed_fields(before: Device | None, after: Device) -> tuple[str, ...]:
    """The paths (as field errors name them: `accounts.0.sip_password`, `vendor_params.P30`) whose
    values differ; a new device differs from one with nothing set."""
    old, new = _flatten(before or _NOTHING), _flatten(after)
    differing = [path for path in {**new, **old} if old.get(path) != new.get(path)]
    whole = {path for path in differing if new.get(path) is _PRESENT or old.get(path) is _PRESENT}
    return tuple(path for path in differing if not _inside(path, whole))


def _inside(path: str, wholes: set[str]) -> bool:
    """Whether `path` lies below one of `wholes` (each of its prefixes looked up: linear in its depth,
    not in how many items came or went)."""
    parts = path.split(".")
    return any(".".join(parts[:end]) in wholes for end in range(1, len(parts)))


def _flatten(device: Device) -> dict[str, Any]:
    leaves: dict[str, Any] = {}
    for field in dataclasses.fields(device):
        if field.name not in _NOT_CHANGES:
            _add(leaves, field.name, getattr(device, field.name))
    return leaves


def _add(leaves: dict[str, Any], path: str, value: Any) -> None:
    if path == "vendor_params":
        leaves.update({f"{path}.{name}": setting for name, setting in value})
    elif dataclasses.is_dataclass(value) and not isinstance(value, HostPort):
        for field in dataclasses.fields(value):
            _add(leaves, f"{path}.{field.name}", getattr(value, field.name))
    elif isinstance(value, tuple) and (not value or dataclasses.is_dataclass(value[0])):
        for index, item in enumerate(value):
            leaves[f"{path}.{index}"] = _PRESENT
            _add(leaves, f"{path}.{index}", item)
    else:
        leaves[path] = value
