"""What each phone fetch comes to for the log and the metrics: a refusal's kind (a fixed word, never a
secret), the facts of a file served, whether it was rendered or came from memory."""

import logging
from datetime import UTC, datetime

import pytest
from tests.fakes import EchoTemplateEngine, FetchesSeen, provisioning_service
from tests.unit.test_device_cache import World as CachedWorld
from tests.unit.test_provisioning import KEY, MAC, OTHER_UA, TOKEN, YEALINK_UA, World, refused, served

from sonata.domain.model import LinkKind
from sonata.domain.phone_fetch import FetchOutcome, PhoneFetch, RefusalKind
from sonata.domain.services.provisioning import ProvisioningRequest, Refusal
from sonata.domain.validation import RulesDraft
from sonata.domain.vendors.base import FileKind

PERSONAL, COMMON = LinkKind.PERSONAL, LinkKind.COMMON
GRANDSTREAM_UA = "Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 001565aabbcc"
PAST = datetime(2026, 1, 1, tzinfo=UTC)


class Observed(World):
    def __init__(self) -> None:
        super().__init__()
        self.seen = FetchesSeen()
        self.service = provisioning_service(
            self.database, EchoTemplateEngine(), self.clock, observer=self.seen
        )


@pytest.fixture
async def world() -> Observed:
    world = Observed()
    await world.publish()
    return world


def kind_of(outcome: object) -> RefusalKind:
    refused(outcome)  # type: ignore[arg-type]
    assert isinstance(outcome, Refusal)
    return outcome.kind


# (kind, rules or other changes of the published device, get() arguments)
CASES: list[tuple[RefusalKind, dict[str, object], dict[str, object]]] = [
    (RefusalKind.FILENAME_TOO_LONG, {}, {"filename": MAC + "0" * 100 + ".cfg"}),
    (RefusalKind.UNKNOWN_KEY, {}, {"secret": "no-such-key-0001"}),
    (RefusalKind.NO_MAC, {}, {"filename": "y000000000028.cfg", "link": COMMON, "ua": None}),
    (RefusalKind.UNKNOWN_MAC, {}, {"filename": "001565000099.cfg", "link": COMMON, "ua": None}),
    (RefusalKind.UNKNOWN_MAC, {}, {"filename": f"{MAC}.cfg", "link": COMMON, "secret": "wrong-token-0001"}),
    (RefusalKind.UNKNOWN_FILE, {}, {"filename": "nonsense.txt"}),
    (RefusalKind.NOT_SERVED, {}, {"filename": f"{MAC}-local.cfg"}),
    (RefusalKind.WRONG_VENDOR, {}, {"ua": GRANDSTREAM_UA}),
    (RefusalKind.WRONG_MAC, {}, {"filename": f"{MAC}.cfg", "link": COMMON, "ua": OTHER_UA}),
    (RefusalKind.WRONG_MAC, {}, {"filename": "001565000099.cfg"}),
    (RefusalKind.WRONG_MAC, {"rules": RulesDraft(check_mac=True)}, {"ua": OTHER_UA}),
    (RefusalKind.NO_CREDENTIALS, {"provisioning_username": "u-01", "provisioning_password": "p-01"}, {}),
    (RefusalKind.DISABLED, {"status": False}, {}),
    (RefusalKind.EXPIRED, {"rules": RulesDraft(expires_at=PAST)}, {}),
    (RefusalKind.ADDRESS, {"rules": RulesDraft(allowed_ips=["198.51.100.0/24"])}, {}),
]


@pytest.mark.parametrize(("kind", "changes", "request_args"), CASES, ids=[case[0].value for case in CASES])
async def test_each_refusal_has_its_kind(
    world: Observed, kind: RefusalKind, changes: dict[str, object], request_args: dict[str, object]
) -> None:
    if changes:
        await world.publish(**changes)
    args = dict(request_args)  # CASES serve other tests too
    assert kind_of(await world.get(args.pop("filename", None), **args)) is kind  # type: ignore[arg-type]


async def test_wrong_credentials_are_credentials(world: Observed) -> None:
    await world.publish(provisioning_username="u-01", provisioning_password="p-01")
    wrong = ProvisioningRequest(PERSONAL, KEY, None, "192.0.2.10", YEALINK_UA, authorization="Basic dTowMTpu")
    assert kind_of(await world.service.provision(wrong)) is RefusalKind.CREDENTIALS


async def test_a_closed_window_is_window(world: Observed) -> None:
    await world.publish(rules=RulesDraft(publish_window_minutes=10))
    world.clock.advance(minutes=10)
    assert kind_of(await world.get(None)) is RefusalKind.WINDOW


async def test_another_address_than_the_locked_one_is_locked(world: Observed) -> None:
    await world.publish(rules=RulesDraft(lock_to_first_address=True))
    served(await world.get(None, ip="192.0.2.10"))
    assert kind_of(await world.get(None, ip="192.0.2.11")) is RefusalKind.LOCKED


async def test_a_key_rotated_away_is_rotated_key(world: Observed) -> None:
    await world.devices.rotate_key(KEY, 0)
    assert kind_of(await world.get(None)) is RefusalKind.ROTATED_KEY


def test_every_kind_of_the_provisioning_service_is_tested() -> None:
    tested = {case[0] for case in CASES} | {
        RefusalKind.CREDENTIALS,
        RefusalKind.WINDOW,
        RefusalKind.LOCKED,
        RefusalKind.ROTATED_KEY,
    }
    assert set(RefusalKind) - tested == {RefusalKind.BLOCKED}  # the phone route's own, before the service


async def test_the_observer_sees_a_file_served_with_its_facts(world: Observed) -> None:
    served(await world.get(None, ip="192.0.2.10"))
    [fetch] = world.seen.fetches
    assert fetch.outcome is FetchOutcome.SERVED and fetch.refusal is None
    assert (fetch.address, fetch.link, fetch.filename, fetch.device_mac) == (
        "192.0.2.10",
        PERSONAL,
        f"{MAC}.cfg",
        MAC,
    )
    assert (fetch.vendor, fetch.model, fetch.kind) == ("yealink", "t46s", FileKind.DEVICE_CONFIG)
    assert fetch.render_seconds is not None and 0 < fetch.render_seconds <= fetch.seconds < 5


async def test_the_observer_sees_a_refusal_with_what_the_phone_said(world: Observed) -> None:
    refused(await world.get("001565000099.cfg", link=COMMON, ua=OTHER_UA))
    [fetch] = world.seen.fetches
    assert fetch.outcome is FetchOutcome.REFUSED and fetch.refusal is RefusalKind.UNKNOWN_MAC
    assert (fetch.vendor, fetch.model, fetch.kind, fetch.render_seconds) == ("yealink", "t46s", None, None)
    assert fetch.filename == "001565000099.cfg" and TOKEN not in repr(fetch) and KEY not in repr(fetch)


async def test_a_file_from_memory_is_not_rendered_again() -> None:
    world = CachedWorld()
    seen = FetchesSeen()
    world.service = provisioning_service(
        world.database, world.templates, world.clock, devices=world.cache, files=world.cache, observer=seen
    )
    await world.publish()
    await world.fetch()
    await world.fetch()
    first, second = seen.fetches
    assert first.render_seconds is not None and second.render_seconds is None
    assert world.templates.renders == 1


async def test_one_line_per_refusal_with_its_kind_and_time_and_fields_for_the_json_log(
    world: Observed, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="sonata.provisioning"):
        refused(await world.get(None, secret="no-such-key-0001"))
        served(await world.get(None))
    refusal, answer = caplog.records
    assert refusal.levelno == logging.WARNING and "(unknown_key, " in refusal.getMessage()
    assert refusal.getMessage().endswith(" ms)") and "no-such-key-0001" not in refusal.getMessage()
    assert answer.getMessage().startswith(
        f"served '{MAC}.cfg' to 192.0.2.10 (device {MAC}, yealink t46s) in "
    )
    fields: dict[str, object] = answer.__dict__["fetch"]
    assert fields.keys() == {
        "address", "link", "vendor", "model", "file", "device", "outcome", "reason", "probe", "duration_ms"
    }  # fmt: skip
    assert fields["outcome"] == "served" and fields["reason"] is None and fields["file"] == f"{MAC}.cfg"
    refused_fields: dict[str, object] = refusal.__dict__["fetch"]
    assert refused_fields["reason"] == "unknown_key" and refused_fields["outcome"] == "refused"
    for secret in (KEY, TOKEN, "no-such-key-0001"):
        assert secret not in str(fields) + str(refused_fields)


def facts(fetch: PhoneFetch) -> tuple[object, ...]:
    return (fetch.outcome, fetch.refusal, fetch.vendor)


async def test_a_probe_is_observed_but_not_recorded(world: Observed) -> None:
    probe = ProvisioningRequest(PERSONAL, KEY, None, "192.0.2.10", YEALINK_UA, probe=True)
    served(await world.service.provision(probe))
    assert [facts(f) for f in world.seen.fetches] == [(FetchOutcome.SERVED, None, "yealink")]
    assert world.seen.fetches[0].probe
    assert world.database.devices[KEY].last_provisioning is None
