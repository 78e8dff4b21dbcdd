"""Fetch the pinned npm packages of Sonata's GraphiQL page into the Sonata package.

    python scripts/update_graphiql_assets.py           # fetch, verify, write the files and the lock
    python scripts/update_graphiql_assets.py --check   # fetch, verify, change nothing: exit 1 if the
                                                       # committed files are not the registry's

The pins are src/sonata/entrypoints/graphql/graphiql_assets/assets.lock.json. For each package the
script asks the registry (`npm view`) for the tarball's SRI hash, downloads the tarball (`npm pack`)
and checks it against that hash, and against the one in the lock: a pinned version whose tarball
changed is an error, never an update. It then copies the files the page loads and the licence into
<name>-<version>/ beside the lock, and records each file's sha384, which the page gives the browser
as the file's integrity attribute.

To update a package: change its version in the lock, empty its "integrity", run the script, and look at
the page (the browser test: pytest tests/e2e/test_graphiql_browser.py). Needs npm and the registry;
Sonata itself never does at run time.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ASSETS = Path(__file__).resolve().parents[1] / "src/sonata/entrypoints/graphql/graphiql_assets"
LOCK = ASSETS / "assets.lock.json"
OWN_FILES = {"assets.lock.json", "sonata-graphiql.js", "sonata-graphiql.css"}
"""What lives beside the packages' folders and is Sonata's own."""


class Mismatch(Exception):
    """What the registry serves is not what the lock or the committed files say."""


def sri(data: bytes, algorithm: str) -> str:
    return f"{algorithm}-{base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


def npm(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(["npm", *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise Mismatch(f"npm {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


@dataclass
class Tarball:
    spec: str
    data: bytes

    def read(self, path: str) -> bytes:
        with tarfile.open(fileobj=io.BytesIO(self.data), mode="r:gz") as archive:
            try:
                member = archive.extractfile(f"package/{path}")
            except KeyError:
                member = None
            if member is None:
                raise Mismatch(f"{self.spec} has no file {path}")
            return member.read()


def fetch(package: dict[str, Any], workdir: Path) -> Tarball:
    """The package's tarball, checked against the registry's SRI hash and the lock's."""
    spec = f"{package['name']}@{package['version']}"
    published = npm("view", spec, "dist.integrity")
    if not published.startswith("sha512-"):
        raise Mismatch(f"the registry gives no sha512 integrity for {spec}: {published!r}")
    if package["integrity"] and package["integrity"] != published:
        raise Mismatch(
            f"{spec}: the registry's integrity {published} is not the lock's {package['integrity']}"
        )
    [packed] = json.loads(npm("pack", spec, "--json", "--pack-destination", str(workdir)))
    data = (workdir / packed["filename"]).read_bytes()
    if sri(data, "sha512") != published:
        raise Mismatch(f"{spec}: the downloaded tarball does not match the registry's integrity {published}")
    return Tarball(spec, data)


def folder(package: dict[str, Any]) -> str:
    return f"{package['name'].removeprefix('@').replace('/', '-')}-{package['version']}"


def wanted_files(lock: dict[str, Any], workdir: Path) -> dict[str, bytes]:
    """Every file the lock pins, by its path under the assets folder; fills in the lock's hashes."""
    tarballs = {package["name"]: fetch(package, workdir) for package in lock["packages"]}
    files: dict[str, bytes] = {}
    for package in lock["packages"]:
        tarball = tarballs[package["name"]]
        package["integrity"] = sri(tarball.data, "sha512")
        licence_from = tarballs[package.get("license_from", package["name"])]
        files[f"{folder(package)}/LICENSE"] = licence_from.read(package["license"])
        served = []
        for entry in package["files"]:
            source = entry["from"]
            target = f"{folder(package)}/{Path(source).name}"
            if target in files:
                raise Mismatch(f"{tarball.spec}: two pinned files would both be {target}")
            files[target] = tarball.read(source)
            served.append({"from": source, "to": target, "integrity": sri(files[target], "sha384")})
        package["files"] = served
    return files


def committed_differences(files: dict[str, bytes], lock_text: str) -> list[str]:
    differences = [] if LOCK.read_text() == lock_text else [f"{LOCK.name} is not what the registry gives"]
    for target, data in files.items():
        path = ASSETS / target
        if not path.is_file() or path.read_bytes() != data:
            differences.append(f"{target} is missing or not the registry's file")
    on_disk = {str(path.relative_to(ASSETS)) for path in ASSETS.rglob("*") if path.is_file()} - OWN_FILES
    differences += [f"{stray} is not pinned" for stray in sorted(on_disk - set(files))]
    return differences


def write(files: dict[str, bytes], lock_text: str) -> None:
    folders = {target.split("/")[0] for target in files}
    for path in ASSETS.iterdir():
        if path.is_dir() and path.name not in folders:
            shutil.rmtree(path)  # a package, or a version of it, no longer pinned
    for target, data in files.items():
        (ASSETS / target).parent.mkdir(exist_ok=True)
        (ASSETS / target).write_bytes(data)
    LOCK.write_text(lock_text)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 on any difference")
    check = parser.parse_args().check
    lock = json.loads(LOCK.read_text())
    with tempfile.TemporaryDirectory() as workdir:
        try:
            files = wanted_files(lock, Path(workdir))
        except Mismatch as mismatch:
            print(f"error: {mismatch}", file=sys.stderr)
            return 1
    lock_text = json.dumps(lock, indent=2) + "\n"
    if check:
        differences = committed_differences(files, lock_text)
        for difference in differences:
            print(f"error: {difference}", file=sys.stderr)
        return 1 if differences else 0
    write(files, lock_text)
    print(f"wrote {len(files)} files of {len(lock['packages'])} packages into {ASSETS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
