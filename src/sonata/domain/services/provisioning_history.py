"""A device's recent fetches, page by page, and every device's as they happen: within the caller's scope."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sonata.domain.access import Scope
from sonata.domain.cursors import encode_id_cursor
from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.mac import parse_mac
from sonata.domain.ports import LiveProvisioningEvents, ProvisioningEventStore
from sonata.domain.provisioning_events import ProvisioningEvent
from sonata.domain.services.paging import cut_page, page_start

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
        normalized = parse_mac(mac)
        wrong_mac = [FieldError("mac", "is not a MAC address")] if normalized is None else []
        before_id = page_start(CURSOR_KIND, first, after, *wrong_mac)
        assert normalized is not None, "page_start named the MAC"
        events = await self._store.page(
            mac=normalized, first=first + 1, before_id=before_id, groups=scope.groups
        )
        return EventPage(*cut_page(events, first))

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
