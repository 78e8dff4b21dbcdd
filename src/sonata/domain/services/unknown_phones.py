"""unknownPhones: the phones that asked on a group's common link for a MAC no device has."""

from __future__ import annotations

from collections.abc import Collection

from sonata.domain.access import EVERY_DEVICE, Scope
from sonata.domain.cursors import decode_id_cursor, encode_id_cursor
from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.ports import UnknownPhoneLog
from sonata.domain.services.devices import MAX_PAGE_SIZE
from sonata.domain.unknown_phones import UnknownPhone, UnknownPhonePage

CURSOR_KIND = "unknown-phone"


def unknown_phone_cursor(phone: UnknownPhone) -> str:
    assert phone.id is not None, "only a stored phone has a cursor"
    return encode_id_cursor(CURSOR_KIND, phone.id)


class UnknownPhoneService:
    def __init__(self, phones: UnknownPhoneLog) -> None:
        self._phones = phones

    async def list(
        self, *, group: str | None, first: int, after: str | None, scope: Scope = EVERY_DEVICE
    ) -> UnknownPhonePage:
        """The phones of `group` (None: of every group the scope admits), those first seen last
        first. A group outside the scope has none, as a group no device has."""
        if not 0 <= first <= MAX_PAGE_SIZE:
            raise ValidationFailed([FieldError("first", f"must be from 0 to {MAX_PAGE_SIZE}")])
        after_id = decode_id_cursor(CURSOR_KIND, after) if after else None
        groups: Collection[str] | None
        if group is None:
            groups = scope.groups
        else:
            groups = {group} if scope.groups is None else {group} & scope.groups
        return await self._phones.page(groups=groups, first=first, after_id=after_id)
