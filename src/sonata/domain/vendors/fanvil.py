"""Fanvil phones: `<mac>.cfg`, the model's common file and a phonebook, in two XML formats.

Formats (vendors.md "Fanvil"): the older X models (X3S, X4, X5S) read `<VOIP_CONFIG_FILE>` with
modules of `Snake_Case` settings; firmware 2.2.10 and newer (X6U, V-series) reads `<sysConf>` with
nested CamelCase sections. Which model speaks which is `FanvilModel.format`, the one place to
change it. Setting names live in templates/fanvil/*.j2, value conversions in fanvil_values.py,
the grammar of raw settings (`vendorParams`) in fanvil_params.py.

Files a Fanvil phone asks for:
  `<mac>.cfg`                 the device file (DEVICE_CONFIG);
  the model's common file     `f0X4hw1.100.cfg`, `F0V0V6400000.cfg`, ... (COMMON_CONFIG): the
                              provisioning and firmware settings, in the model's format;
  `fanvil_<model>_hw…txt`     the firmware descriptor of sysConf models (FIRMWARE), read from the
                              directory in `UpgradeServer1` (the link), naming the device's
                              firmware URL; a quiet 404 for a device without one;
  `<mac>-phonebook.xml`       the `<PhoneBook>` Sonata serves; the name is Sonata's choice (the
                              device file points at it as remote phonebook 1) and carries the MAC,
                              so the common link finds the device without a MAC in the User-Agent.
Which of the common and the device file comes first is not known (vendors.md: verify); each
carries the provisioning settings, so either keeps the phone following Sonata.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sonata.domain.mac import parse_mac
from sonata.domain.model import Device, Transport
from sonata.domain.timezones import device_zone
from sonata.domain.vendors import fanvil_params, fanvil_values
from sonata.domain.vendors.base import (
    FIRMWARE_VERSION,
    TEXT,
    XML,
    FileKind,
    PhoneIdentity,
    PhoneModel,
    RenderRequest,
    RequestedFile,
    Vendor,
)
from sonata.domain.vendors.fanvil_values import Book, KeyBank, text
from sonata.domain.vendors.userinfo import with_userinfo


@dataclass(frozen=True)
class FanvilFormat:
    """What differs between Fanvil's two XML formats, apart from the setting names."""

    id: str
    device_template: str
    common_template: str
    tls: int
    """Transport code of TLS: 0 UDP and 1 TCP are the same in both formats (vendors.md: "TLS 2 or 3
    depending on firmware", verify). FusionPBX writes 2 in its VOIP_CONFIG_FILE templates (X4)
    and 3 in its sysConf ones (X6U), as does a public sysConf template for the X3U-X6U."""
    phonebook_slots: int
    """Remote XML phonebooks: `XML-PBook1..8` (VOIP_CONFIG_FILE), `xmlContact index 1..5` (sysConf),
    as many as FusionPBX's full templates list."""

    @property
    def transports(self) -> dict[Transport, int]:
        return {Transport.UDP: 0, Transport.TCP: 1, Transport.TLS: self.tls}


VOIP_CONFIG_FILE = FanvilFormat("voip", "fanvil/device.xml.j2", "fanvil/common.xml.j2", 2, 8)
SYSCONF = FanvilFormat("sysconf", "fanvil/sysconf-device.xml.j2", "fanvil/sysconf-common.xml.j2", 3, 5)


@dataclass(frozen=True)
class DstSwitchNames:
    """sysConf names of the two daylight-saving switches in `<phone><date>`."""

    enable: str
    fixed_type: str


CAMEL_CASE_DST = DstSwitchNames("EnableDST", "DSTFixedType")
"""Wazo's sysConf templates, V-series and X6U alike (base-V-series.tpl, base-new.tpl)."""
UNDERSCORED_DST = DstSwitchNames("Enable_DST", "DST_Fixed_Type")
"""FusionPBX's X6U template, "optimized for firmware 2.2.10 and newer" (next to CamelCase
`DSTMinOffset`, `DSTStartMon`...)."""


@dataclass(frozen=True)
class FanvilModel(PhoneModel):
    format: FanvilFormat = VOIP_CONFIG_FILE
    common_file: str = ""
    """The per-model file the phone asks for (Wazo's Fanvil plugin lists them)."""
    key_banks: tuple[KeyBank, ...] = ()
    """sysConf only: where the line keys go, in order; `line_keys` is their total."""
    dst_switches: tuple[DstSwitchNames, ...] = (CAMEL_CASE_DST,)
    """sysConf only: the spellings the daylight-saving switches are written in, each with the
    same values."""


def sysconf_model(
    model_id: str,
    name: str,
    accounts: int,
    common_file: str,
    *banks: KeyBank,
    dst_switches: tuple[DstSwitchNames, ...] = (CAMEL_CASE_DST,),
) -> FanvilModel:
    line_keys = sum(bank.size for bank in banks)
    return FanvilModel(model_id, name, accounts, line_keys, SYSCONF, common_file, banks, dst_switches)


# Line keys: the count Sonata sets. VOIP_CONFIG_FILE models: the physical line keys, written as
# `Fkey1..n` (FusionPBX's X4 template: Fkey1-4 are its four line keys, Fkey5/6 the MWI and
# headset keys, which Sonata leaves alone). sysConf models, in the order an administrator numbers
# them: X6U first the five keys beside the screen (one `dssSide` page: Wazo serie_x entry.py
# TOP_FUNCTION_KEYS and LINE_KEYS_PER_PAGE 5; FusionPBX's X6U template), then its side screen's 5
# `internal` pages of 12 (Wazo FUNCTION_KEYS_PER_PAGE, FusionPBX); V62/V64/V65 3 `dssSide` pages
# of 5/7/9 (Wazo serie_v FUNCTION_KEYS_PER_PAGE; FusionPBX's V62 template: 5 x 3); V67 one
# `internal` page of 29 (its touch screen, Wazo base-V67.tpl). Account counts as we recall the
# datasheets (verify X3S 2, V62 4).
MODELS: tuple[FanvilModel, ...] = (
    FanvilModel("x3s", "X3S", 2, 2, common_file="f0X3shw1.100.cfg"),
    FanvilModel("x4", "X4", 4, 4, common_file="f0X4hw1.100.cfg"),
    FanvilModel("x5s", "X5S", 6, 6, common_file="F0V00X5S0000.cfg"),
    # No common file of the X6U is known; `F0V0X6U00000.cfg` follows the naming of its siblings
    # (`F0V0X7C00000.cfg`, `F0V0V6400000.cfg`, verify). Its daylight-saving switches are spelled
    # both ways: FusionPBX (firmware 2.2.10 and newer) and Wazo (its X6U image is 2.4.5.2) disagree,
    # and a Fanvil phone passes over elements it does not know (Wazo's own X6U template carries
    # VOIP_CONFIG_FILE elements such as AUTOUPDATE_CONFIG_MODULE and Enable_VLAN). Verify which one
    # the firmware reads; the other can then go.
    sysconf_model(
        "x6u",
        "X6U",
        20,
        "F0V0X6U00000.cfg",
        KeyBank("dssSide", 5, 1),
        KeyBank("internal", 12, 5),
        dst_switches=(CAMEL_CASE_DST, UNDERSCORED_DST),
    ),
    sysconf_model("v62", "V62", 4, "F0V0V6200000.cfg", KeyBank("dssSide", 5, 3)),
    sysconf_model("v64", "V64", 12, "F0V0V6400000.cfg", KeyBank("dssSide", 7, 3)),
    sysconf_model("v65", "V65", 20, "F0V0V6500000.cfg", KeyBank("dssSide", 9, 3)),
    sysconf_model("v67", "V67", 20, "F0V0V6700000.cfg", KeyBank("internal", 29, 1)),
)

_UNKNOWN_MODEL = FanvilModel("", "Fanvil", 0)
"""For a device whose model left the catalogue: the older format, no keys."""

# Language values per format. sysConf `DefaultLanguage` takes the ISO 639-1 code (FusionPBX's X6U
# template and others write `en`; Wazo writes list indexes for the V-series instead, verify).
# VOIP_CONFIG_FILE `Language` takes an index into the phone's list, known for six languages from
# Wazo's X-series plugin; the others are not written rather than guessed (verify).
SYSCONF_LANGUAGES = {code: code for code in ("en", "de", "fr", "es", "it", "nl", "pt", "ru", "pl", "tr")}
VOIP_LANGUAGES = {"en": "0", "nl": "3", "fr": "4", "it": "7", "es": "10", "de": "16"}

PHONEBOOK_SUFFIX = "-phonebook.xml"

# Fanvil User-Agents, lowercase MAC last:
#   Fanvil X4 2.10.2.6887 0c383e07e16c
#   Fanvil X6U Pro 0.0.10 0c383e2cd782      (edition word after the model: model x6u)
#   Fanvil X5U-V2 2.12.16.17 0c383e557eb1   (hardware revision suffix: model x5u)
# Dropping `-V2` treats it like Grandstream's `V2.2A` hardware revision rather than a model
# of its own (verify: Fanvil's common file names do spell it, `F0V5UV200000.cfg`); `-Pro` the same.
_MODEL = re.compile(r"^(?P<model>[a-z]++\d++[a-z0-9]*+)(?:-(?:v\d++|pro))*+\Z", re.IGNORECASE)
_DEVICE_FILE = re.compile(r"(?P<mac>[0-9a-f]{12})\.cfg", re.IGNORECASE)
_PHONEBOOK_FILE = re.compile(rf"(?P<mac>[0-9a-f]{{12}}){re.escape(PHONEBOOK_SUFFIX)}", re.IGNORECASE)
# Fanvil's manuals: the phone asks for `vendor_model_hw10.txt`, its model's spaces as underscores
# and `hw` followed by the hardware version (Wazo lists `fanvil_v62_pro_hwv1_0.txt`,
# `fanvil_v67_hw1_1.txt`); editions after the model are dropped as in User-Agents (_MODEL).
_DESCRIPTOR = re.compile(
    r"fanvil_(?P<model>[a-z]++\d++[a-z0-9]*+)(?:_(?:v\d++|pro))*+_hw[a-z0-9_]*+\.txt", re.IGNORECASE
)
# Any other `fanvil_….txt`: the run is read once, then looked back on.
_OTHER_TEXT = re.compile(r"fanvil_(?=[a-z0-9_.-]{5})[a-z0-9_.-]*+(?<=\.txt)", re.IGNORECASE)
_COMMON_FILES = {model.common_file.lower(): model.id for model in MODELS}


class Fanvil(Vendor):
    id = "fanvil"
    name = "Fanvil"
    mac_prefixes = frozenset({"0c383e", "00a859"})  # vendors.md
    models: tuple[PhoneModel, ...] = MODELS
    languages = SYSCONF_LANGUAGES

    def device_filename(self, device: Device) -> str:
        return f"{device.mac}.cfg"

    def read_filename(self, filename: str) -> RequestedFile | None:
        if match := _DEVICE_FILE.fullmatch(filename):
            return RequestedFile(FileKind.DEVICE_CONFIG, match["mac"].lower())
        if match := _PHONEBOOK_FILE.fullmatch(filename):
            return RequestedFile(FileKind.PHONEBOOK, match["mac"].lower())
        if model := _COMMON_FILES.get(filename.lower()):
            return RequestedFile(FileKind.COMMON_CONFIG, model=model)
        if match := _DESCRIPTOR.fullmatch(filename):
            return RequestedFile(FileKind.FIRMWARE, model=match["model"].lower())
        if _OTHER_TEXT.fullmatch(filename):
            return RequestedFile(FileKind.NOT_SERVED)
        return None

    def read_user_agent(self, user_agent: str) -> PhoneIdentity | None:
        tokens = user_agent.split()
        if not tokens or tokens[0].lower() != "fanvil":
            return None
        rest = tokens[1:]
        macs = [mac for mac in map(parse_mac, rest) if mac is not None]
        model = _MODEL.match(rest[0]) if rest and parse_mac(rest[0]) is None else None
        return PhoneIdentity(
            vendor=self.id,
            model=model["model"].lower() if model else None,
            firmware=next((t for t in rest if FIRMWARE_VERSION.match(t)), None),
            mac=macs[-1] if macs else None,
        )

    def check_param(self, model: PhoneModel, key: str, value: str) -> str | None:
        found = self.model(model.id)
        catalogued = found if isinstance(found, FanvilModel) else _UNKNOWN_MODEL
        return fanvil_params.check(key, value, catalogued.format is VOIP_CONFIG_FILE, model.name)

    def apply_params(self, text: str, params: Sequence[tuple[str, str]]) -> str:
        return fanvil_params.apply(text, params)

    def template_for(self, request: RenderRequest) -> tuple[str, str]:
        kind = request.requested.kind
        if kind is FileKind.PHONEBOOK:
            return "fanvil/phonebook.xml.j2", XML
        if kind is FileKind.FIRMWARE:
            return "fanvil/firmware.txt.j2", TEXT
        file_format = fanvil_model(request.device).format
        if kind is FileKind.COMMON_CONFIG:
            return file_format.common_template, XML
        if kind is FileKind.DEVICE_CONFIG:
            return file_format.device_template, XML
        raise ValueError(f"Fanvil phones are not served {kind.value} files")

    def context(self, request: RenderRequest) -> Mapping[str, Any]:
        device = request.device
        if request.requested.kind is FileKind.PHONEBOOK:
            return {"entries": fanvil_values.directory_entries(device.phonebook)}
        if request.requested.kind is FileKind.FIRMWARE:
            if device.firmware_url is None:
                raise ValueError("the provisioning service serves a descriptor only with a firmware URL")
            return fanvil_values.firmware_descriptor(device.firmware_url, fanvil_model(device).name)
        return config_context(device, request.link, request.year)


def fanvil_model(device: Device) -> FanvilModel:
    return next((model for model in MODELS if model.id == device.model), _UNKNOWN_MODEL)


def phonebook_filename(device: Device) -> str:
    return f"{device.mac}{PHONEBOOK_SUFFIX}"


def language(code: str | None, file_format: FanvilFormat) -> str | None:
    table = SYSCONF_LANGUAGES if file_format is SYSCONF else VOIP_LANGUAGES
    return table.get(code) if code else None


def config_context(device: Device, link: str, year: int) -> dict[str, Any]:
    """What the device and common files of both formats write (daylight saving right in `year`
    and the next)."""
    model = fanvil_model(device)
    file_format = model.format
    base = link.rstrip("/")
    remote = [Book(book.name, book.url) for book in device.remote_phonebooks]
    credentials = (device.provisioning_username, device.provisioning_password)
    keys = fanvil_values.keys(device.line_keys, model.line_keys)
    return {
        "accounts": [
            fanvil_values.account(a, file_format.transports)
            for a in sorted(device.accounts, key=lambda a: a.line)
        ],
        "ntp_server": text(device.ntp_server) if device.ntp_server is not None else None,
        "zone": fanvil_values.zone(device_zone(device.timezone, device.timezone_offset), year),
        "language": language(device.language, file_format),
        "admin_password": text(device.admin_password) if device.admin_password else None,
        "provisioning": fanvil_values.provisioning(link, device.resync_minutes),
        # What the phone answers the provisioning server's HTTP challenge with; empty clears them.
        "credentials": {"username": text(credentials[0]), "password": text(credentials[1])},
        "firmware_url": text(device.firmware_url) if device.firmware_url else None,
        # Sonata asks for the phone credentials on every file, the firmware descriptor read from
        # this directory too: fwCheck has no user name or password setting, so they go into the URL
        # (user:password@host; verify that the firmware takes userinfo in UpgradeServer1).
        "firmware_directory": text(with_userinfo(base, *credentials)),
        "phonebooks": fanvil_values.phonebooks(
            Book(fanvil_values.PHONEBOOK_NAME, f"{base}/{phonebook_filename(device)}", *credentials),
            remote,
            file_format.phonebook_slots,
        ),
        "keys": keys,
        "key_banks": fanvil_values.key_banks(keys, model.key_banks),
        "dst_switches": model.dst_switches,
    }
