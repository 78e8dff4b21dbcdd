"""The GraphQL management API over real HTTP."""

from pathlib import Path

import httpx
import pytest
from tests.e2e.conftest import Server, start_server, stop_server

DEVICE_FIELDS = """
  key token title vendor model mac timezoneOffset ntpServer status createdAt updatedAt
  accounts { line name sipRegister sipName sipUser sipAuth enabled hasPassword }
  rules { expiresAt checkMac allowedIps }
  links { personal common }
  lastProvisioning { at ip userAgent filename }
"""
SAVE = f"""
mutation Save($input: DeviceInput!) {{
  saveDevice(input: $input) {{ device {{ {DEVICE_FIELDS} }} errors {{ field message }} }}
}}
"""


def yealink_input(**changes: object) -> dict[str, object]:
    device: dict[str, object] = {
        "vendor": "yealink",
        "model": "t46s",
        "mac": "00:15:65:12:34:56",
        "title": "Front desk",
        "timezoneOffset": "GMT+01",
        "ntpServer": "pool.ntp.org",
        "accounts": [
            {
                "line": 1,
                "sipRegister": "sip.example.net:5060",
                "sipUser": "201",
                "sipPassword": "very-secret-pw",
                "sipName": "Front desk",
            }
        ],
    }
    device.update(changes)
    return device


def test_health_answers_once_the_database_is_reachable(server: Server) -> None:
    response = server.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_a_browser_gets_graphiql(server: Server) -> None:
    response = server.client.get(f"{server.url}/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_every_operation_needs_the_bearer_token(server: Server) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {server.token}"}):
        response = server.client.post(
            f"{server.url}/graphql", json={"query": "{ vendors { id } }"}, headers=headers
        )
        assert response.status_code == 401
        body = response.json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    response = server.client.get(f"{server.url}/graphql", params={"query": "{ vendors { id } }"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_catalogue_lists_vendors_and_models_with_account_counts(server: Server) -> None:
    data = server.graphql("{ vendors { id name models { id name accounts } } }")
    vendors = {v["id"]: {m["id"]: m["accounts"] for m in v["models"]} for v in data["vendors"]}
    assert {"grandstream", "yealink", "fanvil"} <= set(vendors)
    assert vendors["grandstream"]["gxp1620"] == 2 and vendors["grandstream"]["gxp2170"] == 6
    assert vendors["yealink"]["t46s"] == 16 and vendors["yealink"]["t31g"] == 2
    assert vendors["fanvil"]["x4"] == 4


def test_save_returns_the_device_with_links_and_never_the_password(server: Server) -> None:
    response = server.client.post(
        f"{server.url}/graphql",
        json={"query": SAVE, "variables": {"input": yealink_input(token="front-desk-group")}},
        headers={"Authorization": f"Bearer {server.token}"},
    )
    assert "very-secret-pw" not in response.text
    device = response.json()["data"]["saveDevice"]["device"]
    assert device["mac"] == "001565123456"
    assert device["accounts"][0] == {
        "line": 1,
        "name": "",
        "sipRegister": "sip.example.net:5060",
        "sipName": "Front desk",
        "sipUser": "201",
        "sipAuth": "",
        "enabled": True,
        "hasPassword": True,
    }
    assert device["links"] == {
        "personal": f"{server.url}/v1/device/{device['key']}",
        "common": f"{server.url}/v1/token/front-desk-group",
    }
    assert device["lastProvisioning"] is None


def test_the_schema_has_no_way_to_read_a_password(server: Server) -> None:
    data = server.graphql('{ __type(name: "Account") { fields { name } } }')
    names = {f["name"] for f in data["__type"]["fields"]}
    assert "hasPassword" in names and not any("assword" in n and n != "hasPassword" for n in names)


def test_validation_errors_name_the_field_and_change_nothing(server: Server) -> None:
    saved = server.graphql(SAVE, {"input": yealink_input(mac="001565000777")})["saveDevice"]["device"]
    bad = yealink_input(
        key=saved["key"],
        mac="001565000777",
        title="changed",
        accounts=[{"line": 1, "sipRegister": "sip.example.net:99999", "sipUser": "201"}],
        timezoneOffset="Mars",
        rules={"allowedIps": ["10.0.0.0/8", "x"]},
    )
    payload = server.graphql(SAVE, {"input": bad})["saveDevice"]
    assert payload["device"] is None
    fields = {e["field"] for e in payload["errors"]}
    assert fields == {"accounts.0.sipRegister", "timezoneOffset", "rules.allowedIps.1"}
    after = server.graphql(f'{{ device(key: "{saved["key"]}") {{ {DEVICE_FIELDS} }} }}')["device"]
    assert after == saved


def test_omitting_the_password_keeps_it(server: Server) -> None:
    saved = server.graphql(SAVE, {"input": yealink_input(mac="001565000888")})["saveDevice"]["device"]
    edited = yealink_input(
        mac="001565000888", accounts=[{"line": 1, "sipRegister": "pbx.example.net", "sipUser": "201"}]
    )
    device = server.graphql(SAVE, {"input": edited})["saveDevice"]["device"]
    assert device["key"] == saved["key"] and device["accounts"][0]["hasPassword"]
    config = server.get(f"{device['links']['personal']}/001565000888.cfg").text
    assert "account.1.password = very-secret-pw" in config and "pbx.example.net" in config


def test_mac_of_another_device_is_refused(server: Server) -> None:
    server.graphql(SAVE, {"input": yealink_input(mac="001565000901")})
    other = server.graphql(SAVE, {"input": yealink_input(mac="001565000902")})["saveDevice"]["device"]
    payload = server.graphql(SAVE, {"input": yealink_input(key=other["key"], mac="001565000901")})[
        "saveDevice"
    ]
    assert payload["errors"] == [{"field": "mac", "message": "belongs to another device"}]


def test_lookup_by_key_or_mac_list_and_delete(server: Server) -> None:
    saved = server.graphql(SAVE, {"input": yealink_input(mac="001565000aaa", token="listing-group-01")})
    key = saved["saveDevice"]["device"]["key"]
    assert server.graphql('{ device(mac: "00-15-65-00-0A-AA") { key } }')["device"]["key"] == key
    listing = server.graphql(
        '{ devices(token: "listing-group-01", first: 1) { nodes { key } totalCount pageInfo { hasNextPage endCursor } } }'
    )["devices"]
    assert listing["nodes"] == [{"key": key}] and listing["totalCount"] == 1
    assert listing["pageInfo"]["hasNextPage"] is False
    deleted = server.graphql(f'mutation {{ deleteDevice(key: "{key}") {{ deleted errors {{ field }} }} }}')
    assert deleted["deleteDevice"] == {"deleted": True, "errors": []}
    again = server.graphql(f'mutation {{ deleteDevice(key: "{key}") {{ deleted errors {{ field }} }} }}')
    assert again["deleteDevice"] == {"deleted": False, "errors": [{"field": "key"}]}
    assert server.graphql(f'{{ device(key: "{key}") {{ key }} }}')["device"] is None


def test_paging_through_all_devices(server: Server) -> None:
    for n in range(3):
        server.graphql(SAVE, {"input": yealink_input(mac=f"0015650001{n:02x}", token="paging-group-001")})
    keys, after = [], None
    while True:
        page = server.graphql(
            'query($after: String) { devices(token: "paging-group-001", first: 2, after: $after) '
            "{ nodes { mac } pageInfo { hasNextPage endCursor } } }",
            {"after": after},
        )["devices"]
        keys += [n["mac"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert keys == ["001565000100", "001565000101", "001565000102"]


def test_import_saves_each_document_on_its_own(server: Server) -> None:
    seed = {
        "key": "seedkey123456",
        "token": "seed-token-1234",
        "model": "gxp1620",
        "vendor": "grandstream",
        "mac": "000b82113af8",
        "timezone_offset": "GMT+03",
        "ntp_server": "pool.ntp.org",
        "status": True,
        "accounts": [
            {
                "name": "",
                "line": 1,
                "sip_register": "sip.example.net",
                "sip_name": "sip102",
                "sip_user": "sip102",
                "sip_password": "4321",
                "sip_auth": "sip102",
            }
        ],
        "rules": {"time": {"until": "2099-01-01"}, "mac": False, "ip": "127.0.0.0/8"},
    }
    bad = {
        **seed,
        "key": "otherkey123456",
        "mac": "000b82113af9",
        "accounts": [{"line": 9, "sip_register": "x", "sip_user": "u"}],
    }
    data = server.graphql(
        "mutation($docs: [JSON!]!) { importDevices(documents: $docs) "
        "{ saved results { device { key rules { allowedIps expiresAt } } errors { field message } } } }",
        {"docs": [seed, bad]},
    )["importDevices"]
    assert data["saved"] == 1
    assert data["results"][0]["device"]["key"] == "seedkey123456"
    assert data["results"][0]["device"]["rules"]["allowedIps"] == ["127.0.0.0/8"]
    assert [e["field"] for e in data["results"][1]["errors"]] == ["accounts.0.line"]
    config = server.get(
        "/v1/device/seedkey123456", user_agent="Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 000b82113af8"
    )
    assert config.status_code == 200 and "<P34>4321</P34>" in config.text


def test_generated_token_is_printed_once_and_reused(tmp_path: Path) -> None:
    env = {"SONATA_DATABASE_URL": f"sqlite:///{tmp_path / 'token.db'}"}
    first = start_server(tmp_path, env)
    try:
        lines = [line for line in first.log().splitlines() if "management API token" in line]
        assert len(lines) == 1
        token = lines[0].rsplit(" ", 1)[1]
        ok = httpx.post(
            f"{first.url}/graphql",
            json={"query": "{ vendors { id } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert "errors" not in ok.json()
    finally:
        stop_server(first)
    second = start_server(tmp_path, env)
    try:
        assert "management API token" not in second.log()
        ok = httpx.post(
            f"{second.url}/graphql",
            json={"query": "{ vendors { id } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert "errors" not in ok.json()
    finally:
        stop_server(second)
    assert token not in (tmp_path / "token.db").read_bytes().decode("latin-1")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mac": "\uff10\uff10:15:65:12:34:56"}, "mac"),  # full-width digits
        ({"key": "ключ-ключ-ключ"}, "key"),
        ({"title": "x" * 10000}, "title"),
        ({"vendorParams": {"static.wifi": {"nested": "1"}}}, "vendorParams.static.wifi"),
        ({"vendorParams": "P8=1"}, "vendorParams"),
        ({"ntpServer": "pool.ntp.org\nstatic.x = 1"}, "ntpServer"),
        ({"firmwareUrl": "javascript:alert(1)"}, "firmwareUrl"),
        ({"lineKeys": [{"type": "BLF", "value": "1", "line": 99}]}, "lineKeys.0.line"),
    ],
)
def test_hostile_input_gets_a_field_error(server: Server, changes: dict[str, object], field: str) -> None:
    device = {**yealink_input(mac="001565000fff"), **changes}
    response = server.client.post(
        f"{server.url}/graphql",
        json={"query": SAVE, "variables": {"input": device}},
        headers={"Authorization": f"Bearer {server.token}"},
    )
    assert response.status_code == 200
    payload = response.json()["data"]["saveDevice"]
    assert payload["device"] is None
    assert field in {e["field"] for e in payload["errors"]}


def test_bad_paging_arguments_are_graphql_errors_not_crashes(server: Server) -> None:
    # A larger `first` is refused before any resolver runs, by the query cost limit (test_api_limits.py).
    for arguments in ("first: -1", "first: 501", 'after: "@@@"', 'after: "bWFjOnh4"'):
        response = server.client.post(
            f"{server.url}/graphql",
            json={"query": f"{{ devices({arguments}) {{ totalCount }} }}"},
            headers={"Authorization": f"Bearer {server.token}"},
        )
        assert response.status_code == 200
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", arguments
