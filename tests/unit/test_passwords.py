"""A password holding a character no vendor can write is refused at save, not blanked at render."""

import pytest
from tests.fakes import FakeDatabase, FixedClock

from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.services.devices import DeviceService
from sonata.domain.validation import AccountDraft, DeviceDraft
from sonata.domain.vendors import VENDORS
from sonata.domain.vendors.base import password_problem

CONTROL = "must not contain control characters such as line breaks or tabs"
UNWRITABLE = [
    ("\n", CONTROL),
    ("\r", CONTROL),
    ("\t", CONTROL),
    ("\x00", CONTROL),
    ("\x1b", CONTROL),
    ("\x7f", CONTROL),
    ("\x85", CONTROL),  # NEL
    ("\x9b", CONTROL),  # a C1 control
    ("\u2028", "must not contain line or paragraph separators (U+2028, U+2029)"),
    ("\u2029", "must not contain line or paragraph separators (U+2028, U+2029)"),
    ("\ud800", "must not contain lone surrogates (U+D800 to U+DFFF)"),
    ("\udfff", "must not contain lone surrogates (U+D800 to U+DFFF)"),
    ("\ufffe", "must not contain the non-characters U+FFFE and U+FFFF"),
    ("\uffff", "must not contain the non-characters U+FFFE and U+FFFF"),
]


@pytest.fixture
def service() -> DeviceService:
    return DeviceService(FakeDatabase().unit_of_work, FixedClock())


def device(
    vendor: str, model: str, sip_password: str = "s3cret", admin_password: str | None = None
) -> DeviceDraft:
    account = AccountDraft(line=1, sip_register="sip.example.net", sip_user="101", sip_password=sip_password)
    return DeviceDraft(
        vendor=vendor, model=model, mac="001565aabbcc", accounts=[account], admin_password=admin_password
    )


VENDOR_MODELS = [(vendor.id, vendor.models[0].id) for vendor in VENDORS.values()]


@pytest.mark.parametrize(("vendor", "model"), VENDOR_MODELS)
@pytest.mark.parametrize(("character", "message"), UNWRITABLE)
async def test_each_unwritable_character_is_a_field_error_naming_its_class(
    service: DeviceService, vendor: str, model: str, character: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as failure:
        await service.save(device(vendor, model, sip_password=f"pass{character}word"))
    assert failure.value.errors == [FieldError("accounts.0.sip_password", message)]
    with pytest.raises(ValidationFailed) as failure:
        await service.save(device(vendor, model, admin_password=f"{character}admin"))
    assert failure.value.errors == [FieldError("admin_password", message)]


@pytest.mark.parametrize(("vendor", "model"), VENDOR_MODELS)
async def test_passwords_of_any_printable_characters_are_kept_as_given(
    service: DeviceService, vendor: str, model: str
) -> None:
    password = "pä$$ wört €\"'<&>;=:#%NULL 😀"
    saved = await service.save(device(vendor, model, sip_password=password, admin_password=password))
    assert saved.accounts[0].sip_password == password and saved.admin_password == password


async def test_an_unknown_vendor_still_gets_the_password_checked(service: DeviceService) -> None:
    with pytest.raises(ValidationFailed) as failure:
        await service.save(device("acme", "x1", sip_password="a\u2028b"))
    assert "accounts.0.sip_password" in {e.field for e in failure.value.errors}


def test_every_vendor_checks_at_least_the_common_rule() -> None:
    for vendor in VENDORS.values():
        for character, message in UNWRITABLE:
            assert vendor.check_password(character) == message == password_problem(character)
