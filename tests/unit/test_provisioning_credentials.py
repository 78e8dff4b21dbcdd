"""A device's phone credentials (provisioning_username, write-only provisioning_password): saved,
checked, kept when left out, cleared together, read from documents."""

import dataclasses

import pytest
from tests.fakes import FakeDatabase, FixedClock

from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.limits import MAX_PASSWORD, MAX_PROVISIONING_USERNAME
from sonata.domain.patches import KEEP, DevicePatch, draft_of
from sonata.domain.services.devices import DeviceService
from sonata.domain.validation import AccountDraft, DeviceDraft


@pytest.fixture
def service() -> DeviceService:
    return DeviceService(FakeDatabase().unit_of_work, FixedClock())


def draft(**changes: object) -> DeviceDraft:
    values: dict[str, object] = {
        "vendor": "yealink",
        "model": "t46s",
        "mac": "001565aabbcc",
        "accounts": [AccountDraft(line=1, sip_register="sip.example.net", sip_user="101", sip_password="pw")],
        "provisioning_username": "phone-0042",
        "provisioning_password": "fetch-pw-0042",
    }
    values.update(changes)
    return DeviceDraft(**values)  # type: ignore[arg-type]


async def errors_of(service: DeviceService, device: DeviceDraft) -> list[FieldError]:
    with pytest.raises(ValidationFailed) as failure:
        await service.save(device)
    return failure.value.errors


async def test_credentials_are_saved_and_a_device_without_them_needs_none(service: DeviceService) -> None:
    device = await service.save(draft())
    assert (device.provisioning_username, device.provisioning_password) == ("phone-0042", "fetch-pw-0042")
    assert device.needs_credentials
    bare = await service.save(
        draft(mac="001565aabbcd", provisioning_username=None, provisioning_password=None)
    )
    assert (bare.provisioning_username, bare.provisioning_password) == ("", "")
    assert not bare.needs_credentials


async def test_an_omitted_password_keeps_the_stored_one_and_an_empty_one_clears_both(
    service: DeviceService,
) -> None:
    await service.save(draft())
    kept = await service.save(draft(provisioning_password=None, title="moved"))
    assert kept.provisioning_password == "fetch-pw-0042"
    cleared = await service.save(draft(provisioning_username="", provisioning_password=""))
    assert not cleared.needs_credentials and cleared.provisioning_password == ""


@pytest.mark.parametrize(
    "username",
    [
        "phone 42",
        "phone:42",
        'phone"42',
        "phone\\42",
        "phöne",
        "phone\n42",
        "a" * (MAX_PROVISIONING_USERNAME + 1),
    ],
)
async def test_a_user_name_phones_cannot_send_is_a_field_error(service: DeviceService, username: str) -> None:
    errors = await errors_of(service, draft(provisioning_username=username))
    assert [e.field for e in errors] == ["provisioning_username"]


async def test_a_user_name_of_the_allowed_characters_is_kept(service: DeviceService) -> None:
    username = "Phone.0042_a-b@office+1"
    assert (await service.save(draft(provisioning_username=username))).provisioning_username == username


async def test_the_password_is_checked_like_the_other_passwords(service: DeviceService) -> None:
    errors = await errors_of(service, draft(provisioning_password="fetch\npw"))
    assert errors == [
        FieldError("provisioning_password", "must not contain control characters such as line breaks or tabs")
    ]
    errors = await errors_of(service, draft(provisioning_password="x" * (MAX_PASSWORD + 1)))
    assert errors == [FieldError("provisioning_password", f"must be at most {MAX_PASSWORD} characters")]


async def test_the_error_never_shows_the_password(service: DeviceService) -> None:
    errors = await errors_of(service, draft(provisioning_password="sëcret\x00pw"))
    assert all("sëcret" not in e.message for e in errors)


async def test_user_name_and_password_go_together(service: DeviceService) -> None:
    errors = await errors_of(service, draft(provisioning_password=""))
    assert [e.field for e in errors] == ["provisioning_password"]
    errors = await errors_of(service, draft(provisioning_username=""))
    assert [e.field for e in errors] == ["provisioning_username"]
    await service.save(draft())
    # The stored password stays when left out, so the user name cannot go alone.
    errors = await errors_of(service, draft(provisioning_username="", provisioning_password=None))
    assert [e.field for e in errors] == ["provisioning_username"]


async def test_an_update_keeps_the_password_left_out_and_null_clears(service: DeviceService) -> None:
    stored = await service.save(draft())
    renamed = await service.update(stored.key, DevicePatch(provisioning_username="phone-0043"))
    assert (renamed.provisioning_username, renamed.provisioning_password) == ("phone-0043", "fetch-pw-0042")
    changed = await service.update(stored.key, DevicePatch(provisioning_password="new-pw"))
    assert changed.provisioning_password == "new-pw"
    with pytest.raises(ValidationFailed) as failure:
        await service.update(stored.key, DevicePatch(provisioning_username=None))
    assert [e.field for e in failure.value.errors] == ["provisioning_username"]
    cleared = await service.update(
        stored.key, DevicePatch(provisioning_username=None, provisioning_password=None)
    )
    assert not cleared.needs_credentials


async def test_the_draft_of_a_device_carries_the_user_name_but_not_the_password(
    service: DeviceService,
) -> None:
    stored = await service.save(draft())
    described = draft_of(stored)
    assert described.provisioning_username == "phone-0042" and described.provisioning_password is None
    assert DevicePatch().provisioning_password is KEEP
    again = await service.save(dataclasses.replace(described, title="again"))
    assert again.provisioning_password == "fetch-pw-0042"


async def test_documents_spell_them_in_snake_case(service: DeviceService) -> None:
    document = {
        "vendor": "yealink",
        "model": "t46s",
        "mac": "001565aabbce",
        "provisioning_username": "doc-phone",
        "provisioning_password": "doc-pw",
    }
    [result] = await service.import_documents([document])
    assert result.device is not None
    assert (result.device.provisioning_username, result.device.provisioning_password) == (
        "doc-phone",
        "doc-pw",
    )
    [result] = await service.import_documents([{**document, "provisioning_password": ["not text"]}])
    assert [e.field for e in result.errors] == ["provisioning_password"]
