"""No account field, contact, label, phonebook or raw setting can break a Fanvil file.

Every rendered file must parse as XML, and each value must come back from its own element,
cleaned only of the characters no config can carry (base.single_line).
"""

import xml.etree.ElementTree as ET
from functools import partial

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.vendors import samples
from tests.unit.vendors.samples import LINK, hostile_texts

from sonata.domain.model import (
    Account,
    Contact,
    ContactNumber,
    Device,
    HostPort,
    LineKey,
    LineKeyType,
    RemotePhonebook,
)
from sonata.domain.vendors.base import single_line
from sonata.domain.vendors.fanvil import Fanvil

VENDOR = Fanvil()
MAC = "0c383e07e16c"
FAST = settings(max_examples=60, deadline=None)

# Text with the troublemakers well represented: markup, quotes, line breaks, `=`, non-Latin.
TEXT = hostile_texts(
    "<>&\"'=/@\n\r\t ;:[]", ["日", "本", "Ж", "é", "\u2028", "\x85", "\ufffe", "\x00", "\x7f", "\ud800"]
)
MODELS = st.sampled_from(["x4", "v64"])


def render(device: Device, filename: str) -> ET.Element:
    return ET.fromstring(samples.render(VENDOR, device, filename, LINK))


catalogued = partial(samples.catalogued, VENDOR)


def device(model: str, **fields: object) -> Device:
    return samples.device(vendor="fanvil", model=model, mac=MAC, key="k", **fields)


def clean(value: str) -> str:
    return single_line(value)


def line(root: ET.Element, sysconf: bool) -> ET.Element:
    found = root.find(
        "sip/line[@index='1']" if sysconf else "SIP_CONFIG_MODULE/SIP_Line_List/SIP_Line_List_Entry"
    )
    assert found is not None
    return found


@FAST
@given(MODELS, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT)
def test_account_fields_round_trip(
    model: str, display: str, user: str, auth: str, password: str, voicemail: str, host: str
) -> None:
    account = Account(
        line=1,
        sip_register=HostPort(host or "pbx"),
        sip_user=user,
        sip_auth=auth,
        sip_password=password,
        sip_name=display,
        voicemail=voicemail,
        outbound_proxy=HostPort(host or "proxy"),
    )
    root = render(device(model, accounts=(account,), admin_password=password or "x"), f"{MAC}.cfg")
    sysconf = root.tag == "sysConf"
    entry = line(root, sysconf)
    names = (
        ("DisplayName", "PhoneNumber", "RegisterUser", "RegisterPswd", "MWINum", "ProxyAddr")
        if sysconf
        else ("Display_Name", "Phone_Number", "Register_User", "Register_Pswd", "MWI_Num", "Proxy_Addr")
    )
    expected = (display, user, auth or user, password, voicemail, host or "proxy")
    assert tuple(entry.findtext(name) for name in names) == tuple(clean(v) for v in expected)


@FAST
@given(MODELS, TEXT, TEXT, TEXT)
def test_line_key_labels_and_values_round_trip(model: str, label: str, value: str, event: str) -> None:
    keys = (
        LineKey(LineKeyType.SPEED_DIAL, value, label, line=1),
        LineKey(LineKeyType.KEY_EVENT, event, label),
    )
    root = render(device(model, line_keys=keys), f"{MAC}.cfg")
    found = [k for k in root.iter() if k.tag in ("Fkey", "Function_Key_Entry")]
    assert found[0].findtext("Title") == found[1].findtext("Title") == clean(label)
    assert found[0].findtext("Value") == f"{clean(value)}@1/f"
    assert found[1].findtext("Value") == clean(event)


@FAST
@given(MODELS, TEXT, TEXT)
def test_remote_phonebooks_round_trip(model: str, name: str, url: str) -> None:
    root = render(device(model, remote_phonebooks=(RemotePhonebook(name, url),)), f"{MAC}.cfg")
    books = [b for b in root.iter() if b.tag in ("xmlContact", "Xml_PhoneBook_Entry")]
    assert (books[1].findtext("Name"), books[1].findtext("Addr")) == (clean(name), clean(url))


@FAST
@given(st.lists(st.tuples(TEXT, TEXT), max_size=4))
def test_contacts_round_trip(rows: list[tuple[str, str]]) -> None:
    contacts = tuple(Contact(name, (ContactNumber(number),)) for name, number in rows)
    root = render(device("x4", phonebook=contacts), f"{MAC}-phonebook.xml")
    assert [(e.findtext("Name"), e.findtext("Telephone")) for e in root] == [
        (clean(name), clean(number)) for name, number in rows
    ]


PARAM_KEYS = {
    "x4": [
        ("GLOBAL_CONFIG_MODULE.SNTP_Server", "GLOBAL_CONFIG_MODULE/SNTP_Server"),
        (
            "SIP_CONFIG_MODULE.SIP_Line_List[SIP1].Register_Pswd",
            "SIP_CONFIG_MODULE/SIP_Line_List/SIP_Line_List_Entry/Register_Pswd",
        ),
        ("QOS_CONFIG_MODULE.VLAN_ID", "QOS_CONFIG_MODULE/VLAN_ID"),
    ],
    "v64": [
        ("phone.date.SNTPServer", "phone/date/SNTPServer"),
        ("sip.line.1.RegisterPswd", "sip/line[@index='1']/RegisterPswd"),
        ("qos.VLANID", "qos/VLANID"),
    ],
}


@FAST
@given(MODELS, st.integers(0, 2), TEXT)
def test_vendor_param_values_round_trip_once(model: str, which: int, value: str) -> None:
    key, path = PARAM_KEYS[model][which]
    if VENDOR.check_param(catalogued(model), key, value) is not None:
        return  # refused values never reach a file
    account = Account(line=1, sip_register=HostPort("pbx"), sip_user="1001", sip_password="pw")
    dev = device(model, accounts=(account,), ntp_server="pool.ntp.org", vendor_params=((key, value),))
    root = render(dev, f"{MAC}.cfg")
    assert [element.text or "" for element in root.findall(path)] == [value]


@FAST
@given(st.one_of(TEXT, st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\[\]-]{0,30}", fullmatch=True)), TEXT, MODELS)
def test_any_accepted_key_keeps_the_file_well_formed(key: str, value: str, model: str) -> None:
    # A key either format accepts: one of the other format may be stored from before the check.
    if all(VENDOR.check_param(catalogued(m), key, value) is not None for m in ("x4", "v64")):
        return
    root = render(device(model, vendor_params=((key, value),)), f"{MAC}.cfg")
    assert root.tag in ("VOIP_CONFIG_FILE", "sysConf")
    assert all(
        element.tag.replace("_", "").replace("-", "").replace(".", "").isalnum() for element in root.iter()
    )
