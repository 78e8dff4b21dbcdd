"""What every resolver of one management API request gets: the services, acting for its caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from strawberry.types import Info

from sonata.domain.access import Actor, ApiToken
from sonata.domain.services.api_token import ApiTokenService
from sonata.domain.services.audit_log import AuditLogService
from sonata.domain.services.devices import DeviceService
from sonata.domain.services.provisioning import ProvisioningService
from sonata.domain.services.provisioning_history import ProvisioningHistory
from sonata.domain.services.unknown_phones import UnknownPhoneService


@dataclass
class ApiContext:
    caller: ApiToken
    """The API token of the request (entrypoints/graphql/permissions.py decides what it may ask)."""
    actor: Actor
    devices: DeviceService
    """Acting as `actor`: only the devices of its scope, its changes recorded in the audit log."""
    provisioning: ProvisioningService
    tokens: ApiTokenService
    audit: AuditLogService
    history: ProvisioningHistory
    unknown_phones: UnknownPhoneService
    link_base: str


def api_context(info: Info[Any, None]) -> ApiContext:
    context: ApiContext = info.context
    return context
