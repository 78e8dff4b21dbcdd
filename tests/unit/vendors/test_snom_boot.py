"""A Snom phone's boot sequence against the provisioning service (in-memory fakes, real templates)."""

import xml.etree.ElementTree as ET

import pytest
from tests.fakes import FakeDatabase, FixedClock

from sonata.adapters.templates import Jinja2TemplateEngine
from sonata.domain.model import Account, Contact, ContactNumber, Device, HostPort, LinkKind
from sonata.domain.services.provisioning import ProvisioningRequest, ProvisioningService, Refusal
from sonata.domain.vendors.base import RenderedFile

KEY = "personal-key-0001"
TOKEN = "group-token-0001"
MAC = "000413aabbcc"
UPPER = MAC.upper()
UA = "Mozilla/4.0 (compatible; snomD715-SIP 10.1.159.12 2010.12-00004-g9ba52f5 000413AABBCC)"
BASE = "http://sonata.example.net:8080"
LINKS = {LinkKind.PERSONAL: f"{BASE}/v1/device/{KEY}", LinkKind.COMMON: f"{BASE}/v1/token/{TOKEN}"}

DEVICE = Device(
    key=KEY,
    token=TOKEN,
    vendor="snom",
    model="d715",
    mac=MAC,
    accounts=(Account(line=1, sip_register=HostPort("pbx.example.com"), sip_user="1001", sip_password="pw"),),
    phonebook=(Contact("Anna", (ContactNumber("100"),)),),
)


class Phone:
    def __init__(self) -> None:
        self.database = FakeDatabase()
        self.database.devices[KEY] = DEVICE
        self.service = ProvisioningService(self.database.unit_of_work, Jinja2TemplateEngine(), FixedClock())

    async def get(
        self, filename: str | None, link: LinkKind = LinkKind.COMMON, ua: str | None = UA
    ) -> RenderedFile | Refusal:
        secret = KEY if link is LinkKind.PERSONAL else TOKEN
        request = ProvisioningRequest(link, secret, filename, "192.0.2.10", ua, LINKS[link])
        return await self.service.provision(request)


def served(outcome: RenderedFile | Refusal) -> ET.Element:
    assert isinstance(outcome, RenderedFile), outcome
    assert outcome.content_type.startswith("application/xml")
    return ET.fromstring(outcome.body)


def refused(outcome: RenderedFile | Refusal) -> Refusal:
    assert isinstance(outcome, Refusal), outcome
    return outcome


@pytest.mark.parametrize("link", [LinkKind.COMMON, LinkKind.PERSONAL])
async def test_the_whole_boot_sequence_on_either_link(link: LinkKind) -> None:
    phone = Phone()
    base = LINKS[link]
    files = [element.get("url") for element in served(await phone.get("snomD715.htm", link)).findall("file")]
    assert files == [f"{base}/{UPPER}.xml", f"{base}/tbook-{UPPER}.xml"]
    assert [
        e.get("url") for e in served(await phone.get(f"snom715-{UPPER}.htm", link)).findall("file")
    ] == files
    config = served(await phone.get(f"{UPPER}.xml", link))
    assert config.findtext("phone-settings/setting_server") == f"{base}/snom715-{UPPER}.htm"
    assert config.findtext("phone-settings/user_name[@idx='1']") == "1001"
    assert served(await phone.get(f"tbook-{UPPER}.xml", link)).findtext("item/name") == "Anna"


async def test_the_bare_personal_link_serves_the_device_config() -> None:
    outcome = await Phone().get(None, LinkKind.PERSONAL)
    assert isinstance(outcome, RenderedFile)
    assert outcome.filename == f"{UPPER}.xml"


async def test_the_last_request_records_what_is_on_the_desk() -> None:
    phone = Phone()
    served(await phone.get("snomD715.htm"))
    record = phone.database.devices[KEY].last_provisioning
    assert record is not None
    assert (record.vendor, record.model, record.firmware) == ("snom", "d715", "10.1.159.12")


async def test_another_models_file_is_refused() -> None:
    assert not refused(await Phone().get("snomD725.htm")).quiet


async def test_a_model_file_without_a_mac_in_the_user_agent_cannot_be_tied_to_a_device() -> None:
    old_ua = "Mozilla/4.0 (compatible; snom715-SIP 8.7.3.19 1.1.5-IFX-05.01.12)"
    refused(await Phone().get("snom715.htm", ua=old_ua))
    # ... while the files that carry the MAC still can
    served(await Phone().get(f"{UPPER}.xml", ua=old_ua))


async def test_another_vendors_user_agent_is_refused() -> None:
    refused(await Phone().get(f"{UPPER}.xml", ua="Yealink SIP-T46S 66.86.0.15 00:04:13:aa:bb:cc"))


async def test_a_file_named_for_another_mac_is_refused() -> None:
    refused(await Phone().get("000413000001.xml", LinkKind.PERSONAL, ua=None))
