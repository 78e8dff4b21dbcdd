"""unknownPhones as a scope sees it: only its groups, a page at a time."""

from collections.abc import Collection

import pytest

from sonata.domain.access import Scope
from sonata.domain.cursors import encode_id_cursor
from sonata.domain.errors import ValidationFailed
from sonata.domain.services.unknown_phones import CURSOR_KIND, UnknownPhoneService
from sonata.domain.unknown_phones import UnknownPhonePage


class AskedLog:
    def __init__(self) -> None:
        self.asked: list[tuple[Collection[str] | None, int, int | None]] = []

    async def page(
        self, *, groups: Collection[str] | None, first: int, after_id: int | None
    ) -> UnknownPhonePage:
        self.asked.append((groups, first, after_id))
        return UnknownPhonePage([], 0, False)


SCOPED = Scope(frozenset({"acme-phones-01", "acme-phones-02"}))


@pytest.mark.parametrize(
    ("group", "scope", "groups"),
    [
        (None, Scope(), None),
        ("acme-phones-01", Scope(), {"acme-phones-01"}),
        (None, SCOPED, {"acme-phones-01", "acme-phones-02"}),
        ("acme-phones-02", SCOPED, {"acme-phones-02"}),
        ("other-phones-1", SCOPED, set()),
        ("acme-phones-01", Scope(frozenset()), set()),
    ],
)
async def test_the_groups_asked_for_are_those_of_the_scope(
    group: str | None, scope: Scope, groups: set[str] | None
) -> None:
    log = AskedLog()
    await UnknownPhoneService(log).list(group=group, first=10, after=None, scope=scope)
    assert log.asked == [(groups, 10, None)]


async def test_a_cursor_and_the_page_size_are_checked() -> None:
    log = AskedLog()
    service = UnknownPhoneService(log)
    await service.list(group=None, first=0, after=encode_id_cursor(CURSOR_KIND, 42))
    assert log.asked == [(None, 0, 42)]
    for first, after, field in ((501, None, "first"), (-1, None, "first"), (5, "bm90IGEgY3Vyc29y", "after")):
        with pytest.raises(ValidationFailed) as failure:
            await service.list(group=None, first=first, after=after)
        assert [e.field for e in failure.value.errors] == [field]
    with pytest.raises(ValidationFailed):
        await service.list(group=None, first=5, after=encode_id_cursor("audit", 42))  # another list's cursor
