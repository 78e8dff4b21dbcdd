"""Unknown phones on a real database: written in batches only under a group some device has and for a
MAC none has, merged per group and MAC, read newest first, forgotten past their bounds."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.fakes import FixedClock

from sonata.adapters.sql.database import create_engine
from sonata.adapters.sql.tables import UnknownPhoneRow
from sonata.adapters.sql.unknown_phones import SqlUnknownPhones
from sonata.domain.services.devices import DeviceService, UnitOfWorkFactory
from sonata.domain.unknown_phones import UnknownPhone
from sonata.domain.validation import AccountDraft, DeviceDraft

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
GROUP = "office-group-01"


def phone(mac: str, seconds: float = 0, token: str = GROUP, **said: str | None) -> UnknownPhone:
    at = T0 + timedelta(seconds=seconds)
    values = {"vendor": "yealink", "model": "t46s", "firmware": "66.86.0.15", **said}
    return UnknownPhone(token, mac, values["vendor"], values["model"], values["firmware"], "10.0.0.5", at, at)


async def publish(unit_of_work: UnitOfWorkFactory, mac: str, token: str | None = GROUP) -> None:
    account = AccountDraft(line=1, sip_register="sip.example.net", sip_user="101")
    draft = DeviceDraft(vendor="yealink", model="t46s", mac=mac, token=token, accounts=[account])
    await DeviceService(unit_of_work, FixedClock(T0)).save(draft)


async def stored(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(UnknownPhoneRow)) or 0)


@pytest.fixture
async def phones(engine: AsyncEngine, unit_of_work: UnitOfWorkFactory) -> SqlUnknownPhones:
    await publish(unit_of_work, "001565aabbcc")  # the group exists: one device has its token
    return SqlUnknownPhones(engine, FixedClock(T0 + timedelta(minutes=1)))


async def test_only_phones_of_a_group_some_device_has_and_of_no_device_s_mac_are_written(
    phones: SqlUnknownPhones,
    engine: AsyncEngine,
    unit_of_work: UnitOfWorkFactory,
) -> None:
    await publish(unit_of_work, "001565000009", token="another-group-01")
    phones.noticed(phone("001565000001"))
    phones.noticed(phone("001565000002", token="no-such-group-1"))  # a token no device has
    phones.noticed(phone("001565aabbcc"))  # a published MAC, asked under its group
    phones.noticed(phone("001565000009"))  # a published MAC, asked under another group
    await phones.flush()
    page = await phones.page(groups=None, first=10, after_id=None)
    assert [(p.token, p.mac) for p in page.phones] == [(GROUP, "001565000001")]
    assert page.total_count == 1 and not page.has_next_page


async def test_a_phone_seen_again_is_one_row_keeping_its_first_time_and_what_it_said(
    phones: SqlUnknownPhones,
) -> None:
    phones.noticed(phone("001565000001", 0))
    phones.noticed(phone("001565000001", 5, model=None, firmware=None))  # merged before the write
    await phones.flush()
    phones.noticed(phone("001565000001", 60, vendor="yealink", model=None, firmware="66.86.0.16"))
    await phones.flush()
    [seen] = (await phones.page(groups=None, first=10, after_id=None)).phones
    assert (seen.model, seen.firmware) == ("t46s", "66.86.0.16")
    assert (seen.first_seen, seen.last_seen) == (T0, T0 + timedelta(seconds=60))


async def test_pages_are_newest_first_by_group_and_a_published_phone_leaves_the_list(
    phones: SqlUnknownPhones,
    unit_of_work: UnitOfWorkFactory,
) -> None:
    await publish(unit_of_work, "001565000099", token="branch-group-1")
    for index in range(5):
        phones.noticed(phone(f"00156500000{index}", index))
        await phones.flush()  # one write each: ids in that order
    phones.noticed(phone("001565000007", token="branch-group-1"))
    await phones.flush()
    first = await phones.page(groups={GROUP}, first=2, after_id=None)
    assert [p.mac for p in first.phones] == ["001565000004", "001565000003"]
    assert (first.total_count, first.has_next_page) == (5, True)
    rest = await phones.page(groups={GROUP}, first=10, after_id=first.phones[-1].id)
    assert [p.mac for p in rest.phones] == ["001565000002", "001565000001", "001565000000"]
    assert not rest.has_next_page
    assert [
        p.mac for p in (await phones.page(groups={"branch-group-1"}, first=10, after_id=None)).phones
    ] == ["001565000007"]
    assert (await phones.page(groups=set(), first=10, after_id=None)).phones == []

    await publish(unit_of_work, "001565000003")  # the administrator publishes it
    assert "001565000003" not in [
        p.mac for p in (await phones.page(groups=None, first=10, after_id=None)).phones
    ]


async def test_past_the_limit_the_phones_seen_longest_ago_are_forgotten_at_each_write(
    engine: AsyncEngine,
    unit_of_work: UnitOfWorkFactory,
) -> None:
    await publish(unit_of_work, "001565aabbcc")
    phones = SqlUnknownPhones(engine, FixedClock(T0), limit=3)
    for index in range(1, 6):
        phones.noticed(phone(f"00156500000{index}", index))
    await phones.flush()
    assert await stored(engine) == 3
    phones.noticed(phone("001565000001", 9))  # seen again: the newest now
    await phones.flush()
    kept = (await phones.page(groups=None, first=10, after_id=None)).phones
    assert sorted(p.mac for p in kept) == ["001565000001", "001565000004", "001565000005"]


async def test_ties_at_the_limit_are_cut_to_it(engine: AsyncEngine, unit_of_work: UnitOfWorkFactory) -> None:
    await publish(unit_of_work, "001565aabbcc")
    phones = SqlUnknownPhones(engine, FixedClock(T0), limit=2)
    for index in range(4):
        phones.noticed(phone(f"00156500000{index}", 0))  # all last seen at the same instant
    await phones.flush()
    assert await stored(engine) == 2


async def test_pruning_forgets_phones_not_seen_for_days_and_those_published_since(
    engine: AsyncEngine,
    unit_of_work: UnitOfWorkFactory,
) -> None:
    await publish(unit_of_work, "001565aabbcc")
    phones = SqlUnknownPhones(engine, FixedClock(T0), days=30)
    phones.noticed(phone("001565000001", -31 * 24 * 3600))  # not seen for 31 days
    phones.noticed(phone("001565000002", -29 * 24 * 3600))
    phones.noticed(phone("001565000003"))
    await phones.flush()
    await publish(unit_of_work, "001565000003")
    await phones.prune()
    assert [p.mac for p in (await phones.page(groups=None, first=10, after_id=None)).phones] == [
        "001565000002"
    ]
    assert await stored(engine) == 1


async def test_pending_phones_are_bounded_and_the_drops_are_logged(
    engine: AsyncEngine,
    unit_of_work: UnitOfWorkFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await publish(unit_of_work, "001565aabbcc")
    phones = SqlUnknownPhones(engine, FixedClock(T0), max_pending=3)
    for index in range(5):
        phones.noticed(phone(f"00156500000{index}"))
    phones.noticed(phone("001565000000", 1))  # one already waiting: merged, not dropped
    assert phones.pending == 3
    with caplog.at_level(logging.WARNING):
        await phones.flush()
    assert "2 unknown phones were not noted: 3 were waiting already" in caplog.text
    assert await stored(engine) == 3


async def test_a_failing_database_keeps_the_phones_for_the_next_write_and_logs_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    unreachable = create_engine("postgresql://nobody@127.0.0.1:1/none")
    phones = SqlUnknownPhones(unreachable, FixedClock(T0))
    phones.noticed(phone("001565000001"))
    with caplog.at_level(logging.ERROR):
        await phones.flush()
        await phones.flush()
    assert phones.pending == 1
    assert caplog.text.count("cannot note unknown phones, will retry") == 1
    await unreachable.dispose()


async def test_stopping_writes_once_more_without_retrying(
    engine: AsyncEngine, unit_of_work: UnitOfWorkFactory
) -> None:
    await publish(unit_of_work, "001565aabbcc")
    phones = SqlUnknownPhones(engine, FixedClock(T0))
    task = asyncio.create_task(phones.run(interval=3600))
    phones.noticed(phone("001565000001"))
    phones.stop()
    await asyncio.wait_for(task, 5)
    assert await stored(engine) == 1

    unreachable = create_engine("postgresql://nobody@127.0.0.1:1/none")
    failing = SqlUnknownPhones(unreachable, FixedClock(T0))
    task = asyncio.create_task(failing.run(interval=3600))
    failing.noticed(phone("001565000002"))
    failing.stop()
    await asyncio.wait_for(task, 5)  # the stop is not held up: the phone is given up
    assert failing.pending == 1
    await unreachable.dispose()
