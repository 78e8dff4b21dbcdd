"""A Snom phone's boot sequence against the provisioning service (in-memory fakes, real templates)."""

import dataclasses
import xml.etree.ElementTree as ET

import pytest
from tests.unit.vendors import samples
from tests.unit.vendors.samples import KEY, LINKS, boot_device, refused

from sonata.domain.model import Device, LinkKind
from sonata.domain.services.provisioning import Refusal
from sonata.domain.vendors.base import RenderedFile

MAC = "000413aabbcc"
UPPER = MAC.upper()
UA = "Mozilla/4.0 (compatible; snomD715-SIP 10.1.159.12 2010.12-00004-g9ba52f5 000413AABBCC)"
DEVICE = boot_device("snom", "d715", MAC)


class Phone(samples.Phone):
    def __init__(self, ua: str | None = UA, device: Device = DEVICE) -> None:
        super().__init__(device, ua)


def served(outcome: RenderedFile | Refusal) -> ET.Element:
    return ET.fromstring(samples.served_xml(outcome))


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


@pytest.mark.parametrize("link", [LinkKind.COMMON, LinkKind.PERSONAL])
async def test_the_firmware_file_firmware_status_names_is_served_on_either_link(link: LinkKind) -> None:
    image = "http://fw.example.com/snom/snomD715-10.1.159.12-SIP-r.bin"
    phone = Phone(device=dataclasses.replace(DEVICE, firmware_url=image))
    status = served(await phone.get(f"{UPPER}.xml", link)).findtext("phone-settings/firmware_status")
    assert status == f"{LINKS[link]}/snom715-{UPPER}-firmware.xml"
    firmware = served(await phone.get(status.rsplit("/", 1)[1], link))
    assert (firmware.tag, firmware.findtext("firmware")) == ("firmware-settings", image)


@pytest.mark.parametrize("link", [LinkKind.COMMON, LinkKind.PERSONAL])
async def test_without_a_firmware_url_the_firmware_file_is_not_served(link: LinkKind) -> None:
    assert refused(await Phone().get(f"snom715-{UPPER}-firmware.xml", link)).quiet


async def test_another_phones_firmware_file_is_refused() -> None:
    phone = Phone(device=dataclasses.replace(DEVICE, firmware_url="http://fw.example.com/a.bin"))
    assert not refused(await phone.get("snom715-000413000001-firmware.xml", LinkKind.PERSONAL)).quiet


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
    refused(await Phone(ua=old_ua).get("snom715.htm"))
    # ... while the files that carry the MAC still can
    served(await Phone(ua=old_ua).get(f"{UPPER}.xml"))


async def test_another_vendors_user_agent_is_refused() -> None:
    refused(await Phone(ua="Yealink SIP-T46S 66.86.0.15 00:04:13:aa:bb:cc").get(f"{UPPER}.xml"))


async def test_a_file_named_for_another_mac_is_refused() -> None:
    refused(await Phone(ua=None).get("000413000001.xml", LinkKind.PERSONAL))
