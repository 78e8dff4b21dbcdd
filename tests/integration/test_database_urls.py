"""What a database URL names, and what of it may be logged."""

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from sonata.adapters.sql.database import count_devices, server_label, sqlite_path


def test_a_server_url_is_logged_without_its_password() -> None:
    label = server_label("postgresql://sonata:pa55word@db.example.net:5432/sonata?sslmode=require")
    assert label == "postgresql://sonata@db.example.net:5432/sonata"


def test_sqlite_urls_name_a_file_and_never_memory() -> None:
    assert sqlite_path("sqlite:///./sonata.db") == Path("./sonata.db")
    assert sqlite_path("sqlite:////var/lib/sonata/sonata.db") == Path("/var/lib/sonata/sonata.db")
    assert sqlite_path("postgresql://db/sonata") is None
    for memory in ("sqlite:///:memory:", "sqlite://"):
        with pytest.raises(ValueError, match="in-memory database"):
            sqlite_path(memory)


async def test_an_empty_database_counts_no_devices(engine: AsyncEngine) -> None:
    assert await count_devices(engine) == 0
