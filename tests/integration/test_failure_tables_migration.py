"""Migration 0004 adds the failure budget's tables, and its downgrade takes them away again."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.integration.test_migrations import empty, migrate

__all__ = ["empty"]  # the fixture, used by name

TABLES = {"client_failures", "client_blocks"}


async def tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names()))


async def test_the_failure_tables_come_with_0004_and_go_with_its_downgrade(empty: AsyncEngine) -> None:
    async with empty.begin() as connection:
        await connection.run_sync(migrate, "0003")
    assert not TABLES & await tables(empty)
    async with empty.begin() as connection:
        await connection.run_sync(migrate, "0004")
    assert await tables(empty) >= TABLES
    async with empty.begin() as connection:
        await connection.execute(
            sa.text(
                "INSERT INTO client_failures (address, slot, failures) VALUES ('192.0.2.1', 170000000000, 3)"
            )
        )
        await connection.execute(
            sa.text("INSERT INTO client_blocks VALUES ('192.0.2.1', 1700000000.25, 1700000900.25)")
        )
        blocked = (await connection.execute(sa.text("SELECT blocked_until FROM client_blocks"))).scalar_one()
    assert blocked == 1700000900.25  # a double: a quarter second is kept
    async with empty.begin() as connection:
        await connection.run_sync(migrate, "0003", down=True)
    assert not TABLES & await tables(empty)
