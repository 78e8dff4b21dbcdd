"""SONATA_CORS_ORIGINS over real HTTP: a browser frontend on a named origin may call the management API,
no other origin may, and nothing else is shared: not the phone links, not without the setting."""

from collections.abc import Iterator

import pytest
from tests.e2e.conftest import API_TOKEN, Server, start_server, stop_server

FRONTEND = "https://admin.example.net"
OTHER = "https://evil.example.org"
QUERY = {"query": "{ vendors { id } }"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp_path = tmp_path_factory.mktemp("cors")
    running = start_server(
        tmp_path,
        {
            "SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'sonata.db'}",
            "SONATA_API_TOKEN": API_TOKEN,
            "SONATA_CORS_ORIGINS": "http://localhost:3000, https://Admin.Example.net:443/",
        },
    )
    yield running
    stop_server(running)


def preflight(server: Server, origin: str, headers: str = "authorization,content-type") -> dict[str, str]:
    response = server.client.options(
        f"{server.url}/graphql",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": headers,
        },
    )
    return {"status": str(response.status_code), **response.headers}


def post(server: Server, origin: str, token: str | None = API_TOKEN) -> dict[str, str]:
    headers = {"Origin": origin, **({"Authorization": f"Bearer {token}"} if token else {})}
    response = server.client.post(f"{server.url}/graphql", json=QUERY, headers=headers)
    return {"status": str(response.status_code), "body": response.text, **response.headers}


def test_a_named_origin_passes_the_preflight_for_a_bearer_token_post(shared: Server) -> None:
    answer = preflight(shared, FRONTEND)
    assert answer["status"] == "200"
    assert answer["access-control-allow-origin"] == FRONTEND
    assert {m.strip() for m in answer["access-control-allow-methods"].split(",")} == {"GET", "POST"}
    assert {h.strip().lower() for h in answer["access-control-allow-headers"].split(",")} >= {
        "authorization",
        "content-type",
    }
    assert "access-control-allow-credentials" not in answer  # a bearer token, never the browser's cookies
    assert (
        preflight(shared, "http://localhost:3000")["access-control-allow-origin"] == "http://localhost:3000"
    )


def test_a_named_origin_reads_the_answers_the_api_gives_it(shared: Server) -> None:
    answer = post(shared, FRONTEND)
    assert answer["status"] == "200" and '"id":"grandstream"' in answer["body"].replace(" ", "")
    assert answer["access-control-allow-origin"] == FRONTEND and "Origin" in answer["vary"]
    refused = post(shared, FRONTEND, token=None)  # the frontend can show why: the 401 is readable
    assert refused["status"] == "401" and refused["access-control-allow-origin"] == FRONTEND


def test_another_origin_gets_no_permission(shared: Server) -> None:
    for origin in (OTHER, "http://admin.example.net", "https://admin.example.net:8443", "null"):
        answer = preflight(shared, origin)
        assert answer["status"] == "400" and "access-control-allow-origin" not in answer, origin
        assert "access-control-allow-origin" not in post(shared, origin), origin
    assert preflight(shared, FRONTEND, headers="authorization,x-other")["status"] == "400"


def test_only_the_management_api_is_shared(shared: Server) -> None:
    for path in (
        "/healthz",
        "/v1/device/not-a-device-key/y000000000000.cfg",
        "/graphql/assets/sonata-graphiql.js",
    ):
        response = shared.client.get(f"{shared.url}{path}", headers={"Origin": FRONTEND})
        assert "access-control-allow-origin" not in response.headers, path


def test_without_the_setting_no_origin_is_allowed(server: Server) -> None:
    assert preflight(server, FRONTEND)["status"] == "405"
    answer = post(server, FRONTEND)
    assert answer["status"] == "200" and "access-control-allow-origin" not in answer
