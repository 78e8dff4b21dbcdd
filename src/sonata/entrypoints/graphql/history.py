"""provisioningEvents: a device's recent fetches page by page, and a subscription to them as they happen."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from sonata.domain import provisioning_events
from sonata.domain.phone_fetch import RefusalKind
from sonata.domain.services.provisioning_history import encode_event_cursor
from sonata.entrypoints.graphql.context import api_context
from sonata.entrypoints.graphql.errors import refused_as_bad_input
from sonata.entrypoints.graphql.types import PageInfo

strawberry.enum(RefusalKind, name="RefusalReason")


@strawberry.enum
class ProvisioningOutcome(Enum):
    SERVED = "served"
    REFUSED = "refused"


@strawberry.type(description="One fetch of a device by a phone, served or refused.")
class ProvisioningEvent:
    at: datetime
    mac: str
    address: str = strawberry.field(description="The client address the request came from.")
    user_agent: str | None
    filename: str | None = strawberry.field(
        description="The file served, or the name asked for; null: the bare personal link."
    )
    outcome: ProvisioningOutcome
    reason: RefusalKind | None = strawberry.field(description="Why it was refused; null when served.")
    message: str | None = strawberry.field(
        description="The refusal in words, as the log says it (keys by fingerprint, never a secret)."
    )

    @classmethod
    def from_domain(cls, event: provisioning_events.ProvisioningEvent) -> ProvisioningEvent:
        return cls(
            at=event.at,
            mac=event.mac,
            address=event.address,
            user_agent=event.user_agent,
            filename=event.filename,
            outcome=ProvisioningOutcome.SERVED if event.served else ProvisioningOutcome.REFUSED,
            reason=event.refusal,
            message=None if event.served else event.reason,
        )


@strawberry.type
class ProvisioningEventConnection:
    nodes: list[ProvisioningEvent]
    page_info: PageInfo


# strawberry's field decorators with arguments are untyped for mypy: hence the ignores below.
@strawberry.type
class HistoryQuery:
    @strawberry.field(  # type: ignore[untyped-decorator]
        description="The recent fetches of the device with this MAC, newest first, kept "
        "SONATA_EVENT_RETENTION_DAYS days; a scoped token sees those made while the device was in "
        "one of its groups."
    )
    async def provisioning_events(
        self, info: Info[Any, None], mac: str, first: int = 50, after: str | None = None
    ) -> ProvisioningEventConnection:
        context = api_context(info)
        with refused_as_bad_input():
            page = await context.history.page(mac=mac, first=first, after=after, scope=context.actor.scope)
        return ProvisioningEventConnection(
            nodes=[ProvisioningEvent.from_domain(event) for event in page.events],
            page_info=PageInfo.of(page.events, page.has_next_page, encode_event_cursor),
        )


@strawberry.type
class Subscription:
    @strawberry.subscription(  # type: ignore[untyped-decorator]
        description="Every fetch of the devices of this group (a device's token; null: of every "
        "group the token sees) from now on, as any Sonata process on the database serves it, a "
        "second or two later. Over WebSocket (graphql-transport-ws), the API token in the "
        'connection_init payload: {"Authorization": "Bearer <token>"}.'
    )
    async def provisioning_events(
        self, info: Info[Any, None], group: str | None = None
    ) -> AsyncGenerator[ProvisioningEvent, None]:
        context = api_context(info)
        with refused_as_bad_input():
            following = context.history.follow(group, context.actor.scope)
        async with following as events:
            async for event in events:
                yield ProvisioningEvent.from_domain(event)
