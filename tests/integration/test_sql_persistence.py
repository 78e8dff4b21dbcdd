"""The SQL adapter against a real SQLite file and a real PostgreSQL server."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.fakes import FixedClock
from tests.integration.conftest import write_record

from sonata.adapters.sql.database import async_url, create_schema
from sonata.adapters.sql.unit_of_work import SqlUnitOfWork
from sonata.domain.errors import ValidationFailed
from sonata.domain.model import ProvisioningRecord
from sonata.domain.patches import DevicePatch
from sonata.domain.services.api_token import ApiTokenService, token_hash
from sonata.domain.services.devices import DeviceService
from sonata.domain.validation import AccountDraft, DeviceDraft, RulesDraft

UowFactory = Callable[[], SqlUnitOfWork]


def draft(**changes: object) -> DeviceDraft:
    values: dict[str, object] = {
        "vendor": "grandstream",
        "model": "gxp2140",
        "mac": "000b82aabbcc",
        "token": "group-token-0001",
        "title": "Reception",
        "timezone_offset": "GMT+05:30",
        "ntp_server": "pool.ntp.org",
        "accounts": [
            AccountDraft(
                line=1,
                sip_register="sip.example.net:5062",
                sip_user="101",
                sip_password="pw1",
                name="Desk",
                sip_name="Alice",
                sip_auth="a101",
            ),
            AccountDraft(line=4, enabled=False),
        ],
        "rules": RulesDraft(
            expires_at=datetime(2030, 1, 1, tzinfo=UTC),
            check_mac=True,
            allowed_ips=["10.0.0.0/8", "2001:db8::/32"],
        ),
    }
    values.update(changes)
    return DeviceDraft(**values)  # type: ignore[arg-type]


def test_plain_urls_get_async_drivers() -> None:
    assert async_url("sqlite:///./sonata.db") == "sqlite+aiosqlite:///./sonata.db"
    assert async_url("postgresql://u:p@db:5432/sonata") == "postgresql+asyncpg://u:p@db:5432/sonata"
    assert async_url("postgresql+psycopg://u@db/s") == "postgresql+asyncpg://u@db/s"
    with pytest.raises(ValueError):
        async_url("mysql://u@db/s")


async def test_a_device_round_trips_field_for_field(unit_of_work: UowFactory) -> None:
    service = DeviceService(unit_of_work, FixedClock())
    saved = await service.save(draft())
    assert await service.find(key=saved.key) == saved
    assert await service.find(mac="00:0b:82:aa:bb:cc") == saved


async def test_replacing_keeps_one_row_and_the_password(unit_of_work: UowFactory) -> None:
    service = DeviceService(unit_of_work, FixedClock())
    first = await service.save(draft())
    second = await service.save(
        draft(title="Hall", accounts=[AccountDraft(line=1, sip_register="sip.example.net", sip_user="101")])
    )
    assert second.key == first.key
    page = await service.list(vendor=None, token=None, first=10, after=None)
    assert page.total_count == 1
    assert page.devices[0].title == "Hall" and page.devices[0].accounts[0].sip_password == "pw1"


async def test_a_phone_on_the_common_link_finds_its_device_only_with_mac_and_token(
    unit_of_work: UowFactory,
) -> None:
    saved = await DeviceService(unit_of_work, FixedClock()).save(draft())
    await DeviceService(unit_of_work, FixedClock()).save(draft(mac="000b82000001", token=None))
    async with unit_of_work() as uow:
        assert await uow.devices.get_by_mac_and_token("000b82aabbcc", "group-token-0001") == saved
        assert await uow.devices.get_by_mac_and_token("000b82aabbcc", "group-token-0002") is None
        assert await uow.devices.get_by_mac_and_token("000b82aabbcd", "group-token-0001") is None
        assert await uow.devices.get_by_mac_and_token("000b82000001", "") is None


async def test_failed_save_leaves_the_stored_device_as_it_was(unit_of_work: UowFactory) -> None:
    service = DeviceService(unit_of_work, FixedClock())
    saved = await service.save(draft())
    with pytest.raises(ValidationFailed):
        await service.save(draft(title="changed", ntp_server="not a host"))
    assert await service.find(key=saved.key) == saved


async def test_the_database_refuses_two_devices_with_one_mac(unit_of_work: UowFactory) -> None:
    service = DeviceService(unit_of_work, FixedClock())
    results = await asyncio.gather(
        *(service.save_reporting(draft(key=f"racing-key-{n:04d}")) for n in range(4)), return_exceptions=True
    )
    saved = [r for r in results if not isinstance(r, BaseException) and r.device is not None]
    assert len(saved) >= 1
    page = await service.list(vendor=None, token=None, first=10, after=None)
    assert page.total_count == 1


async def test_listing_filters_and_pages(unit_of_work: UowFactory) -> None:
    service = DeviceService(unit_of_work, FixedClock())
    for n in range(7):
        await service.save(
            draft(
                mac=f"000b8200000{n}",
                vendor="yealink" if n % 2 else "grandstream",
                model="t46s" if n % 2 else "gxp2140",
                accounts=[],
            )
        )
    seen, after = [], None
    while True:
        page = await service.list(vendor=None, token=None, first=3, after=after)
        seen += [d.mac for d in page.devices]
        if not page.has_next_page:
            break
        from sonata.domain.services.devices import encode_cursor

        after = encode_cursor(page.devices[-1].mac)
    assert seen == sorted(seen) and len(seen) == 7
    yealinks = await service.list(vendor="yealink", token="group-token-0001", first=50, after=None)
    assert yealinks.total_count == 3


async def test_delete_and_provisioning_record(unit_of_work: UowFactory, engine: AsyncEngine) -> None:
    service = DeviceService(unit_of_work, FixedClock())
    saved = await service.save(draft())
    record = ProvisioningRecord(
        at=datetime(2026, 11, 26, 9, tzinfo=UTC),
        ip="10.0.0.5",
        user_agent="UA",
        filename="cfg000b82aabbcc.xml",
    )
    await write_record(engine, saved.key, record)
    found = await service.find(key=saved.key)
    assert found is not None and found.last_provisioning == record
    assert await service.delete(saved.key)
    assert await service.find(key=saved.key) is None


async def test_uncommitted_work_is_rolled_back(unit_of_work: UowFactory) -> None:
    service = DeviceService(unit_of_work, FixedClock())
    saved = await service.save(draft())
    async with unit_of_work() as uow:
        await uow.devices.delete(saved.key)
    assert await service.find(key=saved.key) == saved


async def test_generated_api_token_is_stored_only_as_a_hash(unit_of_work: UowFactory) -> None:
    first_start = ApiTokenService(unit_of_work, FixedClock(), None)
    token = await first_start.ensure_token()
    assert token is not None and await first_start.authenticate(token) is not None
    async with unit_of_work() as uow:
        found = await uow.api_tokens.by_hash(token_hash(token))
    assert found is not None and found[0].name == "initial" and token not in found[1]
    second_start = ApiTokenService(unit_of_work, FixedClock(), None)
    assert await second_start.ensure_token() is None
    assert await second_start.authenticate(token) is not None
    assert await second_start.authenticate(token + "x") is None


async def test_the_whole_vocabulary_round_trips(unit_of_work: UowFactory, engine: AsyncEngine) -> None:
    from sonata.domain.model import (
        Account,
        ConfigEncryption,
        Contact,
        ContactNumber,
        Device,
        HostPort,
        LineKey,
        LineKeyType,
        NumberType,
        RemotePhonebook,
        Transport,
    )

    moment = datetime(2026, 11, 26, 10, tzinfo=UTC)
    device = Device(
        key="vocabulary-key-01",
        vendor="yealink",
        model="t46s",
        mac="001565aabbcc",
        created_at=moment,
        updated_at=moment,
        admin_password="admin",
        provisioning_username="phone-0042",
        provisioning_password="fetch-pw",
        config_encryption=ConfigEncryption.YEALINK_AES,
        config_encryption_key="0123456789abcdef",
        resync_minutes=60,
        firmware_url="http://fw.example.net/x.rom",
        language="de",
        timezone="Europe/Berlin",
        accounts=(
            Account(
                1,
                HostPort("sip.example.net", 5060),
                "101",
                "pw",
                transport=Transport.TLS,
                register_expires=600,
                outbound_proxy=HostPort("proxy.example.net"),
                backup_server=HostPort("2001:db8::1", 5062),
                voicemail="*97",
            ),
        ),
        line_keys=(LineKey(LineKeyType.BLF, "102", "Bob", 1, "*8"), LineKey(LineKeyType.DTMF, "*1")),
        phonebook=(Contact("Ålice ☎", (ContactNumber("101"), ContactNumber("+49", NumberType.MOBILE))),),
        remote_phonebooks=(RemotePhonebook("All", "https://pbx.example.net/pb.xml"),),
        vendor_params=(("static.wifi.enable", "0"), ("features.dnd.enable", "1")),
        last_provisioning=ProvisioningRecord(
            moment, "10.0.0.1", "UA", "x.cfg", "yealink", "t46s", "66.86.0.15"
        ),
    )
    assert device.last_provisioning is not None
    async with unit_of_work() as uow:
        await uow.devices.save(device)  # a save never writes lastProvisioning: a fetch does
        await uow.commit()
    await write_record(engine, device.key, device.last_provisioning)
    async with unit_of_work() as uow:
        assert await uow.devices.get(device.key) == device


async def test_the_migrations_build_exactly_the_mapped_schema(engine: AsyncEngine) -> None:
    def differences(connection: Connection) -> list[object]:
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        from sonata.adapters.sql.tables import SQLModel

        return list(compare_metadata(MigrationContext.configure(connection), SQLModel.metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_migrating_twice_changes_nothing(engine: AsyncEngine, unit_of_work: UowFactory) -> None:
    service = DeviceService(unit_of_work, FixedClock())
    saved = await service.save(draft())
    await create_schema(engine)
    assert await service.find(key=saved.key) == saved


def test_an_unusable_database_url_is_a_clear_error_of_the_command(tmp_path: Path) -> None:
    for url in ("mysql://root@localhost/sonata", "not a url"):
        result = subprocess.run(
            [sys.executable, "-m", "sonata", "serve", "--port", "1"],
            env={**os.environ, "SONATA_DATABASE_URL": url},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 2
        assert "SONATA_DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("key", ["bad\ud800key-0001", "k" * 100_000, "no spaces allowed"])
async def test_a_malformed_key_is_never_looked_up(unit_of_work: UowFactory, key: str) -> None:
    """A lone surrogate cannot even be encoded for the database: a malformed key names no device,
    so each service answers 'not found' or a field error instead of failing in the driver."""
    devices = DeviceService(unit_of_work, FixedClock(datetime(2026, 1, 1, tzinfo=UTC)))
    with pytest.raises(ValidationFailed) as failure:
        await devices.save(draft(key=key))
    assert [error.field for error in failure.value.errors] == ["key"]
    assert await devices.find(key=key) is None
    assert await devices.delete(key) is False
    updated = await devices.update_reporting(key, DevicePatch(title="x"))
    assert [error.field for error in updated.errors] == ["key"]
