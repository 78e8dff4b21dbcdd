"""No account field, contact, label or vendor setting can break a Yealink file.

Text files keep their `#!version:1.0.0.1` first line and one `key = value` per line, each key once,
and every value written reads back as given (cleaned of control characters; blank becomes
`%NULL%`). The phonebook XML always parses and its names and numbers read back.
"""

import re
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.vendors import samples
from tests.unit.vendors.samples import accounts, key_values, texts

from sonata.domain.model import (
    Account,
    Contact,
    ContactNumber,
    Device,
    LineKey,
    LineKeyType,
    RemotePhonebook,
    Transport,
)
from sonata.domain.vendors.yealink import Yealink
from sonata.domain.vendors.yealink_values import text, value

VENDOR = Yealink()
MODEL = next(m for m in VENDOR.models if m.id == "t54w")
LINK = "http://sonata.example.net/v1/token/group-token-0001"
MAC = "805ec0aabbcc"
LINE = re.compile(r"(?P<key>[A-Za-z0-9_.-]+) = (?P<value>.*)")
FAST = settings(max_examples=75, deadline=None)

keys = st.from_regex(r"[a-z][a-z0-9_]{0,8}(\.[a-z0-9_-]{1,8}){1,3}", fullmatch=True)
# Raw setting values as they pass check_param (no control characters or line separators).
checked_values = st.text(max_size=30).filter(
    lambda v: VENDOR.check_param(MODEL, "static.wifi.enable", v) is None
)


def any_account(line: int) -> st.SearchStrategy[Account]:
    return accounts(line=line, enabled=st.booleans(), transport=st.sampled_from(Transport))


@st.composite
def devices(draw: st.DrawFn, params: st.SearchStrategy[str] = checked_values) -> Device:
    return Device(
        key="k1",
        vendor="yealink",
        model=draw(st.sampled_from(["t54w", "t28p", "t31g"])),
        mac=MAC,
        ntp_server=draw(st.none() | texts),
        accounts=(draw(any_account(1)), draw(any_account(2))),
        admin_password=draw(texts),
        line_keys=tuple(
            LineKey(draw(st.sampled_from(LineKeyType)), draw(texts), draw(texts), pickup_code=draw(texts))
            for _ in range(draw(st.integers(0, 2)))
        ),
        phonebook=tuple(
            Contact(draw(texts), tuple(ContactNumber(n) for n in draw(st.lists(texts, max_size=2))))
            for _ in range(draw(st.integers(0, 2)))
        ),
        remote_phonebooks=tuple(
            RemotePhonebook(draw(texts), draw(texts)) for _ in range(draw(st.integers(0, 2)))
        ),
        vendor_params=tuple(
            draw(
                st.lists(
                    st.tuples(keys | st.sampled_from(["account.1.label", "lang.gui"]), params), max_size=3
                )
            )
        ),
    )


def render(device: Device, filename: str) -> str:
    return samples.render(VENDOR, device, filename, LINK).decode("utf-8")


def parse(body: str) -> dict[str, str]:
    return key_values(body, LINE)


@FAST
@given(devices())
def test_the_device_file_keeps_one_setting_per_line_and_values_round_trip(device: Device) -> None:
    values = parse(render(device, f"{MAC}.cfg"))
    params = dict(device.vendor_params)
    for account in device.accounts:
        n = account.line
        for key, given_value in (
            ("label", account.name),
            ("display_name", account.sip_name),
            ("user_name", account.sip_user),
            ("password", account.sip_password),
        ):
            assert values[f"account.{n}.{key}"] == params.get(f"account.{n}.{key}", value(given_value))
        assert values[f"voice_mail.number.{n}"] == value(account.voicemail)
    if device.admin_password:
        password_key = "security.user_password" if device.model == "t28p" else "static.security.user_password"
        assert values[password_key] == f"admin:{value(device.admin_password)}"
    for key, given_value in params.items():
        assert values[key] == given_value


@FAST
@given(devices(params=st.text(max_size=30)))
def test_even_unchecked_vendor_settings_cannot_add_a_line(device: Device) -> None:
    values = parse(render(device, f"{MAC}.cfg"))
    for key, given_value in dict(device.vendor_params).items():
        assert values[key] == text(given_value)


@FAST
@given(devices())
def test_line_key_labels_and_values_round_trip(device: Device) -> None:
    values = parse(render(device, f"{MAC}.cfg"))
    for number, key in enumerate(device.line_keys, start=1):
        params = dict(device.vendor_params)
        assert values[f"linekey.{number}.label"] == params.get(f"linekey.{number}.label", value(key.label))
        if key.type is not LineKeyType.KEY_EVENT:
            assert values[f"linekey.{number}.value"] == params.get(
                f"linekey.{number}.value", value(key.value)
            )


@FAST
@given(devices())
def test_the_common_and_boot_files_keep_their_shape(device: Device) -> None:
    common = {"t54w": "y000000000096.cfg", "t28p": "y000000000000.cfg", "t31g": "y000000000123.cfg"}[
        device.model
    ]
    assert parse(render(device, common))
    boot = render(device, f"{MAC}.boot").splitlines()
    assert boot[0] == "#!version:1.0.0.1"
    assert [line for line in boot if not line.startswith("#")] == [
        f'include:config "{LINK}/{common}"',
        f'include:config "{LINK}/{MAC}.cfg"',
    ]


@FAST
@given(devices())
def test_the_phonebook_always_parses_and_round_trips(device: Device) -> None:
    root = ET.fromstring(render(device, f"{MAC}-phonebook.xml").encode("utf-8"))
    entries = [(e.findtext("Name") or "", [t.text or "" for t in e.findall("Telephone")]) for e in root]
    assert entries == [(text(c.name), [text(n.number) for n in c.numbers]) for c in device.phonebook]
