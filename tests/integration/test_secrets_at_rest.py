"""Secrets at rest against a real SQLite file and a real PostgreSQL server: no column of any table shows
one, a database of the previous Sonata is sealed in place, and a wrong key changes nothing."""

import dataclasses
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from tests.integration.conftest import TEST_BOX

from sonata.adapters.secret_box import SecretBox, SecretKeyError
from sonata.adapters.sql import secrets_at_rest
from sonata.adapters.sql.mapping import device_values
from sonata.adapters.sql.repository import NONCE_KEY
from sonata.adapters.sql.sealed_fields import open_secrets
from sonata.adapters.sql.secrets_at_rest import check_key, seal_everything, sealed_under
from sonata.adapters.sql.tables import CredentialRow, DeviceRow
from sonata.adapters.sql.unit_of_work import SqlUnitOfWork
from sonata.domain.model import Account, ConfigEncryption, Device, HostPort

UowFactory = Callable[[], SqlUnitOfWork]
DEVICES = DeviceRow.__table__  # type: ignore[attr-defined]
CREDENTIALS = CredentialRow.__table__  # type: ignore[attr-defined]
MOMENT = datetime(2026, 11, 26, 8, tzinfo=UTC)
OTHER_BOX = SecretBox([bytes(32)], "SONATA_SECRET_KEY")


def device(index: int) -> Device:
    """A device with a secret of each kind, each one its own random text."""
    return Device(
        key=f"personal-key-{index:04d}",
        vendor="yealink",
        model="t46s",
        mac=f"00156500{index:04x}",
        accounts=tuple(
            Account(line, HostPort("sip.example.net"), f"10{line}", f"sip-{secrets.token_hex(8)}")
            for line in (1, 2)
        ),
        admin_password=f"admin-{secrets.token_hex(8)}",
        provisioning_username="phone",
        provisioning_password=f"prov-{secrets.token_hex(8)}",
        config_encryption=ConfigEncryption.YEALINK_AES,
        config_encryption_key=secrets.token_hex(8),
        created_at=MOMENT,
        updated_at=MOMENT,
    )


def secrets_of(devices: list[Device]) -> set[str]:
    return {
        secret
        for d in devices
        for secret in (
            d.admin_password,
            d.provisioning_password,
            d.config_encryption_key,
            *(a.sip_password for a in d.accounts),
        )
    }


async def every_value(engine: AsyncEngine) -> list[str]:
    """Each value of each column of each row of each table, as text: what a dump of the database shows."""
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names())
        values = []
        for table in tables:
            rows = await connection.execute(sa.text(f'SELECT * FROM "{table}"'))
            values += [str(value) for row in rows for value in row]
    assert tables and values
    return values


def shown(secrets_used: set[str], values: list[str]) -> set[str]:
    return {secret for secret in secrets_used for value in values if secret in value}


async def store_in_clear(engine: AsyncEngine, devices: list[Device], nonce_key: str) -> None:
    """What the previous Sonata wrote: the same documents with their secrets in clear."""
    rows = [device_values(d, TEST_BOX) for d in devices]
    for row in rows:
        row["document"] = open_secrets(row["document"], row["mac"], TEST_BOX)
    async with engine.begin() as connection:
        await connection.execute(sa.insert(DEVICES), rows)
        await connection.execute(sa.insert(CREDENTIALS).values(name=NONCE_KEY, secret_hash=nonce_key))


async def test_no_column_of_any_table_shows_a_secret(engine: AsyncEngine, unit_of_work: UowFactory) -> None:
    saved, added = device(1), [device(2), device(3)]
    async with unit_of_work() as uow:
        await uow.devices.save(saved)
        await uow.devices.add_all(added)
        await uow.credentials.set_nonce_key(nonce_key := secrets.token_hex(32))
        await uow.commit()
    async with unit_of_work() as uow:  # and a replacement, the way an import updates devices
        await uow.devices.replace_all([replaced := dataclasses.replace(device(3), key=added[1].key)])
        await uow.commit()
    await seal_everything(engine, TEST_BOX)

    used = secrets_of([saved, *added, replaced]) | {nonce_key}
    assert shown(used, await every_value(engine)) == set()
    async with unit_of_work() as uow:
        assert await uow.devices.get(saved.key) == saved
        assert await uow.devices.get(replaced.key) == replaced
        assert await uow.credentials.get_nonce_key() == nonce_key


async def test_a_database_of_the_previous_sonata_is_sealed_in_place_once(
    engine: AsyncEngine, unit_of_work: UowFactory
) -> None:
    devices = [device(index) for index in range(secrets_at_rest.CHUNK + 2)]  # more than one chunk
    await store_in_clear(engine, devices, nonce_key := secrets.token_hex(32))
    used = secrets_of(devices) | {nonce_key}
    assert shown(used, await every_value(engine)) == used
    async with unit_of_work() as uow:  # read as they are before the start seals them
        assert await uow.devices.get(devices[0].key) == devices[0]

    first, again = await seal_everything(engine, TEST_BOX), await seal_everything(engine, TEST_BOX)

    assert (first.devices, first.skipped, again.devices) == (len(devices), 0, 0)
    assert shown(used, await every_value(engine)) == set()
    async with unit_of_work() as uow:
        assert [await uow.devices.get(d.key) for d in devices] == devices
        assert await uow.credentials.get_nonce_key() == nonce_key
    async with engine.connect() as connection:
        updated = (await connection.execute(sa.select(DEVICES.c.updated_at))).scalars().all()
    assert {moment.replace(tzinfo=UTC) for moment in updated} == {MOMENT}  # sealing is no save


async def test_a_wrong_key_is_refused_before_anything_changes(engine: AsyncEngine) -> None:
    await store_in_clear(engine, [device(1)], secrets.token_hex(32))
    await seal_everything(engine, TEST_BOX)
    before = await every_value(engine)

    for attempt in (check_key(engine, OTHER_BOX), seal_everything(engine, OTHER_BOX)):
        with pytest.raises(SecretKeyError, match=rf"encrypted under key {TEST_BOX.key_id}, but"):
            await attempt

    assert await every_value(engine) == before
    assert await sealed_under(engine) == TEST_BOX.key_id


async def test_a_secret_moved_to_another_device_does_not_open(
    engine: AsyncEngine, unit_of_work: UowFactory
) -> None:
    first, second = device(1), device(2)
    async with unit_of_work() as uow:
        await uow.devices.add_all([first, second])
        await uow.commit()
    async with engine.begin() as connection:
        stored: dict[str, Any] = (
            await connection.execute(sa.select(DEVICES.c.document).where(DEVICES.c.key == first.key))
        ).scalar_one()
        await connection.execute(
            sa.update(DEVICES).where(DEVICES.c.key == second.key).values(document=stored)
        )

    async with unit_of_work() as uow:
        with pytest.raises(SecretKeyError, match=f"the secret {second.mac}/admin_password in the database"):
            await uow.devices.get(second.key)


async def test_rotation_moves_every_secret_to_the_new_key(
    engine: AsyncEngine, unit_of_work: UowFactory
) -> None:
    devices = [device(1), device(2)]
    async with unit_of_work() as uow:
        await uow.devices.add_all(devices)
        await uow.credentials.set_nonce_key(nonce_key := secrets.token_hex(32))
        await uow.commit()
    await seal_everything(engine, TEST_BOX)
    new_key = bytes(range(100, 132))

    moved = await seal_everything(engine, SecretBox([new_key, bytes(range(32))], "the key file k"))

    assert moved.devices == len(devices)
    new_only = SecretBox([new_key], "the key file k")
    await check_key(engine, new_only)
    async with SqlUnitOfWork(async_sessionmaker(engine, expire_on_commit=False), new_only) as uow:
        assert [await uow.devices.get(d.key) for d in devices] == devices
        assert await uow.credentials.get_nonce_key() == nonce_key
    with pytest.raises(SecretKeyError):
        await check_key(engine, TEST_BOX)
