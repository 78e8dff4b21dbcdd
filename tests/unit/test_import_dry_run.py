"""A dry run of an import: every document gets the outcome the import would give it, and nothing is saved."""

import asyncio
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.fakes import FakeDatabase, FixedClock
from tests.unit.test_import_batches import comparable, document, imported, one_by_one, stored_devices

from sonata.domain.errors import FieldError
from sonata.domain.services import devices as devices_module
from sonata.domain.services.devices import DeviceService


@settings(max_examples=300)
@given(stored=stored_devices, documents=st.lists(imported, min_size=2, max_size=8), batch=st.integers(1, 5))
def test_a_dry_run_gives_each_document_its_outcome_and_saves_nothing(
    stored: list[tuple[str, str]], documents: list[dict[str, Any]], batch: int
) -> None:
    async def run(dry_run: bool) -> list[Any]:
        database = FakeDatabase()
        service = DeviceService(database.unit_of_work, FixedClock())
        await one_by_one(service, [document(mac, key=key, admin_password="admin-old") for key, mac in stored])
        before = dict(database.devices)
        results = await service.import_documents(documents, dry_run=dry_run)
        if dry_run:
            assert database.devices == before
        return [(comparable(r.device), r.errors) for r in results]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            devices_module, "IMPORT_BATCH", batch
        )  # the dry run reads the stored devices in batches
        assert asyncio.run(run(dry_run=True)) == asyncio.run(run(dry_run=False))


async def test_progress_counts_every_document_once_and_repeats_are_named_by_the_caller() -> None:
    service = DeviceService(FakeDatabase().unit_of_work, FixedClock())
    documents = [document(f"0015650000{n:02x}") for n in range(7)] + [
        "not a document",
        document("001565000000"),
    ]
    for dry_run in (True, False):
        steps: list[int] = []
        results = await service.import_documents(
            documents, dry_run=dry_run, progress=steps.append, document_name="row {}".format
        )
        assert sum(steps) == len(documents)
        assert results[-1].errors == [FieldError("mac", "is the same MAC as row 0 of this import")]
