"""A Fanvil X6U's firmware check against the provisioning service (in-memory fakes, real templates):
the device file points `UpgradeServer1` at the link, where the phone reads its descriptor."""

import dataclasses
import logging
import xml.etree.ElementTree as ET

import pytest
from tests.unit.vendors import samples
from tests.unit.vendors.samples import LINKS, boot_device, refused, served_xml

from sonata.domain.model import LinkKind
from sonata.domain.vendors.base import RenderedFile

MAC = "0c383e2cd782"
UA = "Fanvil X6U Pro 0.0.10 0c383e2cd782"
IMAGE = "https://fw.example.com/fanvil/x6upro-fanvil-release-ff01-6916-2.12.4.1-krnvUT2022-05-18.z"
DEVICE = dataclasses.replace(boot_device("fanvil", "x6u", MAC), firmware_url=IMAGE)
DESCRIPTOR = "fanvil_x6u_hw10.txt"


class Phone(samples.Phone):
    def __init__(self, firmware_url: str | None = IMAGE) -> None:
        super().__init__(dataclasses.replace(DEVICE, firmware_url=firmware_url), UA)


def upgrade_server(config: bytes) -> str | None:
    return ET.fromstring(config).findtext("fwCheck/UpgradeServer1")


@pytest.mark.parametrize("link", [LinkKind.COMMON, LinkKind.PERSONAL])
async def test_the_phone_finds_its_descriptor_where_the_device_file_sends_it(link: LinkKind) -> None:
    phone = Phone()
    assert upgrade_server(served_xml(await phone.get(f"{MAC}.cfg", link))) == LINKS[link]
    assert upgrade_server(served_xml(await phone.get("F0V0X6U00000.cfg", link))) == LINKS[link]
    outcome = await phone.get(DESCRIPTOR, link)
    assert isinstance(outcome, RenderedFile), outcome
    assert outcome.content_type == "text/plain; charset=utf-8"
    assert outcome.body.decode().split("\n")[:2] == ["Version=2.12.4.1", f"Firmware={IMAGE}"]


@pytest.mark.parametrize("link", [LinkKind.COMMON, LinkKind.PERSONAL])
async def test_without_a_firmware_url_the_descriptor_is_a_quiet_404(
    link: LinkKind, caplog: pytest.LogCaptureFixture
) -> None:
    phone = Phone(firmware_url=None)
    assert upgrade_server(served_xml(await phone.get(f"{MAC}.cfg", link))) is None
    with caplog.at_level(logging.WARNING, logger="sonata.provisioning"):
        assert refused(await phone.get(DESCRIPTOR, link)).quiet
    assert caplog.text == ""


async def test_another_models_descriptor_is_refused() -> None:
    assert not refused(await Phone().get("fanvil_v64_hwv1_0.txt")).quiet
