"""A device that needs credentials: Digest (httpx's own client arithmetic) and Basic, nonces that
expire, counts that are taken once, and where the check sits among the provisioning service's."""

import asyncio
import base64
import logging
import math
from collections.abc import Iterator

import httpx
import pytest
from tests.fakes import EchoTemplateEngine, FakeDatabase, FakePhoneDevices, FixedClock, provisioning_service

from sonata.adapters.cache import DeviceCache
from sonata.domain.http_auth import DEFAULT_NONCE_SECONDS, MAX_AUTHORIZATION
from sonata.domain.model import Device, LinkKind
from sonata.domain.services.devices import DeviceService
from sonata.domain.services.phone_auth import (
    AuthFailure,
    NonceCounts,
    NonceSigner,
    PhoneAuthenticator,
    Use,
    nonce_key,
)
from sonata.domain.services.provisioning import ProvisioningRequest, ProvisioningService, Refusal
from sonata.domain.validation import AccountDraft, DeviceDraft
from sonata.domain.vendors.base import RenderedFile

KEY = "personal-key-0001"
TOKEN = "group-token-0001"
MAC = "001565aabbcc"
USER, PASSWORD = "phone-0042", "fetch-pw-0042"
PATH = f"/v1/device/{KEY}/{MAC}.cfg"
URL = f"http://sonata.test{PATH}"
DEVICE = Device(
    key=KEY,
    vendor="yealink",
    model="t46s",
    mac=MAC,
    provisioning_username=USER,
    provisioning_password=PASSWORD,
)


def digest_client(challenge: tuple[str, ...], user: str = USER, password: str = PASSWORD) -> Iterator[str]:
    """The Authorization headers httpx.DigestAuth writes, one request after another, after the
    challenge of a 401: the first with nc=00000001, then counting up."""
    auth = httpx.DigestAuth(user, password)
    flow = auth.sync_auth_flow(httpx.Request("GET", URL))
    first = next(flow)
    headers = [("www-authenticate", value) for value in challenge]
    yield flow.send(httpx.Response(401, headers=headers, request=first)).headers["authorization"]
    while True:
        yield next(auth.sync_auth_flow(httpx.Request("GET", URL))).headers["authorization"]


def only(algorithm: str, challenge: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c for c in challenge if f"algorithm={algorithm}," in c)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def auth(clock: FixedClock) -> PhoneAuthenticator:
    return PhoneAuthenticator(clock)


def check(
    auth: PhoneAuthenticator, header: str | None, uris: tuple[str, ...] = (PATH,)
) -> AuthFailure | None:
    return auth.check(DEVICE, header, "GET", uris)


def challenge_of(auth: PhoneAuthenticator) -> tuple[str, ...]:
    failure = check(auth, None)
    assert failure is not None and failure.quiet
    return failure.challenge


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
def test_digest_with_the_right_credentials_is_taken(auth: PhoneAuthenticator, algorithm: str) -> None:
    client = digest_client(only(algorithm, challenge_of(auth)))
    header = next(client)
    assert f"algorithm={algorithm}" in header
    assert check(auth, header) is None
    assert check(auth, next(client)) is None  # the same nonce, the next count


def test_httpx_answers_the_first_digest_challenge_md5(auth: PhoneAuthenticator) -> None:
    header = next(digest_client(challenge_of(auth)))
    assert "algorithm=MD5" in header and check(auth, header) is None


@pytest.mark.parametrize(
    ("user", "password", "wrong"), [(USER, "nope", "password"), ("phone-0043", PASSWORD, "user name")]
)
def test_wrong_digest_credentials_are_a_failure_with_a_fresh_challenge(
    auth: PhoneAuthenticator, user: str, password: str, wrong: str
) -> None:
    challenge = challenge_of(auth)
    failure = check(auth, next(digest_client(challenge, user, password)))
    assert failure is not None and not failure.quiet
    assert failure.reason == f"a wrong {wrong} in Digest credentials for device {MAC}"
    assert len(failure.challenge) == 3 and failure.challenge != challenge
    assert all("stale" not in c for c in failure.challenge)
    assert password not in failure.reason


def test_a_replayed_request_is_refused_and_counts_may_come_out_of_order(auth: PhoneAuthenticator) -> None:
    client = digest_client(challenge_of(auth))
    first, second, third = next(client), next(client), next(client)
    assert check(auth, first) is None
    failure = check(auth, first)
    assert failure is not None and not failure.quiet
    assert failure.reason == f"a replayed request (nonce count 1 used before) for device {MAC}"
    assert check(auth, third) is None
    assert check(auth, second) is None  # overtaken by the third, still taken once
    assert check(auth, second) is not None


def test_an_expired_nonce_with_the_right_response_is_stale(
    auth: PhoneAuthenticator, clock: FixedClock
) -> None:
    header = next(digest_client(challenge_of(auth)))
    clock.advance(seconds=DEFAULT_NONCE_SECONDS)
    failure = check(auth, header)
    assert failure is not None and failure.quiet
    assert all("stale=true" in c for c in failure.challenge[:2])
    assert check(auth, next(digest_client(failure.challenge))) is None


def test_an_expired_nonce_with_a_wrong_response_is_no_stale_one(
    auth: PhoneAuthenticator, clock: FixedClock
) -> None:
    header = next(digest_client(challenge_of(auth), password="nope"))
    clock.advance(seconds=DEFAULT_NONCE_SECONDS)
    failure = check(auth, header)
    assert failure is not None and not failure.quiet and "stale" not in failure.challenge[0]


def test_workers_sharing_the_key_take_each_others_nonces(clock: FixedClock) -> None:
    database = FakeDatabase()
    first, second, stranger = PhoneAuthenticator(clock), PhoneAuthenticator(clock), PhoneAuthenticator(clock)

    async def load() -> None:
        await first.load_key(database.unit_of_work)
        await second.load_key(database.unit_of_work)

    asyncio.run(load())
    header = next(digest_client(challenge_of(first)))
    failure = check(stranger, header)
    assert (
        failure is not None
        and failure.reason == f"Digest credentials with a nonce Sonata did not issue for device {MAC}"
    )
    assert check(second, header) is None


async def test_the_nonce_key_is_made_once_and_then_read(clock: FixedClock) -> None:
    database = FakeDatabase()
    key = await nonce_key(database.unit_of_work)
    assert len(key) == 32 and await nonce_key(database.unit_of_work) == key


def test_digest_for_another_resource_or_without_qop_is_refused(auth: PhoneAuthenticator) -> None:
    challenge = challenge_of(auth)
    assert check(auth, next(digest_client(challenge)), uris=("/v1/device/other/x.cfg",)) is not None
    header = next(digest_client(challenge))
    assert check(auth, header.replace("qop=auth", "qop=auth-int")) is not None
    assert check(auth, header.replace('realm="Sonata"', 'realm="Other"')) is not None
    assert check(auth, header.replace("algorithm=MD5", "algorithm=MD5-sess")) is not None


def test_behind_a_path_prefix_the_uri_may_carry_it(auth: PhoneAuthenticator) -> None:
    header = next(digest_client(challenge_of(auth)))  # names PATH, as the phone sent it
    assert check(auth, header, uris=("/other", PATH)) is None


@pytest.mark.parametrize(
    ("header", "failed"),
    [
        (basic(USER, PASSWORD), None),
        (basic(USER, "nope"), "a wrong password in Basic credentials"),
        (basic("phone-0043", PASSWORD), "a wrong user name in Basic credentials"),
        (basic("x", "y"), "a wrong user name and password in Basic credentials"),
        (basic(USER, PASSWORD + "x"), "a wrong password in Basic credentials"),
        ("Bearer abc", "an unreadable or unknown kind of Authorization header"),
        ("Basic " + "A" * MAX_AUTHORIZATION, "an unreadable or unknown kind of Authorization header"),
    ],
)
def test_basic_checks_user_name_and_password(
    auth: PhoneAuthenticator, header: str, failed: str | None
) -> None:
    failure = check(auth, header)
    if failed is None:
        assert failure is None
    else:
        assert failure is not None and failure.reason == f"{failed} for device {MAC}" and not failure.quiet


def test_nonces_are_signed_and_carry_their_time() -> None:
    signer = NonceSigner(b"k" * 32)
    nonce = signer.issue(1_700_000_000_123)
    read = signer.read(nonce)
    assert read is not None and read[1] == 1_700_000_000_123
    assert NonceSigner(b"j" * 32).read(nonce) is None
    flipped = nonce[:10] + ("A" if nonce[10] != "A" else "B") + nonce[11:]
    assert signer.read(flipped) is None
    assert signer.read(nonce + "x") is None and signer.read("%" * 43) is None


def test_a_full_count_table_forgets_the_first_seen_and_asks_for_new_nonces_older_than_it() -> None:
    counts = NonceCounts(capacity=2, lifetime_ms=1000)
    assert counts.take(b"a", 10, 1, 20) is Use.FRESH
    assert counts.take(b"b", 11, 1, 20) is Use.FRESH
    assert counts.take(b"c", 12, 1, 20) is Use.FRESH  # forgets a
    assert counts.take(b"a", 10, 1, 20) is Use.FORGOTTEN
    assert counts.take(b"z", 9, 1, 20) is Use.FORGOTTEN  # never seen, but no younger than a
    assert counts.take(b"b", 11, 1, 20) is Use.REPLAYED
    assert counts.take(b"d", 13, 5, 20) is Use.FRESH
    assert counts.take(b"d", 13, 5 + 64, 20) is Use.FRESH
    assert counts.take(b"d", 13, 5, 20) is Use.REPLAYED  # fell out of the window


# The provisioning service: where the check sits.


class World:
    def __init__(self) -> None:
        self.database = FakeDatabase()
        self.clock = FixedClock()
        self.devices = DeviceService(self.database.unit_of_work, self.clock)
        self.service: ProvisioningService = provisioning_service(
            self.database, EchoTemplateEngine(), self.clock
        )

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
            "provisioning_username": USER,
            "provisioning_password": PASSWORD,
        }
        values.update(changes)
        await self.devices.save(DeviceDraft(**values))  # type: ignore[arg-type]

    async def get(
        self,
        filename: str | None = f"{MAC}.cfg",
        authorization: str | None = None,
        link: LinkKind = LinkKind.PERSONAL,
        secret: str = KEY,
    ) -> RenderedFile | Refusal:
        prefix = "device" if link is LinkKind.PERSONAL else "token"
        target = f"/v1/{prefix}/{secret}" + (f"/{filename}" if filename else "")
        request = ProvisioningRequest(
            link, secret, filename, "192.0.2.10", None, authorization=authorization, request_uris=(target,)
        )
        return await self.service.provision(request)


@pytest.fixture
async def world() -> World:
    world = World()
    await world.publish()
    return world


async def test_without_credentials_a_device_that_needs_them_is_challenged(world: World) -> None:
    outcome = await world.get()
    assert isinstance(outcome, Refusal) and outcome.quiet and len(outcome.challenge) == 3
    assert not outcome.counts  # the first step of every authenticated fetch
    wrong = await world.get(authorization=basic(USER, "nope"))
    assert isinstance(wrong, Refusal) and wrong.challenge and wrong.counts and not wrong.quiet
    served = await world.get(authorization=basic(USER, PASSWORD))
    assert isinstance(served, RenderedFile)


async def test_unknown_devices_get_no_challenge(world: World) -> None:
    for outcome in (
        await world.get(secret="unknown-key-0001"),
        await world.get(link=LinkKind.COMMON, secret="unknown-token-01"),
        await world.get(filename="001565000000.cfg", link=LinkKind.COMMON, secret=TOKEN),
    ):
        assert isinstance(outcome, Refusal) and outcome.challenge == ()


async def test_the_common_link_needs_them_too(world: World) -> None:
    outcome = await world.get(link=LinkKind.COMMON, secret=TOKEN)
    assert isinstance(outcome, Refusal) and outcome.challenge
    served = await world.get(link=LinkKind.COMMON, secret=TOKEN, authorization=basic(USER, PASSWORD))
    assert isinstance(served, RenderedFile)


async def test_credentials_come_before_the_devices_other_rules(world: World) -> None:
    await world.publish(status=False)
    outcome = await world.get(filename="not-a-yealink-file.txt")
    assert isinstance(outcome, Refusal) and outcome.challenge
    refused = await world.get(authorization=basic(USER, PASSWORD))
    assert isinstance(refused, Refusal) and refused.challenge == () and "disabled" in refused.reason


async def test_a_device_without_credentials_ignores_an_authorization_header(world: World) -> None:
    await world.publish(provisioning_username="", provisioning_password="")
    assert isinstance(await world.get(authorization=basic("any", "thing")), RenderedFile)


async def test_refusals_are_logged_without_the_credentials(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "sonata.provisioning")
    await world.get()
    await world.get(authorization=basic(USER, "wr0ng-Secret"))
    header = next(digest_client(challenge_of(PhoneAuthenticator(world.clock))))
    await world.get(authorization=header)
    assert "needs credentials" in caplog.text and "wrong password in Basic" in caplog.text
    for secret in (
        "wr0ng-Secret",
        PASSWORD,
        base64.b64encode(f"{USER}:wr0ng-Secret".encode()).decode(),
        header,
    ):
        assert secret not in caplog.text
    assert [r.levelno for r in caplog.records if "needs credentials" in r.getMessage()] == [logging.DEBUG]


async def test_every_request_is_checked_also_when_the_device_and_file_come_from_memory(world: World) -> None:
    source = FakePhoneDevices(world.database)
    cache = DeviceCache(source, 16 * 1024 * 1024)
    cache.hold_until(math.inf)
    world.service = provisioning_service(
        world.database, EchoTemplateEngine(), world.clock, devices=cache, files=cache
    )
    assert isinstance(await world.get(authorization=basic(USER, PASSWORD)), RenderedFile)
    lookups = source.lookups
    again = await world.get()
    assert isinstance(again, Refusal) and again.challenge
    assert isinstance(await world.get(authorization=basic(USER, "nope")), Refusal)
    assert isinstance(await world.get(authorization=basic(USER, PASSWORD)), RenderedFile)
    assert source.lookups == lookups  # all three answered from memory
