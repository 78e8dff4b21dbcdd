"""A real database per test: a SQLite file always, PostgreSQL when SONATA_TEST_POSTGRES_URL is set (in a
database of the run's own, emptied before each test)."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import SQLModel

from sonata.adapters.secret_box import SecretBox
from sonata.adapters.sql.database import create_engine, create_schema
from sonata.adapters.sql.recorder import BatchedRecorder
from sonata.adapters.sql.unit_of_work import SqlUnitOfWork
from sonata.domain.model import ProvisioningRecord

TEST_BOX = SecretBox([bytes(range(32))], "the tests' key")
"""Seals and opens the secrets of the devices integration tests store."""


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sonata.db'}"
    url: str = request.getfixturevalue("postgres_url")  # this run's own database (tests/conftest.py)
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
        await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await create_schema(engine)
    yield engine
    await engine.dispose()


async def write_record(engine: AsyncEngine, key: str, record: ProvisioningRecord) -> None:
    """Store a device's lastProvisioning the way a served fetch does: through the batched recorder."""
    recorder = BatchedRecorder(engine)
    recorder.record(key, record)
    await recorder.flush()


@pytest.fixture
def unit_of_work(engine: AsyncEngine):  # type: ignore[no-untyped-def]
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    return lambda: SqlUnitOfWork(sessions, TEST_BOX)
