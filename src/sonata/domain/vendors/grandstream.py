"""Grandstream phones: GXP models read numbered P-values, GRP26xx models named items.

Files a Grandstream phone asks for, in order (vendors.md): `cfg<mac>` (binary format, not
served), `cfg<mac>.xml`, `cfg<model>.xml`, `cfg.xml`; all three XML names get the device's
whole config. The phonebook is `phonebook.xml` on the same link (P331).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sonata.domain.mac import parse_mac
from sonata.domain.model import ConfigEncryption, Device, NumberType
from sonata.domain.timezones import device_zone
from sonata.domain.vendors import grandstream_values as gv
from sonata.domain.vendors.base import (
    FIRMWARE_VERSION,
    XML,
    FileKind,
    PhoneIdentity,
    PhoneModel,
    RenderRequest,
    RequestedFile,
    Vendor,
)
from sonata.domain.vendors.grandstream_values import Family, Slot
from sonata.domain.vendors.params import replace_xml_children, replace_xml_items, value_problem
from sonata.domain.vendors.userinfo import with_userinfo

GXP_TEMPLATE = "grandstream/device.xml.j2"
GRP_TEMPLATE = "grandstream/grp.xml.j2"
PHONEBOOK_TEMPLATE = "grandstream/phonebook.xml.j2"
PHONEBOOK_FILE = "phonebook.xml"


@dataclass(frozen=True)
class GrandstreamModel(PhoneModel):
    family: Family = Family.GXP16XX
    line_key_slots: int = 0
    """GXP line keys (P1363...), GRP virtual keys (pks.vpk.K)."""
    mpk_slots: int = 0
    """GXP physical multi-purpose keys (P323...); Sonata sets them after the line keys."""
    line_key_blf_and_park: bool = True
    """Whether the line keys take the BLF (11) and Call Park (19) modes."""


def _model(
    model_id: str, accounts: int, family: Family, line_keys: int, mpks: int = 0, blf_and_park: bool = True
) -> GrandstreamModel:
    return GrandstreamModel(
        model_id, model_id.upper(), accounts, line_keys + mpks, family, line_keys, mpks, blf_and_park
    )


GXP16, GXP21, GRP = Family.GXP16XX, Family.GXP21XX, Family.GRP26XX

# Keys per the config templates: GXP16xx template 1.0.7.3 (line keys 1-3, MPK 1-8 "GXP1628/1630
# only", line-key modes 11 BLF and 19 Call Park "GXP1628/1630 only"; FusionPBX's template for
# firmware 1.0.4.33 lists neither mode, so older GXP1628/1630 firmware may lack them: verify);
# GXP21xx template 1.0.11.16 (fixed line VPKs = the physical line keys, physical MPKs
# "GXP2130/2160 only": 8 and 24; the on-screen dynamic VPKs of GXP2135/2140/2170 use another mode
# scale and are not set); GRP26xx VPK counts from Wazo's plugin (16/24/16/40/16), accounts from the
# GRP261x v2 template (account 6 "GRP2616 only").
MODELS: tuple[GrandstreamModel, ...] = (
    _model("gxp1610", 1, GXP16, 2, blf_and_park=False),
    _model("gxp1620", 2, GXP16, 2, blf_and_park=False),
    _model("gxp1625", 2, GXP16, 2, blf_and_park=False),
    _model("gxp1628", 2, GXP16, 2, mpks=8),
    _model("gxp1630", 3, GXP16, 3, mpks=8),
    _model("gxp2130", 3, GXP21, 3, mpks=8),
    # 8 line keys but 4 SIP accounts (the config template gives accounts 5-6 to GXP2160/2170 only).
    _model("gxp2135", 4, GXP21, 8),
    _model("gxp2140", 4, GXP21, 4),
    _model("gxp2160", 6, GXP21, 6, mpks=24),
    # Line keys 7-12 are fixed VPKs at P23800..., like GXP2135's keys 7-8 (GXP21xx template 1.0.11.16).
    _model("gxp2170", 6, GXP21, 12),
    _model("grp2612", 2, GRP, 16),
    _model("grp2613", 3, GRP, 24),
    _model("grp2614", 4, GRP, 16),
    _model("grp2615", 5, GRP, 40),
    _model("grp2616", 6, GRP, 16),
)

# Grandstream HTTP User-Agents:
#   Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 000b82aabbcc
#   Grandstream Model HW GXP2200 V2.2A SW 1.0.1.33 DevId 000b82462d97
#   Grandstream GXP2000 (gxp2000e.bin:1.2.5.3/boot55e.bin:1.1.6.9) DevId 000b822726c8
#   Grandstream GXP2130 1.0.4.17                  (SIP dialect: no MAC)
_MODEL = re.compile(r"^[a-z]{2,4}+\d{3,4}+[a-z0-9]*+\Z", re.IGNORECASE)
_BIN_VERSION = re.compile(r"\.bin:(?P<version>\d++(?:\.\d++)++)", re.IGNORECASE)

_DEVICE_FILE = re.compile(r"cfg(?P<mac>[0-9a-f]{12})\.xml", re.IGNORECASE)
_BINARY_FILE = re.compile(r"cfg(?P<mac>[0-9a-f]{12})", re.IGNORECASE)
_MODEL_FILE = re.compile(r"cfg(?P<model>[a-z]{2,4}+\d{3,4}+[a-z0-9]*+)\.xml", re.IGNORECASE)
_COMMON_FILE = re.compile(r"cfg\.xml", re.IGNORECASE)
_PHONEBOOK_FILE = re.compile(re.escape(PHONEBOOK_FILE), re.IGNORECASE)

# vendorParams: GXP files take P-values (`P8`, `P1362`); GRP files named items
# (`account.1.sip.header.100rel`, `network.802.1x.mode`, `pks.vpk.3.keyMode`).
_P_VALUE = re.compile(r"P\d{1,5}")
_ITEM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+){1,15}")
_MAX_ITEM_NAME = 128

# Display languages (P1362, GRP language.gui) per family, by ISO 639-1 code. Each family's config
# template lists its codes under "Display Language": GXP16xx 1.0.7.3, GXP21xx 1.0.11.16 and GRP261x
# v2 1.0.5.15 name the same 21 languages (besides zh-tw, auto and a downloaded language), Swedish
# `se` in all three, but Czech `cs` on GXP16xx and `cz` on GXP21xx and GRP26xx. A language a
# model's family has no code for is refused at save (Vendor.model_languages).
_SHARED_LANGUAGES: dict[str, str] = {
    "ar": "ar", "de": "de", "en": "en", "es": "es", "fr": "fr", "he": "he", "hr": "hr",
    "hu": "hu", "it": "it", "ja": "ja", "ko": "ko", "lv": "lv", "nl": "nl", "pl": "pl",
    "pt": "pt", "ru": "ru", "sl": "sl", "sv": "se", "tr": "tr", "zh": "zh",
}  # fmt: skip
LANGUAGES: dict[Family, dict[str, str]] = {
    Family.GXP16XX: {**_SHARED_LANGUAGES, "cs": "cs"},
    Family.GXP21XX: {**_SHARED_LANGUAGES, "cs": "cz"},
    Family.GRP26XX: {**_SHARED_LANGUAGES, "cs": "cz"},
}

# Phonebook number types: `<Phone type="Work|Home|Cell">` (verify "Cell" for mobiles).
PHONE_TYPES = {NumberType.WORK: "Work", NumberType.HOME: "Home", NumberType.MOBILE: "Cell"}


class Grandstream(Vendor):
    id = "grandstream"
    name = "Grandstream"
    mac_prefixes = frozenset({"000b82", "c074ad", "ec74d7"})  # vendors.md
    models: tuple[PhoneModel, ...] = MODELS
    # cfg<model>.xml and cfg.xml carry the whole device config, vendor params included: with config
    # encryption, they are encrypted too.
    files_with_params = frozenset({FileKind.DEVICE_CONFIG, FileKind.COMMON_CONFIG})
    config_encryption = ConfigEncryption.GRANDSTREAM_OPENSSL

    # --- files --------------------------------------------------------------------------------

    def device_filename(self, device: Device) -> str:
        return f"cfg{device.mac}.xml"

    def read_filename(self, filename: str) -> RequestedFile | None:
        if match := _DEVICE_FILE.fullmatch(filename):
            return RequestedFile(FileKind.DEVICE_CONFIG, match["mac"].lower())
        if match := _BINARY_FILE.fullmatch(filename):
            return RequestedFile(FileKind.NOT_SERVED, match["mac"].lower())
        if _COMMON_FILE.fullmatch(filename):
            return RequestedFile(FileKind.COMMON_CONFIG)
        if match := _MODEL_FILE.fullmatch(filename):
            return RequestedFile(FileKind.COMMON_CONFIG, model=match["model"].lower())
        if _PHONEBOOK_FILE.fullmatch(filename):
            return RequestedFile(FileKind.PHONEBOOK)
        return None

    # --- User-Agent ---------------------------------------------------------------------------

    def read_user_agent(self, user_agent: str) -> PhoneIdentity | None:
        tokens = user_agent.split()
        if not tokens or tokens[0].lower() != "grandstream":
            return None
        upper = [token.upper() for token in tokens]
        model = _after(tokens, upper, "HW")
        if model is None and len(tokens) > 1 and _MODEL.match(tokens[1]):
            model = tokens[1]
        firmware = _after(tokens, upper, "SW")
        if firmware is None:
            old_style = _BIN_VERSION.search(user_agent)
            if old_style:
                firmware = old_style["version"]
            else:
                firmware = next((t for t in tokens[1:] if FIRMWARE_VERSION.match(t)), None)
        dev_id = _after(tokens, upper, "DEVID")
        mac = parse_mac(dev_id) if dev_id else None
        return PhoneIdentity(
            vendor=self.id,
            model=model.lower() if model and _MODEL.match(model) else None,
            firmware=firmware,
            mac=mac,
        )

    def model_languages(self, model: PhoneModel) -> Mapping[str, str]:
        # Any other model renders as a GXP1620 (catalogue_model).
        return LANGUAGES[model.family if isinstance(model, GrandstreamModel) else Family.GXP16XX]

    # --- vendor params ------------------------------------------------------------------------

    def check_param(self, model: PhoneModel, key: str, value: str) -> str | None:
        found = self.model(model.id)
        if isinstance(found, GrandstreamModel) and found.family is Family.GRP26XX:
            if not (_ITEM_NAME.fullmatch(key) and len(key) <= _MAX_ITEM_NAME):
                return (
                    f"{model.name} settings are item names such as account.1.sip.header.100rel "
                    "(the GRP26xx format; P-values are for GXP models)"
                )
        elif not _P_VALUE.fullmatch(key):
            return (
                f"{model.name} settings are P-values such as P8 or P1362 "
                "(the GXP format; item names are for GRP26xx models)"
            )
        return value_problem(value)

    def apply_params(self, text: str, params: Sequence[tuple[str, str]]) -> str:
        """A key of the other format is left out: a GRP phone ignores P-values in its named-item
        file and a GXP phone item names, and mixing the two formats makes the phone drop the file.
        check_param refuses such keys; this keeps any stored one out of the file all the same."""
        if _is_named_items(text):
            items = [(key, value) for key, value in params if not _P_VALUE.fullmatch(key)]
            return replace_xml_items(text, items, "config")
        p_values = [(key, value) for key, value in params if _P_VALUE.fullmatch(key)]
        return replace_xml_children(text, p_values, "config")

    # --- rendering ----------------------------------------------------------------------------

    def template_for(self, request: RenderRequest) -> tuple[str, str]:
        if request.requested.kind is FileKind.PHONEBOOK:
            return PHONEBOOK_TEMPLATE, XML
        if self.catalogue_model(request.device).family is Family.GRP26XX:
            return GRP_TEMPLATE, XML
        return GXP_TEMPLATE, XML

    def context(self, request: RenderRequest) -> Mapping[str, Any]:
        if request.requested.kind is FileKind.PHONEBOOK:
            return phonebook_context(request.device)
        return config_context(request, self.catalogue_model(request.device))

    def catalogue_model(self, device: Device) -> GrandstreamModel:
        """The device's model; an unknown id (not stored by validation) renders as a GXP1620."""
        found = self.model(device.model)
        return found if isinstance(found, GrandstreamModel) else MODELS[1]


def _after(tokens: list[str], upper: list[str], label: str) -> str | None:
    """The token following `label` (compared case-insensitively), if any."""
    try:
        index = upper.index(label)
    except ValueError:
        return None
    return tokens[index + 1] if index + 1 < len(tokens) else None


def _is_named_items(text: str) -> bool:
    return re.search(r"<config\s+version=\"2\"", text) is not None


# --- contexts --------------------------------------------------------------------------------


def config_context(request: RenderRequest, model: GrandstreamModel) -> dict[str, Any]:
    device = request.device
    family = model.family
    prefixes = gv.pickup_prefixes(device.line_keys)
    accounts = sorted(
        (a for a in device.accounts if 1 <= a.line <= model.accounts), key=lambda account: account.line
    )
    zone = device_zone(device.timezone, device.timezone_offset)
    return {
        "mac": device.mac,
        "provisioning": gv.upgrade_path(request.link),
        # What the phone answers the config server's HTTP challenge with; empty clears them.
        "credentials": {
            "username": gv.text(device.provisioning_username),
            "password": gv.text(device.provisioning_password),
        },
        "resync_minutes": gv.check_minutes(device.resync_minutes) if device.resync_minutes else None,
        "ntp_server": gv.text(device.ntp_server) if device.ntp_server is not None else None,
        "timezone": gv.zone_setting(zone, request.year) if zone is not None else None,
        "language": LANGUAGES[family].get(device.language) if device.language else None,
        "admin_password": gv.text(device.admin_password) or None,
        "firmware": gv.firmware_path(device.firmware_url) if device.firmware_url else None,
        "phonebook": _phonebook_setting(request, family),
        "accounts": [gv.account_values(a, family, prefixes.get(a.line)) for a in accounts],
        "keys": _keys(device, model),
    }


def _phonebook_setting(request: RenderRequest, family: Family) -> dict[str, Any] | None:
    """Where the phone downloads its phonebook (P330/P331/P332), or None to switch it off.

    Sonata's own phonebook (device.phonebook) is served on the link the phone came from: the
    phone appends `phonebook.xml` to P331 itself, so the file name cannot carry the MAC; on the
    common link the MAC comes from the User-Agent's DevId, as for `cfg.xml`. The phone has a single
    phonebook path: without Sonata's phonebook, the first remote phonebook the phone can fetch
    takes it (a URL naming a file other than `phonebook.xml` cannot be given to GXP or GRP phones,
    see gv.remote_phonebook_path, and is skipped); further remote phonebooks cannot be expressed.
    """
    device = request.device
    if device.phonebook:
        # Sonata asks for the phone credentials on phonebook.xml too: they go to the download's
        # own user name and password, never to a remote phonebook, which keeps its URL's.
        credentials = with_userinfo(request.link, device.provisioning_username, device.provisioning_password)
        server = gv.phonebook_path(credentials)
    else:
        remote = (gv.remote_phonebook_path(book.url) for book in device.remote_phonebooks)
        server = next((path for path in remote if path is not None), None)
    if server is None:
        return None
    if family is Family.GRP26XX:
        interval = gv.grp_phonebook_minutes(device.resync_minutes)
    else:
        interval = gv.phonebook_minutes(device.resync_minutes)
    return {"server": server, "interval": interval}


def _keys(device: Device, model: GrandstreamModel) -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = []
    for index, key in enumerate(device.line_keys[: model.line_keys]):
        if model.family is Family.GRP26XX:
            keys.append({"slot": Slot.LINE.value, "index": index + 1, **gv.grp_key(key)})
            continue
        slot, number = (Slot.LINE, index + 1)
        if index >= model.line_key_slots:
            slot, number = (Slot.MPK, index + 1 - model.line_key_slots)
        values = gv.gxp_key(key, slot, model.family, model.line_key_blf_and_park)
        keys.append({"slot": slot.value, "index": number, **values})
    return keys


def phonebook_context(device: Device) -> dict[str, Any]:
    """`<AddressBook>` contacts. The whole name goes to FirstName: splitting a name into first and
    last name is guesswork, and the phone shows "FirstName LastName" either way."""
    return {
        "contacts": [
            {
                "name": gv.text(contact.name),
                "numbers": [
                    {"type": PHONE_TYPES[number.type], "number": gv.text(number.number)}
                    for number in contact.numbers
                ],
            }
            for contact in device.phonebook
        ]
    }
