"""Unknown phones in the domain: who a MAC's range names, and a phone seen again."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from sonata.domain.documents import draft_from_document
from sonata.domain.unknown_phones import UnknownPhone
from sonata.domain.validation import validate_device
from sonata.domain.vendors import identify_phone, vendor_of_mac

T0 = datetime(2026, 11, 26, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("user_agent", "vendor"),
    [
        ("Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 000b82aabbcc", "grandstream"),
        ("Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc", "yealink"),
        ("Yealink SIP-T31G 124.85.257.55 80:5e:c0:d5:7d:72", "yealink"),
        ("Fanvil X4 2.10.2.6887 0c383e07e16c", "fanvil"),
        ("Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.5-IFX-05.01.12 000413741767)", "snom"),
        ("Htek UC903 2.0.4.2 00:1f:c1:1c:22:a9", "htek"),
    ],
)
def test_the_macs_of_real_user_agents_are_in_their_vendors_range(user_agent: str, vendor: str) -> None:
    identity = identify_phone(user_agent)
    assert identity is not None and identity.mac is not None
    assert vendor_of_mac(identity.mac) == vendor


def test_a_mac_of_no_known_range_names_no_vendor() -> None:
    assert vendor_of_mac("52540012ab34") is None  # a QEMU virtual NIC
    assert vendor_of_mac("") is None


def phone(at: datetime, model: str | None = "t46s", firmware: str | None = "66.86.0.15") -> UnknownPhone:
    return UnknownPhone("office-group-01", "001565aabbcc", "yealink", model, firmware, "10.0.0.5", at, at)


def test_a_phone_seen_again_keeps_what_it_said_before_and_spans_both_times() -> None:
    later = dataclasses.replace(phone(T0 + timedelta(hours=1), model=None, firmware=None), address="10.0.0.9")
    seen = phone(T0).seen_again(later)
    assert (seen.model, seen.firmware, seen.address) == ("t46s", "66.86.0.15", "10.0.0.9")
    assert (seen.first_seen, seen.last_seen) == (T0, T0 + timedelta(hours=1))


def test_its_document_is_the_start_of_the_device_that_publishes_it() -> None:
    document = phone(T0).document()
    assert document == {
        "vendor": "yealink",
        "model": "t46s",
        "mac": "001565aabbcc",
        "token": "office-group-01",
    }
    device = validate_device(draft_from_document(document), None, T0)
    assert (device.vendor, device.model, device.mac, device.token) == (
        "yealink",
        "t46s",
        "001565aabbcc",
        "office-group-01",
    )
    assert phone(T0, model=None).document() == {
        "vendor": "yealink",
        "mac": "001565aabbcc",
        "token": "office-group-01",
    }
