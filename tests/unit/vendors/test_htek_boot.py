"""An Htek phone's boot sequence against the provisioning service (in-memory fakes, real templates)."""

import xml.etree.ElementTree as ET

import pytest
from tests.unit.vendors import samples
from tests.unit.vendors.samples import KEY, LINKS, boot_device, refused, served_xml

from sonata.domain.model import LinkKind
from sonata.domain.vendors.base import RenderedFile

MAC = "001fc11c22a9"
UA = "Htek UC923 2.0.4.6.41 00:1f:c1:1c:22:a9"
DEVICE = boot_device("htek", "uc923", MAC)


class Phone(samples.Phone):
    def __init__(self, ua: str | None = UA) -> None:
        super().__init__(DEVICE, ua)


@pytest.mark.parametrize("link", [LinkKind.COMMON, LinkKind.PERSONAL])
async def test_the_whole_boot_sequence_on_either_link(link: LinkKind) -> None:
    phone = Phone()
    model_file = served_xml(await phone.get("cfg0013.xml", link))
    config = ET.fromstring(model_file).find("config")
    assert config is not None
    assert (config.findtext("P237"), config.findtext("P331"), config.findtext("P35")) == (
        LINKS[link],
    ) * 2 + ("1001",)
    assert refused(await phone.get(f"cfg{MAC}", link)).quiet
    assert served_xml(await phone.get(f"cfg{MAC}.xml", link)) == model_file
    assert (
        ET.fromstring(served_xml(await phone.get("phonebook.xml", link))).findtext("Contact/FirstName")
        == "Anna"
    )


@pytest.mark.parametrize("filename", [f"{MAC}.cfg", "factory0001.bin"])
async def test_files_of_htek_redirection_are_quiet_refusals(filename: str) -> None:
    assert refused(await Phone().get(filename)).quiet


async def test_the_bare_personal_link_serves_the_device_config() -> None:
    outcome = await Phone().get(None, LinkKind.PERSONAL)
    assert isinstance(outcome, RenderedFile)
    assert outcome.filename == f"cfg{MAC}.xml"


async def test_the_last_request_records_what_is_on_the_desk() -> None:
    phone = Phone()
    served_xml(await phone.get("cfg0013.xml"))
    record = phone.database.devices[KEY].last_provisioning
    assert record is not None
    assert (record.vendor, record.model, record.firmware) == ("htek", "uc923", "2.0.4.6.41")


async def test_another_models_file_is_refused() -> None:
    assert not refused(await Phone().get("cfg0012.xml")).quiet


async def test_the_common_link_needs_the_mac_of_the_user_agent_for_the_model_file() -> None:
    refused(await Phone(ua="Htek UC923 2.0.4.6.41").get("cfg0013.xml"))


async def test_another_vendors_user_agent_is_refused() -> None:
    refused(
        await Phone(ua="Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 001fc11c22a9").get(f"cfg{MAC}.xml")
    )
