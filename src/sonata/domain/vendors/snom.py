"""Snom D7xx desk phones: `<MAC>.xml` settings files, reached through `<setting-files>` lists.

The files a Snom phone asks for (vendors.md, Snom row; Wazo's snom plugin), MAC in UPPERCASE:

- `snom<model>.htm`, the model's "general setting file container", and
- `snom<model>-<MAC>.htm`, the phone's "specific setting file container": both are
  `<setting-files>` lists of file URLs, not settings themselves. Sonata answers both with the same
  short list: the device config `<MAC>.xml` and the phonebook `tbook-<MAC>.xml`, on the link the
  phone used. (A phone that fetches both lists loads the device config twice: harmless, settings
  are idempotent.)
- `<MAC>.xml`: the device config (`<settings><phone-settings e="2">`), everything Sonata sets.
  Its `setting_server` names `snom<model>-<MAC>.htm` on the same link, so from then on the phone
  comes back to exactly that list, every `settings_refresh_timer` seconds when resync is set.
- `tbook-<MAC>.xml`: the local phonebook (`<tbook>`). Snom lets the provisioning server choose
  this URL (it is listed in the `<setting-files>`), so the name carries the MAC and the common
  link can tie it to the device without a MAC in the User-Agent.
- `snom<model>-<MAC>-firmware.xml`: the firmware settings file (`<firmware-settings>`), only while the
  device has a firmware URL. Snom reads firmware settings only from the file whose URL the
  `firmware_status` setting of `<MAC>.xml` gives (never from a `<setting-files>` list: Snom wiki,
  "Firmware configuration file"). Sonata chooses that URL too: Snom's and Wazo's
  `snom<model>-firmware.xml`, with the MAC added as in the phonebook's name.

Model spelling in file names: D710, D715 and D725 are the renamed 710, 715 and 725 and their
firmware still calls itself `snom710`/`snom715`/`snom725` (User-Agents, Wazo's model list), the
others are `snomD712`, `snomD717`, `snomD735`, `snomD745`, `snomD765`, `snomD785`. Both spellings
are accepted for every model; Sonata itself writes the firmware's spelling.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from sonata.domain.mac import parse_mac
from sonata.domain.model import (
    Account,
    Contact,
    Device,
    HostPort,
    LineKey,
    LineKeyType,
    NumberType,
    Transport,
)
from sonata.domain.phone_dst import MINUTES, local_zone, phone_rule
from sonata.domain.timezones import Transition, device_zone
from sonata.domain.vendors.base import (
    XML,
    FileKind,
    PhoneIdentity,
    PhoneModel,
    RenderRequest,
    RequestedFile,
    Vendor,
    single_line,
    with_sip_port,
)
from sonata.domain.vendors.params import value_problem

# Account and line-key counts: Wazo's snom plugins (plugin-info "lines" / "function_keys" for
# firmware 8.9.3.80 and 10.1.152.12). D712: 5 keys as Wazo lists them (verify: some datasheets say 4).
MODELS = (
    PhoneModel("d710", "D710", 4, 5),
    PhoneModel("d712", "D712", 4, 5),
    PhoneModel("d715", "D715", 4, 5),
    PhoneModel("d717", "D717", 6, 3),
    PhoneModel("d725", "D725", 12, 18),
    PhoneModel("d735", "D735", 12, 32),
    PhoneModel("d745", "D745", 12, 32),
    PhoneModel("d765", "D765", 12, 16),
    PhoneModel("d785", "D785", 12, 24),
)
# The name the firmware uses in file names and User-Agents, where it is not the model name.
FIRMWARE_NAMES = {"d710": "710", "d715": "715", "d725": "725"}

# Snom's own language names (phone `language` and web `web_language`). Deutsch, English, Espanol,
# Francais: Wazo's gui/web language lists; the others from Snom's language menu (verify: Wazo calls
# Dutch "Dutch", firmware 8.x lists "Nederlands"; Russian may be listed in Cyrillic on 10.x).
LANGUAGES = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Francais",
    "es": "Espanol",
    "it": "Italiano",
    "nl": "Nederlands",
    "pt": "Portugues",
    "ru": "Russian",
    "pl": "Polski",
    "tr": "Turkce",
}

# Phonebook number types (Snom tbook `number_type`; verify "business": Snom's 2.0 tbook uses it).
NUMBER_TYPES = {NumberType.WORK: "business", NumberType.MOBILE: "mobile", NumberType.HOME: "home"}

# KEY_EVENT keys: Sonata's event name or Snom's own F_ name (case, spaces, '-' and '_' do not matter), written
# `keyevent F_…`. Each F_ name is one public Snom templates write after `keyevent`: F_REDIAL, F_ADR_BOOK,
# F_MUTE (Wazo's snom 300.tpl); F_CONFERENCE, F_TRANSFER, F_DND, F_REC, F_MENU, F_HELP, F_HOLD (amooma/GS3
# prov/snom/settings.php, dkey_*); F_HOLD F_TRANSFER F_CONFERENCE (FusionPBX snom/D715
# call_screen_fkeys_on_connected); F_RETRIEVE, F_MISSED_LIST, F_DIRECTORY_SEARCH (public Snom templates,
# dkey_retrieve / gui_fkey*; verify against Snom's key event list, which names them only in words:
# "Missed Calls", "LDAP Directory"). F_PARK: named by vendors.md's Corrections (the review of 2026-12)
# and by no template we read (verify); a park *orbit* key is Snom's `orbit <number>` key type (Snom's
# function key types, Wazo's snom _add_fkeys), which vendorParams fkey[N] can set.
KEY_EVENTS = {
    "conference": "F_CONFERENCE",
    "directory": "F_ADR_BOOK",
    "dnd": "F_DND",
    "help": "F_HELP",
    "hold": "F_HOLD",
    "ldap": "F_DIRECTORY_SEARCH",
    "menu": "F_MENU",
    "missed_calls": "F_MISSED_LIST",
    "mute": "F_MUTE",
    "park": "F_PARK",
    "record": "F_REC",
    "redial": "F_REDIAL",
    "transfer": "F_TRANSFER",
    "voicemail": "F_RETRIEVE",
}
_EVENT_SEPARATORS = re.compile(r"[\s_-]+")
_EVENT_NAMES = {
    _EVENT_SEPARATORS.sub("", name).lower(): f_name
    for name, f_name in (*KEY_EVENTS.items(), *((f_name, f_name) for f_name in KEY_EVENTS.values()))
}
KEY_EVENTS_TAKEN = ", ".join(f"{name} ({f_name})" for name, f_name in KEY_EVENTS.items())

# Snom User-Agents (Wazo's snom plugin lists many; MAC uppercase, after the firmware):
#   Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.5-IFX-05.01.12 000413741767)
#   Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 2010.12-00004-g9ba52f5 000413922D24 SXM:0 UXM:0)
#   Mozilla/4.0 (compatible; snom320-SIP 6.5.20; snom320 jffs2 v3.36; snom320 linux 3.38)
#   Mozilla/4.0 (compatible; snom lid 3605)                              (6.5: no model)
_UA_MODEL = re.compile(
    r"(?<![a-z0-9])snom[-_]?+(?P<model>[a-z]*+[0-9]++[a-z0-9]*+)-sip[\s/]++(?P<firmware>[0-9]++(?:\.[0-9]++)++)",
    re.IGNORECASE,
)
_UA_VENDOR = re.compile(r"(?<![a-z0-9])snom(?:\b|[-_]?+[a-z]*+[0-9])", re.IGNORECASE)
_UA_SEPARATORS = re.compile(r"[\s;()]+")

_MODEL_FILE = re.compile(r"snom(?P<model>[a-z]?[0-9]{3}[a-z]?)\.htm", re.IGNORECASE)
_DEVICE_LIST = re.compile(r"snom(?P<model>[a-z]?[0-9]{3}[a-z]?)-(?P<mac>[0-9a-f]{12})\.htm", re.IGNORECASE)
_DEVICE_FILE = re.compile(r"(?P<mac>[0-9a-f]{12})\.xml", re.IGNORECASE)
_PHONEBOOK_FILE = re.compile(r"tbook-(?P<mac>[0-9a-f]{12})\.xml", re.IGNORECASE)
_FIRMWARE_FILE = re.compile(r"snom[a-z]?[0-9]{3}[a-z]?-(?P<mac>[0-9a-f]{12})-firmware\.xml", re.IGNORECASE)

# vendorParams keys: a Snom setting name, with the identity / key index in brackets where the
# setting has one: `user_dtmf_info[1]`, `fkey[5]` (0-based, as the phone counts keys), `language`.
_PARAM = re.compile(r"(?P<name>[a-z][a-z0-9_]{0,63})(?:\[(?P<idx>[0-9]{1,3})\])?")
_INDEXED_ONLY = {"fkey"}

XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


class Snom(Vendor):
    id = "snom"
    name = "Snom"
    # 00:04:13, Snom Technology in the IEEE register, as in vendors.md's User-Agent (verify: other ranges)
    mac_prefixes = frozenset({"000413"})
    models = MODELS
    languages = LANGUAGES

    def device_filename(self, device: Device) -> str:
        return f"{device.mac.upper()}.xml"

    def read_filename(self, filename: str) -> RequestedFile | None:
        if match := _DEVICE_FILE.fullmatch(filename):
            return RequestedFile(FileKind.DEVICE_CONFIG, match["mac"].lower())
        if match := _PHONEBOOK_FILE.fullmatch(filename):
            return RequestedFile(FileKind.PHONEBOOK, match["mac"].lower())
        if match := _FIRMWARE_FILE.fullmatch(filename):
            return RequestedFile(FileKind.FIRMWARE, match["mac"].lower())
        if match := _DEVICE_LIST.fullmatch(filename):
            # The MAC names the phone; the model in the name only repeats what the phone is, so a
            # device whose model was corrected in Sonata still finds its way back here.
            return RequestedFile(FileKind.BOOT, match["mac"].lower())
        if match := _MODEL_FILE.fullmatch(filename):
            return RequestedFile(FileKind.COMMON_CONFIG, None, model_id(match["model"]))
        return None

    def read_user_agent(self, user_agent: str) -> PhoneIdentity | None:
        match = _UA_MODEL.search(user_agent)
        if match is None:
            return PhoneIdentity(self.id) if _UA_VENDOR.search(user_agent) else None
        tail = user_agent[match.end() :].split(")", 1)[0]
        macs = (parse_mac(token) for token in _UA_SEPARATORS.split(tail) if token)
        return PhoneIdentity(
            vendor=self.id,
            model=model_id(match["model"]),
            firmware=match["firmware"],
            mac=next((mac for mac in macs if mac is not None), None),
        )

    def check_param(self, model: PhoneModel, key: str, value: str) -> str | None:
        match = _PARAM.fullmatch(key)
        if match is None:
            return "Snom settings are names such as language or user_dtmf_info[1] (index in brackets)"
        if match["name"] in _INDEXED_ONLY and match["idx"] is None:
            return f"{match['name']} needs the key index in brackets, such as {match['name']}[0]"
        return value_problem(value)

    def apply_params(self, text: str, params: Sequence[tuple[str, str]]) -> str:
        return apply_settings(text, params)

    def check_key_event(self, event: str) -> str | None:
        if snom_key_event(event) is not None:
            return None
        return (
            f"is no Snom key event; Snom phones take {KEY_EVENTS_TAKEN} (either name); other key types, "
            "such as a park orbit, can be set with vendorParams fkey[N]"
        )

    def template_for(self, request: RenderRequest) -> tuple[str, str]:
        kind = request.requested.kind
        if kind is FileKind.PHONEBOOK:
            return "snom/tbook.xml.j2", XML
        if kind is FileKind.FIRMWARE:
            return "snom/firmware.xml.j2", XML
        if kind in (FileKind.COMMON_CONFIG, FileKind.BOOT):
            return "snom/setting-files.xml.j2", XML
        return "snom/device.xml.j2", XML

    def context(self, request: RenderRequest) -> Mapping[str, Any]:
        device, kind = request.device, request.requested.kind
        base = request.link.rstrip("/")
        if kind is FileKind.PHONEBOOK:
            return _phonebook(device.phonebook)
        if kind is FileKind.FIRMWARE:
            return {"firmware": single_line(device.firmware_url or "")}
        if kind in (FileKind.COMMON_CONFIG, FileKind.BOOT):
            files = (self.device_filename(device), phonebook_filename(device))
            return {"files": [f"{base}/{name}" for name in files]}
        return self._device_context(device, base, request.year)

    def _device_context(self, device: Device, base: str, year: int) -> dict[str, Any]:
        accounts = sorted(device.accounts, key=lambda account: account.line)
        by_line = {account.line: account for account in accounts}
        remote = device.remote_phonebooks[0].url if device.remote_phonebooks else None
        model = self.model(device.model)
        backups = backup_identities(accounts, model.accounts if model else 0)
        identities = [_account(account, backups.get(account.line)) for account in accounts]
        identities += [_backup_identity(by_line[line], idx) for line, idx in backups.items()]
        return {
            "setting_server": f"{base}/{device_list_filename(device)}",
            "refresh_seconds": device.resync_minutes * 60 if device.resync_minutes else 0,
            "credentials": {
                "username": single_line(device.provisioning_username),
                "password": single_line(device.provisioning_password),
            },
            "accounts": identities,
            "ntp_server": single_line(device.ntp_server) if device.ntp_server is not None else None,
            "zone": _zone(device, year),
            "language": LANGUAGES.get(device.language) if device.language else None,
            "admin_password": single_line(device.admin_password) or None,
            "firmware_status": f"{base}/{firmware_filename(device)}" if device.firmware_url else None,
            # Snom's place for a remote phonebook URL is the directory key (`url ...`, as Wazo uses
            # it): one URL, so only the first remote phonebook fits. (Firmware 10.1.178+ can also
            # download remote XML directories; their setting names are in no source we read.)
            "directory": single_line(f"url {remote}") if remote else None,
            "keys": [_key(index, key, by_line.get(key.line)) for index, key in enumerate(device.line_keys)],
        }


def model_id(name: str) -> str:
    """Sonata's model id for a name in a file name or User-Agent: `715`/`D715` -> `d715`."""
    lowered = name.lower()
    prefixed = f"d{lowered}"
    if lowered.isdigit() and any(model.id == prefixed for model in MODELS):
        return prefixed
    return lowered


def firmware_name(model: str) -> str:
    """The model as the firmware spells it in file names: `d715` -> `715`, `d735` -> `D735`."""
    return FIRMWARE_NAMES.get(model, model.upper())


def device_list_filename(device: Device) -> str:
    return f"snom{firmware_name(device.model)}-{device.mac.upper()}.htm"


def phonebook_filename(device: Device) -> str:
    return f"tbook-{device.mac.upper()}.xml"


def firmware_filename(device: Device) -> str:
    return f"snom{firmware_name(device.model)}-{device.mac.upper()}-firmware.xml"


def _account(account: Account, failover: int | None = None) -> dict[str, Any]:
    register = account.sip_register
    return {
        "idx": account.line,
        "active": "on" if account.enabled else "off",
        "idle_text": single_line(account.name),
        "realname": single_line(account.sip_name),
        "user": single_line(account.sip_user),
        "auth": single_line(account.auth_id),
        "password": single_line(account.sip_password),
        "host": _server(register, account.transport),
        "outbound": _outbound(account, register),
        "expiry": str(account.register_expires) if account.register_expires is not None else None,
        "mailbox": single_line(account.voicemail),
        "failover": str(failover) if failover is not None else None,
        "hidden": False,
    }


def _outbound(account: Account, registrar: HostPort | None) -> str:
    """Transport goes on the outbound proxy URI (`;transport=tcp`), as Wazo's and FusionPBX's Snom
    templates do; without an outbound proxy, TCP/TLS go through the registrar itself."""
    proxy = account.outbound_proxy or (registrar if account.transport is not Transport.UDP else None)
    return f"{_server(proxy, account.transport)};transport={account.transport.value}" if proxy else ""


def _server(address: HostPort | None, transport: Transport) -> str:
    """A SIP server as `host:port`, a missing port taken from the transport."""
    return single_line(str(with_sip_port(address, transport))) if address else ""


def backup_identities(accounts: Sequence[Account], identity_count: int) -> dict[int, int]:
    """The identity index that carries each account's backup registrar: {account line: index}.

    Snom has no second registrar per identity. Wazo's snom base.tpl writes the backup server as a
    second identity (`user_host` = the backup, the same user, auth id and password,
    `hide_identity` on) and points the primary at it with `user_failover_identity idx=N`. Wazo takes
    identity N+1, which may be another line's; Sonata takes the first identity index no configured
    account uses, in line order, within the model's identity count. When no index is free, that
    account's backup server is not written (the phone still registers to the primary). A disabled
    account gets no backup identity: an active one would register the line the administrator
    turned off. Removing a backup server in Sonata does not clear the identity already on the phone
    (the "no failover" value of `user_failover_identity` is in no source we read).
    """
    used = {account.line for account in accounts}
    free = [idx for idx in range(1, identity_count + 1) if idx not in used]
    backups: dict[int, int] = {}
    for account in accounts:
        if account.backup_server is None or not account.enabled or not free:
            continue
        backups[account.line] = free.pop(0)
    return backups


def _backup_identity(account: Account, idx: int) -> dict[str, Any]:
    """The primary account mirrored onto identity `idx`, registering to the backup server. An outbound
    proxy, if any, is kept (it fronts both registrars); else TCP/TLS go to the backup itself."""
    identity = _account(account)
    identity.update(
        idx=idx,
        active="on",
        host=_server(account.backup_server, account.transport),
        outbound=_outbound(account, account.backup_server),
        hidden=True,
    )
    return identity


def _zone(device: Device, year: int) -> dict[str, str] | None:
    """`utc_offset` (seconds) and `dst`; `timezone` is left empty so no Snom zone id overrides them.

    Snom's own zone ids (`GER+1`, `USA-5`) each carry a country's DST rules; an IANA zone or a bare
    offset maps to none of them reliably, while `utc_offset` + `dst` say what the zone rule says
    (Wazo's snom plugin writes the same three settings): right in every year where `dst` can say
    it (hours 00-23, wiki.snom.com Settings/dst), else in `year` and the next (phone_dst).
    """
    zone = device_zone(device.timezone, device.timezone_offset)
    if zone is None:
        return None
    local = local_zone(phone_rule(zone, year, MINUTES))
    dst = local.dst
    rule = f"{dst.shift_minutes * 60} {_dst_change(dst.start)} {_dst_change(dst.end)}" if dst else ""
    return {"utc_offset": f"{local.standard_minutes * 60:+d}", "dst": rule}


def _dst_change(change: Transition) -> str:
    """`MM.WW.DD HH:MM:SS`: month, week (5 = last), weekday 1 = Monday ... 7 = Sunday."""
    weekday = change.weekday or 7
    hours, minutes = divmod(change.minutes, 60)
    return f"{change.month:02d}.{change.week:02d}.{weekday:02d} {hours:02d}:{minutes:02d}:00"


def _key(index: int, key: LineKey, account: Account | None) -> dict[str, Any]:
    """One `<fkey>`: idx counts from 0 (Wazo), context is the number of the identity the key uses
    (as FusionPBX writes it; `active` would follow whichever identity is selected on the phone)."""
    value = single_line(key.value)
    if key.type is LineKeyType.LINE:
        action = "line"
    elif key.type is LineKeyType.BLF:
        # Snom's BLF value: the monitored URI, then `|` and the prefix that picks up its calls.
        pickup = f"|{key.pickup_code}" if key.pickup_code else ""
        action = f"blf <{_sip_uri(value, account)}>{pickup}"
    elif key.type is LineKeyType.SPEED_DIAL:
        action = f"speed {value}"
    elif key.type is LineKeyType.DTMF:
        action = f"dtmf {value}"
    else:
        # An event Snom has not (saved before Snom's events were checked) leaves the key unused.
        event = snom_key_event(key.value)
        action = f"keyevent {event}" if event else "none"
    return {
        "idx": index,
        "context": str(key.line),
        "label": single_line(key.label),
        "value": single_line(action),
    }


def snom_key_event(event: str) -> str | None:
    """Snom's F_ name for a KEY_EVENT key's value (Sonata's name or the F_ name itself), or None."""
    return _EVENT_NAMES.get(_EVENT_SEPARATORS.sub("", event).lower())


def _sip_uri(value: str, account: Account | None) -> str:
    if value.lower().startswith("sip:"):
        return value
    if "@" in value or account is None or account.sip_register is None:
        return f"sip:{value}"
    return f"sip:{value}@{account.sip_register.host}"


def _phonebook(contacts: Sequence[Contact]) -> dict[str, Any]:
    """One `<item>` per number (the item format of firmware 8 and 10 takes one number each)."""
    items = [
        {
            "name": single_line(contact.name),
            "number": single_line(number.number),
            "number_type": NUMBER_TYPES[number.type],
        }
        for contact in contacts
        for number in contact.numbers
    ]
    return {"items": items}


def apply_settings(text: str, params: Sequence[tuple[str, str]]) -> str:
    """Set `name` / `name[idx]` wherever the file has it (any section), else add it.

    New keys go to `<phone-settings>`, `fkey[N]` to `<functionKeys>` (context "active").
    """
    root = ET.fromstring(text.encode("utf-8"))
    for key, value in params:
        match = _PARAM.fullmatch(key)
        if match is None:
            raise ValueError(f"{key!r} is not a Snom setting name")
        name, idx = match["name"], match["idx"]
        element = _find_setting(root, name, idx)
        if element is None:
            element = _new_setting(root, name, idx)
        element.text = value
    ET.indent(root)
    return XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


def _find_setting(root: ET.Element, name: str, idx: str | None) -> ET.Element | None:
    """Settings sit one level down, in the sections (`<phone-settings>`, `<functionKeys>`, ...): a key
    never matches a section or the root itself, whatever its name."""
    for section in root:
        for element in section:
            if element.tag == name and element.get("idx") == idx:
                return element
    return None


def _new_setting(root: ET.Element, name: str, idx: str | None) -> ET.Element:
    section = "functionKeys" if name == "fkey" else "phone-settings"
    container = root.find(section)
    if container is None:
        container = ET.SubElement(root, section, {"e": "2"})
    attributes = {"idx": idx} if idx is not None else {}
    if name == "fkey":
        attributes["context"] = "active"
    attributes["perm"] = ""
    return ET.SubElement(container, name, attributes)
