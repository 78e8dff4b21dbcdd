"""No account field, contact, label or vendorParams value can break a Snom file.

Every rendered file must parse as XML, and every value must come back out of its own element or
attribute exactly as Sonata cleaned it (control characters and non-XML characters become spaces).
"""

import re
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.vendors import samples
from tests.unit.vendors.samples import account, accounts, param_values, phonebooks, texts
from tests.unit.vendors.samples import xml_clean as clean

from sonata.domain.model import Account, Contact, Device, HostPort, LineKey, LineKeyType, RemotePhonebook
from sonata.domain.vendors.snom import Snom, snom_key_event

VENDOR = Snom()
MODEL = next(m for m in VENDOR.models if m.id == "d785")
LINK = "http://sonata.example.net:8080/v1/token/group-token-0001"
MAC = "000413aabbcc"
FAST = settings(max_examples=75, deadline=None)

# Random setting names, and names Sonata renders itself (and the names of the file's sections).
param_keys = st.one_of(
    st.sampled_from(
        ["language", "user_name[1]", "user_pass[1]", "fkey[0]", "setting_server", "dst", "settings"]
    ),
    st.from_regex(r"[a-z][a-z0-9_]{0,15}(\[[0-9]{1,3}\])?", fullmatch=True),
).filter(lambda key: VENDOR.check_param(MODEL, key, "") is None)


def render(dev: Device, filename: str) -> ET.Element:
    return ET.fromstring(samples.render(VENDOR, dev, filename, LINK))


def device(**fields: object) -> Device:
    return samples.device(vendor="snom", model="d785", mac=MAC, **fields)


def phone_settings(tree: ET.Element) -> dict[tuple[str, str | None], str]:
    section = tree.find("phone-settings")
    assert section is not None
    return {(element.tag, element.get("idx")): element.text or "" for element in section}


@FAST
@given(accounts(backup_server=st.just(HostPort("backup.example.com"))), texts)
def test_account_fields_stay_inside_their_settings(account: Account, ntp: str) -> None:
    password = account.sip_password
    tree = render(device(accounts=(account,), ntp_server=ntp, admin_password=password), f"{MAC.upper()}.xml")
    values = phone_settings(tree)
    # Identity 1 and its backup identity 2 carry the same account fields.
    for idx in ("1", "2"):
        assert values[("user_idle_text", idx)] == clean(account.name)
        assert values[("user_realname", idx)] == clean(account.sip_name)
        assert values[("user_name", idx)] == clean(account.sip_user)
        assert values[("user_pname", idx)] == clean(account.sip_auth or account.sip_user)
        assert values[("user_pass", idx)] == clean(password)
        assert values[("user_mailbox", idx)] == clean(account.voicemail)
    assert (values[("user_host", "2")], values[("user_failover_identity", "1")]) == (
        "backup.example.com:5060",
        "2",
    )
    assert values[("ntp_server", None)] == clean(ntp)
    assert values.get(("admin_mode_password", None)) == (clean(password) or None)
    assert [child.tag for child in tree] == ["phone-settings", "functionKeys"]


@FAST
@given(labels=st.lists(texts, min_size=1, max_size=4), value=texts, pickup=texts)
def test_line_key_labels_and_values_stay_inside_their_keys(
    labels: list[str], value: str, pickup: str
) -> None:
    line_keys = (
        *(LineKey(LineKeyType.SPEED_DIAL, value, label) for label in labels),
        LineKey(LineKeyType.BLF, value, labels[0], pickup_code=pickup),
        LineKey(LineKeyType.KEY_EVENT, value),
    )
    section = render(device(line_keys=line_keys), f"{MAC.upper()}.xml").find("functionKeys")
    assert section is not None
    fkeys = list(section)
    assert len(fkeys) == len(line_keys)
    for index, label in enumerate(labels):
        assert fkeys[index].get("label") == clean(label)
        assert fkeys[index].text == clean(f"speed {value}")
    suffix = f"|{pickup}" if pickup else ""
    assert fkeys[-2].text == clean(f"blf <sip:{value}>{suffix}")
    event = snom_key_event(value)
    assert fkeys[-1].text == (f"keyevent {event}" if event else "none")


@FAST
@given(phonebooks())
def test_contacts_stay_inside_their_items(phonebook: tuple[Contact, ...]) -> None:
    tree = render(device(phonebook=phonebook), f"tbook-{MAC.upper()}.xml")
    items = [(item.findtext("name"), item.findtext("number")) for item in tree.findall("item")]
    assert items == [(clean(c.name), clean(n.number)) for c in phonebook for n in c.numbers]
    assert [item.get("index") for item in tree.findall("item")] == [str(i) for i in range(len(items))]


@FAST
@given(name=texts, url=texts)
def test_setting_file_lists_and_remote_phonebooks_always_parse(name: str, url: str) -> None:
    dev = device(remote_phonebooks=(RemotePhonebook(name, url),))
    assert len(render(dev, "snomD785.htm").findall("file")) == 2
    values = phone_settings(render(dev, f"{MAC.upper()}.xml"))
    assert values.get(("dkey_directory", None)) == (clean(f"url {url}") if url else None)


def setting_of(key: str) -> tuple[str, str | None]:
    match = re.fullmatch(r"(?P<name>[a-z0-9_]+)(?:\[(?P<idx>\d+)\])?", key)
    assert match is not None
    return match["name"], match["idx"]


@FAST
@given(params=st.dictionaries(param_keys, param_values, max_size=6), name=texts)
def test_vendor_params_are_written_once_exactly_and_smuggle_nothing(
    params: dict[str, str], name: str
) -> None:
    fields: dict[str, object] = {
        "accounts": (account(name=name),),
        "language": "de",
        "line_keys": (LineKey(LineKeyType.LINE),),
    }
    plain = render(device(**fields), f"{MAC.upper()}.xml")
    tree = render(device(**fields, vendor_params=tuple(params.items())), f"{MAC.upper()}.xml")
    elements = [element for section in tree for element in section]
    written = {(element.tag, element.get("idx")): element.text or "" for element in elements}
    assert len(written) == len(elements)  # each setting once
    for key, value in params.items():
        assert written[setting_of(key)] == value
    rendered = {(element.tag, element.get("idx")) for section in plain for element in section}
    assert set(written) == rendered | {setting_of(key) for key in params}
    assert [child.tag for child in tree] == ["phone-settings", "functionKeys"]


@FAST
@given(key=st.text(max_size=20), value=st.text(max_size=20))
def test_any_key_the_check_accepts_can_be_written(key: str, value: str) -> None:
    if VENDOR.check_param(MODEL, key, value) is not None:
        return
    tree = render(device(vendor_params=((key, value),)), f"{MAC.upper()}.xml")
    assert any((el.text or "") == value for section in tree for el in section)
