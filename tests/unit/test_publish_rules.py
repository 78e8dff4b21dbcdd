"""The publish window and the address lock: rules of a device, saved, read from documents and patches,
and decided on every request against the clock, from memory as from the database."""

import math

import pytest
from tests.fakes import FakeAddressLocks, FakeDatabase, FakePhoneDevices, FixedClock, provisioning_service

from sonata.adapters.cache import DeviceCache
from sonata.adapters.templates import Jinja2TemplateEngine
from sonata.domain.documents import draft_from_document
from sonata.domain.errors import ValidationFailed
from sonata.domain.model import LinkKind, Rules
from sonata.domain.patches import DevicePatch, RulesPatch
from sonata.domain.services.devices import DeviceService
from sonata.domain.services.provisioning import ProvisioningRequest, Refusal
from sonata.domain.validation import MAX_PUBLISH_WINDOW_MINUTES, AccountDraft, DeviceDraft, RulesDraft
from sonata.domain.vendors.base import RenderedFile
from sonata.settings import Settings

KEY = "personal-key-0001"
TOKEN = "group-token-0001"
MAC = "001565aabbcc"
UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc"
FIRST, SECOND = "192.0.2.10", "198.51.100.7"


class World:
    """One serving process: a real device cache in front of the fake database, so that every rule is
    seen decided on devices served from memory."""

    def __init__(
        self,
        publish_window_minutes: int | None = None,
        *,
        database: FakeDatabase | None = None,
        clock: FixedClock | None = None,
    ) -> None:
        self.database = database or FakeDatabase()
        self.clock = clock or FixedClock()
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
            publish_window_minutes=publish_window_minutes,
        )

    def other_process(self) -> "World":
        """Another worker or instance on the same database: its cache learns of no change but its own."""
        return World(database=self.database, clock=self.clock)

    async def publish(self, **rules: object) -> None:
        await self.devices.save(
            DeviceDraft(
                key=KEY,
                token=TOKEN,
                vendor="yealink",
                model="t46s",
                mac=MAC,
                accounts=[AccountDraft(line=1, sip_register="sip.example.net", sip_user="101")],
                rules=RulesDraft(**rules),  # type: ignore[arg-type]
            )
        )

    async def fetch(
        self, ip: str = FIRST, *, link: LinkKind = LinkKind.PERSONAL, probe: bool = False
    ) -> RenderedFile | Refusal:
        secret = KEY if link is LinkKind.PERSONAL else TOKEN
        return await self.service.provision(
            ProvisioningRequest(link, secret, f"{MAC}.cfg", ip, UA, f"http://sonata/v1/x/{secret}", probe)
        )


def served(outcome: RenderedFile | Refusal) -> None:
    assert isinstance(outcome, RenderedFile), outcome


def refused(outcome: RenderedFile | Refusal) -> str:
    assert isinstance(outcome, Refusal), outcome
    return outcome.reason


def device_draft(rules: RulesDraft) -> DeviceDraft:
    return DeviceDraft(vendor="yealink", model="t46s", mac=MAC, rules=rules)


# Saved, read and patched


@pytest.mark.parametrize("minutes", [-1, MAX_PUBLISH_WINDOW_MINUTES + 1])
async def test_a_window_out_of_range_is_a_field_error_and_saves_nothing(minutes: int) -> None:
    world = World()
    with pytest.raises(ValidationFailed) as failure:
        await world.publish(publish_window_minutes=minutes)
    assert [error.field for error in failure.value.errors] == ["rules.publish_window_minutes"]
    assert world.database.devices == {}


@pytest.mark.parametrize("minutes", [None, 0, 10, MAX_PUBLISH_WINDOW_MINUTES])
async def test_the_window_and_the_lock_are_saved_as_given(minutes: int | None) -> None:
    world = World()
    await world.publish(publish_window_minutes=minutes, lock_to_first_address=True)
    rules = world.database.devices[KEY].rules
    assert (rules.publish_window_minutes, rules.lock_to_first_address) == (minutes, True)


def test_documents_give_both_rules_in_snake_case_beside_either_form_of_the_others() -> None:
    current = draft_from_document(
        {"vendor": "yealink", "model": "t46s", "mac": MAC, "rules": {
            "check_mac": True, "publish_window_minutes": 10, "lock_to_first_address": True,
        }}
    )  # fmt: skip
    original = draft_from_document(
        {"vendor": "yealink", "model": "t46s", "mac": MAC, "rules": {
            "mac": True, "publish_window_minutes": "15", "lock_to_first_address": 1,
        }}
    )  # fmt: skip
    assert current.rules == RulesDraft(check_mac=True, publish_window_minutes=10, lock_to_first_address=True)
    assert original.rules == RulesDraft(check_mac=True, publish_window_minutes=15, lock_to_first_address=True)


def test_a_document_with_bad_values_for_the_rules_names_them() -> None:
    with pytest.raises(ValidationFailed) as failure:
        draft_from_document(
            {"vendor": "yealink", "model": "t46s", "mac": MAC, "rules": {
                "publish_window_minutes": "ten", "lock_to_first_address": "yes",
            }}
        )  # fmt: skip
    assert [error.field for error in failure.value.errors] == [
        "rules.publish_window_minutes",
        "rules.lock_to_first_address",
    ]


async def test_a_patch_changes_only_the_rules_it_names_and_null_gives_the_defaults() -> None:
    world = World()
    await world.publish(check_mac=True, publish_window_minutes=10, lock_to_first_address=True)
    patched = await world.devices.update(KEY, DevicePatch(rules=RulesPatch(publish_window_minutes=30)))
    assert patched.rules == Rules(check_mac=True, publish_window_minutes=30, lock_to_first_address=True)
    cleared = await world.devices.update(
        KEY, DevicePatch(rules=RulesPatch(publish_window_minutes=None, lock_to_first_address=None))
    )
    assert cleared.rules == Rules(check_mac=True)
    with pytest.raises(ValidationFailed) as failure:
        await world.devices.update(KEY, DevicePatch(rules=RulesPatch(publish_window_minutes=-5)))
    assert failure.value.errors[0].field == "rules.publish_window_minutes"


# The publish window


async def test_the_config_is_served_only_within_the_window_after_the_last_save() -> None:
    world = World()
    await world.publish(publish_window_minutes=10)
    served(await world.fetch())
    world.clock.advance(minutes=9, seconds=59)
    served(await world.fetch())  # from memory, as the fetch before
    world.clock.advance(seconds=1)
    assert "publish window" in refused(await world.fetch())
    assert "publish window" in refused(await world.fetch(link=LinkKind.COMMON))
    assert "publish window" in refused(await world.fetch(probe=True))


async def test_saving_again_opens_the_window_again() -> None:
    world = World()
    await world.publish(publish_window_minutes=10)
    world.clock.advance(minutes=30)
    refused(await world.fetch())
    await world.publish(publish_window_minutes=10)
    served(await world.fetch())
    world.clock.advance(minutes=10)
    refused(await world.fetch())


async def test_without_a_window_of_its_own_a_device_takes_the_servers_default_when_it_is_fetched() -> None:
    for default, expected in ((None, True), (10, False), (60, True)):
        world = World(publish_window_minutes=default)
        await world.publish()
        world.clock.advance(minutes=30)
        outcome = await world.fetch()
        assert isinstance(outcome, RenderedFile) is expected, (default, outcome)


async def test_a_window_of_0_minutes_never_closes_whatever_the_default() -> None:
    world = World(publish_window_minutes=10)
    await world.publish(publish_window_minutes=0)
    world.clock.advance(days=365)
    served(await world.fetch())


# The address lock


async def test_after_the_first_fetch_only_its_address_is_served() -> None:
    world = World()
    await world.publish(lock_to_first_address=True)
    served(await world.fetch(FIRST))
    assert world.database.devices[KEY].locked_address == FIRST
    assert "locked to" in refused(await world.fetch(SECOND))
    assert "locked to" in refused(await world.fetch(SECOND, link=LinkKind.COMMON))
    served(await world.fetch(FIRST))
    served(await world.fetch(FIRST, link=LinkKind.COMMON))


async def test_a_process_holding_the_device_from_before_the_lock_still_keeps_it() -> None:
    world = World()
    await world.publish(lock_to_first_address=True)
    other = world.other_process()
    served(await other.fetch(SECOND, probe=True))  # held there, unlocked
    served(await world.fetch(FIRST))
    assert "locked to" in refused(await other.fetch(SECOND))
    assert "locked to" in refused(await other.fetch(SECOND, probe=True))
    served(await other.fetch(FIRST))


async def test_a_save_clears_the_lock_and_the_next_first_fetch_takes_it() -> None:
    world = World()
    await world.publish(lock_to_first_address=True)
    served(await world.fetch(FIRST))
    await world.publish(lock_to_first_address=True)
    assert world.database.devices[KEY].locked_address is None
    served(await world.fetch(SECOND))
    refused(await world.fetch(FIRST))


async def test_a_probe_is_checked_against_the_lock_but_does_not_take_it() -> None:
    world = World()
    await world.publish(lock_to_first_address=True)
    served(await world.fetch(SECOND, probe=True))
    assert world.database.devices[KEY].locked_address is None
    served(await world.fetch(FIRST))
    refused(await world.fetch(SECOND, probe=True))


async def test_a_fetch_refused_by_another_rule_does_not_take_the_lock() -> None:
    world = World()
    await world.publish(lock_to_first_address=True, allowed_ips=["192.0.2.0/24"])
    refused(await world.fetch(SECOND))
    assert world.database.devices[KEY].locked_address is None
    served(await world.fetch(FIRST))


async def test_without_the_rule_no_address_is_locked() -> None:
    world = World()
    await world.publish()
    served(await world.fetch(FIRST))
    served(await world.fetch(SECOND))
    assert world.database.devices[KEY].locked_address is None


async def test_turning_the_rule_on_by_a_patch_starts_from_an_unlocked_device() -> None:
    world = World()
    await world.publish()
    served(await world.fetch(FIRST))
    await world.devices.update(KEY, DevicePatch(rules=RulesPatch(lock_to_first_address=True)))
    served(await world.fetch(SECOND))
    refused(await world.fetch(FIRST))


# The server's default


@pytest.mark.parametrize(("value", "minutes"), [(None, None), ("", None), ("10", 10), ("527040", 527040)])
def test_the_default_window_is_read_from_the_environment(value: str | None, minutes: int | None) -> None:
    environ = {} if value is None else {"SONATA_PUBLISH_WINDOW_MINUTES": value}
    assert Settings.from_env(environ).publish_window_minutes == minutes


# The last is 10 in fullwidth digits, which str.isdigit takes.
@pytest.mark.parametrize("value", ["0", "-5", "ten", "1.5", "527041", "\uff11\uff10"])
def test_a_default_window_that_is_no_number_of_minutes_stops_the_start(value: str) -> None:
    with pytest.raises(ValueError, match="SONATA_PUBLISH_WINDOW_MINUTES must be a whole number of minutes"):
        Settings.from_env({"SONATA_PUBLISH_WINDOW_MINUTES": value})
