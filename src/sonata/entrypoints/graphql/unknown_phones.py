"""unknownPhones: phones that asked on a group's common link for a MAC no device has (editors and admins,
of their groups only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from sonata.domain import unknown_phones
from sonata.domain.services.unknown_phones import unknown_phone_cursor
from sonata.entrypoints.graphql.context import api_context
from sonata.entrypoints.graphql.errors import refused_as_bad_input
from sonata.entrypoints.graphql.types import PageInfo


@strawberry.type
class UnknownPhone:
    mac: str
    group: str = strawberry.field(description="The token of the common link the phone used.")
    vendor: str | None = strawberry.field(
        description="As its User-Agent says, else as its MAC's range does: the vendor to publish it with."
    )
    model: str | None = strawberry.field(description="As its User-Agent says, if it does.")
    firmware: str | None
    address: str = strawberry.field(description="The client address of its last request.")
    first_seen: datetime
    last_seen: datetime

    @classmethod
    def from_domain(cls, phone: unknown_phones.UnknownPhone) -> UnknownPhone:
        return cls(
            mac=phone.mac,
            group=phone.token,
            vendor=phone.vendor,
            model=phone.model,
            firmware=phone.firmware,
            address=phone.address,
            first_seen=phone.first_seen,
            last_seen=phone.last_seen,
        )


@strawberry.type
class UnknownPhoneConnection:
    nodes: list[UnknownPhone]
    total_count: int
    page_info: PageInfo


@strawberry.type
class UnknownPhonesQuery:
    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Phones that asked on a group's common link for a MAC no device has, those first "
        "seen last first: only phones whose User-Agent or MAC range names a vendor, only under a "
        "token some device has, kept SONATA_UNKNOWN_PHONE_DAYS (30) and at most SONATA_UNKNOWN_PHONES "
        "(10,000). A phone leaves the list once a "
        "device has its MAC: publish it with saveDevice or importDevices (vendor, model, mac, and "
        "the group as token). group: only that group's; a token with groups sees only theirs."
    )
    async def unknown_phones(
        self, info: Info[Any, None], group: str | None = None, first: int = 50, after: str | None = None
    ) -> UnknownPhoneConnection:
        context = api_context(info)
        with refused_as_bad_input():
            page = await context.unknown_phones.list(
                group=group, first=first, after=after, scope=context.actor.scope
            )
        return UnknownPhoneConnection(
            nodes=[UnknownPhone.from_domain(phone) for phone in page.phones],
            total_count=page.total_count,
            page_info=PageInfo.of(page.phones, page.has_next_page, unknown_phone_cursor),
        )
