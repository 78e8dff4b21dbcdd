"""importDevices over the real API: a full call of documents saved in batches, each with its own
outcome, and the devices it replaces served to phones at once."""

import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Server

IMPORT = """
mutation Import($docs: [JSON!]!) {
  importDevices(documents: $docs) {
    saved
    results { device { key title links { personal } } errors { field message } }
  }
}
"""
ROOT = Path(__file__).resolve().parents[2]


def document(number: int, **changes: Any) -> dict[str, Any]:
    return {
        "vendor": "yealink",
        "model": "t46s",
        "mac": f"0015650d{number:04x}",
        "token": "import-group-token",
        "accounts": [
            {
                "line": 1,
                "sip_register": "sip.example.net",
                "sip_user": str(5000 + number),
                "sip_password": f"import-pw-{number}",
            }
        ],
        **changes,
    }


def test_five_hundred_documents_save_each_but_the_bad_ones(server: Server) -> None:
    documents = [document(n, title=f"Desk {n}") for n in range(500)]
    documents[17] = document(17, model="t99")
    documents[230] = document(1, title="repeated")
    documents[499] = document(499, accounts=[{"line": 1, "sip_register": "sip.example.net"}])
    data = server.graphql(IMPORT, {"docs": documents})["importDevices"]
    assert data["saved"] == 497
    errors = {n: r["errors"] for n, r in enumerate(data["results"]) if r["errors"]}
    assert list(errors) == [17, 230, 499]
    assert errors[17][0]["field"] == "model"
    assert errors[230] == [{"field": "mac", "message": "is the same MAC as document 1 of this import"}]
    assert errors[499] == [{"field": "accounts.0.sip_user", "message": "is required"}]
    assert server.graphql('{ devices(token: "import-group-token") { totalCount } }')["devices"] == {
        "totalCount": 497
    }
    assert server.graphql('{ device(mac: "0015650d0001") { title } }')["device"] == {"title": "Desk 1"}
    assert server.graphql('{ device(mac: "0015650d0011") { title } }')["device"] is None


def test_a_device_an_import_replaces_is_served_anew_at_once(server: Server) -> None:
    [first] = server.graphql(IMPORT, {"docs": [document(1000)]})["importDevices"]["results"]
    link = first["device"]["links"]["personal"]
    user_agent = "Yealink SIP-T46S 66.86.0.15 00:15:65:0d:03:e8"
    for _ in range(2):  # the second fetch is answered from memory
        assert "user_name = 6000" in server.get(link, user_agent).text
    replaced = document(1000)
    del replaced["accounts"][0]["sip_password"]
    replaced["accounts"][0]["sip_user"] = "6001"
    [again] = server.graphql(IMPORT, {"docs": [replaced]})["importDevices"]["results"]
    assert again["device"]["key"] == first["device"]["key"]
    config = server.get(link, user_agent).text
    assert "user_name = 6001" in config
    assert "import-pw-1000" in config  # the password the document left out is kept


def test_the_import_benchmark_imports_and_replaces_every_document() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.import", "--devices", "30", "--batch", "7"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["create", "30"], ["replace", "30"]]
