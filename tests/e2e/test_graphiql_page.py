"""The GraphiQL page and its files over real HTTP: served by Sonata, under a policy that lets the page
load and call nothing else."""

import base64
import hashlib

from tests.e2e.conftest import Server

from sonata.entrypoints.graphql.graphiql import ASSETS_PATH, page_assets

POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
    " font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def test_the_page_comes_with_a_policy_that_allows_only_this_server(server: Server) -> None:
    response = server.client.get(f"{server.url}/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == POLICY
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "unpkg" not in response.text and "<script>" not in response.text


def test_every_file_the_page_loads_is_served_with_its_hash(server: Server) -> None:
    for asset in page_assets():
        response = server.get(f"{ASSETS_PATH}/{asset.path}")
        assert response.status_code == 200, asset.path
        digest = base64.b64encode(hashlib.sha384(response.content).digest()).decode()
        assert f"sha384-{digest}" == asset.integrity, asset.path
        kind = "text/css" if asset.path.endswith(".css") else "text/javascript"
        assert response.headers["content-type"].startswith(kind), asset.path
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-content-type-options"] == "nosniff"
        again = server.client.get(response.url, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304


def test_nothing_else_is_served_from_the_assets_path(server: Server) -> None:
    for path in ("no-such.js", "../graphiql.py", "%2e%2e/graphiql.py", "react-18.2.0/", ""):
        response = server.get(f"{ASSETS_PATH}/{path}")
        assert response.status_code == 404, path
    assert server.client.post(f"{server.url}{ASSETS_PATH}/sonata-graphiql.js").status_code == 405
