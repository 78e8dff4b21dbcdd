"""Each fetch of a known device, served or refused, goes into its history; a fetch that finds no device
does not; a probe neither. Events carry the phone's facts and the refusal's kind and reason, no secret."""

from datetime import UTC, datetime

import pytest
from tests.fakes import EchoTemplateEngine, EventsSeen, provisioning_service
from tests.unit.test_phone_fetches import CASES, PERSONAL, Observed, kind_of
from tests.unit.test_provisioning import KEY, MAC, TOKEN, YEALINK_UA, refused, served

from sonata.domain.phone_fetch import RefusalKind
from sonata.domain.provisioning_events import ProvisioningEvent
from sonata.domain.services.provisioning import ProvisioningRequest
from sonata.domain.validation import RulesDraft

NO_DEVICE = {
    RefusalKind.FILENAME_TOO_LONG,
    RefusalKind.UNKNOWN_KEY,
    RefusalKind.NO_MAC,
    RefusalKind.UNKNOWN_MAC,
}
"""Refusals before a device is found: in no device's history."""


class Recorded(Observed):
    def __init__(self) -> None:
        super().__init__()
        self.history = EventsSeen()
        self.service = provisioning_service(
            self.database, EchoTemplateEngine(), self.clock, observer=self.seen, events=self.history
        )


@pytest.fixture
async def world() -> Recorded:
    world = Recorded()
    await world.publish()
    return world


async def test_a_file_served_is_an_event_with_the_phone_s_facts(world: Recorded) -> None:
    served(await world.get(None, ip="192.0.2.10"))
    assert world.history.events == [
        ProvisioningEvent(
            at=datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
            mac=MAC,
            group=TOKEN,
            address="192.0.2.10",
            user_agent=YEALINK_UA,
            filename=f"{MAC}.cfg",
        )
    ]
    assert world.history.events[0].served


@pytest.mark.parametrize(("kind", "changes", "request_args"), CASES, ids=[case[0].value for case in CASES])
async def test_a_refusal_is_an_event_of_the_device_it_found(
    world: Recorded, kind: RefusalKind, changes: dict[str, object], request_args: dict[str, object]
) -> None:
    if changes:
        await world.publish(**changes)
    args = dict(request_args)
    filename = args.pop("filename", None)
    outcome = await world.get(filename, **args)  # type: ignore[arg-type]
    assert kind_of(outcome) is kind
    if kind in NO_DEVICE:
        assert world.history.events == []
        return
    [event] = world.history.events
    assert (event.mac, event.group, event.refusal, event.filename) == (MAC, TOKEN, kind, filename)
    assert event.reason == refused(outcome) and not event.served
    assert KEY not in event.reason and TOKEN not in event.reason


async def test_a_closed_window_a_lock_and_wrong_credentials_are_events(world: Recorded) -> None:
    await world.publish(rules=RulesDraft(publish_window_minutes=10, lock_to_first_address=True))
    served(await world.get(None, ip="192.0.2.10"))
    refused(await world.get(None, ip="192.0.2.11"))
    world.clock.advance(minutes=10)
    refused(await world.get(None, ip="192.0.2.10"))
    await world.publish(provisioning_username="u-01", provisioning_password="p-01")
    wrong = ProvisioningRequest(PERSONAL, KEY, None, "192.0.2.12", YEALINK_UA, authorization="Basic dTowMTpu")
    refused(await world.service.provision(wrong))
    assert [(e.address, e.refusal) for e in world.history.events] == [
        ("192.0.2.10", None),
        ("192.0.2.11", RefusalKind.LOCKED),
        ("192.0.2.10", RefusalKind.WINDOW),
        ("192.0.2.12", RefusalKind.CREDENTIALS),
    ]
    assert all("p-01" not in e.reason and "dTowMTpu" not in e.reason for e in world.history.events)


async def test_a_key_rotated_away_is_an_event_of_the_device_it_named(world: Recorded) -> None:
    await world.devices.rotate_key(KEY, 0)
    refused(await world.get(None))
    [event] = world.history.events
    assert (event.mac, event.refusal) == (MAC, RefusalKind.ROTATED_KEY)
    assert KEY not in event.reason


async def test_a_probe_is_no_event(world: Recorded) -> None:
    served(
        await world.service.provision(
            ProvisioningRequest(PERSONAL, KEY, None, "192.0.2.10", YEALINK_UA, probe=True)
        )
    )
    await world.publish(status=False)
    refused(
        await world.service.provision(
            ProvisioningRequest(PERSONAL, KEY, None, "192.0.2.10", YEALINK_UA, probe=True)
        )
    )
    assert world.history.events == []


async def test_the_user_agent_is_kept_as_far_as_it_is_read(world: Recorded) -> None:
    served(await world.get(None, ua=YEALINK_UA + " " + "x" * 1000))
    [event] = world.history.events
    assert event.user_agent is not None and len(event.user_agent) == 512
