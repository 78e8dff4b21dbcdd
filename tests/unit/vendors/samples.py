"""Sample devices, rendering and the golden-file check shared by the vendor tests.

Each builder takes keyword overrides, so a test names only what it is about.
"""

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from tests.fakes import FakeDatabase, FixedClock, provisioning_service

from sonata.adapters.templates import Jinja2TemplateEngine
from sonata.domain.model import (
    Account,
    Contact,
    ContactNumber,
    Device,
    HostPort,
    LineKey,
    LineKeyType,
    LinkKind,
    NumberType,
    Transport,
)
from sonata.domain.services.provisioning import ProvisioningRequest, Refusal
from sonata.domain.vendors.base import PhoneModel, RenderedFile, RenderRequest, Vendor, single_line
from sonata.domain.vendors.params import value_problem

LINK = "http://sonata.example.net:8080/v1/device/device-key-0001"
ENGINE = Jinja2TemplateEngine()

# --- devices and accounts -------------------------------------------------------------------


def device(
    *accounts: Account,
    vendor: str,
    model: str,
    mac: str,
    key: str = "k1",
    tz: str | None = None,
    ntp: str | None = None,
    **fields: Any,
) -> Device:
    """A device with the given accounts (or an `accounts` field); tz and ntp are short for
    timezone_offset and ntp_server."""
    if accounts:
        fields["accounts"] = accounts
    if tz is not None:
        fields["timezone_offset"] = tz
    if ntp is not None:
        fields["ntp_server"] = ntp
    return Device(key=key, vendor=vendor, model=model, mac=mac, **fields)


def account(line: int = 1, **fields: Any) -> Account:
    """An enabled account on pbx.example.com with user id 10<line>, e.g. 1001 for line 1."""
    values: dict[str, Any] = {"sip_register": HostPort("pbx.example.com"), "sip_user": f"10{line:02d}"}
    return Account(line=line, **(values | fields))


def catalogued(vendor: Vendor, model_id: str) -> PhoneModel:
    found = vendor.model(model_id)
    assert found is not None
    return found


def render(
    vendor: Vendor, dev: Device, filename: str | None = None, link: str = LINK, year: int | None = None
) -> bytes:
    """The file as served for `filename`, the device's own config when none is given; rendered in
    `year` if given (daylight saving a phone cannot be told exactly depends on it), else this year."""
    name = filename or vendor.device_filename(dev)
    requested = vendor.identify_file(name)
    assert requested is not None
    request = RenderRequest(dev, requested, name, link)
    return vendor.render(request if year is None else replace(request, year=year), ENGINE).body


def key_values(text: str, line: re.Pattern[str]) -> dict[str, str]:
    """Every `key = value` line of a Yealink file; fails on any line that is neither that, a comment
    nor blank, and on a key written twice."""
    assert text.startswith("#!version:1.0.0.1\n")
    found: dict[str, str] = {}
    for row in text.split("\n"):
        if not row.strip() or row.startswith("#"):
            continue
        match = line.fullmatch(row)
        assert match, f"not a key = value line: {row!r}"
        assert match["key"] not in found, f"duplicate key {match['key']}"
        found[match["key"]] = match["value"]
    return found


# --- golden files ---------------------------------------------------------------------------

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
UPDATE = os.environ.get("SONATA_UPDATE_GOLDEN") == "1"


def assert_golden(golden: Path, body: bytes) -> None:
    """`body` is exactly the bytes of the golden file; SONATA_UPDATE_GOLDEN=1 rewrites the file instead."""
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(body)
    assert golden.is_file(), f"missing {golden}; run with SONATA_UPDATE_GOLDEN=1 to write it"
    assert body == golden.read_bytes()


def full_vocabulary_device(
    *, vendor: str, model: str, mac: str, numbers: str, key_event: tuple[str, str], **fields: Any
) -> Device:
    """The Htek and Snom golden sample: three accounts (TLS with every option, TCP, disabled), five
    line keys, two contacts and phone credentials. `numbers` starts every extension ("30": users 3001 and 3002, BLF
    3010); `key_event` is the value and label of the last key; fields add or override the rest."""
    first, second, blf = (f"{numbers}{n}" for n in ("01", "02", "10"))
    values: dict[str, Any] = {
        "key": f"golden-{vendor}",
        "title": "Front desk",
        "timezone": "Europe/Berlin",
        "timezone_offset": "GMT+01",
        "ntp_server": "pool.ntp.org",
        "accounts": (
            Account(
                line=1,
                sip_register=HostPort("pbx.example.com"),
                sip_user=first,
                sip_password=f"s3cret-{first}",
                name="Reception",
                sip_name="Anna Müller",
                sip_auth=f"auth{first}",
                transport=Transport.TLS,
                register_expires=600,
                outbound_proxy=HostPort("proxy.example.com", 5061),
                backup_server=HostPort("backup.example.com"),
                voicemail="*97",
            ),
            Account(
                line=2,
                sip_register=HostPort("pbx.example.com", 5080),
                sip_user=second,
                sip_password=f"s3cret-{second}",
                name="Support & Sales",
                sip_name="Support <line>",
                transport=Transport.TCP,
                voicemail="*98",
            ),
            Account(line=3, sip_register=None, sip_user="", enabled=False),
        ),
        "admin_password": "4dm1n-s3cret",
        "provisioning_username": f"desk-{first}",
        "provisioning_password": 'pr0v&<"pass"> #1',
        "resync_minutes": 60,
        "line_keys": (
            LineKey(LineKeyType.LINE, label="Line 1"),
            LineKey(LineKeyType.BLF, blf, "Bob", line=1, pickup_code="*8"),
            LineKey(LineKeyType.SPEED_DIAL, "+4930123456", "Office", line=2),
            LineKey(LineKeyType.DTMF, "*21#", "Forward"),
            LineKey(LineKeyType.KEY_EVENT, *key_event),
        ),
        "phonebook": (
            Contact("Anna Müller", (ContactNumber("100"), ContactNumber("+491701234567", NumberType.MOBILE))),
            Contact("Pizza Roma", (ContactNumber("+4930555", NumberType.HOME),)),
        ),
    }
    return Device(vendor=vendor, model=model, mac=mac, **(values | fields))


# --- property tests -------------------------------------------------------------------------

texts = st.text(max_size=40)
any_number_type = st.sampled_from(NumberType)
# Raw setting values as the generic check lets them through.
param_values = st.text(max_size=40).filter(lambda value: value_problem(value) is None)


def accounts(
    text: st.SearchStrategy[str] = texts,
    line: int | st.SearchStrategy[int] = 1,
    **fields: st.SearchStrategy[Any],
) -> st.SearchStrategy[Account]:
    """Accounts on pbx.example.com whose user id, password, name, display name, auth id and voicemail
    are drawn from `text`; fields draw more."""
    return st.builds(
        Account,
        line=line if isinstance(line, st.SearchStrategy) else st.just(line),
        sip_register=st.just(HostPort("pbx.example.com")),
        sip_user=text,
        sip_password=text,
        name=text,
        sip_name=text,
        sip_auth=text,
        voicemail=text,
        **fields,
    )


def phonebooks(
    text: st.SearchStrategy[str] = texts,
    max_size: int = 4,
    number_types: st.SearchStrategy[NumberType] = any_number_type,
) -> st.SearchStrategy[tuple[Contact, ...]]:
    """Up to max_size contacts with one to three numbers each, names and numbers drawn from `text`."""
    numbers = st.lists(st.builds(ContactNumber, text, number_types), min_size=1, max_size=3).map(tuple)
    return st.lists(st.builds(Contact, text, numbers), max_size=max_size).map(tuple)


def hostile_texts(symbols: str, extras: list[str]) -> st.SearchStrategy[str]:
    """Text with the troublemakers well represented: `symbols` one by one, any UTF-8 character, `extras`."""
    return st.text(
        alphabet=st.one_of(
            st.sampled_from(list(symbols)), st.characters(codec="utf-8"), st.sampled_from(extras)
        ),
        max_size=40,
    )


def xml_clean(value: str) -> str:
    """What a value reads back as from XML: one line, and characters XML cannot carry as spaces."""
    return re.sub("[\ud800-\udfff\ufffe\uffff]", " ", single_line(value))


# --- boot sequences through the provisioning service ----------------------------------------

KEY = "personal-key-0001"
TOKEN = "group-token-0001"
BASE = "http://sonata.example.net:8080"
LINKS = {LinkKind.PERSONAL: f"{BASE}/v1/device/{KEY}", LinkKind.COMMON: f"{BASE}/v1/token/{TOKEN}"}


def boot_device(vendor: str, model: str, mac: str) -> Device:
    """A device on the personal key and group token with account 1001 and the contact Anna (100)."""
    return Device(
        key=KEY,
        token=TOKEN,
        vendor=vendor,
        model=model,
        mac=mac,
        accounts=(account(1, sip_password="pw"),),
        phonebook=(Contact("Anna", (ContactNumber("100"),)),),
    )


class Phone:
    """A phone with the given User-Agent asking the provisioning service (in-memory fakes, real
    templates) for the files of `device`."""

    def __init__(self, device: Device, user_agent: str | None) -> None:
        self.database = FakeDatabase()
        self.database.devices[device.key] = device
        self.service = provisioning_service(self.database, Jinja2TemplateEngine(), FixedClock())
        self.user_agent = user_agent

    async def get(self, filename: str | None, link: LinkKind = LinkKind.COMMON) -> RenderedFile | Refusal:
        secret = KEY if link is LinkKind.PERSONAL else TOKEN
        request = ProvisioningRequest(link, secret, filename, "192.0.2.10", self.user_agent, LINKS[link])
        return await self.service.provision(request)


def served_xml(outcome: RenderedFile | Refusal) -> bytes:
    assert isinstance(outcome, RenderedFile), outcome
    assert outcome.content_type.startswith("application/xml")
    return outcome.body


def refused(outcome: RenderedFile | Refusal) -> Refusal:
    assert isinstance(outcome, Refusal), outcome
    return outcome
