import pytest

from sonata.domain.mac import normalize_mac, parse_mac
from sonata.domain.timezones import parse_utc_offset
from sonata.domain.validation import parse_host_port, parse_network


@pytest.mark.parametrize(
    "text", ["00:15:65:11:3a:f8", "00-15-65-11-3A-F8", "001565113AF8", "0015.6511.3af8", " 001565113af8 "]
)
def test_every_mac_spelling_normalises_to_twelve_lowercase_hex_digits(text: str) -> None:
    assert normalize_mac(text) == "001565113af8"


@pytest.mark.parametrize(
    "text",
    ["", "00:15:65:11:3a", "00:15:65:11:3a:f8:00", "001565113afg", "00:15-65:11:3a:f8", "00.15.65.11.3a.f8"],
)
def test_anything_else_is_not_a_mac(text: str) -> None:
    with pytest.raises(ValueError):
        normalize_mac(text)
    assert parse_mac(text) is None


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("GMT+03", 180),
        ("GMT-05", -300),
        ("GMT+05:30", 330),
        ("UTC+3", 180),
        ("+03:00", 180),
        ("GMT", 0),
        ("UTC", 0),
        ("gmt+5:45", 345),
        ("GMT-12", -720),
        ("UTC+14", 840),
        ("GMT+0530", 330),
    ],
)
def test_utc_offsets_in_every_accepted_spelling(text: str, minutes: int) -> None:
    assert parse_utc_offset(text).minutes == minutes


@pytest.mark.parametrize("text", ["", "3", "GMT+3:20", "GMT+15", "GMT-13", "Europe/Berlin", "GMT+", "CET"])
def test_other_offsets_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_utc_offset(text)


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("sip.example.net", "sip.example.net", None),
        ("sip.example.net:5062", "sip.example.net", 5062),
        ("10.0.0.1", "10.0.0.1", None),
        ("[2001:db8::1]:5060", "2001:db8::1", 5060),
        ("2001:db8::1", "2001:db8::1", None),
    ],
)
def test_registrar_is_host_or_host_and_port(text: str, host: str, port: int | None) -> None:
    parsed = parse_host_port(text)
    assert (parsed.host, parsed.port) == (host, port)


@pytest.mark.parametrize(
    "text", ["sip.example.net:0", "sip.example.net:70000", "sip.example.net:x", "bad host", "a..b"]
)
def test_bad_registrars_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_host_port(text)


def test_networks_and_single_addresses_are_allowed_ip_entries() -> None:
    assert str(parse_network("10.1.2.3/8")) == "10.0.0.0/8"
    assert str(parse_network("192.0.2.7")) == "192.0.2.7/32"
    assert str(parse_network("2001:db8::/32")) == "2001:db8::/32"
    with pytest.raises(ValueError):
        parse_network("10.0.0.0/33")
