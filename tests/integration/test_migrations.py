"""Migrations run on a database that holds devices: what was stored stays."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import SQLModel
from tests.fakes import FixedClock
from tests.integration.conftest import TEST_BOX

from sonata.adapters.sql.database import MIGRATIONS, create_engine, create_schema
from sonata.adapters.sql.mapping import device_values, record_to_json
from sonata.adapters.sql.tables import DeviceRow
from sonata.adapters.sql.unit_of_work import SqlUnitOfWork
from sonata.domain.model import Account, Device, HostPort, ProvisioningRecord
from sonata.domain.services.devices import DeviceService

RECORD = ProvisioningRecord(datetime(2026, 11, 26, 9, tzinfo=UTC), "10.0.0.5", "UA", "001565000001.cfg")
DEVICES = DeviceRow.__table__  # type: ignore[attr-defined]
# The devices table as migration 0002 left it, as far as this test writes it.
DEVICES_0002 = sa.table("devices", sa.column("key"), sa.column("last_provisioning", sa.JSON))


def migrate(connection: Connection, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    (command.downgrade if down else command.upgrade)(config, revision)


@pytest.fixture
async def empty(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
        await connection.execute(sa.text("DROP TABLE IF EXISTS devices"))  # as an older revision left it
        await connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    yield engine
    await engine.dispose()


def device(index: int) -> Device:
    moment = datetime(2026, 11, 26, 8, tzinfo=UTC)
    return Device(
        key=f"personal-key-{index:04d}",
        vendor="yealink",
        model="t46s",
        mac=f"0015650000{index:02d}",
        accounts=(Account(1, HostPort("sip.example.net"), "101", "pw"),),
        created_at=moment,
        updated_at=moment,
    )


async def test_recorded_fetches_move_to_their_own_table_and_back(empty: AsyncEngine) -> None:
    async with empty.begin() as connection:
        await connection.run_sync(migrate, "0002")
    fetched, never, json_null = [device(index) for index in range(3)]
    async with empty.begin() as connection:  # what the code of revision 0002 wrote
        rows = [device_values(d, TEST_BOX) for d in (fetched, never, json_null)]
        for row in rows:
            del row["locked_address"]  # a column of revision 0005
        await connection.execute(sa.insert(DEVICES), rows)
    async with empty.begin() as connection:
        recorded = record_to_json(RECORD)
        for key, value in ((fetched.key, recorded), (json_null.key, None)):  # None is stored as JSON null
            await connection.execute(
                sa.update(DEVICES_0002).where(DEVICES_0002.c.key == key).values(last_provisioning=value)
            )
    await create_schema(empty)
    devices = DeviceService(
        lambda: SqlUnitOfWork(async_sessionmaker(empty, expire_on_commit=False), TEST_BOX), FixedClock()
    )

    found = [await devices.find(key=stored.key) for stored in (fetched, never, json_null)]
    assert [stored.last_provisioning for stored in found if stored] == [RECORD, None, None]
    async with empty.connect() as connection:
        keys = (await connection.execute(sa.text("SELECT key FROM device_provisioning"))).scalars().all()
        columns = await connection.run_sync(lambda sync: sa.inspect(sync).get_columns("devices"))
    assert keys == [fetched.key]
    assert "last_provisioning" not in [column["name"] for column in columns]

    async with empty.begin() as connection:
        await connection.run_sync(migrate, "0002", down=True)
        stored = (
            await connection.execute(
                sa.select(DEVICES_0002.c.last_provisioning).where(DEVICES_0002.c.key == fetched.key)
            )
        ).scalar_one()
    assert stored == recorded
