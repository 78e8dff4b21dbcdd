"""Encrypted configs (Device.config_encryption): the file a phone gets decrypts with the openssl
command line to exactly the plain rendering, the same device always renders the same bytes, only
the files that are the device's config are encrypted, and the key is checked and write-only."""

import dataclasses
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from tests.fakes import FakeDatabase, FixedClock, provisioning_service
from tests.unit.vendors.samples import ENGINE, LINK, account, device

from sonata.adapters.templates import Jinja2TemplateEngine
from sonata.domain.documents import draft_from_document
from sonata.domain.encryption import ENCRYPTED_CONTENT_TYPE, encrypt_config
from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.model import ConfigEncryption, Device, LinkKind
from sonata.domain.patches import KEEP, DevicePatch, apply_patch
from sonata.domain.services.devices import DeviceService
from sonata.domain.services.provisioning import ProvisioningRequest
from sonata.domain.validation import AccountDraft, DeviceDraft
from sonata.domain.vendors import VENDORS
from sonata.domain.vendors.base import RenderedFile, RenderRequest

YEALINK_KEY = "Ab3$dE6*gH9+jK1~"
"""16 characters of the set Yealink's guides allow in static.auto_provision.aes_key.mac."""
GRANDSTREAM_PASSWORD = "xml-P1359-pass"
YEALINK_MAC, GRANDSTREAM_MAC = "001565aabbcc", "000b82aabbcc"


def openssl_decrypt(body: bytes, *cipher: str) -> bytes:
    """What `openssl enc -d` makes of a body, as a phone's own decryption would."""
    done = subprocess.run(["openssl", "enc", "-d", *cipher], input=body, capture_output=True, check=True)
    return done.stdout


def yealink_decrypt(body: bytes, key: str = YEALINK_KEY) -> bytes:
    return openssl_decrypt(body, "-aes-128-ecb", "-K", key.encode("ascii").hex())


def grandstream_decrypt(body: bytes, password: str = GRANDSTREAM_PASSWORD) -> bytes:
    return openssl_decrypt(body, "-aes-256-cbc", "-md", "md5", "-k", password)


def yealink(model: str = "t46s", **fields: Any) -> Device:
    values: dict[str, Any] = {
        "config_encryption": ConfigEncryption.YEALINK_AES,
        "config_encryption_key": YEALINK_KEY,
        "admin_password": "adm1n",
    }
    return device(
        account(1, sip_password="sip-secret"),
        vendor="yealink",
        model=model,
        mac=YEALINK_MAC,
        **values | fields,
    )


def grandstream(model: str = "gxp2170", **fields: Any) -> Device:
    values: dict[str, Any] = {
        "config_encryption": ConfigEncryption.GRANDSTREAM_OPENSSL,
        "config_encryption_key": GRANDSTREAM_PASSWORD,
    }
    return device(
        account(1, sip_password="sip-secret"),
        vendor="grandstream",
        model=model,
        mac=GRANDSTREAM_MAC,
        **values | fields,
    )


def served_and_plain(dev: Device, filename: str) -> tuple[RenderedFile, RenderedFile]:
    vendor = VENDORS[dev.vendor]
    requested = vendor.identify_file(filename)
    assert requested is not None
    request = RenderRequest(dev, requested, filename, LINK)
    return vendor.render(request, ENGINE), vendor.render_plain(request, ENGINE)


# --- what the phone gets ----------------------------------------------------------------------


@pytest.mark.parametrize("model", ["t46s", "t28p"])  # firmware 8x and 7x device files
def test_a_yealink_device_config_decrypts_with_openssl_to_the_plain_rendering(model: str) -> None:
    served, plain = served_and_plain(yealink(model=model), f"{YEALINK_MAC}.cfg")
    assert plain.body.startswith(b"#!version:1.0.0.1\n") and b"sip-secret" in plain.body
    assert b"sip-secret" not in served.body and b"#!version" not in served.body
    assert served.content_type == ENCRYPTED_CONTENT_TYPE == "application/octet-stream"
    assert len(served.body) % 16 == 0
    assert yealink_decrypt(served.body) == plain.body


@pytest.mark.parametrize("filename", [f"cfg{GRANDSTREAM_MAC}.xml", "cfggxp2170.xml", "cfg.xml"])
def test_every_grandstream_config_file_decrypts_with_openssl_to_the_plain_rendering(filename: str) -> None:
    """cfg<model>.xml and cfg.xml carry the device's whole config too: each is encrypted."""
    served, plain = served_and_plain(grandstream(), filename)
    assert b"sip-secret" in plain.body and b"sip-secret" not in served.body
    assert served.body.startswith(b"Salted__")
    assert served.content_type == "application/octet-stream"
    assert grandstream_decrypt(served.body) == plain.body


def test_a_grandstream_grp_config_is_encrypted_alike() -> None:
    served, plain = served_and_plain(grandstream(model="grp2614"), f"cfg{GRANDSTREAM_MAC}.xml")
    assert b'<config version="2">' in plain.body
    assert grandstream_decrypt(served.body) == plain.body


@pytest.mark.parametrize(
    ("dev", "filename"),
    [
        (yealink(), "y000000000066.cfg"),
        (yealink(), f"{YEALINK_MAC}.boot"),
        (yealink(), "y000000000000.boot"),
        (yealink(phonebook=()), f"{YEALINK_MAC}-phonebook.xml"),
        (grandstream(), "phonebook.xml"),
    ],
)
def test_files_that_are_not_the_device_config_stay_plain(dev: Device, filename: str) -> None:
    """Yealink's common file holds no secret and would take the model-wide key; boot files and
    phonebooks are read by code that does not decrypt."""
    served, plain = served_and_plain(dev, filename)
    assert served == plain
    assert served.content_type != ENCRYPTED_CONTENT_TYPE


def test_a_device_without_encryption_gets_the_plain_file() -> None:
    served, plain = served_and_plain(yealink(config_encryption=ConfigEncryption.NONE), f"{YEALINK_MAC}.cfg")
    assert served == plain and served.body.startswith(b"#!version:1.0.0.1\n")


# --- deterministic output ---------------------------------------------------------------------


@pytest.mark.parametrize("make", [yealink, grandstream])
def test_the_same_device_renders_the_same_bytes(make: Callable[[], Device]) -> None:
    dev = make()
    filename = VENDORS[dev.vendor].device_filename(dev)
    first, _ = served_and_plain(dev, filename)
    again, _ = served_and_plain(dataclasses.replace(dev), filename)
    assert first.body == again.body


def test_the_grandstream_salt_follows_the_content_and_the_password() -> None:
    """The salt is no random draw, yet no constant either: it changes with the file and the password."""
    plain = b"<gs_provision/>\n"
    salts = {
        encrypt_config(ConfigEncryption.GRANDSTREAM_OPENSSL, password, text)[8:16]
        for password, text in [
            (GRANDSTREAM_PASSWORD, plain),
            (GRANDSTREAM_PASSWORD, plain + b" "),
            ("another-password", plain),
        ]
    }
    assert len(salts) == 3
    assert encrypt_config(
        ConfigEncryption.GRANDSTREAM_OPENSSL, GRANDSTREAM_PASSWORD, plain
    ) == encrypt_config(ConfigEncryption.GRANDSTREAM_OPENSSL, GRANDSTREAM_PASSWORD, plain)


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 4096])
def test_any_length_round_trips_through_openssl(size: int) -> None:
    """PKCS#7 padding, as openssl writes and strips it, a whole block of it on a multiple of 16."""
    plain = bytes(range(256)) * 17
    plain = plain[:size]
    yealink_body = encrypt_config(ConfigEncryption.YEALINK_AES, YEALINK_KEY, plain)
    assert len(yealink_body) == (size // 16 + 1) * 16
    assert yealink_decrypt(yealink_body) == plain
    assert grandstream_decrypt(encrypt_config(ConfigEncryption.GRANDSTREAM_OPENSSL, "p", plain), "p") == plain


# --- the provisioning service: phones get it encrypted, the preview shows it plain -------------


async def test_phones_get_the_encrypted_file_and_the_preview_shows_the_plain_one() -> None:
    database = FakeDatabase()
    dev = yealink(key="device-key-0001")  # the key LINK names
    database.devices[dev.key] = dev
    service = provisioning_service(database, Jinja2TemplateEngine(), FixedClock())
    request = ProvisioningRequest(
        LinkKind.PERSONAL, dev.key, f"{YEALINK_MAC}.cfg", "192.0.2.10", "Yealink SIP-T46S 66.86.0.15", LINK
    )
    served = await service.provision(request)
    preview = await service.preview(dev.key, None, "http://sonata.example.net:8080")
    assert isinstance(served, RenderedFile) and preview is not None
    assert preview.content_type.startswith("text/plain") and b"sip-secret" in preview.body
    assert served.content_type == "application/octet-stream"
    assert yealink_decrypt(served.body) == preview.body


# --- saving: the scheme must be the vendor's, the key is required, checked and write-only ------


@pytest.fixture
def service() -> DeviceService:
    return DeviceService(FakeDatabase().unit_of_work, FixedClock())


def draft(vendor: str = "yealink", **changes: object) -> DeviceDraft:
    models = {"yealink": ("t46s", YEALINK_MAC), "grandstream": ("gxp2170", GRANDSTREAM_MAC)}
    model, mac = models.get(vendor, ("x6u", "0c383e07e16c"))
    values: dict[str, object] = {
        "vendor": vendor,
        "model": model,
        "mac": mac,
        "accounts": [AccountDraft(line=1, sip_register="sip.example.net", sip_user="101", sip_password="pw")],
    }
    values.update(changes)
    return DeviceDraft(**values)  # type: ignore[arg-type]


def yealink_draft(**changes: object) -> DeviceDraft:
    values: dict[str, object] = {
        "config_encryption": ConfigEncryption.YEALINK_AES,
        "config_encryption_key": YEALINK_KEY,
    }
    return draft("yealink", **values | changes)


async def errors_of(service: DeviceService, device: DeviceDraft) -> list[FieldError]:
    with pytest.raises(ValidationFailed) as failure:
        await service.save(device)
    return failure.value.errors


async def test_each_vendor_scheme_is_saved_with_its_key(service: DeviceService) -> None:
    saved = await service.save(yealink_draft())
    assert (saved.config_encryption, saved.config_encryption_key) == (
        ConfigEncryption.YEALINK_AES,
        YEALINK_KEY,
    )
    gs = await service.save(
        draft(
            "grandstream",
            config_encryption=ConfigEncryption.GRANDSTREAM_OPENSSL,
            config_encryption_key=GRANDSTREAM_PASSWORD,
        )
    )
    assert gs.config_encryption is ConfigEncryption.GRANDSTREAM_OPENSSL
    assert gs.config_encryption_key == GRANDSTREAM_PASSWORD


async def test_a_device_without_a_scheme_is_not_encrypted(service: DeviceService) -> None:
    saved = await service.save(draft())
    assert (saved.config_encryption, saved.config_encryption_key) == (ConfigEncryption.NONE, "")


@pytest.mark.parametrize(
    ("vendor", "scheme", "message"),
    [
        ("yealink", ConfigEncryption.GRANDSTREAM_OPENSSL, "yealink devices take NONE or YEALINK_AES"),
        ("grandstream", ConfigEncryption.YEALINK_AES, "grandstream devices take NONE or GRANDSTREAM_OPENSSL"),
        ("fanvil", ConfigEncryption.YEALINK_AES, "fanvil devices take only NONE"),
    ],
)
async def test_a_scheme_of_another_vendor_is_a_field_error(
    service: DeviceService, vendor: str, scheme: ConfigEncryption, message: str
) -> None:
    errors = await errors_of(
        service, draft(vendor, config_encryption=scheme, config_encryption_key=YEALINK_KEY)
    )
    assert errors == [FieldError("config_encryption", message)]


@pytest.mark.parametrize(
    ("vendor", "scheme"), [("yealink", "YEALINK_AES"), ("grandstream", "GRANDSTREAM_OPENSSL")]
)
@pytest.mark.parametrize("key", [None, ""])
async def test_a_scheme_needs_its_key(
    service: DeviceService, vendor: str, scheme: str, key: str | None
) -> None:
    errors = await errors_of(
        service, draft(vendor, config_encryption=ConfigEncryption[scheme], config_encryption_key=key)
    )
    assert errors == [FieldError("config_encryption_key", f"is required with {scheme}")]


@pytest.mark.parametrize(
    "key",
    [
        "Ab3$dE6*gH9+jK1",  # 15 characters
        "Ab3$dE6*gH9+jK1~x",  # 17
        "Ab3$dE6*gH9+jK1!",  # ! is not in Yealink's set
        "Ab3$dE6*gH9 jK1~",  # nor is a space
        "Ab3$dE6*gH9+jK1é",  # nor anything beyond ASCII
        "0123456789abcdef" * 4,  # 64: a 32-character key would be AES-256, not this scheme
        "x" * 100_000,
    ],
)
async def test_a_yealink_key_must_be_16_characters_of_yealinks_set(service: DeviceService, key: str) -> None:
    errors = await errors_of(service, yealink_draft(config_encryption_key=key))
    assert [e.field for e in errors] == ["config_encryption_key"]
    assert errors[0].message.startswith("must be 16 characters")
    assert key not in errors[0].message


@pytest.mark.parametrize("password", ["with space", "tab\there", "é-accent", "x" * 65, "\n"])
async def test_a_grandstream_password_must_be_printable_ascii_of_1_to_64(
    service: DeviceService, password: str
) -> None:
    errors = await errors_of(
        service,
        draft(
            "grandstream",
            config_encryption=ConfigEncryption.GRANDSTREAM_OPENSSL,
            config_encryption_key=password,
        ),
    )
    assert errors == [
        FieldError(
            "config_encryption_key",
            "must be 1 to 64 printable ASCII characters without spaces (the phone's P1359)",
        )
    ]


async def test_a_key_without_a_scheme_is_a_field_error(service: DeviceService) -> None:
    errors = await errors_of(service, draft(config_encryption_key=YEALINK_KEY))
    assert errors == [
        FieldError("config_encryption_key", "is only taken with an encryption scheme other than NONE")
    ]


async def test_an_omitted_key_keeps_the_stored_one(service: DeviceService) -> None:
    await service.save(yealink_draft())
    kept = await service.save(yealink_draft(config_encryption_key=None, title="moved"))
    assert kept.config_encryption_key == YEALINK_KEY
    changed = await service.save(yealink_draft(config_encryption_key="0123456789ABCDEF"))
    assert changed.config_encryption_key == "0123456789ABCDEF"


async def test_turning_encryption_off_drops_the_key(service: DeviceService) -> None:
    await service.save(yealink_draft())
    off = await service.save(
        yealink_draft(config_encryption=ConfigEncryption.NONE, config_encryption_key=None)
    )
    assert (off.config_encryption, off.config_encryption_key) == (ConfigEncryption.NONE, "")
    errors = await errors_of(service, yealink_draft(config_encryption_key=None))
    assert errors == [FieldError("config_encryption_key", "is required with YEALINK_AES")]


async def test_a_patch_keeps_the_scheme_and_the_key_it_leaves_out(service: DeviceService) -> None:
    saved = await service.save(yealink_draft())
    patched = apply_patch(saved, DevicePatch(title="desk"))
    assert patched.config_encryption is ConfigEncryption.YEALINK_AES
    assert patched.config_encryption_key is None  # left out of the draft: the stored key stays
    updated = await service.update(saved.key, DevicePatch(title="desk"))
    assert (updated.config_encryption, updated.config_encryption_key) == (
        ConfigEncryption.YEALINK_AES,
        YEALINK_KEY,
    )
    off = await service.update(saved.key, DevicePatch(config_encryption=None, config_encryption_key=KEEP))
    assert (off.config_encryption, off.config_encryption_key) == (ConfigEncryption.NONE, "")


def test_a_document_names_the_scheme_in_any_case() -> None:
    document = {
        "vendor": "yealink",
        "model": "t46s",
        "mac": YEALINK_MAC,
        "config_encryption": "yealink_aes",
        "config_encryption_key": YEALINK_KEY,
    }
    read = draft_from_document(document)
    assert (read.config_encryption, read.config_encryption_key) == (ConfigEncryption.YEALINK_AES, YEALINK_KEY)
    with pytest.raises(ValidationFailed) as failure:
        draft_from_document(document | {"config_encryption": "aes"})
    assert failure.value.errors == [
        FieldError("config_encryption", "must be one of NONE, YEALINK_AES, GRANDSTREAM_OPENSSL")
    ]
