"""Yealink T-series phones: boot files, per-model common files and `<mac>.cfg` files of `key = value` lines.

What a Yealink phone asks for (vendors.md, "Yealink"): `<mac>.boot`, else `y000000000000.boot`; a boot
file lists `include:config "…"` lines fetched top to bottom. Without a boot file: the model's common
file `y0000000000NN.cfg`, then `<mac>.cfg`. Also `<mac>-local.cfg` and `<mac>-contact.xml`, which
Sonata does not serve (quiet 404s). Sonata serves the device's phonebook as `<mac>-phonebook.xml`.

Two key families: firmware 8x (every model but the T28P) uses `account.N.sip_server.1.address`,
`static.`-prefixed provisioning keys and `linekey.N.*`; firmware 7x (the T28P, whose last firmware
is 2.73) uses `account.N.sip_server_host|sip_server_port`, `account.N.transport`, unprefixed
provisioning keys, and `memorykey.N.*` for its DSS keys after its six line keys. Its backup
registrar is `account.N.sip_server.2.address|port`, as Wazo's v73 plugin writes for the T28P.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sonata.domain.mac import parse_mac
from sonata.domain.model import ConfigEncryption, Device
from sonata.domain.timezones import device_zone
from sonata.domain.vendors import yealink_values as values
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
from sonata.domain.vendors.params import replace_lines, value_problem
from sonata.domain.vendors.userinfo import with_userinfo

# Setting names: dotted words (`static.wifi.enable`, `account.1.codec.g722_1c_48kpbs.enable`);
# no spaces, `=`, `#` or line breaks, so a raw setting stays one `key = value` line.
_KEY = re.compile(r"^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+\Z")


@dataclass(frozen=True)
class YealinkModel(PhoneModel):
    common_id: int = 0
    """NN of the model's common file `y0000000000NN.cfg`."""
    line_key_count: int = 0
    """How many of `line_keys` are `linekey.N`; the rest are `memorykey.N` (firmware 7x only)."""
    legacy: bool = False
    """Firmware 7x key names (vendors.md: "Older firmware (T28P, v7x) used account.N.sip_server_host")."""


# Common-file ids: vendors.md gives T46S 66, T48S 65, T54W 96, T46U 108, T31G 123. The others come from
# the common files of Wazo's provd Yealink plugins (v73: T28P `y000000000000.cfg`; v84: T21P E2 52,
# T23G 44, T27G 69, T53W 95, T57W 97; v86: T58W 150) and from published per-model tables of
# provisioning scripts (T33G 124, T43U 107; T31G 123, T53W 95 agree). The id is a hardware id, not
# the firmware prefix: T31G and T33G both run firmware 124.x (UA `SIP-T31G 124.85…`) yet ask for
# 123 and 124; T43U runs the T46U's firmware 108.x but asks for 107 (verify T43U on a phone).
#
# Accounts and programmable keys (`linekey.N` ranges, several pages of keys where the model has
# pages): Yealink administrator guides (T21P E2 2, T23G 3, T27G 21, T46S 27, T48S 29) and Wazo's
# plugins (T31G 2, T33G 4, T46U 27, T53W 21, T54W 27, T57W 29, T58W 27; T28P 6 line keys plus 10
# memory keys). T43U: 21 keys assumed (12 line keys over pages, like the T27G's 21; verify).
#
# The T21P E2's id is `t21p_e2`, as the phone names itself in its User-Agent (`SIP-T21P_E2`), so
# `lastProvisioning.model` and the device's model read the same.
MODELS = (
    YealinkModel("t21p_e2", "T21P E2", 2, 2, common_id=52),
    YealinkModel("t23g", "T23G", 3, 3, common_id=44),
    YealinkModel("t27g", "T27G", 6, 21, common_id=69),
    YealinkModel("t28p", "T28P", 6, 16, common_id=0, line_key_count=6, legacy=True),
    YealinkModel("t31g", "T31G", 2, 2, common_id=123),
    YealinkModel("t33g", "T33G", 4, 4, common_id=124),
    YealinkModel("t43u", "T43U", 12, 21, common_id=107),
    YealinkModel("t46s", "T46S", 16, 27, common_id=66),
    YealinkModel("t46u", "T46U", 16, 27, common_id=108),
    YealinkModel("t48s", "T48S", 16, 29, common_id=65),
    YealinkModel("t53w", "T53W", 12, 21, common_id=95),
    YealinkModel("t54w", "T54W", 16, 27, common_id=96),
    YealinkModel("t57w", "T57W", 16, 29, common_id=97),
    YealinkModel("t58w", "T58W", 16, 27, common_id=150),
)
_BY_COMMON_ID = {m.common_id: m.id for m in MODELS}

# `lang.gui` / `lang.wui` values: the names of Yealink's language files (`000.GUI.English.lang`…).
# Dutch is not shipped for every model (verify); a phone keeps its language for a name it lacks.
LANGUAGES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pt": "Portuguese",
    "ru": "Russian",
    "pl": "Polish",
    "tr": "Turkish",
    "zh": "Chinese_S",
}

# Yealink User-Agents, MAC last, with or without colons, sometimes absent:
#   Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc
#   Yealink W90DM 130.87.0.10 80:5e:c0:d9:c7:44
#   Yealink SIP-T28P 2.73.0.50
#   Yealink-T46G 28.71.0.81 28.1.0.128.0.0.0      (early 71 firmware: model glued on, hardware version last)
# A model is a letter, then letters or separators up to its first digit, then anything alike.
_MODEL = re.compile(r"^(?:sip-?)?(?P<model>[a-z][a-z_-]*+\d[a-z0-9_-]*+)\Z", re.IGNORECASE)
_GLUED = "yealink-"

_MAC = "(?P<mac>[0-9a-f]{12})"
_FILES = (
    (re.compile(rf"{_MAC}\.cfg", re.IGNORECASE), FileKind.DEVICE_CONFIG),
    (re.compile(rf"{_MAC}\.boot", re.IGNORECASE), FileKind.BOOT),
    (re.compile(r"y000000000000\.boot", re.IGNORECASE), FileKind.BOOT),
    (re.compile(r"y(?P<common>\d{12})\.cfg", re.IGNORECASE), FileKind.COMMON_CONFIG),
    (re.compile(rf"{_MAC}-phonebook\.xml", re.IGNORECASE), FileKind.PHONEBOOK),
    (re.compile(rf"{_MAC}-local\.cfg", re.IGNORECASE), FileKind.NOT_SERVED),
    (re.compile(rf"{_MAC}-contact\.xml", re.IGNORECASE), FileKind.NOT_SERVED),
)


def common_filename(model: YealinkModel) -> str:
    return f"y{model.common_id:012d}.cfg"


def phonebook_filename(mac: str) -> str:
    """Yealink lets the config name the phonebook URL, so the name carries the MAC: on the common
    link the file then finds its device without a MAC in the User-Agent."""
    return f"{mac}-phonebook.xml"


class Yealink(Vendor):
    id = "yealink"
    name = "Yealink"
    # vendors.md's list, which it says the ranges "include" (verify: others)
    mac_prefixes = frozenset({"001565", "805ec0", "805e0c", "249ad8", "44dbd2", "c4fc22"})
    models: tuple[PhoneModel, ...] = MODELS
    languages = LANGUAGES
    # Only <mac>.cfg: the common file y0000000000NN.cfg would take the model-wide key (aes_key.com,
    # Yealink's built-in one unless set) and holds no secret; boot files are read before any key.
    config_encryption = ConfigEncryption.YEALINK_AES

    def device_filename(self, device: Device) -> str:
        return f"{device.mac}.cfg"

    def read_filename(self, filename: str) -> RequestedFile | None:
        for pattern, kind in _FILES:
            match = pattern.fullmatch(filename)
            if match is None:
                continue
            groups = match.groupdict()
            if "common" in groups:
                # An id of a model Sonata does not know names no model: serves() refuses it.
                return RequestedFile(kind, model=_BY_COMMON_ID.get(int(groups["common"])))
            mac = groups.get("mac")
            return RequestedFile(kind, mac.lower() if mac else None)
        return None

    def serves(self, device: Device, requested: RequestedFile) -> bool:
        """A common file only for the device's own model; the other files for any model."""
        if requested.kind is FileKind.COMMON_CONFIG:
            return requested.model is not None and requested.model == device.model
        return super().serves(device, requested)

    def read_user_agent(self, user_agent: str) -> PhoneIdentity | None:
        tokens = user_agent.split()
        if not tokens:
            return None
        first = tokens[0].lower()
        if first == "yealink":
            rest = tokens[1:]
        elif first.startswith(_GLUED) and len(first) > len(_GLUED):
            rest = [tokens[0][len(_GLUED) :], *tokens[1:]]
        else:
            return None
        parsed = [(token, parse_mac(token)) for token in rest]
        macs = [mac for _, mac in parsed if mac is not None]
        models = [m["model"] for token, mac in parsed if mac is None and (m := _MODEL.match(token))]
        return PhoneIdentity(
            vendor=self.id,
            model=models[0].lower() if models else None,
            firmware=next((t for t in rest if FIRMWARE_VERSION.match(t)), None),
            mac=macs[-1] if macs else None,
        )

    def check_param(self, model: PhoneModel, key: str, value: str) -> str | None:
        if not _KEY.match(key):
            return "Yealink settings are dotted names such as static.wifi.enable"
        problem = value_problem(value)
        if problem is None and values.text(value) != value:
            problem = "must not contain line or paragraph separators (U+0085, U+2028, U+2029)"
        return problem

    def apply_params(self, text: str, params: Sequence[tuple[str, str]]) -> str:
        # Stored settings were checked on input; anything unwritable is still dropped or cleaned
        # here, so no stored value can add a line to the file.
        safe = [(key, values.text(value)) for key, value in params if _KEY.match(key)]
        return replace_lines(text, safe)

    def template_for(self, request: RenderRequest) -> tuple[str, str]:
        kind = request.requested.kind
        legacy = "-legacy" if _model(request.device).legacy else ""
        if kind is FileKind.DEVICE_CONFIG:
            return f"yealink/device{legacy}.cfg.j2", TEXT
        if kind is FileKind.COMMON_CONFIG:
            return f"yealink/common{legacy}.cfg.j2", TEXT
        if kind is FileKind.BOOT:
            return "yealink/boot.j2", TEXT
        if kind is FileKind.PHONEBOOK:
            return "yealink/phonebook.xml.j2", XML
        raise ValueError(f"Sonata does not render Yealink {kind.value} files")

    def context(self, request: RenderRequest) -> Mapping[str, Any]:
        device, model = request.device, _model(request.device)
        link = _link(request.link)
        zone = device_zone(device.timezone, device.timezone_offset)
        own_phonebook = _phonebook_url(link, device) if device.phonebook else None
        return {
            "mac": device.mac,
            "link": link,
            # The provisioning URL is a directory: written with its trailing slash so that every
            # firmware appends file names to it rather than replacing its last path segment.
            "server_url": f"{link}/" if link else "",
            "credentials": _credentials(device) if request.requested.kind is FileKind.DEVICE_CONFIG else None,
            "resync_minutes": device.resync_minutes,
            "firmware_url": values.value(device.firmware_url) if device.firmware_url else None,
            "admin_password": values.value(device.admin_password) if device.admin_password else None,
            "language": LANGUAGES.get(device.language or ""),
            "accounts": [values.account(a) for a in sorted(device.accounts, key=lambda a: a.line)],
            "ntp_server": values.value(device.ntp_server) if device.ntp_server is not None else None,
            "time": values.time_settings(zone, request.year) if zone is not None else None,
            "line_keys": values.line_keys(device.line_keys, model.line_keys or len(device.line_keys)),
            "line_key_count": model.line_key_count,
            "phonebooks": values.phonebook_slots(own_phonebook, device.remote_phonebooks),
            "includes": _includes(link, device, model),
            "contacts": [
                {"name": values.text(c.name), "numbers": [values.text(n.number) for n in c.numbers]}
                for c in device.phonebook
            ],
        }


_UNKNOWN_MODEL = YealinkModel("", "", 0)


def _model(device: Device) -> YealinkModel:
    """The device's catalogue entry; an unknown model (a stale record) renders with the 8x keys."""
    return next((m for m in MODELS if m.id == device.model), _UNKNOWN_MODEL)


def _link(link: str) -> str:
    """The directory URL the phone used, with no trailing slash, and nothing that could end a value
    or an `include:config "…"` line (spaces, quotes, controls are percent-encoded)."""
    return quote(link.strip().rstrip("/"), safe=":/?&=%@+,;!$'()*[]~")


def _credentials(device: Device) -> dict[str, str]:
    """`auto_provision.server.username|password`: what the phone answers Sonata's HTTP challenge
    with from then on; `%NULL%` for a device without them clears what the phone holds.

    Only the device file carries them: the common file is never encrypted (the model-wide key,
    Yealink's public one unless set), and the phone fetches both in the same round.
    """
    return {
        "username": values.value(device.provisioning_username),
        "password": values.value(device.provisioning_password),
    }


def _phonebook_url(link: str, device: Device) -> str:
    """Remote phonebook 1, Sonata's phonebook: the phone credentials go into the URL, as Yealink
    takes them for a remote phonebook (`http://user:password@host/…`; the remote phonebook has no
    user name or password setting, and the phone does not answer its challenge with the
    provisioning credentials). Verify on a phone that it decodes percent-escapes in them."""
    url = _file_url(link, phonebook_filename(device.mac))
    return with_userinfo(url, device.provisioning_username, device.provisioning_password)


def _file_url(link: str, filename: str) -> str:
    return f"{link}/{filename}" if link else filename


def _includes(link: str, device: Device, model: YealinkModel) -> list[str]:
    """What a boot file includes: the model's common file, then the device file.

    Full URLs on the link the phone used rather than names relative to it: a phone resolves a
    relative name against its configured provisioning server URL, which may differ from the link
    it fetched the boot file from (DHCP option 66, a URL typed without the secret path…). Relative
    names only when no link is known.
    """
    files = [common_filename(model)] if model.id else []
    return [_file_url(link, name) for name in [*files, f"{device.mac}.cfg"]]
