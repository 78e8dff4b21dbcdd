"""rotateDeviceKey: a new key at once, the old one served for the grace period with files that point
the phone at the new link, then refused like any unknown key. Real templates, real cache, fake database."""

import dataclasses
import math

import pytest
from tests.fakes import FakeAddressLocks, FakeDatabase, FakePhoneDevices, FixedClock, provisioning_service

from sonata.adapters.cache import DeviceCache
from sonata.adapters.templates import Jinja2TemplateEngine
from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.model import Device, LinkKind
from sonata.domain.services.devices import MAX_GRACE_MINUTES, DeviceService
from sonata.domain.services.provisioning import ProvisioningRequest, Refusal
from sonata.domain.validation import AccountDraft, DeviceDraft, RulesDraft
from sonata.domain.vendors.base import RenderedFile

KEY = "personal-key-0001"
TOKEN = "group-token-0001"
MAC = "001565aabbcc"
UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc"
BASE = "http://sonata.example.net"
IP = "192.0.2.10"


class World:
    def __init__(self) -> None:
        self.database = FakeDatabase()
        self.clock = FixedClock()
        self.cache = DeviceCache(FakePhoneDevices(self.database), 16 * 1024 * 1024)
        self.cache.hold_until(math.inf)
        self.devices = DeviceService(self.database.unit_of_work, self.clock, self.cache)
        self.service = provisioning_service(
            self.database,
            Jinja2TemplateEngine(),
            self.clock,
            devices=self.cache,
            files=self.cache,
            locks=FakeAddressLocks(self.database, self.cache),
        )

    async def publish(self, key: str = KEY, mac: str = MAC, **changes: object) -> Device:
        values: dict[str, object] = {
            "key": key,
            "token": TOKEN,
            "vendor": "yealink",
            "model": "t46s",
            "mac": mac,
            "accounts": [AccountDraft(line=1, sip_register="sip.example.net", sip_user="101")],
        }
        values.update(changes)
        return await self.devices.save(DeviceDraft(**values))  # type: ignore[arg-type]

    async def fetch(
        self, secret: str, *, link: LinkKind = LinkKind.PERSONAL, ip: str = IP
    ) -> RenderedFile | Refusal:
        kind = "device" if link is LinkKind.PERSONAL else "token"
        return await self.service.provision(
            ProvisioningRequest(link, secret, f"{MAC}.cfg", ip, UA, f"{BASE}/v1/{kind}/{secret}")
        )


@pytest.fixture
async def world() -> World:
    world = World()
    await world.publish()
    return world


def body(outcome: RenderedFile | Refusal) -> str:
    assert isinstance(outcome, RenderedFile), outcome
    return outcome.body.decode()


def refused(outcome: RenderedFile | Refusal) -> Refusal:
    assert isinstance(outcome, Refusal), outcome
    return outcome


def server_url(config: str) -> str:
    [line] = [line for line in config.splitlines() if line.startswith("static.auto_provision.server.url")]
    return line.split(" = ", 1)[1].removesuffix("/")  # Yealink's server URL is the link's directory


async def test_the_device_gets_a_new_key_and_keeps_everything_else(world: World) -> None:
    stored = world.database.devices[KEY]
    world.clock.advance(minutes=5)
    rotated = await world.devices.rotate_key(KEY, 60)
    assert rotated.key != KEY and len(rotated.key) >= 22
    assert list(world.database.devices) == [rotated.key]
    assert world.database.devices[rotated.key] == rotated
    # Not a save: the publish window and the lock go on from the last save.
    assert rotated == dataclasses.replace(stored, key=rotated.key)


async def test_the_old_key_serves_a_config_naming_the_new_link_until_the_grace_ends(world: World) -> None:
    assert server_url(body(await world.fetch(KEY))) == f"{BASE}/v1/device/{KEY}"
    new = (await world.devices.rotate_key(KEY, 60)).key
    on_new = body(await world.fetch(new))
    on_old = body(await world.fetch(KEY))
    assert server_url(on_new) == f"{BASE}/v1/device/{new}"
    assert on_old == on_new
    world.clock.advance(minutes=59, seconds=59)
    assert body(await world.fetch(KEY)) == on_new
    world.clock.advance(seconds=1)
    after_grace = refused(await world.fetch(KEY))
    unknown = refused(await world.fetch("never-a-key-0001"))
    assert "grace ended" in after_grace.reason
    assert (after_grace.quiet, after_grace.challenge, after_grace.counts) == (
        unknown.quiet,
        unknown.challenge,
        unknown.counts,
    )
    assert body(await world.fetch(new)) == on_new


async def test_a_grace_of_0_minutes_refuses_the_old_key_at_once(world: World) -> None:
    new = (await world.devices.rotate_key(KEY, 0)).key
    refused(await world.fetch(KEY))
    body(await world.fetch(new))


async def test_the_common_link_is_not_moved(world: World) -> None:
    await world.devices.rotate_key(KEY, 60)
    config = body(await world.fetch(TOKEN, link=LinkKind.COMMON))
    assert server_url(config) == f"{BASE}/v1/token/{TOKEN}"


async def test_last_provisioning_tells_which_link_the_phone_used(world: World) -> None:
    new = (await world.devices.rotate_key(KEY, 60)).key

    async def link_of(secret: str, link: LinkKind = LinkKind.PERSONAL) -> tuple[LinkKind | None, bool]:
        body(await world.fetch(secret, link=link))
        record = world.database.devices[new].last_provisioning
        assert record is not None
        return record.link, record.previous_key

    assert await link_of(KEY) == (LinkKind.PERSONAL, True)
    assert await link_of(new) == (LinkKind.PERSONAL, False)
    assert await link_of(TOKEN, LinkKind.COMMON) == (LinkKind.COMMON, False)


async def test_a_second_rotation_keeps_the_first_old_key_to_its_own_grace(world: World) -> None:
    second = (await world.devices.rotate_key(KEY, 60)).key
    world.clock.advance(minutes=10)
    third = (await world.devices.rotate_key(second, 120)).key
    assert server_url(body(await world.fetch(KEY))) == f"{BASE}/v1/device/{third}"
    assert server_url(body(await world.fetch(second))) == f"{BASE}/v1/device/{third}"
    world.clock.advance(minutes=50)
    refused(await world.fetch(KEY))
    body(await world.fetch(second))


async def test_the_lock_and_the_window_carry_on_through_a_rotation() -> None:
    world = World()
    await world.publish(rules=RulesDraft(publish_window_minutes=30, lock_to_first_address=True))
    body(await world.fetch(KEY, ip=IP))
    new = (await world.devices.rotate_key(KEY, 60)).key
    refused(await world.fetch(new, ip="198.51.100.7"))
    body(await world.fetch(new, ip=IP))
    world.clock.advance(minutes=30)
    assert "publish window" in refused(await world.fetch(new, ip=IP)).reason


@pytest.mark.parametrize("grace", [-1, MAX_GRACE_MINUTES + 1])
async def test_a_grace_out_of_range_is_a_field_error_and_changes_nothing(world: World, grace: int) -> None:
    with pytest.raises(ValidationFailed) as failure:
        await world.devices.rotate_key(KEY, grace)
    assert [error.field for error in failure.value.errors] == ["grace_minutes"]
    assert list(world.database.devices) == [KEY] and world.database.previous_keys == {}


@pytest.mark.parametrize("key", ["unknown-key-0001", "bad key", "x" * 500])
async def test_an_unknown_key_is_a_field_error(world: World, key: str) -> None:
    with pytest.raises(ValidationFailed) as failure:
        await world.devices.rotate_key(key, 60)
    assert failure.value.errors == [FieldError("key", "no device has this key")]


async def test_a_rotated_key_cannot_be_rotated_again(world: World) -> None:
    await world.devices.rotate_key(KEY, 60)
    with pytest.raises(ValidationFailed) as failure:
        await world.devices.rotate_key(KEY, 60)
    assert [error.field for error in failure.value.errors] == ["key"]


async def test_a_key_taken_by_a_rotation_names_no_new_device(world: World) -> None:
    await world.devices.rotate_key(KEY, 60)
    with pytest.raises(ValidationFailed) as failure:
        await world.publish(key=KEY, mac="001565000002")
    assert [error.field for error in failure.value.errors] == ["key"]
    [imported] = await world.devices.import_documents(
        [{"key": KEY, "vendor": "yealink", "model": "t46s", "mac": "001565000002"}]
    )
    assert imported.device is None and [error.field for error in imported.errors] == ["key"]
    assert len(world.database.devices) == 1


async def test_deleting_the_device_ends_its_old_keys(world: World) -> None:
    new = (await world.devices.rotate_key(KEY, 60)).key
    assert await world.devices.delete(new)
    refused(await world.fetch(KEY))
    assert world.database.previous_keys == {}
    await world.publish(key=KEY)
    body(await world.fetch(KEY))


async def test_a_held_device_is_dropped_at_once_and_the_new_key_served(world: World) -> None:
    body(await world.fetch(KEY))  # held in memory under the old key
    new = (await world.devices.rotate_key(KEY, 60)).key
    assert server_url(body(await world.fetch(KEY))) == f"{BASE}/v1/device/{new}"
