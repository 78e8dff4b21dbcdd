"""A plain, non-editable install ships the templates and runs from any directory."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_install_finds_its_templates_from_any_directory(tmp_path: Path) -> None:
    wheels, target, elsewhere = tmp_path / "wheels", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)], check=True
    )
    [wheel] = wheels.glob("sonata-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True)
    probe = (
        "import json, sonata; from sonata.adapters.templates import shipped_templates_dir;"
        "from sonata.entrypoints.graphql.graphiql import ASSETS_DIR, page_assets;"
        "print(json.dumps([sonata.__file__, str(shipped_templates_dir()),"
        " sorted(p.name for p in shipped_templates_dir().iterdir()),"
        " [(ASSETS_DIR / a.path).is_file() for a in page_assets()]]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=elsewhere,
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=True,
    )
    module_file, templates_dir, vendors, graphiql_files = json.loads(result.stdout)
    assert module_file.startswith(str(target))
    assert templates_dir.startswith(str(target))
    assert {"grandstream", "yealink", "fanvil", "snom", "htek"} <= set(vendors)
    assert len(graphiql_files) == 8 and all(graphiql_files)  # GraphiQL's page works offline too
    # The shipped migrations build the schema in an empty database: `sonata render` finds no device, cleanly.
    (elsewhere / "s.db").touch()
    render = subprocess.run(
        [sys.executable, "-m", "sonata", "render", "no-such-device"],
        cwd=elsewhere,
        env={
            **os.environ,
            "PYTHONPATH": str(target),
            "SONATA_DATABASE_URL": f"sqlite:///{elsewhere / 's.db'}",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert render.returncode == 1 and "no device" in render.stderr, render.stderr
