"""The GraphiQL files Sonata ships: each the one its lock pins, each package with its licence, and a page
that loads nothing but them."""

import json
from html.parser import HTMLParser

from sonata.entrypoints.graphql.graphiql import ASSETS_DIR, OWN_FILES, page_assets, page_html, sri

LOCK = json.loads((ASSETS_DIR / "assets.lock.json").read_text())
PACKAGES = LOCK["packages"]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_every_pinned_file_is_the_file_its_integrity_names() -> None:
    pinned = [f for package in PACKAGES for f in package["files"]]
    assert len(pinned) == 6
    for f in pinned:
        assert sri((ASSETS_DIR / f["to"]).read_bytes()) == f["integrity"], f["to"]


def test_every_package_is_pinned_to_a_tarball_hash_and_ships_its_licence() -> None:
    for package in PACKAGES:
        assert package["integrity"].startswith("sha512-") and len(package["integrity"]) == 95
        folder = ASSETS_DIR / f"{package['name'].removeprefix('@').replace('/', '-')}-{package['version']}"
        licence = (folder / "LICENSE").read_text()
        assert licence.startswith("MIT License") and "Permission is hereby granted" in licence, folder


def test_the_assets_folder_holds_nothing_unpinned() -> None:
    on_disk = {str(p.relative_to(ASSETS_DIR)) for p in ASSETS_DIR.rglob("*") if p.is_file()}
    pinned = {f["to"] for package in PACKAGES for f in package["files"]}
    licences = {f"{path.split('/')[0]}/LICENSE" for path in pinned} | {"graphiql-explorer-0.9.0/LICENSE"}
    assert on_disk == pinned | licences | {"assets.lock.json", *OWN_FILES}


def test_the_page_loads_only_sonatas_files_each_with_its_integrity() -> None:
    assets = page_assets()
    parser = _Tags()
    parser.feed(page_html(assets))
    loaded = [attrs for tag, attrs in parser.tags if tag == "script" or attrs.get("rel") == "stylesheet"]
    expected = {f"graphql/assets/{a.path}": a.integrity for a in assets}
    assert {(attrs.get("src") or attrs.get("href")): attrs.get("integrity") for attrs in loaded} == expected
    scripts = [attrs["src"] for tag, attrs in parser.tags if tag == "script"]
    assert scripts == [
        "graphql/assets/react-18.2.0/react.production.min.js",
        "graphql/assets/react-dom-18.2.0/react-dom.production.min.js",
        "graphql/assets/graphiql-3.8.3/graphiql.min.js",
        "graphql/assets/graphiql-plugin-explorer-1.0.2/index.umd.js",
        "graphql/assets/sonata-graphiql.js",
    ]
    assert "//" not in page_html(assets).replace("<!doctype html>", "")  # no URL of another host


def test_the_page_gives_sonatas_own_files_their_current_hash() -> None:
    own = {a.path: a.integrity for a in page_assets() if a.path in OWN_FILES}
    assert own == {name: sri((ASSETS_DIR / name).read_bytes()) for name in OWN_FILES}
    assert sri(b"") == "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb"
