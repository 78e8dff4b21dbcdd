"""Which refused phones the provisioning service notes as unknown phones, and that their answer stays."""

import pytest
from tests.fakes import EchoTemplateEngine, FakeDatabase, FixedClock, provisioning_service
from tests.unit.test_provisioning import KEY, MAC, TOKEN, YEALINK_UA

from sonata.domain.model import LinkKind
from sonata.domain.services.devices import DeviceService
from sonata.domain.services.provisioning import ProvisioningRequest, Refusal
from sonata.domain.unknown_phones import MAX_READ_TEXT, UnknownPhone
from sonata.domain.validation import AccountDraft, DeviceDraft


class Notes:
    def __init__(self) -> None:
        self.phones: list[UnknownPhone] = []

    def noticed(self, phone: UnknownPhone) -> None:
        self.phones.append(phone)


class World:
    def __init__(self) -> None:
        database, self.clock = FakeDatabase(), FixedClock()
        self.devices = DeviceService(database.unit_of_work, self.clock)
        self.notes = Notes()
        self.service = provisioning_service(
            database, EchoTemplateEngine(), self.clock, unknown_phones=self.notes
        )

    async def ask(
        self, filename: str | None, ua: str | None, *, secret: str = TOKEN, probe: bool = False
    ) -> Refusal:
        link = LinkKind.PERSONAL if secret == KEY else LinkKind.COMMON
        outcome = await self.service.provision(
            ProvisioningRequest(link, secret, filename, "192.0.2.10", ua, probe=probe)
        )
        assert isinstance(outcome, Refusal), outcome
        return outcome


@pytest.fixture
async def world() -> World:
    world = World()
    account = AccountDraft(line=1, sip_register="sip.example.net", sip_user="101")
    await world.devices.save(
        DeviceDraft(vendor="yealink", model="t46s", mac=MAC, key=KEY, token=TOKEN, accounts=[account])
    )
    return world


async def test_a_phone_whose_user_agent_names_it_is_noted_with_what_it_says(world: World) -> None:
    refusal = await world.ask("001565000001.cfg", "Yealink SIP-T46S 66.86.0.15 00:15:65:00:00:01")
    assert refusal.counts and refusal.reason.startswith("no device with MAC 001565000001")
    [phone] = world.notes.phones
    assert phone == UnknownPhone(
        TOKEN,
        "001565000001",
        "yealink",
        "t46s",
        "66.86.0.15",
        "192.0.2.10",
        world.clock.now(),
        world.clock.now(),
    )


@pytest.mark.parametrize(
    ("filename", "ua", "vendor"),
    [
        ("cfg000b82aabbcc.xml", None, "grandstream"),  # no User-Agent: the MAC's range names the vendor
        ("0c383e07e16c.cfg", "curl/8.5.0", "fanvil"),
        (None, "Htek UC903 2.0.4.2 00:1f:c1:1c:22:a9", "htek"),  # the MAC of the User-Agent
    ],
)
async def test_a_phone_whose_mac_names_its_vendor_is_noted(
    world: World, filename: str | None, ua: str | None, vendor: str
) -> None:
    await world.ask(filename, ua)
    [phone] = world.notes.phones
    assert phone.vendor == vendor and phone.token == TOKEN


@pytest.mark.parametrize(
    ("filename", "ua", "secret", "probe"),
    [
        ("52540012ab34.cfg", "curl/8.5.0", TOKEN, False),  # says nothing of itself
        ("001565000001.cfg", YEALINK_UA, "bad token!", False),  # a token no device can have
        ("001565000001.cfg", YEALINK_UA, TOKEN, True),  # HEAD: no phone's fetch
        ("001565000001.cfg", YEALINK_UA, KEY, False),  # the personal link names no group
        ("y000000000066.cfg", "Yealink SIP-T46S 66.86.0.15", TOKEN, False),  # no MAC at all
    ],
)
async def test_phones_saying_nothing_of_themselves_or_off_a_common_link_are_not_noted(
    world: World, filename: str, ua: str, secret: str, probe: bool
) -> None:
    await world.ask(filename, ua, secret=secret, probe=probe)
    assert world.notes.phones == []


async def test_the_refusal_is_the_same_with_or_without_notes(world: World) -> None:
    unnoted = provisioning_service(FakeDatabase(), EchoTemplateEngine(), world.clock)
    request = ProvisioningRequest(LinkKind.COMMON, TOKEN, "001565000001.cfg", "192.0.2.10", YEALINK_UA)
    assert await world.service.provision(request) == await unnoted.provision(request)
    assert len(world.notes.phones) == 1


async def test_what_a_user_agent_says_is_cut(world: World) -> None:
    await world.ask("0c383e07e16c.cfg", "Fanvil X4" + "A" * 200 + " 2.10.2.6887 0c383e07e16c")
    [phone] = world.notes.phones
    assert phone.model is not None and phone.model.startswith("x4aaa") and len(phone.model) == MAX_READ_TEXT
