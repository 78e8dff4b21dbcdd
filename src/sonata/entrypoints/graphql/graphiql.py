"""GraphiQL from Sonata's own files: the pinned npm packages in graphiql_assets/ and no CDN.

scripts/update_graphiql_assets.py fetches the packages and writes their lock; the page gives every file
its integrity, and a Content-Security-Policy that lets it load and call nothing but this server.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from html import escape
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ASSETS_DIR = Path(__file__).with_name("graphiql_assets")
ASSETS_PATH = "/graphql/assets"
OWN_FILES = ("sonata-graphiql.css", "sonata-graphiql.js")
"""Sonata's own part of the page, loaded after the packages."""

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # the dialogs' scroll lock writes a <style>; styles run no code
        "img-src 'self' data:",
        "font-src 'self' data:",  # GraphiQL's fonts are data: URLs in its stylesheet
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True)
class Asset:
    path: str
    """Under ASSETS_DIR, and under ASSETS_PATH on the server."""
    integrity: str


def sri(data: bytes) -> str:
    """The Subresource Integrity value (sha384) of a file's bytes."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def page_assets(directory: Path = ASSETS_DIR) -> list[Asset]:
    """The files the page loads, in order: the lock's, then Sonata's own."""
    lock = json.loads((directory / "assets.lock.json").read_text(encoding="utf-8"))
    pinned = [Asset(f["to"], f["integrity"]) for package in lock["packages"] for f in package["files"]]
    return pinned + [Asset(name, sri((directory / name).read_bytes())) for name in OWN_FILES]


def page_html(assets: list[Asset]) -> str:
    # Relative to /graphql, so the page also works behind a proxy that puts Sonata under a path.
    def url(asset: Asset) -> str:
        return escape(f"{ASSETS_PATH.lstrip('/')}/{asset.path}")

    styles = "".join(
        f'\n    <link rel="stylesheet" href="{url(a)}" integrity="{escape(a.integrity)}">'
        for a in assets
        if a.path.endswith(".css")
    )
    scripts = "".join(
        f'\n    <script src="{url(a)}" integrity="{escape(a.integrity)}"></script>'
        for a in assets
        if a.path.endswith(".js")
    )
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Sonata GraphiQL</title>
    <link rel="icon" href="data:,">{styles}
  </head>
  <body>
    <div id="graphiql">Loading…</div>{scripts}
  </body>
</html>
"""


class GraphiQLPage:
    """The page, made once: what it loads does not change while Sonata runs."""

    def __init__(self, directory: Path = ASSETS_DIR) -> None:
        self._body = page_html(page_assets(directory)).encode()

    def response(self) -> Response:
        return Response(self._body, media_type="text/html", headers=PAGE_HEADERS)


class GraphiQLAssets(StaticFiles):
    """The page's files. Revalidated on each load (a 304 while unchanged), so that after an upgrade
    no browser pairs the new page with an old file its integrity no longer matches."""

    def __init__(self, directory: Path = ASSETS_DIR) -> None:
        super().__init__(directory=directory)

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
