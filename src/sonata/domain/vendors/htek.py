"""Htek UC9xx phones: `cfg<mac>.xml` files of Grandstream-like P-values in `<hl_provision>`.

Files an Htek phone asks for at boot, in order (Htek's "UC900 Series IP Phones Provisioning" guide,
Wazo's htek plugin): `cfg<DeviceCode>.xml` (a 4-digit code per model, `cfg0016.xml` for the UC903;
not `cfgUC903.xml`), then `cfg<mac>` (a binary format), then `cfg<mac>.xml`. A revision of Htek's
guide says a phone that got one of these files does not ask for the next ones, while Wazo serves a
near-empty model file and relies on `cfg<mac>.xml` coming next (verify). Either way works when
Sonata answers the model file with the complete device config, the same bytes as `cfg<mac>.xml`. The
binary `cfg<mac>`, the `<mac>.cfg` and `factory000x.bin` that Htek's redirection flow lists are
quiet 404s.

`cfg<mac>.xml` is a Grandstream-style name too: which vendor module reads a request is decided
by the device the MAC belongs to, so both vendors can claim it.

P-values: Htek's exported configuration template (as used by a FusionPBX-style provisioning
template for the UC903: accounts 1-4, line keys, time zone, DST, auto provision, phonebook
download, remote phonebooks, admin password, DHCP overrides) and Wazo's htek plugin (time zone
codes, line key numbering and types, remote phonebooks, account profiles and accounts 5-16).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

from sonata.domain.mac import parse_mac
from sonata.domain.model import (
    Account,
    Contact,
    Device,
    HostPort,
    LineKey,
    LineKeyType,
    NumberType,
    RemotePhonebook,
    Transport,
)
from sonata.domain.phone_dst import WHOLE_HOURS, local_zone, phone_rule
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
from sonata.domain.vendors.params import replace_xml_children, value_problem
from sonata.domain.vendors.userinfo import with_userinfo

# Line keys: Wazo's htek plugin-info (firmware 2.0.4.4.58 / 2.0.4.6.41). Accounts: 6 on the UC903
# and UC921, 8 on the UC923, 12 on the UC924 and 16 on the UC926, as Htek sells them; the UC902 and
# UC912(G) keep the 4 of Htek's configuration template (verify: no page we read gives their count).
# The UC921 is in Htek's UC900 list but in no template we read: 20 keys like the UC903 (verify).
MODELS = (
    PhoneModel("uc902", "UC902", 4, 0),
    PhoneModel("uc903", "UC903", 6, 20),
    PhoneModel("uc912", "UC912", 4, 12),
    PhoneModel("uc912g", "UC912G", 4, 12),
    PhoneModel("uc921", "UC921", 6, 20),
    PhoneModel("uc923", "UC923", 8, 20),
    PhoneModel("uc924", "UC924", 12, 28),
    PhoneModel("uc926", "UC926", 16, 36),
)
# cfg<DeviceCode>.xml per model (Wazo's htek plugin; Htek: "0012 represents UC924, 0019 UC912 and
# UC912G"). The UC921's code is unknown: any 4-digit code not listed here is served to any Htek
# device (the MAC, from the User-Agent or the personal link, decides whose config it is).
DEVICE_CODES = {
    "uc902": "0017",
    "uc903": "0016",
    "uc912": "0019",
    "uc912g": "0019",
    "uc923": "0013",
    "uc924": "0012",
    "uc926": "0010",
}


class ProfilePValues(NamedTuple):
    """The P-value of each server setting of one profile: what an account registers through."""

    server: str
    failover_server: str
    outbound_proxy: str
    transport: str
    expires: str


class AccountPValues(NamedTuple):
    """The P-value of each setting of one account line, the profile it uses among them."""

    enable: str
    profile: str
    label: str
    user: str
    auth: str
    password: str
    display_name: str
    voicemail: str


# An Htek account registers through a profile (Htek: "add a profile first, then bond an account with
# a profile"; its number counts from 0). Profiles 1-4 are the server settings of Htek's configuration
# template for accounts 1-4 (account 2 is numbered unlike Grandstream's): Wazo's profile template
# names the first Profile1, and Rahulcse79/Auto_provision_spring_bakend writes P47/P747/P502/P602 as
# the server of profiles 1-4. Every account of lines 1-4 uses its own (Sonata writes the account's
# profile number); an account of line 5-16 uses the one of lines 1-4 whose server settings it shares,
# since no source gives all the settings of profiles 5 and up.
PROFILE_P_VALUES = (
    ProfilePValues("P47", "P967", "P48", "P130", "P32"),
    ProfilePValues("P747", "P987", "P748", "P830", "P732"),
    ProfilePValues("P502", "P988", "P503", "P930", "P512"),
    ProfilePValues("P602", "P989", "P603", "P1030", "P612"),
)
OWN_PROFILE_LINES = range(1, len(PROFILE_P_VALUES) + 1)


def _account_from_7(line: int) -> AccountPValues:
    """Accounts 7-16: one block of 10 P-values per setting (Wazo's base.tpl); the profile of 7 and 8
    at P24088/P24089, of 9-16 at P24720 + n (Rahulcse79/Auto_provision_spring_bakend: Wazo's P24088 + n
    would give account 9 the P-value of account 7's Active)."""
    n = line - 7
    profile = 24088 + n if line <= 8 else 24720 + line - 9
    numbers = (24090 + n, profile, 24100 + n, 24110 + n, 24120 + n, 24130 + n, 24140 + n, 24170 + n)
    return AccountPValues(*(f"P{number}" for number in numbers))


# Accounts 1-4: Htek's configuration template; their profile and accounts 5-16: Wazo's htek
# base.tpl (plugins/wazo_htek/v2_0_4_4_58/templates/base.tpl, built for 2.0.4.6.41 too), the profile
# of 9-16 as above. Verify on firmware older than profiles (FusionPBX and Wazo's earlier template
# name the same server P-values per account): it should ignore the profile numbers of accounts 1-4,
# and may not know the P-values of accounts 5-16.
ACCOUNT_P_VALUES: dict[int, AccountPValues] = {
    1: AccountPValues("P271", "P24082", "P20000", "P35", "P36", "P34", "P3", "P33"),
    2: AccountPValues("P401", "P24083", "P20001", "P735", "P736", "P734", "P703", "P426"),
    3: AccountPValues("P501", "P24084", "P20002", "P504", "P505", "P506", "P507", "P526"),
    4: AccountPValues("P601", "P24085", "P20003", "P604", "P605", "P606", "P607", "P626"),
    5: AccountPValues("P20360", "P24086", "P20378", "P1704", "P1705", "P1706", "P1707", "P1726"),
    6: AccountPValues("P20361", "P24087", "P20379", "P1804", "P1805", "P1806", "P1807", "P1826"),
    **{line: _account_from_7(line) for line in range(7, 17)},
}
PROFILE_PROBLEM = (
    "an Htek account on line 5 to 16 registers with the server settings of one of lines 1 to 4 "
    "(its profile): give it the registrar, backup server, outbound proxy, transport and register "
    "expiry of one of them"
)

TRANSPORTS = {Transport.UDP: 0, Transport.TCP: 1, Transport.TLS: 2}


class KeyPValues(NamedTuple):
    type: str
    value: str
    label: str
    account: str
    pickup_code: str


# Line key types: 1 line, 2 speed dial, 3 BLF (Wazo's htek plugin); the rest from Htek's key type
# list (Panic Button guide: 5 voicemail, 6 direct pickup, 7 group pickup, 9 intercom, 11 prefix, ...,
# 21 DND, 22 redial). DTMF = 10 fills the one gap of that list between intercom and prefix (verify).
KEY_TYPES = {LineKeyType.LINE: 1, LineKeyType.SPEED_DIAL: 2, LineKeyType.BLF: 3, LineKeyType.DTMF: 10}
KEY_NONE = 0
# KEY_EVENT values: an Htek key type number, or one of these names.
KEY_EVENTS = {
    "voicemail": 5, "direct_pickup": 6, "group_pickup": 7, "park": 8, "intercom": 9, "prefix": 11,
    "local_group": 12, "xml_group": 13, "ldap": 15, "network_directories": 16, "forward": 18,
    "dnd": 21, "redial": 22, "call_return": 23, "sms": 24, "record": 25, "paging": 47,
}  # fmt: skip

# P64 time zone codes by UTC offset in minutes (Wazo's htek plugin). The code names one zone of
# the phone's list; daylight saving is written separately (P75, P23117-P23125). An offset without
# a code (+5:45, +6:30, +8:45, -9:30, -12, +14) leaves the phone's zone alone.
TIME_ZONE_CODES = {
    -660: 105, -600: 2, -540: 3, -480: 6, -420: 10, -360: 14, -300: 18, -270: 19, -240: 20,
    -210: 26, -180: 30, -120: 31, -60: 32, 0: 33, 60: 49, 120: 57, 180: 73, 210: 74, 240: 77,
    300: 83, 330: 84, 360: 85, 420: 88, 480: 89, 540: 93, 570: 94, 600: 96, 630: 100, 660: 101,
    720: 102, 765: 103, 780: 104,
}  # fmt: skip

# P8621 LCD language, an index into the phone's language list. Only English = 0 is sourced (the
# FusionPBX UC903 template, an English setup, writes P8621 = 0); no source we read gives
# the index of any other language, and a wrong index silently picks some other language. So P8621 is
# written for English only. The other codes stay accepted (device validation reads Vendor.languages,
# and devices saved with them stay valid) but write nothing: the phone keeps the language it has,
# and an administrator who knows the index sets it with vendorParams P8621.
LCD_LANGUAGES = {"en": "0"}
ACCEPTED_LANGUAGES = ("en", "fr", "de", "it", "pl", "pt", "es", "tr", "ru", "nl")
# Vendor.languages: the LCD index where it is known, "" (nothing written) where it is not.
LANGUAGES = {code: LCD_LANGUAGES.get(code, "") for code in ACCEPTED_LANGUAGES}

# Remote phonebooks (Directory/RemotePhoneBook), from the FusionPBX UC903 template
# (htek/uc903/{$mac}.cfg) and Wazo's htek 2.0.4.4.58 base.tpl (revision 77d4d93), which agree:
# book N's URL is P4401..P4405, its name P3316 for book 1 and P3312..P3315 for books 2-5 (not in
# order). The phone has 5 books: a 6th remote phonebook and beyond are not written. P23166
# (UpdateRemotePhoneBook.time; FusionPBX writes 360) has no documented unit, so it is left to the
# phone (vendorParams P23166 sets it).
REMOTE_PHONEBOOK_P_VALUES = (
    ("P4401", "P3316"),
    ("P4402", "P3312"),
    ("P4403", "P3313"),
    ("P4404", "P3314"),
    ("P4405", "P3315"),
)

# Phonebook download: Grandstream's P330 values (0 off, 1 HTTP, 2 TFTP, 3 HTTPS) and upgrade mode
# P212 (1 HTTP, 2 HTTPS); Htek kept Grandstream's numbering for both parameters (verify P212: one
# published Htek template writes 3 next to an http:// path).
PHONEBOOK_PROTOCOLS = {"http": 1, "https": 3}
UPGRADE_MODES = {"http": 1, "https": 2}
PHONEBOOK_FILENAME = "phonebook.xml"
NUMBER_TYPES = {NumberType.WORK: "Work", NumberType.MOBILE: "Mobile", NumberType.HOME: "Home"}

# Htek User-Agents: `Htek <model> <firmware> <mac>` (vendors.md, Wazo's htek plugin):
#   Htek UC903 2.0.4.2 00:1f:c1:1c:22:a9
_MODEL = re.compile(r"^uc[0-9]{3,4}+[a-z]*+\Z", re.IGNORECASE)
_VERSION = re.compile(r"^v?+(?P<version>[0-9]++(?:\.[0-9]++)++)\Z", re.IGNORECASE)
_P_VALUE = re.compile(r"P[0-9]{1,5}")
_KEY_TYPE_NUMBER = re.compile(r"[0-9]{1,3}")

_DEVICE_FILE = re.compile(r"cfg(?P<mac>[0-9a-f]{12})\.xml", re.IGNORECASE)
_MODEL_FILE = re.compile(r"cfg(?P<code>[0-9]{4})\.xml", re.IGNORECASE)
_BINARY_FILE = re.compile(r"cfg(?P<mac>[0-9a-f]{12})", re.IGNORECASE)
_REDIRECT_FILE = re.compile(r"(?P<mac>[0-9a-f]{12})\.cfg", re.IGNORECASE)
_FACTORY_FILE = re.compile(r"factory[0-9]{4}\.bin", re.IGNORECASE)


class Htek(Vendor):
    id = "htek"
    name = "Htek"
    # 00:1f:c1, Hanlong Technology (Htek) in the IEEE register, as in vendors.md's User-Agent (verify)
    mac_prefixes = frozenset({"001fc1"})
    models = MODELS
    languages = LANGUAGES
    # The model file carries the whole device config (the phone may stop at the first file it
    # gets), vendor settings included.
    files_with_params = frozenset({FileKind.DEVICE_CONFIG, FileKind.COMMON_CONFIG})

    def device_filename(self, device: Device) -> str:
        return f"cfg{device.mac}.xml"

    def read_filename(self, filename: str) -> RequestedFile | None:
        if match := _DEVICE_FILE.fullmatch(filename):
            return RequestedFile(FileKind.DEVICE_CONFIG, match["mac"].lower())
        if match := _MODEL_FILE.fullmatch(filename):
            model = next((m for m, code in DEVICE_CODES.items() if code == match["code"]), None)
            return RequestedFile(FileKind.COMMON_CONFIG, None, model)
        if filename.lower() == PHONEBOOK_FILENAME:
            return RequestedFile(FileKind.PHONEBOOK)
        for pattern in (_BINARY_FILE, _REDIRECT_FILE):
            if match := pattern.fullmatch(filename):
                return RequestedFile(FileKind.NOT_SERVED, match["mac"].lower())
        if _FACTORY_FILE.fullmatch(filename):
            return RequestedFile(FileKind.NOT_SERVED)
        return None

    def serves(self, device: Device, requested: RequestedFile) -> bool:
        """A model file is the device's when the model shares its device code (UC912 and UC912G)."""
        if requested.kind is FileKind.COMMON_CONFIG and requested.model is not None:
            return DEVICE_CODES.get(device.model) == DEVICE_CODES[requested.model]
        return super().serves(device, requested)

    def read_user_agent(self, user_agent: str) -> PhoneIdentity | None:
        tokens = user_agent.split()
        if not tokens or tokens[0].lower() != "htek":
            return None
        rest = tokens[1:]
        model = next((token.lower() for token in rest if _MODEL.match(token)), None)
        versions = [match["version"] for token in rest if (match := _VERSION.match(token))]
        # A hardware revision (`V1.0`) may precede the firmware: prefer a version of 3+ parts.
        firmware = next((v for v in versions if v.count(".") >= 2), versions[0] if versions else None)
        macs = [mac for mac in map(parse_mac, rest) if mac is not None]
        return PhoneIdentity(self.id, model, firmware, macs[-1] if macs else None)

    def check_accounts(self, accounts: Sequence[Account]) -> Iterator[tuple[int, str]]:
        """An enabled account past line 4 needs a profile: the server settings of one of lines 1-4."""
        for index, account in enumerate(accounts):
            past_4 = account.line in ACCOUNT_P_VALUES and account.line not in OWN_PROFILE_LINES
            if account.enabled and past_4 and account_profile(account, accounts) is None:
                yield index, PROFILE_PROBLEM

    def check_param(self, model: PhoneModel, key: str, value: str) -> str | None:
        if not _P_VALUE.fullmatch(key):
            return "Htek settings are P-values such as P8 or P20000"
        return value_problem(value)

    def apply_params(self, text: str, params: Sequence[tuple[str, str]]) -> str:
        return replace_xml_children(text, params, "config")

    def template_for(self, request: RenderRequest) -> tuple[str, str]:
        if request.requested.kind is FileKind.PHONEBOOK:
            return "htek/phonebook.xml.j2", XML
        return "htek/device.xml.j2", XML

    def context(self, request: RenderRequest) -> Mapping[str, Any]:
        device = request.device
        if request.requested.kind is FileKind.PHONEBOOK:
            return {"contacts": [_contact(contact) for contact in device.phonebook]}
        link = request.link.rstrip("/")
        accounts = sorted(device.accounts, key=lambda account: account.line)
        return {
            "provisioning": _provisioning(link, device.resync_minutes),
            # What the phone answers the config server's HTTP challenge with; empty clears them.
            "credentials": {
                "username": single_line(device.provisioning_username),
                "password": single_line(device.provisioning_password),
            },
            "phonebook": _phonebook_download(link, device),
            "remote_phonebooks": _remote_phonebooks(device.remote_phonebooks),
            "accounts": [_account(account, accounts) for account in accounts],
            "ntp_server": single_line(device.ntp_server) if device.ntp_server is not None else None,
            "zone": _zone(device, request.year),
            "language": LCD_LANGUAGES.get(device.language) if device.language else None,
            "admin_password": single_line(device.admin_password) or None,
            "firmware_path": single_line(firmware_directory(device.firmware_url))
            if device.firmware_url
            else None,
            "keys": [_key(number, key) for number, key in enumerate(device.line_keys, start=1)],
        }


def _scheme(url: str) -> str:
    return urlsplit(url).scheme.lower()


def _provisioning(link: str, resync_minutes: int | None) -> dict[str, Any]:
    """P237 config server (the link, with its scheme, as Htek's own templates write it), P212 its
    protocol, P194/P193 periodic check every N minutes (0 = only at boot)."""
    return {
        "mode": UPGRADE_MODES.get(_scheme(link), UPGRADE_MODES["http"]),
        "url": single_line(link),
        "auto": 1 if resync_minutes else 0,
        "minutes": resync_minutes,
    }


def _phonebook_download(link: str, device: Device) -> dict[str, Any]:
    """P330/P331/P332: the phone appends `phonebook.xml` to the path, as Grandstream phones do
    (verify on Htek); the name carries no MAC, so on the common link the MAC comes from the
    User-Agent (Htek phones always send it).

    Sonata asks for the phone credentials on `phonebook.xml` too, and Htek's phonebook download
    has no user name or password setting (its exported template lists only PhonebookXmlDownload
    .Enable, .ServerPath, .Interval, .RemoveMEOnDownload): they go into P331 as userinfo,
    `http://user:password@host/…` (verify that the firmware takes userinfo there, and does not
    answer with P1360/P1361 instead).
    """
    url = with_userinfo(link, device.provisioning_username, device.provisioning_password)
    return {
        "protocol": PHONEBOOK_PROTOCOLS.get(_scheme(link), PHONEBOOK_PROTOCOLS["http"]),
        "url": single_line(url),
        "minutes": device.resync_minutes or 0,
    }


def _remote_phonebooks(books: Sequence[RemotePhonebook]) -> list[dict[str, Any]]:
    """Every slot once any remote phonebook is set, unused slots cleared (as Yealink's are), so a
    book removed in Sonata leaves the phone; none when there is none. Sonata's own phonebook keeps
    the P330/P331 download and takes no slot here. Books past the 5th are not written."""
    if not books:
        return []
    slots: list[dict[str, Any]] = []
    for number, (url_p, name_p) in enumerate(REMOTE_PHONEBOOK_P_VALUES, start=1):
        book = books[number - 1] if number <= len(books) else None
        slots.append(
            {
                "number": number,
                "url_p": url_p,
                "name_p": name_p,
                "url": single_line(book.url) if book else "",
                "name": single_line(book.name) if book else "",
            }
        )
    return slots


def firmware_directory(url: str) -> str:
    """P192 is the firmware server *path*: the phone asks it for its own model's firmware file, so
    the directory of the administrator's firmware URL is written (a URL ending in `/` is one)."""
    parts = urlsplit(url)
    if not parts.path.strip("/"):
        return url.rstrip("/")
    path = parts.path.rstrip("/") if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _host_port(value: HostPort | None, transport: Transport) -> str:
    return str(with_sip_port(value, transport)) if value else ""


def _server_settings(account: Account) -> dict[str, Any]:
    """An account's profile, as written."""
    expires = account.register_expires
    return {
        "server": single_line(_host_port(account.sip_register, account.transport)),
        "failover_server": single_line(_host_port(account.backup_server, account.transport)),
        "outbound_proxy": single_line(_host_port(account.outbound_proxy, account.transport)),
        "transport": TRANSPORTS[account.transport],
        # Register expiration in minutes, as Grandstream's P32 (verify: Htek's web page shows no unit).
        "expires": max(1, -(-expires // 60)) if expires is not None else None,
    }


def account_profile(account: Account, accounts: Sequence[Account]) -> int | None:
    """The profile an account registers through (0 = profile 1): its own on lines 1-4; past them,
    that of the lowest of lines 1-4 in `accounts` whose server settings are written alike; else None."""
    if account.line in OWN_PROFILE_LINES:
        return account.line - 1
    settings = _server_settings(account)
    alike = [o.line for o in accounts if o.line in OWN_PROFILE_LINES and _server_settings(o) == settings]
    return min(alike) - 1 if alike else None


def _account(account: Account, accounts: Sequence[Account]) -> dict[str, Any]:
    """An account; the settings of its profile with it on lines 1-4 (`own_profile`), where each
    account has its own. A disabled account past line 4 without a profile is written without one."""
    own_profile = account.line in OWN_PROFILE_LINES
    return {
        "line": account.line,
        "P": ACCOUNT_P_VALUES[account.line],
        "enable": 1 if account.enabled else 0,
        "profile": account_profile(account, accounts),
        "own_profile": _server_settings(account) | {"P": PROFILE_P_VALUES[account.line - 1]}
        if own_profile
        else None,
        "label": single_line(account.name),
        "user": single_line(account.sip_user),
        "auth": single_line(account.auth_id),
        "password": single_line(account.sip_password),
        "display_name": single_line(account.sip_name),
        "voicemail": single_line(account.voicemail),
    }


def _zone(device: Device, year: int) -> dict[str, Any] | None:
    """P64 zone code for the winter offset; P75 DST on/off with the rule "by week" (P23117 = 1, as
    Yealink's dst_time_type; verify), month, week (5 = last), weekday (0 = Sunday, as Grandstream
    counts; verify), hour. Whole hours only, right in every year where they say the zone's rule,
    else in `year` and the next (phone_dst); a one-hour shift is assumed (Lord Howe's 30 minutes
    cannot be written)."""
    zone = device_zone(device.timezone, device.timezone_offset)
    if zone is None:
        return None
    local = local_zone(phone_rule(zone, year, WHOLE_HOURS))
    code = TIME_ZONE_CODES.get(local.standard_minutes)
    if code is None:
        return None
    dst = local.dst
    if dst is None:
        return {"code": code, "dst": None}
    return {"code": code, "dst": {"start": _dst_change(dst.start), "end": _dst_change(dst.end)}}


def _dst_change(change: Transition) -> dict[str, int]:
    return {
        "month": change.month,
        "week": change.week,
        "weekday": change.weekday,
        "hour": change.minutes // 60,
    }


def key_p_values(number: int) -> KeyPValues:
    """Line key N: keys 1-4 at 41200+ (fields 100 apart), 5-36 at 20200+, 37+ at 23000+ (5 per key)."""
    if number <= 4:
        base = 41200 + number - 1
        return KeyPValues(*(f"P{base + 100 * field}" for field in range(5)))
    base = 20200 + 5 * (number - 5) if number <= 36 else 23000 + 5 * (number - 37)
    return KeyPValues(*(f"P{base + field}" for field in range(5)))


def _key(number: int, key: LineKey) -> dict[str, Any]:
    event = key.type is LineKeyType.KEY_EVENT
    return {
        "number": number,
        "P": key_p_values(number),
        "type": _event_type(key.value) if event else KEY_TYPES[key.type],
        "value": "" if event else single_line(key.value),
        "label": single_line(key.label),
        # The account a key uses counts from 0, as Grandstream's (verify).
        "account": key.line - 1,
        "pickup_code": single_line(key.pickup_code) if key.type is LineKeyType.BLF else "",
    }


def _event_type(value: str) -> int:
    """A key event is an Htek key type: its number, or a name from KEY_EVENTS; else no function."""
    if _KEY_TYPE_NUMBER.fullmatch(value):
        return int(value)
    return KEY_EVENTS.get(value.strip().lower(), KEY_NONE)


def _contact(contact: Contact) -> dict[str, Any]:
    """Grandstream's AddressBook format (the phonebook download P330-P333 is Grandstream's; verify
    Htek's reading of it). The whole name goes in FirstName: the phone shows "First Last"."""
    return {
        "name": single_line(contact.name),
        "numbers": [{"number": single_line(n.number), "type": NUMBER_TYPES[n.type]} for n in contact.numbers],
    }
