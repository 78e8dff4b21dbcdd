"""No account field, contact, key label or vendorParams value can break a Grandstream file:
every config and phonebook parses as XML, each value stays in its own element, and values
come back as written (after the control characters XML cannot carry became spaces)."""

import xml.etree.ElementTree as ET
from functools import partial

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.vendors import samples
from tests.unit.vendors.samples import account, accounts, hostile_texts, phonebooks
from tests.unit.vendors.samples import xml_clean as clean

from sonata.domain.model import Account, Contact, Device, LineKey, LineKeyType, NumberType
from sonata.domain.vendors.grandstream import Grandstream

VENDOR = Grandstream()
LINK = "http://sonata.example.net/v1/device/k"
FAST = settings(max_examples=60, deadline=None)

# Text with what breaks files: markup, quotes, line breaks, `=`, non-Latin, controls, surrogates.
HOSTILE = hostile_texts("<>&\"'=\n\r\t\x00\x1b/ ]]>-![CDATA", ["\ud800", "\ufffe", "日", "ß", "λ"])
MODELS = st.sampled_from(["gxp1630", "gxp2160", "grp2614"])


def render(device: Device, filename: str) -> ET.Element:
    return ET.fromstring(samples.render(VENDOR, device, filename, LINK))


def settings_of(device: Device) -> dict[str, str]:
    """P-values or items by name; fails when a setting appears twice."""
    config = render(device, VENDOR.device_filename(device)).find("config")
    assert config is not None
    found: dict[str, str] = {}
    for element in config:
        name = element.get("name") if element.tag == "item" else element.tag
        assert name is not None and name not in found, f"{name} written twice"
        found[name] = element.text or ""
    return found


catalogued = partial(samples.catalogued, VENDOR)


def accepted_by_any_model(key: str, value: str) -> bool:
    return any(VENDOR.check_param(catalogued(m), key, value) is None for m in ("gxp1620", "grp2612"))


def device(model: str, **fields: object) -> Device:
    return samples.device(vendor="grandstream", model=model, mac="000b82aabbcc", key="k", **fields)


@FAST
@given(MODELS, accounts(HOSTILE))
def test_account_fields(model: str, account: Account) -> None:
    values = settings_of(device(model, accounts=(account,)))
    if model.startswith("grp"):
        keys = ["account.1.name", "account.1.sip.subscriber.name", "account.1.sip.userid",
                "account.1.sip.subscriber.password", "account.1.sip.voicemail.number"]  # fmt: skip
    else:
        keys = ["P270", "P3", "P35", "P34", "P33"]
    fields = (account.name, account.sip_name, account.sip_user, account.sip_password, account.voicemail)
    assert [values[key] for key in keys] == [clean(v) for v in fields]


@FAST
@given(
    MODELS, st.lists(st.tuples(HOSTILE, HOSTILE, st.sampled_from(list(LineKeyType))), min_size=1, max_size=12)
)
def test_key_labels_and_values(model: str, keys: list[tuple[str, str, LineKeyType]]) -> None:
    line_keys = tuple(LineKey(kind, value, label) for label, value, kind in keys)
    values = settings_of(device(model, line_keys=line_keys))
    if model.startswith("grp"):
        labels = [values[f"pks.vpk.{n}.description"] for n in range(1, len(keys) + 1)]
        assert all(label in ("", clean(key[0])) for label, key in zip(labels, keys, strict=True))
    else:
        assert values["P1465"] in ("", clean(keys[0][0]))


@FAST
@given(phonebooks(HOSTILE, max_size=5, number_types=st.just(NumberType.MOBILE)))
def test_contacts(phonebook: tuple[Contact, ...]) -> None:
    root = render(device("gxp1630", phonebook=phonebook), "phonebook.xml")
    assert root.tag == "AddressBook"
    written = [
        (c.findtext("FirstName"), [p.findtext("phonenumber") for p in c.findall("Phone")])
        for c in root.findall("Contact")
    ]
    assert written == [(clean(c.name), [clean(n.number) for n in c.numbers]) for c in phonebook]


PARAM_KEYS = st.sampled_from(["P8", "P30", "P270", "P99999", "network.cdp", "account.1.name", "language.gui"])


@FAST
@given(MODELS, st.dictionaries(PARAM_KEYS, HOSTILE, max_size=4))
def test_vendor_params(model: str, params: dict[str, str]) -> None:
    # Keys the model refuses (the other format's) are stored anyway: rendering must leave them out.
    stored = {key: value for key, value in params.items() if accepted_by_any_model(key, value)}
    values = settings_of(
        device(
            model,
            accounts=(account(name="Sonata"),),
            ntp_server="pool.ntp.org",
            vendor_params=tuple(stored.items()),
        )
    )
    for key, value in stored.items():
        if VENDOR.check_param(catalogued(model), key, value) is None:
            assert model.startswith("grp") == (not key.startswith("P"))
            assert values[key] == value
        else:
            assert key not in values


@FAST
@given(st.text(max_size=30), st.text(max_size=30))
def test_any_param_key_is_either_rejected_or_written_once(key: str, value: str) -> None:
    for model in ("gxp1620", "grp2612"):
        if VENDOR.check_param(catalogued(model), key, value) is not None:
            continue
        values = settings_of(device(model, vendor_params=((key, value),)))
        assert values.get(key, value) == value
