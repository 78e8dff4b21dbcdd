"""Which refusals count against the client address's failure budget: those that a guessed key, token
or MAC provokes, never the files phones routinely ask for or the rules of a device the phone found."""

from datetime import timedelta

import pytest
from tests.unit.test_provisioning import KEY, MAC, OTHER_UA, TOKEN, YEALINK_UA, World, refused

from sonata.domain.model import LinkKind
from sonata.domain.services.provisioning import Refusal
from sonata.domain.validation import RulesDraft
from sonata.domain.vendors.base import MAX_FILENAME

PERSONAL, COMMON = LinkKind.PERSONAL, LinkKind.COMMON


@pytest.fixture
async def world() -> World:
    world = World()
    await world.publish()
    return world


def counts(outcome: object) -> bool:
    refused(outcome)  # type: ignore[arg-type]
    assert isinstance(outcome, Refusal)
    return outcome.counts


@pytest.mark.parametrize(
    ("link", "secret", "filename", "user_agent"),
    [
        pytest.param(PERSONAL, "no-such-key-0001", f"{MAC}.cfg", YEALINK_UA, id="unknown key"),
        pytest.param(
            PERSONAL, "no-such-key-0001", f"{MAC}-local.cfg", YEALINK_UA, id="unknown key, quiet file"
        ),
        pytest.param(COMMON, "no-such-token-01", f"{MAC}.cfg", YEALINK_UA, id="wrong token"),
        pytest.param(COMMON, TOKEN, "001565000099.cfg", None, id="unknown MAC in the file name"),
        pytest.param(COMMON, TOKEN, "y000000000028.cfg", OTHER_UA, id="unknown MAC in the User-Agent"),
        pytest.param(COMMON, TOKEN, "001565000099-local.cfg", None, id="unknown MAC, quiet file"),
        pytest.param(PERSONAL, KEY, "001565000099.cfg", YEALINK_UA, id="another device's file"),
        pytest.param(COMMON, TOKEN, f"{MAC}.cfg", OTHER_UA, id="User-Agent shows another MAC"),
    ],
)
async def test_a_guessed_key_token_or_mac_counts(
    world: World, link: LinkKind, secret: str, filename: str, user_agent: str | None
) -> None:
    assert counts(await world.get(filename, link=link, secret=secret, ua=user_agent))


async def test_a_failed_mac_check_counts(world: World) -> None:
    await world.publish(rules=RulesDraft(check_mac=True))
    assert counts(await world.get(None, ua=OTHER_UA))


@pytest.mark.parametrize("link", [PERSONAL, COMMON])
@pytest.mark.parametrize(
    ("filename", "user_agent"),
    [
        pytest.param(f"{MAC}-local.cfg", YEALINK_UA, id="a file Sonata does not serve"),
        pytest.param(f"{MAC}-contact.xml", YEALINK_UA, id="another file Sonata does not serve"),
        pytest.param("y000000000065.cfg", YEALINK_UA, id="another model's common file"),
        pytest.param(f"{MAC}.txt", YEALINK_UA, id="a file name Yealink phones never ask for"),
        pytest.param(
            f"cfg{MAC}.xml", "Grandstream Model HW GXP1630 SW 1.0.7.13 DevId 001565aabbcc", id="vendor"
        ),
        pytest.param("x" * (MAX_FILENAME + 1), YEALINK_UA, id="a file name too long"),
    ],
)
async def test_files_of_a_device_the_phone_found_do_not_count(
    world: World, link: LinkKind, filename: str, user_agent: str
) -> None:
    assert not counts(await world.get(filename, link=link, ua=user_agent))


async def test_a_common_file_without_any_mac_shown_does_not_count(world: World) -> None:
    """An older Yealink shows no MAC in its User-Agent, and asks for the model's file first."""
    assert not counts(await world.get("y000000000028.cfg", link=COMMON, ua="Yealink SIP-T46S 66.86.0.15"))


@pytest.mark.parametrize(
    "rules",
    [
        pytest.param({"status": False}, id="disabled"),
        pytest.param({"rules": RulesDraft(allowed_ips=["10.0.0.0/8"])}, id="address not allowed"),
    ],
)
@pytest.mark.parametrize("link", [PERSONAL, COMMON])
async def test_the_rules_of_a_found_device_do_not_count(
    world: World, link: LinkKind, rules: dict[str, object]
) -> None:
    await world.publish(**rules)
    assert not counts(await world.get(f"{MAC}.cfg", link=link))


async def test_an_expired_device_does_not_count(world: World) -> None:
    await world.publish(rules=RulesDraft(expires_at=world.clock.now() + timedelta(minutes=1)))
    world.clock.advance(minutes=2)
    assert not counts(await world.get(f"{MAC}.cfg"))
