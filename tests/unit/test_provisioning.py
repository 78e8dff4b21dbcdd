"""Every rule and every refusal of the provisioning service, against in-memory fakes."""

import logging
from datetime import timedelta

import pytest
from tests.fakes import EchoTemplateEngine, FakeDatabase, FixedClock, provisioning_service

from sonata.domain.errors import ValidationFailed
from sonata.domain.logtext import MAX_QUOTED, fingerprint
from sonata.domain.model import LinkKind
from sonata.domain.services.devices import DeviceService
from sonata.domain.services.provisioning import ProvisioningRequest, Refusal
from sonata.domain.validation import AccountDraft, DeviceDraft, RulesDraft
from sonata.domain.vendors.base import MAX_FILENAME, MAX_USER_AGENT, RenderedFile

KEY = "personal-key-0001"
TOKEN = "group-token-0001"
MAC = "001565aabbcc"
YEALINK_UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc"
OTHER_UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:00:00:01"


class World:
    def __init__(self) -> None:
        self.database = FakeDatabase()
        self.clock = FixedClock()
        self.devices = DeviceService(self.database.unit_of_work, self.clock)
        self.service = provisioning_service(self.database, EchoTemplateEngine(), self.clock)

    async def publish(self, **changes: object) -> None:
        values: dict[str, object] = {
            "key": KEY,
            "token": TOKEN,
            "vendor": "yealink",
            "model": "t46s",
            "mac": MAC,
            "accounts": [
                AccountDraft(line=1, sip_register="sip.example.net", sip_user="101", sip_password="pw")
            ],
        }
        values.update(changes)
        await self.devices.save(DeviceDraft(**values))  # type: ignore[arg-type]

    async def get(
        self,
        filename: str | None,
        *,
        link: LinkKind = LinkKind.PERSONAL,
        secret: str | None = None,
        ip: str = "192.0.2.10",
        ua: str | None = YEALINK_UA,
    ) -> RenderedFile | Refusal:
        secret = secret or (KEY if link is LinkKind.PERSONAL else TOKEN)
        return await self.service.provision(ProvisioningRequest(link, secret, filename, ip, ua))


@pytest.fixture
async def world() -> World:
    world = World()
    await world.publish()
    return world


def served(outcome: RenderedFile | Refusal) -> RenderedFile:
    assert isinstance(outcome, RenderedFile), outcome
    return outcome


def refused(outcome: RenderedFile | Refusal) -> str:
    assert isinstance(outcome, Refusal), outcome
    return outcome.reason


async def test_personal_link_serves_the_device_file_bare_or_by_name(world: World) -> None:
    bare = served(await world.get(None))
    named = served(await world.get(f"{MAC}.cfg"))
    assert bare.filename == named.filename == f"{MAC}.cfg"
    assert bare.content_type.startswith("text/plain")
    assert bare.body == named.body


async def test_common_link_finds_the_device_by_the_mac_in_the_file_name(world: World) -> None:
    file = served(await world.get(f"{MAC}.cfg", link=LinkKind.COMMON, ua=None))
    assert file.filename == f"{MAC}.cfg"


async def test_every_answer_updates_last_provisioning(world: World) -> None:
    served(await world.get(f"{MAC}.cfg", ip="192.0.2.44"))
    record = world.database.devices[KEY].last_provisioning
    assert record is not None
    assert (record.ip, record.user_agent, record.filename, record.at) == (
        "192.0.2.44",
        YEALINK_UA,
        f"{MAC}.cfg",
        world.clock.now(),
    )


async def test_a_refusal_does_not_update_last_provisioning(world: World) -> None:
    refused(await world.get("nonsense.txt"))
    assert world.database.devices[KEY].last_provisioning is None


@pytest.mark.parametrize(
    ("request_kwargs", "reason"),
    [
        ({"filename": None, "secret": "unknown-key-0000"}, "unknown key"),
        (
            {"filename": f"{MAC}.cfg", "link": LinkKind.COMMON, "secret": "unknown-token-00"},
            f"no device with MAC {MAC} under token",
        ),
        (
            {"filename": "001565000009.cfg", "link": LinkKind.COMMON, "ua": None},
            "no device with MAC 001565000009 under token",
        ),
        ({"filename": "y000000000066.cfg", "link": LinkKind.COMMON, "ua": None}, "no MAC"),
        ({"filename": "nonsense.txt"}, "do not request"),
        ({"filename": "001565000001.cfg", "ua": None}, "names MAC"),
        ({"filename": f"{MAC}.cfg", "ua": OTHER_UA}, "User-Agent MAC"),
        ({"filename": f"{MAC}.cfg", "link": LinkKind.COMMON, "ua": OTHER_UA}, "User-Agent MAC"),
    ],
)
async def test_requests_that_do_not_identify_the_device_are_refused(
    world: World, request_kwargs: dict[str, object], reason: str
) -> None:
    filename = request_kwargs.pop("filename")
    assert reason in refused(await world.get(filename, **request_kwargs))  # type: ignore[arg-type]


async def test_common_link_ties_a_name_without_mac_by_the_user_agent_and_still_checks_the_name(
    world: World,
) -> None:
    outcome = await world.get("nonsense.cfg", link=LinkKind.COMMON)
    assert "do not request" in refused(outcome)


async def test_a_device_without_token_has_no_common_link(world: World) -> None:
    await world.publish(token=None)
    assert f"no device with MAC {MAC}" in refused(await world.get(f"{MAC}.cfg", link=LinkKind.COMMON))


async def test_disabled_device_is_refused(world: World) -> None:
    await world.publish(status=False)
    assert "disabled" in refused(await world.get(None))
    assert "disabled" in refused(await world.get(f"{MAC}.cfg", link=LinkKind.COMMON))


async def test_expiry_is_exclusive_of_the_moment_itself(world: World) -> None:
    await world.publish(rules=RulesDraft(expires_at=world.clock.now() + timedelta(minutes=1)))
    served(await world.get(None))
    world.clock.advance(minutes=1)
    assert "expired" in refused(await world.get(None))


@pytest.mark.parametrize(
    ("ip", "allowed"),
    [
        ("10.1.2.3", True),
        ("192.0.2.10", False),
        ("2001:db8::5", True),
        ("::ffff:10.9.9.9", True),
        ("2001:db9::1", False),
        ("", False),
    ],
)
async def test_client_address_must_be_in_an_allowed_network(world: World, ip: str, allowed: bool) -> None:
    await world.publish(rules=RulesDraft(allowed_ips=["10.0.0.0/8", "2001:db8::/32"]))
    outcome = await world.get(None, ip=ip)
    if allowed:
        served(outcome)
    else:
        assert "address not allowed" in refused(outcome)


async def test_check_mac_needs_the_phone_to_show_the_device_mac(world: World) -> None:
    await world.publish(rules=RulesDraft(check_mac=True))
    served(await world.get(None))  # MAC in the User-Agent
    served(await world.get(f"{MAC}.cfg", ua="curl/8.0"))  # MAC in the file name
    assert "MAC check failed" in refused(await world.get(None, ua="curl/8.0"))
    assert "MAC check failed" in refused(await world.get(None, ua=OTHER_UA))


async def test_without_check_mac_a_bare_personal_link_ignores_the_user_agent(world: World) -> None:
    served(await world.get(None, ua=None))
    served(await world.get(None, ua=OTHER_UA))


async def test_refusal_reasons_are_logged_without_secrets(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="sonata.provisioning"):
        refused(await world.get(f"{MAC}.cfg", link=LinkKind.COMMON, secret="wrong-token-xyz"))
    assert f"no device with MAC {MAC} under token" in caplog.text
    assert "wrong-token-xyz" not in caplog.text and TOKEN not in caplog.text and KEY not in caplog.text


async def test_a_user_agent_of_another_vendor_is_refused(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    grandstream_ua = "Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 001565aabbcc"
    with caplog.at_level(logging.WARNING, logger="sonata.provisioning"):
        assert "grandstream User-Agent" in refused(await world.get(None, ua=grandstream_ua))
    assert "grandstream User-Agent" in caplog.text


async def test_files_phones_ask_for_but_sonata_does_not_serve_are_quiet_refusals(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="sonata.provisioning"):
        outcome = await world.get(f"{MAC}-local.cfg")
    assert isinstance(outcome, Refusal) and outcome.quiet
    assert caplog.text == ""


async def test_last_provisioning_records_what_the_phone_says_it_is(world: World) -> None:
    served(await world.get(None))
    record = world.database.devices[KEY].last_provisioning
    assert record is not None
    assert (record.vendor, record.model, record.firmware) == ("yealink", "t46s", "66.86.0.15")


async def test_the_config_points_back_at_the_link_the_phone_used(world: World) -> None:
    engine = EchoTemplateEngine()
    service = provisioning_service(world.database, engine, world.clock)
    link = "http://sonata.example.net/v1/token/" + TOKEN
    served(
        await service.provision(
            ProvisioningRequest(LinkKind.COMMON, TOKEN, f"{MAC}.cfg", "192.0.2.1", None, link)
        )
    )
    assert any(link in str(context.values()) for _, context in engine.rendered)


async def test_preview_renders_by_key_or_mac_without_rules(world: World) -> None:
    await world.publish(status=False)
    by_key = await world.service.preview(KEY, None, "http://sonata.example.net")
    by_mac = await world.service.preview("00:15:65:AA:BB:CC", f"{MAC}.cfg", "http://sonata.example.net")
    assert by_key is not None and by_mac is not None and by_key.body == by_mac.body
    assert await world.service.preview("unknown-key-000", None, "http://sonata.example.net") is None
    with pytest.raises(ValidationFailed) as failure:
        await world.service.preview(KEY, "nonsense.txt", "http://sonata.example.net")
    assert failure.value.errors[0].field == "filename"


async def test_a_file_name_longer_than_any_phone_asks_for_is_refused_unread(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    filename = MAC + "0" * (MAX_FILENAME - len(MAC) - 3) + ".cfg"
    with caplog.at_level(logging.WARNING, logger="sonata.provisioning"):
        reason = refused(await world.get(filename, link=LinkKind.COMMON))
        assert "no phone asks for one over 64" in reason
        refused(await world.get(MAC + "0" * 100_000 + ".cfg", link=LinkKind.COMMON))
    assert max(len(line) for line in caplog.text.splitlines()) < 2 * MAX_QUOTED + 200
    with pytest.raises(ValidationFailed) as failure:
        await world.service.preview(KEY, filename, "http://sonata.example.net")
    assert failure.value.errors[0].field == "filename"


async def test_log_lines_quote_what_the_phone_sent_cut_short(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    long_agent = "Grandstream Model HW GXP1620 SW 1.0.4.128 " + "x" * 10_000
    with caplog.at_level(logging.WARNING, logger="sonata.provisioning"):
        refused(await world.get(None, ua=long_agent))
    assert "grandstream User-Agent" in caplog.text and "(10042 characters)" in caplog.text
    assert len(caplog.text) < 2 * MAX_QUOTED + 300


async def test_keys_and_tokens_are_named_in_the_log_by_their_fingerprint_only(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="sonata.provisioning"):
        refused(await world.get(None, secret="typo-in-a-key-0001"))
        refused(await world.get(f"{MAC}.cfg", link=LinkKind.COMMON, secret="typo-in-a-token-01"))
        served(await world.get(None))
        served(await world.get(f"{MAC}.cfg", link=LinkKind.COMMON))
    assert fingerprint("typo-in-a-key-0001") in caplog.text
    assert fingerprint("typo-in-a-token-01") in caplog.text
    for secret in ("typo-in-a-key-0001", "typo-in-a-token-01", KEY, TOKEN):
        assert secret not in caplog.text


async def test_an_unknown_mac_and_a_wrong_token_are_the_same_refusal(world: World) -> None:
    unknown_mac = refused(await world.get("001565000009.cfg", link=LinkKind.COMMON, ua=None))
    wrong_token = refused(await world.get(f"{MAC}.cfg", link=LinkKind.COMMON, secret="wrong-token-0001"))
    assert unknown_mac == f"no device with MAC 001565000009 under token {fingerprint(TOKEN)}"
    assert wrong_token == f"no device with MAC {MAC} under token {fingerprint('wrong-token-0001')}"


async def test_a_probe_is_answered_like_a_fetch_but_not_recorded(world: World) -> None:
    probe = ProvisioningRequest(LinkKind.PERSONAL, KEY, None, "192.0.2.10", YEALINK_UA, probe=True)
    answer = served(await world.service.provision(probe))
    assert world.database.devices[KEY].last_provisioning is None
    assert answer.body == served(await world.get(None)).body
    assert world.database.devices[KEY].last_provisioning is not None


async def test_last_provisioning_keeps_only_the_head_of_a_user_agent(world: World) -> None:
    served(await world.get(None, ua=YEALINK_UA + " " + "x" * 10_000))
    record = world.database.devices[KEY].last_provisioning
    assert record is not None and record.user_agent == (YEALINK_UA + " " + "x" * 10_000)[:MAX_USER_AGENT]


async def test_an_approximated_zone_is_logged_once_per_device_and_zone(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    await world.publish(timezone="Asia/Jerusalem")
    with caplog.at_level(logging.WARNING, logger="sonata.provisioning"):
        served(await world.get(None))
        served(await world.get(None))
    lines = [r.getMessage() for r in caplog.records if "daylight saving" in r.getMessage()]
    assert len(lines) == 1
    assert "Asia/Jerusalem" in lines[0] and "Yealink" in lines[0] and fingerprint(KEY) in lines[0]
    assert KEY not in caplog.text
    caplog.clear()
    await world.publish(timezone="Europe/Berlin")
    with caplog.at_level(logging.WARNING, logger="sonata.provisioning"):
        served(await world.get(None))
    assert "daylight saving" not in caplog.text


@pytest.mark.parametrize(("year", "start"), [(2024, "3/5/5/2"), (2026, "3/4/5/2")])
async def test_daylight_saving_is_rendered_for_the_year_of_the_clock(
    world: World, year: int, start: str
) -> None:
    """Asia/Jerusalem starts on the Friday after the fourth Thursday of March: the last Friday in
    2024 and 2025, the fourth in 2026 and 2027 (Yealink's week rules, 1 = Monday ... 5 = Friday)."""
    await world.publish(timezone="Asia/Jerusalem")
    world.clock.current = world.clock.current.replace(year=year)
    engine = EchoTemplateEngine()
    service = provisioning_service(world.database, engine, world.clock)
    served(
        await service.provision(ProvisioningRequest(LinkKind.PERSONAL, KEY, None, "192.0.2.1", YEALINK_UA))
    )
    assert [context["time"]["dst"]["start"] for _, context in engine.rendered] == [start]
