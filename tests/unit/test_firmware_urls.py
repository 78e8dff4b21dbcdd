"""Firmware URLs without a scheme: Grandstream's firmware path is `host/path` by design, and the
original Sonata's own Grandstream example says `"firmware": {"url": "firmware.grandstream.com"}`.
Such a URL is taken as HTTP and written each vendor's way."""

from datetime import UTC, datetime

import pytest
from tests.unit.vendors.samples import render

from sonata.domain.documents import draft_from_document
from sonata.domain.errors import ValidationFailed
from sonata.domain.validation import DeviceDraft, validate_device
from sonata.domain.vendors import VENDORS

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def original_document(firmware: object) -> dict[str, object]:
    return {
        "vendor": "grandstream",
        "model": "gxp2170",
        "mac": "000b82aabbcc",
        "accounts": [{"line": 1, "sip_register": "pbx.example.com", "sip_user": "1001"}],
        "firmware": firmware,
    }


def firmware_url_of(draft: DeviceDraft) -> str | None:
    return validate_device(draft, None, NOW).firmware_url


def test_the_original_grandstream_example_imports_and_is_taken_as_http() -> None:
    draft = draft_from_document(original_document({"url": "firmware.grandstream.com"}))
    assert firmware_url_of(draft) == "http://firmware.grandstream.com"


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("fw.example.com/gxp2170", "http://fw.example.com/gxp2170"),
        ("fw.example.com:8080/images/", "http://fw.example.com:8080/images/"),
        ("10.0.0.5/fw", "http://10.0.0.5/fw"),
        ("https://fw.example.com/gs", "https://fw.example.com/gs"),
        ("tftp://10.0.0.1/firmware", "tftp://10.0.0.1/firmware"),
    ],
)
def test_firmware_url_takes_a_bare_host_and_path_as_http(written: str, stored: str) -> None:
    draft = draft_from_document({**original_document(None), "firmware_url": written})
    assert firmware_url_of(draft) == stored


@pytest.mark.parametrize(
    "written",
    [
        "fw example.com/x",
        "/just/a/path",
        "gopher://fw.example.com/x",
        "http://",
        "javascript:alert(1)",
        "fw.example.com:99999999/x",
        "fw.example.com:99999/x",
        "https://fw.example.com:0/x",
        "-fw.example.com/x",
    ],
)
def test_what_is_no_host_is_a_field_error_naming_both_forms(written: str) -> None:
    draft = draft_from_document({**original_document(None), "firmware_url": written})
    with pytest.raises(ValidationFailed) as failure:
        validate_device(draft, None, NOW)
    (error,) = failure.value.errors
    assert error.field == "firmware_url"
    assert "http://" in error.message and "host/path" in error.message


@pytest.mark.parametrize(
    ("vendor", "model", "mac", "filename", "written"),
    [
        # Grandstream: protocol P6767 1 = HTTP, P192 the path without scheme.
        ("grandstream", "gxp2170", "000b82aabbcc", None, "<P6767>1</P6767>"),
        ("grandstream", "gxp2170", "000b82aabbcc", None, "<P192>firmware.grandstream.com</P192>"),
        ("yealink", "t46s", "001565aabbcc", None, "static.firmware.url = http://firmware.grandstream.com"),
        ("htek", "uc926", "001fc11c22a9", None, "http://firmware.grandstream.com"),
        ("fanvil", "x4", "0c383e07e16c", None, "http://firmware.grandstream.com"),
        ("fanvil", "x6u", "0c383e07e16c", "fanvil_x6u_hw10.txt", "Firmware=http://firmware.grandstream.com"),
        # Snom reads the URL from the firmware file its device config names in firmware_status.
        (
            "snom",
            "d785",
            "000413aabbcc",
            "snomD785-000413AABBCC-firmware.xml",
            "http://firmware.grandstream.com",
        ),
    ],
)
def test_each_vendor_writes_a_bare_firmware_host_its_own_way(
    vendor: str, model: str, mac: str, filename: str | None, written: str
) -> None:
    document = {**original_document({"url": "firmware.grandstream.com"}), "vendor": vendor, "model": model}
    device = validate_device(draft_from_document({**document, "mac": mac}), None, NOW)
    text = render(VENDORS[vendor], device, filename).decode()
    assert written in text
    if vendor == "grandstream":
        assert "http://" not in text.split("<P192>")[1].split("</P192>")[0]
