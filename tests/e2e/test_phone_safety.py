"""The phone routes of a running server under hostile and unusual requests: HEAD, caching,
what reaches the log, and what a request may cost."""

import hashlib
import re
import time

import httpx
from tests.e2e.conftest import Server
from tests.e2e.test_phone_routes import PHONES, publish, refusal
from tests.e2e.waiting import eventually

YEALINK_UA = PHONES["yealink"][3]
OWN_UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:a0:a0:a1"
LAST_PROVISIONING = '{{ device(key: "{key}") {{ lastProvisioning {{ at userAgent }} }} }}'


def last_provisioning(server: Server, key: str) -> object:
    return server.graphql(LAST_PROVISIONING.format(key=key))["device"]["lastProvisioning"]


def without_date(headers: httpx.Headers) -> list[tuple[str, str]]:
    return [(name, value) for name, value in headers.multi_items() if name != "date"]


def head(server: Server, url: str, user_agent: str = OWN_UA) -> httpx.Response:
    return server.client.head(url, headers={"User-Agent": user_agent})


def records_written(server: Server, firmware: str) -> None:
    """Returns once every fetch made before it is written to lastProvisioning: records are written
    in batches, in order, so once a marker device's fetch shows, all earlier ones have too."""
    marker = publish(server, "yealink", mac="001565a0a0ff")
    user_agent = f"Yealink SIP-T46S {firmware} 00:15:65:a0:a0:ff"
    assert server.get(marker["links"]["personal"], user_agent=user_agent).status_code == 200
    eventually(
        lambda: last_provisioning(server, marker["key"]),
        lambda record: isinstance(record, dict) and record["userAgent"] == user_agent,
    )


def test_head_is_answered_like_get_but_not_recorded(server: Server) -> None:
    device = publish(server, "yealink", mac="001565a0a0a1")
    personal, common = device["links"]["personal"], device["links"]["common"]
    urls = (personal, f"{personal}/001565a0a0a1.cfg", f"{common}/001565a0a0a1.cfg")
    for url in urls:
        answer = head(server, url)
        assert answer.status_code == 200 and answer.content == b"", url
    records_written(server, "66.86.0.1")
    assert last_provisioning(server, device["key"]) is None
    for url in urls:
        answer, fetched = head(server, url), server.get(url, user_agent=OWN_UA)
        assert fetched.status_code == 200
        for header in ("content-type", "content-length", "cache-control"):
            assert answer.headers[header] == fetched.headers[header], header
        assert int(answer.headers["content-length"]) == len(fetched.content)
    records_written(server, "66.86.0.2")
    recorded = last_provisioning(server, device["key"])
    assert recorded is not None
    head(server, personal, "Yealink SIP-T46S 66.86.0.99 00:15:65:a0:a0:a1")
    records_written(server, "66.86.0.3")
    assert last_provisioning(server, device["key"]) == recorded
    refused = head(server, f"{server.url}/v1/device/no-such-key-000/001565a0a0a1.cfg")
    not_found = server.get(f"{server.url}/v1/device/no-such-key-000/001565a0a0a1.cfg", OWN_UA)
    assert refused.status_code == not_found.status_code == 404 and refused.content == b""
    assert refused.headers["content-length"] == not_found.headers["content-length"]


def test_configs_and_refusals_are_never_stored_by_caches(server: Server) -> None:
    device = publish(server, "yealink")
    _, mac, filename, user_agent, _ = PHONES["yealink"]
    personal, common = device["links"]["personal"], device["links"]["common"]
    for url in (
        personal,
        f"{personal}/{filename}",
        f"{common}/{filename}",
        f"{personal}/{mac}-phonebook.xml",
    ):
        response = server.get(url, user_agent=user_agent)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "no-store"
    refused = server.get(f"{server.url}/v1/device/no-such-key-000/{filename}", user_agent)
    unknown_route = server.get("/v1/nothing/here")
    for response in (refused, unknown_route):
        refusal(response)
        assert response.headers["cache-control"] == "no-store"
    assert without_date(refused.headers) == without_date(unknown_route.headers)


def test_keys_and_tokens_never_reach_the_log(server: Server) -> None:
    device = publish(server, "yealink", mac="001565a0a0a2", token="yealink-secret-group-token")
    key, personal, common = device["key"], device["links"]["personal"], device["links"]["common"]
    user_agent = "Yealink SIP-T46S 66.86.0.15 00:15:65:a0:a0:a2"
    near_key, near_token = key[:-1] + ("x" if key[-1] != "x" else "y"), "yealink-secret-group-tokem"
    for url in (
        personal,
        f"{personal}/001565a0a0a2.cfg",
        f"{common}/001565a0a0a2.cfg",
        f"{server.url}/v1/device/{near_key}/001565a0a0a2.cfg",  # a key one letter off
        f"{server.url}/v1/token/{near_token}/001565a0a0a2.cfg",  # a token one letter off
        f"{server.url}/v1/token/{near_token}/001565a0a0ff.cfg",  # and an unknown MAC
        f"{personal}/001565a0a0ff.cfg",  # another device's file
        f"{personal}/settings.xml",  # a name no phone asks for
    ):
        server.get(url, user_agent=user_agent)
        head(server, url, user_agent)
    publish(server, "yealink", mac="001565a0a0a2", token="yealink-secret-group-token", status=False)
    refusal(server.get(personal, user_agent=user_agent))
    refusal(server.get(f"{common}/001565a0a0a2.cfg", user_agent=user_agent))
    log = server.log()
    for secret in (key, near_key, "yealink-secret-group-token", near_token):
        assert secret not in log
    for secret in (near_key, near_token):
        assert hashlib.sha256(secret.encode()).hexdigest()[:8] in log
    assert "served '001565a0a0a2.cfg'" in log and "disabled" in log


def test_a_file_name_longer_than_any_phone_asks_for_is_refused_and_logged_short(server: Server) -> None:
    device = publish(server, "yealink")
    for filename in ("001565aabbcc" + "0" * 49 + ".cfg", "001565aabbcc" + "a" * 5000 + ".cfg"):
        refusal(server.get(f"{device['links']['common']}/{filename}", YEALINK_UA))
    lines = [line for line in server.log().splitlines() if "no phone asks for one over 64" in line]
    assert len(lines) == 2
    assert all(len(line) < 600 for line in lines)
    assert "(5016 characters)" in lines[1] and "a" * 300 not in server.log()


def test_a_user_agent_shaped_to_backtrack_costs_what_a_normal_one_does(server: Server) -> None:
    """The issue's request: a Fanvil User-Agent of 15,000 digits and a failing last character
    (8.7 s before the patterns were fixed)."""
    url = f"{server.url}/v1/device/no-such-key-000/x.cfg"
    hostile_agents = [
        "Fanvil a" + "1" * 15_000 + "!",
        "Yealink a" + "1" * 15_000 + "!",
        "Mozilla/4.0 (compatible; snom" + "1" * 15_000 + "!",
    ]

    def fastest(user_agent: str) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            refusal(server.get(url, user_agent))
            times.append(time.perf_counter() - started)
        return min(times)

    normal = fastest(YEALINK_UA)
    for user_agent in hostile_agents:
        assert fastest(user_agent) < 50 * normal, user_agent[:30]
    assert not re.search(r"1{300}", server.log())


def test_a_forged_client_address_is_cut_short_in_every_log_line(server: Server) -> None:
    """uvicorn takes X-Forwarded-For from a proxy on 127.0.0.1 as the client address: whatever a
    client smuggles through it reaches neither log in full, on the phone links nor on the API."""
    forged = "A" * 5000
    headers = {"X-Forwarded-For": forged, "User-Agent": YEALINK_UA}
    refusal(
        server.client.get(f"{server.url}/v1/device/no-such-key-0123456789/001565a0a0a9.cfg", headers=headers)
    )
    api = server.client.post(f"{server.url}/graphql", json={"query": "{ vendors { id } }"}, headers=headers)
    assert api.status_code == 401
    log = server.log()
    assert "A" * 64 in log
    assert "A" * 65 not in log
