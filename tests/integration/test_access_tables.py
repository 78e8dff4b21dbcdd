"""API tokens and the audit log in a real database: the migration from one token, lookups by hash,
entries written with their change, paging, and the retention."""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import SQLModel
from tests.fakes import FixedClock
from tests.integration.conftest import TEST_BOX
from tests.integration.test_migrations import migrate

from sonata.adapters.sql.database import create_engine, create_schema
from sonata.adapters.sql.unit_of_work import SqlUnitOfWork
from sonata.domain.access import EVERY_DEVICE, Actor, Role, Scope
from sonata.domain.audit import AuditEntry, Operation
from sonata.domain.errors import ValidationFailed
from sonata.domain.services.api_token import ApiTokenService, token_hash
from sonata.domain.services.audit_log import AuditLogService, encode_audit_cursor
from sonata.domain.services.devices import DeviceService
from sonata.domain.validation import AccountDraft, DeviceDraft

UowFactory = Callable[[], SqlUnitOfWork]
GENERATED = "token-an-earlier-start-generated-0123456789"
ACME = Actor("acme-frontend", "192.0.2.7", Scope(frozenset({"acme-phones-001"})))


@pytest.fixture
async def empty(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
        await connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    yield engine
    await engine.dispose()


def units(engine: AsyncEngine) -> UowFactory:
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    return lambda: SqlUnitOfWork(sessions, TEST_BOX)


def draft(mac: str, password: str = "sip-secret-1") -> DeviceDraft:
    account = AccountDraft(line=1, sip_register="sip.example.net", sip_user="101", sip_password=password)
    return DeviceDraft(vendor="yealink", model="t46s", mac=mac, token="acme-phones-001", accounts=[account])


async def test_the_token_an_earlier_start_generated_becomes_the_admin_token_initial(
    empty: AsyncEngine,
) -> None:
    async with empty.begin() as connection:
        await connection.run_sync(migrate, "0005")
        await connection.execute(
            sa.text("INSERT INTO credentials (name, secret_hash) VALUES ('api_token', :hash)"),
            {"hash": token_hash(GENERATED)},
        )
    await create_schema(empty)
    tokens = ApiTokenService(units(empty), FixedClock(), None)

    found = await tokens.authenticate(GENERATED)
    assert found is not None and (found.name, found.role, found.scope) == (
        "initial",
        Role.ADMIN,
        EVERY_DEVICE,
    )
    assert await tokens.ensure_token() is None  # the start after the upgrade generates no other
    async with empty.connect() as connection:
        names = (await connection.execute(sa.text("SELECT name FROM credentials"))).scalars().all()
    assert "api_token" not in names

    async with empty.begin() as connection:
        await connection.run_sync(migrate, "0005", down=True)
        stored = await connection.execute(
            sa.text("SELECT secret_hash FROM credentials WHERE name = 'api_token'")
        )
        assert stored.scalar_one() == token_hash(GENERATED)


async def test_a_database_without_a_generated_token_migrates_to_no_token(empty: AsyncEngine) -> None:
    async with empty.begin() as connection:
        await connection.run_sync(migrate, "0005")
    await create_schema(empty)
    tokens = ApiTokenService(units(empty), FixedClock(), None)
    assert await tokens.all() == []
    assert await tokens.ensure_token() is not None


async def test_tokens_are_found_by_hash_and_names_are_unique(unit_of_work: UowFactory) -> None:
    tokens = ApiTokenService(unit_of_work, FixedClock(), None)
    token, made = await tokens.create(
        "acme-frontend", Role.READER, ["acme-phones-002", "acme-phones-001"], ACME
    )
    assert await tokens.authenticate(token) == made
    assert made.scope == Scope(frozenset({"acme-phones-001", "acme-phones-002"}))
    with pytest.raises(ValidationFailed, match="exists already"):
        await tokens.create("acme-frontend", Role.ADMIN, None, ACME)
    admin_token, _ = await tokens.create("admin-2", Role.ADMIN, None, ACME)
    assert [(t.name, t.role, t.scope) for t in await tokens.all()] == [
        ("acme-frontend", Role.READER, made.scope),
        ("admin-2", Role.ADMIN, EVERY_DEVICE),
    ]
    await tokens.revoke("acme-frontend", ACME)
    assert await tokens.authenticate(token) is None
    assert await tokens.authenticate(admin_token) is not None


async def test_an_entry_is_written_with_its_change_and_read_newest_first(unit_of_work: UowFactory) -> None:
    devices = DeviceService(unit_of_work, FixedClock()).acting_as(ACME)
    first = await devices.save(draft("001565000001"))
    await devices.save(draft("001565000002"))
    await devices.save(draft("001565000001", password="sip-secret-2"))
    with pytest.raises(ValidationFailed):
        await devices.save(
            DeviceDraft(vendor="yealink", model="t46s", mac="001565000003", token="elsewhere-000")
        )
    audit = AuditLogService(unit_of_work, FixedClock(), 365)

    page = await audit.page(first=2, after=None, mac=None)
    assert [(e.mac, e.changed) for e in page.entries] == [
        ("001565000001", ("accounts.0.sip_password",)),
        ("001565000002", page.entries[1].changed),
    ]
    assert page.has_next_page
    assert (page.entries[0].token_name, page.entries[0].address) == ("acme-frontend", "192.0.2.7")
    rest = await audit.page(first=2, after=encode_audit_cursor(page.entries[-1]), mac=None)
    assert [e.mac for e in rest.entries] == ["001565000001"] and not rest.has_next_page
    assert "key" in rest.entries[0].changed and first.key not in repr(rest.entries)
    only = await audit.page(first=10, after=None, mac="00:15:65:00:00:01")
    assert [e.operation for e in only.entries] == [Operation.SAVE_DEVICE] * 2


async def test_bad_page_arguments_are_field_errors(unit_of_work: UowFactory) -> None:
    audit = AuditLogService(unit_of_work, FixedClock(), 365)
    with pytest.raises(ValidationFailed) as failure:
        await audit.page(first=501, after="not a cursor", mac="not a mac")
    assert [e.field for e in failure.value.errors] == ["first", "mac", "after"]


async def test_entries_older_than_the_retention_are_pruned(unit_of_work: UowFactory) -> None:
    clock = FixedClock(datetime(2026, 11, 26, 12, tzinfo=UTC))
    async with unit_of_work() as uow:
        await uow.audit.record(
            [
                AuditEntry(
                    clock.now() - timedelta(days=days),
                    Operation.DELETE_DEVICE,
                    None,
                    None,
                    mac=f"00156500000{i}",
                )
                for i, days in enumerate([400, 31, 30, 29, 0])
            ]
        )
        await uow.commit()
    audit = AuditLogService(unit_of_work, clock, 30)
    assert await audit.prune() == 2
    assert [e.mac for e in (await audit.page(first=10, after=None, mac=None)).entries] == [
        "001565000004",
        "001565000003",
        "001565000002",
    ]
    assert await audit.prune() == 0
