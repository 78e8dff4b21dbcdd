"""Phone credentials against a running server, with real clients: httpx's DigestAuth and BasicAuth,
and curl --digest / --basic. Right, wrong, missing, replayed and expired; personal and common link."""

import base64
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server

MAC = "001565c0ffee"
USER, PASSWORD = "desk-0042", "fetch-Pw-0042!"
YEALINK_UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:c0:ff:ee"
FIELDS = "key provisioningUsername hasProvisioningPassword hasAdminPassword links { personal common }"
SAVE = f"""mutation($input: DeviceInput!) {{
  saveDevice(input: $input) {{ device {{ {FIELDS} }} errors {{ field message }} }}
}}"""
UPDATE = f"""mutation($key: String!, $input: DevicePatch!) {{
  updateDevice(key: $key, input: $input) {{ device {{ {FIELDS} }} errors {{ field message }} }}
}}"""


def publish(server: Server, mac: str = MAC, **changes: Any) -> dict[str, Any]:
    device: dict[str, Any] = {
        "vendor": "yealink",
        "model": "t46s",
        "mac": mac,
        "token": "credentials-group-01",
        "accounts": [
            {"line": 1, "sipRegister": "sip.example.net", "sipUser": "301", "sipPassword": "sip-pw-301"}
        ],
        "provisioningUsername": USER,
        "provisioningPassword": PASSWORD,
    }
    device.update(changes)
    payload = server.graphql(SAVE, {"input": device})["saveDevice"]
    assert payload["errors"] == []
    return payload["device"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def device(server: Server) -> dict[str, Any]:
    return publish(server)


def links(device: dict[str, Any]) -> list[str]:
    return [f"{device['links']['personal']}/{MAC}.cfg", f"{device['links']['common']}/{MAC}.cfg"]


def get(
    url: str, auth: httpx.Auth | None = None, user_agent: str = YEALINK_UA, **headers: str
) -> httpx.Response:
    with httpx.Client(auth=auth, timeout=10) as client:
        return client.get(url, headers={"User-Agent": user_agent, **headers})


def only_challenge(algorithm: str) -> Any:
    """A response hook leaving only the Digest challenge of `algorithm`, so httpx (which answers the
    first Digest challenge) answers that one."""

    def keep(response: httpx.Response) -> None:
        values = response.headers.get_list("www-authenticate")
        if values:
            del response.headers["www-authenticate"]
            for value in values:
                if f"algorithm={algorithm}," in value:
                    response.headers.update({"www-authenticate": value})

    return keep


def served(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert "sip-pw-301" in response.text


def challenged(response: httpx.Response, stale: bool = False) -> list[str]:
    assert response.status_code == 401
    assert response.text == "Unauthorized\n"
    assert response.headers["cache-control"] == "no-store"
    values = response.headers.get_list("www-authenticate")
    assert [v.split(",")[0] for v in values] == [
        'Digest realm="Sonata"',
        'Digest realm="Sonata"',
        'Basic realm="Sonata"',
    ]
    assert ["algorithm=MD5," in values[0], "algorithm=SHA-256," in values[1]] == [True, True]
    assert all(("stale=true" in v) is stale for v in values[:2])
    return values


@pytest.mark.parametrize("link", [0, 1], ids=["personal", "common"])
@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
def test_httpx_digest_fetches_on_both_links(device: dict[str, Any], link: int, algorithm: str) -> None:
    url = links(device)[link]
    hooks = {"response": [only_challenge(algorithm)]}
    with httpx.Client(auth=httpx.DigestAuth(USER, PASSWORD), event_hooks=hooks, timeout=10) as client:
        response = client.get(url, headers={"User-Agent": YEALINK_UA})
        served(response)
        assert f"algorithm={algorithm}" in response.request.headers["authorization"]
        # The next request answers the same nonce with the next count, without a new challenge.
        again = client.get(url, headers={"User-Agent": YEALINK_UA})
        served(again)
        assert "nc=00000002" in again.request.headers["authorization"]


@pytest.mark.parametrize("link", [0, 1], ids=["personal", "common"])
def test_httpx_basic_fetches_and_wrong_credentials_are_challenged(device: dict[str, Any], link: int) -> None:
    url = links(device)[link]
    served(get(url, httpx.BasicAuth(USER, PASSWORD)))
    challenged(get(url, httpx.BasicAuth(USER, "wrong-password")))
    challenged(get(url, httpx.BasicAuth("desk-0043", PASSWORD)))
    challenged(get(url, httpx.DigestAuth(USER, "wrong-password")))
    challenged(get(url, httpx.DigestAuth("desk-0043", PASSWORD)))


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs the curl command")
@pytest.mark.parametrize("link", [0, 1], ids=["personal", "common"])
@pytest.mark.parametrize("scheme", ["--digest", "--basic"])
def test_curl_fetches_with_digest_and_basic(device: dict[str, Any], link: int, scheme: str) -> None:
    url = links(device)[link]
    expected = get(url, httpx.BasicAuth(USER, PASSWORD)).content

    def curl(password: str) -> subprocess.CompletedProcess[bytes]:
        command = [
            "curl",
            "-sS",
            scheme,
            "-u",
            f"{USER}:{password}",
            "-A",
            YEALINK_UA,
            "-w",
            "\n%{http_code}",
            url,
        ]
        return subprocess.run(command, capture_output=True, timeout=30, check=True)

    body, _, status = curl(PASSWORD).stdout.rpartition(b"\n")
    assert (status, body) == (b"200", expected)
    assert curl("wrong-password").stdout.rpartition(b"\n")[2] == b"401"


def test_without_credentials_only_a_device_that_needs_them_is_challenged(
    server: Server, device: dict[str, Any]
) -> None:
    for url in links(device):
        challenged(get(url))
    open_device = publish(
        server,
        mac="001565c0ff01",
        token="credentials-group-02",
        provisioningUsername="",
        provisioningPassword="",
    )
    assert not open_device["hasProvisioningPassword"]
    served(
        get(
            f"{open_device['links']['personal']}/001565c0ff01.cfg",
            user_agent=YEALINK_UA.replace("c0:ff:ee", "c0:ff:01"),
        )
    )

    def refusal(response: httpx.Response) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
        kept = tuple((k, v) for k, v in response.headers.multi_items() if k not in ("date", "server"))
        return response.status_code, kept, response.content

    refusals = {
        refusal(get(url))
        for url in (
            f"{server.url}/v1/device/unknown-key-000001/{MAC}.cfg",
            f"{server.url}/v1/token/unknown-token-0001/{MAC}.cfg",
            f"{device['links']['common']}/001565000999.cfg",
            f"{open_device['links']['personal']}/001565000999.cfg",
        )
    }
    assert len(refusals) == 1
    status, headers, body = refusals.pop()
    assert status == 404 and body == b"Not Found\n" and "www-authenticate" not in dict(headers)


def test_a_replayed_digest_request_is_refused(device: dict[str, Any]) -> None:
    url = links(device)[0]
    with httpx.Client(auth=httpx.DigestAuth(USER, PASSWORD), timeout=10) as client:
        first = client.get(url, headers={"User-Agent": YEALINK_UA})
        served(first)
    authorization = first.request.headers["authorization"]
    challenged(get(url, Authorization=authorization))
    challenged(get(url, Authorization=authorization))


def test_an_authorization_header_of_100_kb_is_refused_without_harm(
    server: Server, device: dict[str, Any]
) -> None:
    url = links(device)[0]
    for hostile in ("Digest " + 'a="\\' * 33_000, "Digest " + "," * 100_000, "Basic " + "QUFB" * 25_000):
        challenged(get(url, Authorization=hostile))
    served(get(url, httpx.DigestAuth(USER, PASSWORD)))
    assert 'a="\\a="' not in server.log() and ",,,," not in server.log()


def test_updating_other_fields_keeps_the_password_and_queries_never_show_it(
    server: Server, device: dict[str, Any]
) -> None:
    assert device["provisioningUsername"] == USER and device["hasProvisioningPassword"]
    updated = server.graphql(UPDATE, {"key": device["key"], "input": {"title": "moved"}})["updateDevice"]
    assert updated["errors"] == [] and updated["device"]["hasProvisioningPassword"]
    served(get(links(device)[0], httpx.DigestAuth(USER, PASSWORD)))
    response = server.client.post(
        f"{server.url}/graphql",
        json={"query": f'{{ device(key: "{device["key"]}") {{ {FIELDS} title }} }} '},
        headers={"Authorization": f"Bearer {API_TOKEN}"},
    )
    assert PASSWORD not in response.text
    fields = server.graphql('{ __type(name: "Device") { fields { name } } }')["__type"]["fields"]
    readable = {f["name"] for f in fields if "assword" in f["name"]}
    assert readable == {"hasAdminPassword", "hasProvisioningPassword"}


def test_a_user_name_without_a_password_is_a_field_error(server: Server) -> None:
    device = {
        "vendor": "yealink",
        "model": "t46s",
        "mac": "001565c0ff02",
        "provisioningUsername": "only-user",
    }
    payload = server.graphql(SAVE, {"input": device})["saveDevice"]
    assert payload["device"] is None
    assert payload["errors"] == [
        {"field": "provisioningPassword", "message": "is required with a provisioning user name"}
    ]


def test_the_log_never_shows_the_password_or_the_authorization_header(
    server: Server, device: dict[str, Any]
) -> None:
    url = links(device)[0]
    get(url, httpx.BasicAuth(USER, "wr0ng-Secret"))
    get(url, httpx.DigestAuth(USER, "wr0ng-Secret"))
    served(get(url, httpx.DigestAuth(USER, PASSWORD)))
    log = server.log()
    assert "wrong password in Basic credentials" in log
    for secret in (
        PASSWORD,
        "wr0ng-Secret",
        base64.b64encode(f"{USER}:wr0ng-Secret".encode()).decode(),
        "response=",
    ):
        assert secret not in log


@pytest.fixture(scope="module")
def short_nonces(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp_path: Path = tmp_path_factory.mktemp("short-nonces")
    running = start_server(
        tmp_path,
        {
            "SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}",
            "SONATA_API_TOKEN": API_TOKEN,
            "SONATA_DIGEST_NONCE_SECONDS": "1",
        },
    )
    yield running
    stop_server(running)


def test_an_expired_nonce_is_answered_stale_and_the_client_goes_on(short_nonces: Server) -> None:
    url = links(publish(short_nonces))[0]
    answers: list[httpx.Response] = []
    hooks = {"response": [answers.append]}
    with httpx.Client(auth=httpx.DigestAuth(USER, PASSWORD), event_hooks=hooks, timeout=10) as client:
        served(client.get(url, headers={"User-Agent": YEALINK_UA}))
        time.sleep(1.2)
        answers.clear()
        # The right credentials on the expired nonce: stale, and httpx answers the new nonce at once.
        served(client.get(url, headers={"User-Agent": YEALINK_UA}))
    assert [a.status_code for a in answers] == [401, 200]
    challenged(answers[0], stale=True)


def test_a_nonce_of_one_instance_is_taken_by_another_on_the_same_database(tmp_path: Path) -> None:
    """What lets `--workers N` and instances behind a load balancer take each other's nonces: the
    key signing them is kept in the database. The challenge comes from one instance, the answer
    goes to the other."""
    env = {"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}", "SONATA_API_TOKEN": API_TOKEN}
    first = start_server(tmp_path, env)
    try:
        second = start_server(tmp_path, env)
        try:
            url = links(publish(first))[0]
            auth = httpx.DigestAuth(USER, PASSWORD)
            flow = auth.sync_auth_flow(httpx.Request("GET", url))
            unanswered = next(flow)
            challenge = get(url)  # from the first instance
            answered = flow.send(httpx.Response(401, headers=challenge.headers, request=unanswered))
            on_second = url.replace(first.url, second.url)
            served(get(on_second, Authorization=answered.headers["authorization"]))
        finally:
            stop_server(second)
    finally:
        stop_server(first)


def test_a_head_request_answers_digest_like_a_get(device: dict[str, Any]) -> None:
    with httpx.Client(auth=httpx.DigestAuth(USER, PASSWORD), timeout=10) as client:
        response = client.head(links(device)[1], headers={"User-Agent": YEALINK_UA})
    assert response.status_code == 200 and "HEAD" not in response.request.headers["authorization"]
