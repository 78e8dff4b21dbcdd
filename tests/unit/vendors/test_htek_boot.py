"""An Htek phone's boot sequence against the provisioning service (in-memory fakes, real templates)."""

import xml.etree.ElementTree as ET

import pytest
from tests.fakes import FakeDatabase, FixedClock

from sonata.adapters.templates import Jinja2TemplateEngine
from sonata.domain.model import Account, Contact, ContactNumber, Device, HostPort, LinkKind
from sonata.domain.services.provisioning import ProvisioningRequest, ProvisioningService, Refusal
from sonata.domain.vendors.base import RenderedFile

KEY = "personal-key-0001"
TOKEN = "group-token-0001"
MAC = "001fc11c22a9"
UA = "Htek UC923 2.0.4.6.41 00:1f:c1:1c:22:a9"
BASE = "http://sonata.example.net:8080"
LINKS = {LinkKind.PERSONAL: f"{BASE}/v1/device/{KEY}", LinkKind.COMMON: f"{BASE}/v1/token/{TOKEN}"}

DEVICE = Device(
    key=KEY,
    token=TOKEN,
    vendor="htek",
    model="uc923",
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


def body(outcome: RenderedFile | Refusal) -> bytes:
    assert isinstance(outcome, RenderedFile), outcome
    assert outcome.content_type.startswith("application/xml")
    return outcome.body


def refused(outcome: RenderedFile | Refusal) -> Refusal:
    assert isinstance(outcome, Refusal), outcome
    return outcome


@pytest.mark.parametrize("link", [LinkKind.COMMON, LinkKind.PERSONAL])
async def test_the_whole_boot_sequence_on_either_link(link: LinkKind) -> None:
    phone = Phone()
    model_file = body(await phone.get("cfg0013.xml", link))
    config = ET.fromstring(model_file).find("config")
    assert config is not None
    assert (config.findtext("P237"), config.findtext("P331"), config.findtext("P35")) == (
        LINKS[link],
    ) * 2 + ("1001",)
    assert refused(await phone.get(f"cfg{MAC}", link)).quiet
    assert body(await phone.get(f"cfg{MAC}.xml", link)) == model_file
    assert ET.fromstring(body(await phone.get("phonebook.xml", link))).findtext("Contact/FirstName") == "Anna"


@pytest.mark.parametrize("filename", [f"{MAC}.cfg", "factory0001.bin"])
async def test_files_of_htek_redirection_are_quiet_refusals(filename: str) -> None:
    assert refused(await Phone().get(filename)).quiet


async def test_the_bare_personal_link_serves_the_device_config() -> None:
    outcome = await Phone().get(None, LinkKind.PERSONAL)
    assert isinstance(outcome, RenderedFile)
    assert outcome.filename == f"cfg{MAC}.xml"


async def test_the_last_request_records_what_is_on_the_desk() -> None:
    phone = Phone()
    body(await phone.get("cfg0013.xml"))
    record = phone.database.devices[KEY].last_provisioning
    assert record is not None
    assert (record.vendor, record.model, record.firmware) == ("htek", "uc923", "2.0.4.6.41")


async def test_another_models_file_is_refused() -> None:
    assert not refused(await Phone().get("cfg0012.xml")).quiet


async def test_the_common_link_needs_the_mac_of_the_user_agent_for_the_model_file() -> None:
    refused(await Phone().get("cfg0013.xml", ua="Htek UC923 2.0.4.6.41"))


async def test_another_vendors_user_agent_is_refused() -> None:
    refused(
        await Phone().get(f"cfg{MAC}.xml", ua="Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 001fc11c22a9")
    )
