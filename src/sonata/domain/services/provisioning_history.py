"""A device's recent fetches, page by page, and every device's as they happen: within the caller's scope."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sonata.domain.access import Scope
from sonata.domain.cursors import decode_id_cursor, encode_id_cursor
from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.mac import parse_mac
from sonata.domain.ports import LiveProvisioningEvents, ProvisioningEventStore
from sonata.domain.provisioning_events import ProvisioningEvent
from sonata.domain.services.devices import MAX_PAGE_SIZE

CURSOR_KIND = "event"


@dataclass(frozen=True)
class EventPage:
    events: list[ProvisioningEvent]
    has_next_page: bool


def encode_event_cursor(event: ProvisioningEvent) -> str:
    assert event.id is not None, "only stored events have a cursor"
    return encode_id_cursor(CURSOR_KIND, event.id)


class ProvisioningHistory:
    def __init__(self, store: ProvisioningEventStore, live: LiveProvisioningEvents) -> None:
        self._store = store
        self._live = live

    async def page(self, *, mac: str, first: int, after: str | None, scope: Scope) -> EventPage:
        """Up to `first` events of the device with this MAC, newest first, after the event of the
        cursor `after`; only those of the scope's groups (at the time of each fetch)."""
        errors = []
        if not 0 <= first <= MAX_PAGE_SIZE:
            errors.append(FieldError("first", f"must be from 0 to {MAX_PAGE_SIZE}"))
        normalized = parse_mac(mac)
        if normalized is None:
            errors.append(FieldError("mac", "is not a MAC address"))
        before_id = None
        try:
            before_id = decode_id_cursor(CURSOR_KIND, after) if after is not None else None
        except ValidationFailed as failure:
            errors.extend(failure.errors)
        if errors or normalized is None:
            raise ValidationFailed(errors)
        events = await self._store.page(
            mac=normalized, first=first + 1, before_id=before_id, groups=scope.groups
        )
        return EventPage(events[:first], len(events) > first)

    def follow(
        self, group: str | None, scope: Scope
    ) -> AbstractAsyncContextManager[AsyncIterator[ProvisioningEvent]]:
        """The events of the devices of `group` (None: of every group in the scope) from now on, as
        they are stored. A group outside the scope is refused."""
        if group is None:
            return self._live.follow(scope.groups)
        if not scope.admits(group):
            raise ValidationFailed([FieldError("group", "is not one of the API token's groups")])
        return self._live.follow(frozenset({group}))
