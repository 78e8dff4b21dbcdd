"""The device cache of the phones' hot path: what it keeps, what it drops, and that the rules are
still decided per request. Real cache and real templates over the in-memory fake database."""

import asyncio
import math
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from tests.fakes import FakeDatabase, FakePhoneDevices, FixedClock, provisioning_service

from sonata.adapters.cache import DeviceCache, device_bytes, file_bytes
from sonata.adapters.templates import Jinja2TemplateEngine
from sonata.domain.model import Device, LinkKind
from sonata.domain.services.devices import DeviceService
from sonata.domain.services.provisioning import ProvisioningRequest, ProvisioningService, Refusal
from sonata.domain.validation import AccountDraft, DeviceDraft, RulesDraft
from sonata.domain.vendors.base import RenderedFile

KEY = "personal-key-0001"
TOKEN = "group-token-0001"
MAC = "001565aabbcc"
UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc"
LINK = f"http://sonata.example.net/v1/device/{KEY}"
MB = 1024 * 1024


class CountingTemplates(Jinja2TemplateEngine):
    def __init__(self) -> None:
        super().__init__()
        self.renders = 0

    def render(self, template: str, context: object) -> str:  # type: ignore[override]
        self.renders += 1
        return super().render(template, context)  # type: ignore[arg-type]


class World:
    def __init__(self, max_bytes: int = 16 * MB) -> None:
        self.database = FakeDatabase()
        self.clock = FixedClock()
        self.source = FakePhoneDevices(self.database)
        self.cache = DeviceCache(self.source, max_bytes)
        self.cache.hold_until(math.inf)
        self.templates = CountingTemplates()
        self.devices = DeviceService(self.database.unit_of_work, self.clock, self.cache)
        self.service: ProvisioningService = provisioning_service(
            self.database, self.templates, self.clock, devices=self.cache, files=self.cache
        )

    async def publish(self, **changes: object) -> None:
        values: dict[str, object] = {
            "key": KEY,
            "token": TOKEN,
            "vendor": "yealink",
            "model": "t46s",
            "mac": MAC,
            "accounts": [
                AccountDraft(line=1, sip_register="sip.example.net", sip_user="101", sip_password="pw-1")
            ],
        }
        values.update(changes)
        await self.devices.save(DeviceDraft(**values))  # type: ignore[arg-type]

    async def fetch(self, link: LinkKind = LinkKind.PERSONAL, link_url: str = LINK) -> RenderedFile | Refusal:
        secret = KEY if link is LinkKind.PERSONAL else TOKEN
        return await self.service.provision(
            ProvisioningRequest(link, secret, f"{MAC}.cfg", "192.0.2.10", UA, link_url)
        )


def body(outcome: RenderedFile | Refusal) -> bytes:
    assert isinstance(outcome, RenderedFile), outcome
    return outcome.body


def refused(outcome: RenderedFile | Refusal) -> str:
    assert isinstance(outcome, Refusal), outcome
    return outcome.reason


@pytest.fixture
async def world() -> World:
    world = World()
    await world.publish()
    return world


async def test_a_warm_fetch_neither_reads_the_device_nor_renders_again(world: World) -> None:
    first = body(await world.fetch())
    assert (world.source.lookups, world.templates.renders) == (1, 1)
    for _ in range(3):
        assert body(await world.fetch()) == first
    assert (world.source.lookups, world.templates.renders) == (1, 1)


async def test_the_common_link_is_cached_by_mac_and_token_and_renders_its_own_file(world: World) -> None:
    common = f"http://sonata.example.net/v1/token/{TOKEN}"
    served = body(await world.fetch(LinkKind.COMMON, common))
    assert body(await world.fetch(LinkKind.COMMON, common)) == served
    assert world.source.lookups == 1
    # The file points back at the link it was fetched on: another link is another file.
    assert common.encode() in served and body(await world.fetch()) != served


async def test_a_wrong_token_and_an_unknown_mac_both_ask_the_database(world: World) -> None:
    body(await world.fetch(LinkKind.COMMON))
    lookups = world.source.lookups
    assert await world.cache.by_mac_and_token(MAC, "wrong-token-0001") is None
    assert await world.cache.by_mac_and_token("001565000009", TOKEN) is None
    assert world.source.lookups == lookups + 2


async def test_a_save_is_served_at_once(world: World) -> None:
    body(await world.fetch())
    await world.publish(
        accounts=[AccountDraft(line=1, sip_register="sip.example.net", sip_user="101", sip_password="pw-2")]
    )
    served = body(await world.fetch())
    assert b"pw-2" in served and b"pw-1" not in served


async def test_a_rule_change_is_applied_at_once(world: World) -> None:
    body(await world.fetch())
    await world.publish(status=False)
    assert "disabled" in refused(await world.fetch())
    await world.publish(rules=RulesDraft(allowed_ips=["10.0.0.0/8"]))
    assert "address not allowed" in refused(await world.fetch())


async def test_a_delete_is_applied_at_once(world: World) -> None:
    body(await world.fetch())
    body(await world.fetch(LinkKind.COMMON))
    assert await world.devices.delete(KEY)
    assert "unknown key" in refused(await world.fetch())
    assert "no device with MAC" in refused(await world.fetch(LinkKind.COMMON))


async def test_expiry_is_checked_against_the_clock_on_a_cached_device(world: World) -> None:
    await world.publish(rules=RulesDraft(expires_at=world.clock.now() + timedelta(minutes=5)))
    body(await world.fetch())
    lookups = world.source.lookups
    world.clock.advance(minutes=5)
    assert "expired" in refused(await world.fetch())
    assert world.source.lookups == lookups  # the very device held in memory, refused by the clock


async def test_the_least_recently_used_devices_go_first_once_past_the_memory_bound() -> None:
    database = FakeDatabase()
    devices = [
        Device(key=f"key-{i:04d}-abcdef", vendor="yealink", model="t46s", mac=f"001565{i:06x}")
        for i in range(40)
    ]
    database.devices = {d.key: d for d in devices}
    each = device_bytes(devices[0])
    cache = DeviceCache(FakePhoneDevices(database), max_bytes=10 * each)
    cache.hold_until(math.inf)
    for device in devices[:10]:
        assert await cache.by_key(device.key) == device
    await cache.by_key(devices[0].key)  # used again: now the most recent
    for device in devices[10:15]:
        await cache.by_key(device.key)
    assert len(cache) == 10 and cache.size <= 10 * each
    source = FakePhoneDevices(database)
    kept = DeviceCache(source, max_bytes=10 * each)
    kept.hold_until(math.inf)
    for device in devices[:10]:
        await kept.by_key(device.key)
    await kept.by_key(devices[0].key)
    await kept.by_key(devices[10].key)  # evicts devices[1], the least recently used
    lookups = source.lookups
    await kept.by_key(devices[0].key)
    assert source.lookups == lookups
    await kept.by_key(devices[1].key)
    assert source.lookups == lookups + 1


async def test_rendered_files_count_against_the_bound_and_leave_with_their_device(world: World) -> None:
    device = await world.cache.by_key(KEY)
    assert device is not None
    file = RenderedFile(f"{MAC}.cfg", "text/plain; charset=utf-8", b"x" * 1000)
    before = world.cache.size
    world.cache.put(device, LINK, f"{MAC}.cfg", file)
    assert world.cache.size == before + file_bytes(LINK, f"{MAC}.cfg", file)
    assert world.cache.get(device, LINK, f"{MAC}.cfg") is file
    world.cache.changed(KEY)
    assert world.cache.size == 0
    assert world.cache.get(device, LINK, f"{MAC}.cfg") is None


async def test_a_file_is_never_reused_for_another_version_of_the_device(world: World) -> None:
    held = await world.cache.by_key(KEY)
    assert held is not None
    file = RenderedFile(f"{MAC}.cfg", "text/plain", b"old")
    world.cache.put(held, LINK, f"{MAC}.cfg", file)
    assert world.cache.get(held, LINK, f"{MAC}.cfg") is file
    other_version = Device(key=KEY, vendor="yealink", model="t46s", mac=MAC, title="other")
    assert world.cache.get(other_version, LINK, f"{MAC}.cfg") is None
    world.cache.put(other_version, LINK, "x.cfg", file)  # not the version held: not kept
    assert world.cache.get(held, LINK, "x.cfg") is None


async def test_a_lookup_that_raced_a_change_is_answered_but_not_kept() -> None:
    database = FakeDatabase()
    stale = Device(key=KEY, vendor="yealink", model="t46s", mac=MAC, title="before")
    database.devices[KEY] = stale
    reading, release = asyncio.Event(), asyncio.Event()

    class SlowSource(FakePhoneDevices):
        async def by_key(self, key: str) -> Device | None:
            device = await super().by_key(key)
            reading.set()
            await release.wait()
            return device

    source = SlowSource(database)
    cache = DeviceCache(source, 16 * MB)
    cache.hold_until(math.inf)
    lookup = asyncio.create_task(cache.by_key(KEY))
    await reading.wait()
    database.devices[KEY] = Device(key=KEY, vendor="yealink", model="t46s", mac=MAC, title="after")
    cache.changed(KEY)  # the save commits while the lookup still holds the old row
    release.set()
    assert await lookup == stale
    assert len(cache) == 0
    fresh = await cache.by_key(KEY)
    assert fresh is not None and fresh.title == "after"


async def test_past_the_time_a_follower_vouched_for_nothing_is_served_from_memory() -> None:
    database = FakeDatabase()
    database.devices[KEY] = Device(key=KEY, vendor="yealink", model="t46s", mac=MAC)
    now = [100.0]
    source = FakePhoneDevices(database)
    cache = DeviceCache(source, 16 * MB, clock=lambda: now[0])
    await cache.by_key(KEY)
    assert len(cache) == 0  # no follower has vouched yet
    cache.hold_until(101.0)
    held = await cache.by_key(KEY)
    assert await cache.by_key(KEY) is held
    assert (len(cache), source.lookups) == (1, 2)
    now[0] = 101.5
    await cache.by_key(KEY)
    assert source.lookups == 3  # read through
    cache.hold_until(102.5)  # the follower caught up and dropped whatever changed meanwhile
    assert await cache.by_key(KEY) is held
    assert source.lookups == 3


def yealink(number: int) -> Device:
    return Device(
        key=f"key-{number:04d}-abcdef", vendor="yealink", model="t46s", mac=f"001565{number:06x}", token=TOKEN
    )


async def chunks_of(devices: list[Device], size: int) -> AsyncIterator[list[Device]]:
    for start in range(0, len(devices), size):
        yield devices[start : start + size]


async def test_devices_read_ahead_are_served_from_memory_and_fill_it_only_to_the_bound() -> None:
    database = FakeDatabase()
    devices = [yealink(number) for number in range(10)]
    database.devices = {device.key: device for device in devices}
    source = FakePhoneDevices(database)
    cache = DeviceCache(source, max_bytes=6 * device_bytes(devices[0]))
    cache.hold_until(math.inf)
    assert await cache.preload(chunks_of(devices, 4)) == 6
    assert await cache.by_mac_and_token(devices[5].mac, TOKEN) is devices[5]
    assert await cache.by_key(devices[0].key) is devices[0]
    assert source.lookups == 0


class GatedPhoneDevices(FakePhoneDevices):
    """Lookups by key wait until the gate opens, as phones' lookups wait for a busy database."""

    def __init__(self, database: FakeDatabase) -> None:
        super().__init__(database)
        self.gate = asyncio.Event()

    async def by_key(self, key: str) -> Device | None:
        await self.gate.wait()
        return await super().by_key(key)


async def test_the_read_ahead_gives_way_while_phones_wait_for_lookups() -> None:
    database = FakeDatabase()
    devices = [yealink(number) for number in range(4)]
    database.devices = {device.key: device for device in devices}
    source = GatedPhoneDevices(database)
    cache = DeviceCache(source, 16 * MB)
    cache.hold_until(math.inf)
    phone = asyncio.create_task(cache.by_key(devices[0].key))
    await asyncio.sleep(0)  # the phone's lookup now waits for the database
    preload = asyncio.create_task(cache.preload(chunks_of(devices[1:], 1)))
    for _ in range(10):
        await asyncio.sleep(0)
    assert len(cache) == 0  # the read-ahead waits its pause before each chunk, not the phone
    source.gate.set()
    assert await phone is devices[0]
    assert await preload == 3 and len(cache) == 4


async def test_a_chunk_read_while_a_device_changed_is_not_kept() -> None:
    devices = [yealink(number) for number in range(6)]
    cache = DeviceCache(FakePhoneDevices(FakeDatabase()), 16 * MB)
    cache.hold_until(math.inf)

    async def chunks_with_a_save_during_the_second() -> AsyncIterator[list[Device]]:
        yield devices[:2]
        cache.changed(devices[3].key)  # a save while the second chunk is read
        yield devices[2:4]
        yield devices[4:]

    assert await cache.preload(chunks_with_a_save_during_the_second()) == 4
    assert len(cache) == 4 and await cache.by_key(devices[3].key) is None


async def test_devices_phones_asked_for_stay_before_those_read_ahead() -> None:
    database = FakeDatabase()
    devices = [yealink(number) for number in range(3)]
    database.devices = {device.key: device for device in devices}
    source = FakePhoneDevices(database)
    cache = DeviceCache(source, max_bytes=3 * device_bytes(devices[0]))
    cache.hold_until(math.inf)
    asked = await cache.by_key(devices[2].key)
    assert await cache.preload(chunks_of(devices, 3)) == 2
    extra = yealink(7)
    database.devices[extra.key] = extra
    await cache.by_key(extra.key)  # evicts one read ahead, not the one asked for
    lookups = source.lookups
    assert await cache.by_key(devices[2].key) is asked
    assert (len(cache), source.lookups) == (3, lookups)
