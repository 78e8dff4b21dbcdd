"""No account field, contact, label or vendorParams value can break an Htek file.

Every rendered file must parse as XML, and every value must come back out of its own P-value
exactly as Sonata cleaned it (control characters and non-XML characters become spaces).
"""

import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.vendors import samples
from tests.unit.vendors.samples import account, accounts, param_values, phonebooks, texts
from tests.unit.vendors.samples import xml_clean as clean

from sonata.domain.model import Account, Contact, Device, LineKey, LineKeyType, RemotePhonebook
from sonata.domain.vendors.htek import ACCOUNT_P_VALUES, REMOTE_PHONEBOOK_P_VALUES, Htek, key_p_values

VENDOR = Htek()
MODEL = next(m for m in VENDOR.models if m.id == "uc926")
LINK = "http://sonata.example.net:8080/v1/token/group-token-0001"
MAC = "001fc11c22a9"
FAST = settings(max_examples=75, deadline=None)

# Random P-values, and P-values Sonata renders itself.
param_keys = st.one_of(
    st.sampled_from(["P30", "P47", "P271", "P237", "P41200"]), st.from_regex(r"P[0-9]{1,5}", fullmatch=True)
)


def render(dev: Device, filename: str) -> ET.Element:
    return ET.fromstring(samples.render(VENDOR, dev, filename, LINK))


def device(**fields: object) -> Device:
    return samples.device(vendor="htek", model="uc926", mac=MAC, **fields)


def p_values(tree: ET.Element) -> dict[str, str]:
    config = tree.find("config")
    assert config is not None
    values = {element.tag: element.text or "" for element in config}
    assert len(values) == len(config)  # each P-value once
    return values


@FAST
@given(accounts(line=st.sampled_from(sorted(ACCOUNT_P_VALUES))))
def test_account_fields_stay_inside_their_p_values(account: Account) -> None:
    name, password = account.name, account.sip_password
    # An account past line 4 registers through the profile of line 1, whose server settings it shares.
    others = () if account.line == 1 else (samples.account(1),)
    for filename in (f"cfg{MAC}.xml", "cfg0010.xml"):
        values = p_values(
            render(device(accounts=(*others, account), ntp_server=name, admin_password=password), filename)
        )
        p = ACCOUNT_P_VALUES[account.line]
        assert values[p.profile] == str(account.line - 1 if account.line <= 4 else 0)
        assert values[p.label] == clean(name)
        assert values[p.display_name] == clean(account.sip_name)
        assert values[p.user] == clean(account.sip_user)
        assert values[p.auth] == clean(account.sip_auth or account.sip_user)
        assert values[p.password] == clean(password)
        assert values[p.voicemail] == clean(account.voicemail)
        assert values["P30"] == clean(name)
        assert values.get("P2") == (clean(password) or None)


@FAST
@given(labels=st.lists(texts, min_size=1, max_size=6), value=texts, pickup=texts)
def test_line_key_labels_and_values_stay_inside_their_p_values(
    labels: list[str], value: str, pickup: str
) -> None:
    line_keys = (
        *(LineKey(LineKeyType.SPEED_DIAL, value, label) for label in labels),
        LineKey(LineKeyType.BLF, value, labels[0], pickup_code=pickup),
        LineKey(LineKeyType.KEY_EVENT, value, labels[0]),
    )
    values = p_values(render(device(line_keys=line_keys), f"cfg{MAC}.xml"))
    for number, label in enumerate(labels, start=1):
        key = key_p_values(number)
        assert (values[key.type], values[key.value], values[key.label]) == ("2", clean(value), clean(label))
    blf = key_p_values(len(labels) + 1)
    assert (values[blf.type], values[blf.value], values[blf.pickup_code]) == (
        "3",
        clean(value),
        clean(pickup),
    )
    event = key_p_values(len(labels) + 2)
    assert values[event.value] == ""
    assert values[event.type].isdigit()


@FAST
@given(phonebooks())
def test_contacts_stay_inside_their_elements(phonebook: tuple[Contact, ...]) -> None:
    tree = render(device(phonebook=phonebook), "phonebook.xml")
    found = [
        (contact.findtext("FirstName"), [phone.findtext("phonenumber") for phone in contact.findall("Phone")])
        for contact in tree.findall("Contact")
    ]
    assert found == [(clean(c.name), [clean(n.number) for n in c.numbers]) for c in phonebook]


@FAST
@given(books=st.lists(st.tuples(texts, texts), max_size=7))
def test_remote_phonebooks_stay_inside_their_p_values(books: list[tuple[str, str]]) -> None:
    dev = device(remote_phonebooks=tuple(RemotePhonebook(name, url) for name, url in books))
    values = p_values(render(dev, f"cfg{MAC}.xml"))
    for number, (url_p, name_p) in enumerate(REMOTE_PHONEBOOK_P_VALUES):
        if not books:
            assert url_p not in values and name_p not in values
            continue
        name, url = books[number] if number < len(books) else ("", "")
        assert (values[url_p], values[name_p]) == (clean(url), clean(name))


@FAST
@given(params=st.dictionaries(param_keys, param_values, max_size=6), name=texts)
def test_vendor_params_are_written_once_exactly_and_smuggle_nothing(
    params: dict[str, str], name: str
) -> None:
    fields: dict[str, object] = {
        "accounts": (account(name=name),),
        "timezone": "Europe/Berlin",
        "line_keys": (LineKey(LineKeyType.LINE),),
    }
    plain = p_values(render(device(**fields), f"cfg{MAC}.xml"))
    values = p_values(render(device(**fields, vendor_params=tuple(params.items())), f"cfg{MAC}.xml"))
    for key, value in params.items():
        assert values[key] == value
    assert set(values) == set(plain) | set(params)


@FAST
@given(key=st.text(max_size=12), value=st.text(max_size=20))
def test_any_key_the_check_accepts_can_be_written(key: str, value: str) -> None:
    if VENDOR.check_param(MODEL, key, value) is not None:
        return
    assert p_values(render(device(vendor_params=((key, value),)), f"cfg{MAC}.xml"))[key] == value
