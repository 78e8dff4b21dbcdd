"""Grandstream value conversions: Sonata's vocabulary in the phones' own values.

The setting names (P-values, item names) live in the templates under templates/grandstream/;
this module only turns device values into what those settings take.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum
from urllib.parse import SplitResult, unquote, urlsplit

from sonata.domain.model import Account, HostPort, LineKey, LineKeyType, Transport
from sonata.domain.phone_dst import POSIX, phone_rule
from sonata.domain.timezones import Transition, UtcOffset, ZoneRule
from sonata.domain.vendors.base import single_line, with_sip_port


class Family(Enum):
    """Grandstream phone families; GXP models read P-values, GRP26xx named items."""

    GXP16XX = "gxp16xx"
    GXP21XX = "gxp21xx"
    GRP26XX = "grp26xx"


# --- text ------------------------------------------------------------------------------------


def text(value: str) -> str:
    """Free text made safe for one XML text node (the template engine escapes markup)."""
    return single_line(value)


def host_port(value: HostPort | None, transport: Transport) -> str:
    """A SIP server as `host:port`, a missing port taken from the transport."""
    return text(str(with_sip_port(value, transport))) if value else ""


# --- server paths: Grandstream takes `host[:port]/path` plus a protocol setting ----------------

# Protocol numbers of P212 (config), P6767 (firmware) and P330 (phonebook: 1 HTTP, 2 TFTP, 3 HTTPS);
# the GRP named-item format takes the names.
_UPGRADE_PROTOCOLS = {"tftp": 0, "http": 1, "https": 2, "ftp": 3, "ftps": 4}
_UPGRADE_NAMES = {"tftp": "TFTP", "http": "HTTP", "https": "HTTPS", "ftp": "FTP", "ftps": "FTPS"}
_PHONEBOOK_PROTOCOLS = {"http": 1, "tftp": 2, "https": 3}
_PHONEBOOK_NAMES = {"http": "EnabledUseHTTP", "tftp": "EnabledUseTFTP", "https": "EnabledUseHTTPS"}


@dataclass(frozen=True)
class ServerPath:
    """A URL the Grandstream way: protocol setting + `host[:port]/path`, credentials apart."""

    protocol: int
    protocol_name: str
    path: str
    username: str = ""
    password: str = ""


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts


def _host_and_path(parts: SplitResult, path: str) -> str:
    host = parts.netloc.rpartition("@")[2]  # credentials go to their own settings
    return text(host + path.rstrip("/"))


def _server_path(url: str, numbers: dict[str, int], names: dict[str, str]) -> ServerPath | None:
    """A URL the Grandstream way, its userinfo as the user name and password; None for a URL
    without a host or with a scheme `numbers` has no protocol for. The query string is dropped:
    the phone appends its own file name to the path."""
    parts = _split(url)
    if parts is None or parts.scheme.lower() not in numbers:
        return None
    scheme = parts.scheme.lower()
    return ServerPath(
        numbers[scheme],
        names[scheme],
        _host_and_path(parts, parts.path),
        text(unquote(parts.username or "")),
        text(unquote(parts.password or "")),
    )


def upgrade_path(url: str) -> ServerPath | None:
    """The config/firmware server of a URL (P212/P237, P6767/P192 with P6768/P6769)."""
    return _server_path(url, _UPGRADE_PROTOCOLS, _UPGRADE_NAMES)


_FILE_NAME = re.compile(r"/[^/]*\.[A-Za-z0-9]{1,8}$")


def firmware_path(url: str) -> ServerPath | None:
    """Grandstream phones take a firmware *directory* and request their own image name in it
    (`gxp1600fw.bin`, `grp2600fw.bin`, with the optional prefix/postfix P232/P233). An administrator's
    URL naming an image file is therefore cut to its directory: the phone fetches its own file name
    there, so the image must keep the name Grandstream gives it."""
    parts = _split(url)
    if parts is None:
        return None
    return upgrade_path(parts._replace(path=_FILE_NAME.sub("", parts.path)).geturl())


PHONEBOOK_FILE = "phonebook.xml"
"""The file name GXP and GRP phones append to P331 / phonebook.download.server (vendors.md)."""


def phonebook_path(url: str) -> ServerPath | None:
    """The phonebook server of a directory URL (P330/P331, GRP phonebook.download.mode/server),
    its userinfo as the download's HTTP/HTTPS user name and password (P6713/P6714, GRP
    phonebook.download.username|password).

    The phone appends `phonebook.xml` to the path (vendors.md: P331 is `host/path`, "phone appends
    `phonebook.xml`"), so the URL is taken as the directory it is, without its query string. Used
    as is for the link Sonata serves its own `phonebook.xml` on; an administrator's URL goes
    through remote_phonebook_path.
    """
    return _server_path(url, _PHONEBOOK_PROTOCOLS, _PHONEBOOK_NAMES)


def remote_phonebook_path(url: str) -> ServerPath | None:
    """The phonebook server of a remote phonebook URL, or None where the phone cannot fetch it.

    Since the phone appends `phonebook.xml` itself, a URL naming that file is cut to its
    directory (`https://pbx.example.net/phonebook.xml` → `pbx.example.net`; written as given,
    the phone would ask for `…/phonebook.xml/phonebook.xml`). A URL whose last path segment
    names any other file (`…/company.xml`, `…/book.php`: a name with an extension) cannot be
    expressed: the phone would ask for `…/company.xml/phonebook.xml`. The name is compared
    exactly, since the phone asks for the lowercase name and a web server may tell case apart.
    A URL without a file name is a directory, taken as it is. (Some newer firmware, WP8xx, was
    seen fetching a path naming an .xml file as it is; GXP and GRP append, per vendors.md.)
    """
    parts = _split(url)
    if parts is None:
        return None
    if _FILE_NAME.search(parts.path):
        directory, _, name = parts.path.rpartition("/")
        if name != PHONEBOOK_FILE:
            return None
        parts = parts._replace(path=directory)
    return phonebook_path(parts.geturl())


# --- numbers with phone-side ranges -------------------------------------------------------------

REGISTER_EXPIRES_MINUTES = (1, 64800)  # P32 / account.N.sip.registerExpiration, in minutes
AUTO_CHECK_MINUTES = (60, 86400)  # P193 (GXP16xx: 60-86400; GRP: provisioning.auto.minute 60-5256000)
PHONEBOOK_INTERVAL_MINUTES = (5, 720)  # P332: 0 or 5-720
GRP_PHONEBOOK_INTERVALS = (120, 240, 360, 480, 720)  # phonebook.download.interval: 0 or one of these


def clamp(value: int, bounds: tuple[int, int]) -> int:
    return max(bounds[0], min(bounds[1], value))


def expires_minutes(seconds: int | None) -> int | None:
    """Grandstream counts registration expiry in minutes: round up so the phone never re-registers later
    than asked, and stay within what the phone accepts."""
    if seconds is None:
        return None
    return clamp(math.ceil(seconds / 60), REGISTER_EXPIRES_MINUTES)


def check_minutes(resync_minutes: int) -> int:
    """The phone re-checks at most once an hour (60 is the lowest value it takes): shorter intervals
    are raised to 60 rather than rejected, the closest behaviour the phone has."""
    return clamp(resync_minutes, AUTO_CHECK_MINUTES)


def phonebook_minutes(resync_minutes: int | None) -> int:
    """GXP P332: the phonebook is re-read as often as the config is re-checked (0 = never)."""
    return clamp(resync_minutes, PHONEBOOK_INTERVAL_MINUTES) if resync_minutes else 0


def grp_phonebook_minutes(resync_minutes: int | None) -> int:
    """GRP phonebook.download.interval takes only 0, 120, 240, 360, 480 or 720: the first step
    not shorter than the re-check interval, 720 at most."""
    if not resync_minutes:
        return 0
    return next((step for step in GRP_PHONEBOOK_INTERVALS if step >= resync_minutes), 720)


# --- accounts ---------------------------------------------------------------------------------

# P130 / P448 / P548 ...: 0 UDP, 1 TCP, 2 TLS (the phone's "TLS/TCP"); GRP: UDP, TCP, TlsOrTcp.
TRANSPORT_NUMBERS = {Transport.UDP: 0, Transport.TCP: 1, Transport.TLS: 2}
TRANSPORT_NAMES = {Transport.UDP: "UDP", Transport.TCP: "TCP", Transport.TLS: "TlsOrTcp"}


def account_values(account: Account, family: Family, pickup_prefix: str | None) -> dict[str, object]:
    """One account in the phone's values; the template maps each to the account's setting."""
    named = family is Family.GRP26XX
    return {
        "line": account.line,
        "enable": ("Yes" if account.enabled else "No") if named else (1 if account.enabled else 0),
        "name": text(account.name),
        "display_name": text(account.sip_name),
        "server": host_port(account.sip_register, account.transport),
        "user": text(account.sip_user),
        "auth": text(account.auth_id),
        "password": text(account.sip_password),
        "transport": TRANSPORT_NAMES[account.transport] if named else TRANSPORT_NUMBERS[account.transport],
        "expires": expires_minutes(account.register_expires),
        "outbound_proxy": host_port(account.outbound_proxy, account.transport),
        "backup_server": host_port(account.backup_server, account.transport),
        "voicemail": text(account.voicemail),
        "pickup_prefix": text(pickup_prefix) if pickup_prefix is not None else None,
    }


def pickup_prefixes(keys: tuple[LineKey, ...]) -> dict[int, str]:
    """Grandstream has no pickup code per key, only a BLF call-pickup prefix per account
    (P1347 / P481 ..., account.N.sip.blf.callPickup.prefix): the first BLF key of an account
    that names a pickup code sets it."""
    prefixes: dict[int, str] = {}
    for key in keys:
        if key.type is LineKeyType.BLF and key.pickup_code:
            prefixes.setdefault(key.line, key.pickup_code)
    return prefixes


# --- programmable keys ------------------------------------------------------------------------

# Key functions on the multi-purpose key scale (GXP MPKs P323..., GRP pks.vpk keyMode numbers).
# The GXP line-key scale (P1363...) is the same number plus 10: speed dial 10, BLF 11, DTMF 15.
# KEY_EVENT keys name one of the events below (case, spaces, '-' and '_' do not matter); only
# events with the same number on every family are offered.
_SPEED_DIAL, _BLF, _DTMF, _CALL_PARK = 0, 1, 5, 9
KEY_EVENTS: dict[str, tuple[int, str]] = {
    "voicemail": (6, "VoiceMail"),
    "callreturn": (7, "CallReturn"),
    "transfer": (8, "Transfer"),
    "callpark": (_CALL_PARK, "CallPark"),
    "park": (_CALL_PARK, "CallPark"),
    "intercom": (10, "Intercom"),
    "ldap": (11, "LDAPSearch"),
    "ldapsearch": (11, "LDAPSearch"),
    "paging": (13, "MulticastPaging"),
    "multicastpaging": (13, "MulticastPaging"),
}
_MODE_NAMES = {_SPEED_DIAL: "SpeedDial", _BLF: "BLF", _DTMF: "DialDTMF"}
_LINE_SCALE_OFFSET = 10
_GXP_LINE_MODE = 0  # line keys: 0 = the account's line (GXP21xx calls it "Default")
_UNUSED_MPK = {Family.GXP16XX: 0, Family.GXP21XX: -1}  # GXP16xx MPKs have no "None": empty speed dial


class Slot(Enum):
    LINE = "line"  # GXP line keys (P1363... / P23800...), GRP pks.vpk
    MPK = "mpk"  # GXP multi-purpose keys (P323...)


def _function(key: LineKey) -> int | None:
    """The key's function on the multi-purpose key scale; None for a line or an unknown event."""
    if key.type is LineKeyType.SPEED_DIAL:
        return _SPEED_DIAL
    if key.type is LineKeyType.BLF:
        return _BLF
    if key.type is LineKeyType.DTMF:
        return _DTMF
    if key.type is LineKeyType.KEY_EVENT:
        event = KEY_EVENTS.get(re.sub(r"[\s_-]", "", key.value.lower()))
        return event[0] if event else None
    return None


def _grp_mode(key: LineKey) -> str:
    if key.type is LineKeyType.LINE:
        return "Line"
    if key.type is LineKeyType.KEY_EVENT:
        event = KEY_EVENTS.get(re.sub(r"[\s_-]", "", key.value.lower()))
        return event[1] if event else "None"
    function = _function(key)
    return _MODE_NAMES[function] if function is not None else "None"


def _key_value(key: LineKey) -> str:
    # A KEY_EVENT key's value is the event's name, not something the phone dials.
    return "" if key.type in (LineKeyType.LINE, LineKeyType.KEY_EVENT) else text(key.value)


def gxp_key(key: LineKey, slot: Slot, family: Family, line_key_blf_and_park: bool) -> dict[str, object]:
    """A key on the GXP P-value scales; a function the slot cannot take leaves it unused."""
    function = _function(key)
    if slot is Slot.LINE and not line_key_blf_and_park and function in (_BLF, _CALL_PARK):
        # GXP1610/1620/1625 line keys take neither BLF (11) nor Call Park (19), "for GXP1628/1630
        # only" in the GXP16xx template: a BLF key still calls the extension as a speed dial, a
        # park key is left unused.
        function = _SPEED_DIAL if function == _BLF else None
    if slot is Slot.LINE:
        mode = _GXP_LINE_MODE if function is None else function + _LINE_SCALE_OFFSET
    else:
        mode = _UNUSED_MPK.get(family, -1) if function is None else function
    used = function is not None or (slot is Slot.LINE and key.type is LineKeyType.LINE)
    return {
        "mode": mode,
        "account": key.line - 1 if used else 0,
        "label": text(key.label) if used else "",
        "value": _key_value(key) if used else "",
    }


def grp_key(key: LineKey) -> dict[str, object]:
    """A pks.vpk key: keyMode by name (the GRP template lists `SpeedDial (0), BLF (1)...`),
    account 0-based. Keys are written from 1 without gaps (a gap may end the dynamic key list)."""
    mode = _grp_mode(key)
    used = mode != "None"
    return {
        "mode": mode,
        "account": key.line - 1 if used else 0,
        "label": text(key.label) if used else "",
        "value": _key_value(key) if used else "",
    }


# --- time zone ----------------------------------------------------------------------------------

# P64: the fixed-offset entries of the phone's own time zone list (vendors.md), by UTC offset
# in minutes. POSIX style, so the sign is inverted: GMT+3 is `TZQ-3`.
P64_BY_OFFSET: dict[int, str] = {
    -12 * 60: "TZA+12",
    -11 * 60: "TZB+11",
    -10 * 60: "HAW10",
    -(4 * 60 + 30): "TZf+4:30",
    -3 * 60: "TZK+3",
    -2 * 60: "TZL+2",
    -1 * 60: "TZM+1",
    0: "TZN+0",
    2 * 60: "TZP-2",
    3 * 60: "TZQ-3",
    4 * 60: "TZR-4",
    5 * 60: "TZS-5",
    5 * 60 + 30: "TZT-5:30",
    5 * 60 + 45: "TZU-5:45",
    6 * 60: "TZV-6",
    6 * 60 + 30: "TZW-6:30",
    7 * 60: "TZX-7",
    8 * 60: "TZY-8",
    9 * 60: "TZZ-9",
    10 * 60: "TZb-10",
    11 * 60: "TZc-11",
    12 * 60: "TZd-12",
    13 * 60: "TZe-13",
}
P64_CUSTOM = "customize"


@dataclass(frozen=True)
class ZoneSetting:
    """P64 (GRP dateTime.timezone) and, for a self-defined zone, P246 (dateTime.timezone.custom)."""

    zone: str
    custom: str | None = None


def zone_setting(zone: ZoneRule, year: int) -> ZoneSetting:
    """Daylight saving the Grandstream way.

    P64 takes only entries of the phone's own list. Its daylight-saving entries cover a few
    dozen zones, some with outdated rules (Auckland's still switches in October), while the
    self-defined zone (`customize` + P246, "MTZ+6MDT+5,M4.1.0,M11.1.0" in Grandstream's template)
    takes any POSIX TZ string. So: a zone without daylight saving uses its fixed-offset list entry
    when there is one; every other zone is self-defined with the POSIX rule of the IANA zone (the
    rule of `year` and the next where the tz database lists changes year by year, phone_dst).
    """
    rule = phone_rule(zone, year, POSIX)
    if rule.daylight_saving is None:
        listed = P64_BY_OFFSET.get(rule.standard.minutes)
        if listed is not None:
            return ZoneSetting(listed)
        return ZoneSetting(P64_CUSTOM, posix_fixed_offset(rule.standard))
    return ZoneSetting(P64_CUSTOM, posix_rule(rule))


_POSIX_NAME = re.compile(r"^[A-Za-z]{3,}$")


def _posix_name(abbreviation: str, fallback: str) -> str:
    # Numeric abbreviations (`+03`) need the quoted POSIX form `<+03>`; every string known to work
    # on these phones uses alphabetic names, so a neutral name stands in (verify the quoted form).
    return abbreviation if _POSIX_NAME.match(abbreviation) else fallback


def _posix_offset(offset: UtcOffset) -> str:
    sign = "-" if offset.minutes > 0 else "+"
    minutes = f":{offset.minutes_part:02d}" if offset.minutes_part else ""
    return f"{sign}{offset.hours_part}{minutes}"


def _posix_transition(transition: Transition) -> str:
    # Written like the phone's own list (`M3.5.0/02:00:00`). A few zones change at negative hours or
    # after 24:00 (POSIX extension, e.g. America/Nuuk `/-1`, Asia/Jerusalem `/26`): written as they
    # are, exact in every year for a phone that reads the extension (verify that every firmware
    # does; Grandstream documents P246 only as "TZ string", and its own list has no such hour).
    sign = "-" if transition.minutes < 0 else ""
    hours, minutes = divmod(abs(transition.minutes), 60)
    rule = f"M{transition.month}.{transition.week}.{transition.weekday}"
    return f"{rule}/{sign}{hours:02d}:{minutes:02d}:00"


def posix_rule(rule: ZoneRule) -> str:
    """`CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00` for Europe/Berlin: the phone's own style."""
    dst = rule.daylight_saving
    standard = f"{_posix_name(rule.abbreviation, 'UTC')}{_posix_offset(rule.standard)}"
    if dst is None:
        return standard
    daylight = f"{_posix_name(dst.abbreviation, 'DST')}{_posix_offset(dst.offset)}"
    return f"{standard}{daylight},{_posix_transition(dst.start)},{_posix_transition(dst.end)}"


def posix_fixed_offset(offset: UtcOffset) -> str:
    """A POSIX TZ string for a fixed offset: GMT+3 is `UTC-3`, GMT-3:30 is `UTC+3:30`.

    The zone name is alphabetic (`UTC`) rather than the quoted `<+03>-3` form: every POSIX
    string known to work on these phones uses alphabetic names (`CET-1CEST-2,...`, `MSK-3`);
    whether the phone's parser takes the quoted form is undocumented (verify).
    """
    return f"UTC{_posix_offset(offset)}"
