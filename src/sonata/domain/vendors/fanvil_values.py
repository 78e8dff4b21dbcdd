"""Fanvil value conversions: Sonata's device vocabulary in Fanvil's own units and codes.

The templates (templates/fanvil/*.j2) hold the setting names of both formats; this module only
turns values into what Fanvil expects inside an element. Both formats read the same dictionaries,
so a value means the same thing whichever template writes it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sonata.domain.model import Account, Contact, HostPort, LineKey, LineKeyType, NumberType, Transport
from sonata.domain.phone_dst import MINUTES, local_zone, phone_rule
from sonata.domain.timezones import Transition, UtcOffset, ZoneRule
from sonata.domain.vendors.base import single_line, sip_port


def text(value: str) -> str:
    """Free text made safe for one XML text node (the template engine escapes the markup)."""
    return single_line(value)


# --- accounts -------------------------------------------------------------------------------


def _port(address: HostPort | None, transport: Transport) -> int:
    return sip_port(address or HostPort(""), transport)


def account(account: Account, transports: Mapping[Transport, int]) -> dict[str, Any]:
    """One SIP line. An unset outbound proxy or backup server is written empty, which clears it."""
    transport = account.transport
    register = account.sip_register
    proxy, backup = account.outbound_proxy, account.backup_server
    return {
        "line": account.line,
        "enable": 1 if account.enabled else 0,
        # Fanvil has no per-line label (vendors.md: only a per-phone screen title, `LCDTitle`,
        # verify). The account name is kept here for overriding templates; ours omit it.
        "name": text(account.name),
        "display_name": text(account.sip_name),
        "register_addr": text(register.host) if register else "",
        "register_port": _port(register, transport),
        "phone_number": text(account.sip_user),
        "register_user": text(account.auth_id),
        "register_pswd": text(account.sip_password),
        "register_ttl": account.register_expires,
        "transport": transports[transport],
        "proxy_addr": text(proxy.host) if proxy else "",
        "proxy_port": _port(proxy, transport) if proxy else "",
        "backup_addr": text(backup.host) if backup else "",
        "backup_port": _port(backup, transport) if backup else "",
        "voicemail": text(account.voicemail),
    }


# --- time -----------------------------------------------------------------------------------

LAST_WEEK = -1
"""`DST_Start_Week` for "the last week of the month" (POSIX week 5).

Wazo's Fanvil plugin turns week 5 into -1; FusionPBX's templates write 5 for the same rule.
We follow Wazo, whose conversion is deliberate code rather than a sample value (verify)."""

DST_BY_RULES = 2
"""`Enable_DST` / `EnableDST` value with explicit start and end rules: what Wazo writes (verify: 1
may mean the same on some firmware; 0 is off)."""

DST_FIXED_BY_WEEK = 2
"""`DST_Fixed_Type` / `DSTFixedType`: FusionPBX and Wazo both write 2 next to month/week/weekday
rules, which suggests "by week" (verify)."""


def time_zone(offset: UtcOffset) -> int:
    """`Time_Zone` counts quarter hours: +3h is 12, -5h is -20, +5:30 is 22."""
    return offset.minutes // 15


# `Time_Zone_Name` / `TimeZoneName` for the whole-hour offsets -12..+12, spelled exactly as in
# Wazo's Fanvil plugins (wazo-platform/wazo-provd-plugins, plugins/wazo-fanvil/serie-x/entry.py
# and serie-v/entry.py, `_TZ_INFO`, the same table in both): negative hours zero-padded
# (`UTC-05`), `UCT` (sic) for 0, positive hours unpadded (`UTC+1`). By offset in minutes.
TIME_ZONE_NAMES: dict[int, str] = {
    **{hours * 60: f"UTC-{-hours:02d}" for hours in range(-12, 0)},
    0: "UCT",
    **{hours * 60: f"UTC+{hours}" for hours in range(1, 13)},
}


def time_zone_name(offset: UtcOffset) -> str:
    """`Time_Zone_Name`: Wazo's spelling (TIME_ZONE_NAMES) for a whole hour from -12 to +12.

    That table lists no half- or quarter-hour offsets and nothing beyond +12; those follow its
    pattern (negative hours zero-padded): `UTC+5:30`, `UTC+5:45`, `UTC-03:30`, `UTC+13`
    (unverified spellings; the phone is expected to go by `Time_Zone`, verify).
    """
    listed = TIME_ZONE_NAMES.get(offset.minutes)
    if listed is not None:
        return listed
    hours = f"{offset.hours_part:02d}" if offset.minutes < 0 else str(offset.hours_part)
    minutes = f":{offset.minutes_part:02d}" if offset.minutes_part else ""
    return f"UTC{offset.sign}{hours}{minutes}"


def _change(transition: Transition) -> dict[str, int]:
    # Fanvil takes an hour 0-23 and a minute (phone_dst.MINUTES): a change the zone makes at
    # other times is written as the nearest rule that can be (phone_dst.phone_rule).
    return {
        "month": transition.month,
        "week": LAST_WEEK if transition.week == 5 else transition.week,
        "weekday": transition.weekday,  # 0 = Sunday, as in POSIX and in Fanvil's `Wday`
        "hour": transition.minutes // 60,
        "minute": transition.minutes % 60,
    }


def zone(rule: ZoneRule | None, year: int) -> dict[str, Any] | None:
    """Time zone and daylight saving rules from the device's ZoneRule, right in `year` and the next.
    Fanvil only adds an offset in summer, so "negative" daylight saving (Europe/Dublin) is written
    with the winter time as standard (phone_dst.local_zone)."""
    if rule is None:
        return None
    local = local_zone(phone_rule(rule, year, MINUTES))
    standard, dst = UtcOffset(local.standard_minutes), local.dst
    daylight = None
    if dst is not None:
        daylight = {
            "fixed_type": DST_FIXED_BY_WEEK,
            "min_offset": dst.shift_minutes,
            "start": _change(dst.start),
            "end": _change(dst.end),
        }
    return {
        "time_zone": time_zone(standard),
        # An IANA zone is named by its standard offset (the one in Time_Zone), daylight
        # saving coming from the rules below.
        "time_zone_name": time_zone_name(standard),
        "enable_dst": DST_BY_RULES if daylight else 0,
        "dst": daylight,
    }


# --- provisioning ---------------------------------------------------------------------------

PROTOCOL_HTTP = 4
PROTOCOL_HTTPS = 5
"""`Download_Protocol` / `FlashProtocol`, one numbering in both formats: FusionPBX writes 5 for
HTTPS in its X4 `Download_Protocol` (a firmware 2.x export) as in its sysConf `FlashProtocol`, and
Wazo 4 for HTTP in its sysConf templates. Wazo's VOIP_CONFIG_FILE templates (X4 and siblings) write
2, which began next to a bare `Download_Server_IP` of `{{ ip }}` (common/model.tpl) while provd
served HTTP only on its own port and the same files by TFTP: 2 is TFTP there, not HTTP. The server
URL carries its scheme anyway (verify on an X4)."""

MODE_POWER_ON = 1
MODE_REPEATEDLY = 2
"""`Download_Mode` / `FlashMode`: 1 checks at power-on, 2 also every `Download_Interval` (verify)."""

CONFIG_FILE_NAME = "$mac.cfg"
"""`Config_File_Name` / `FlashFileName`: the phone puts its MAC in for `$mac` (as in Wazo's
templates). Written so that a name left by an earlier provisioning system cannot send the
phone elsewhere; the phone still fetches its model's common file."""


def interval_hours(minutes: int) -> int:
    """`Download_Interval` counts hours (verify: FusionPBX writes 24); Sonata's minutes round up."""
    return max(1, math.ceil(minutes / 60))


def provisioning(link: str, resync_minutes: int | None) -> dict[str, Any]:
    """Where the phone fetches its files (the link it came from) and how often."""
    url = link.rstrip("/")
    return {
        "url": text(url),
        "protocol": PROTOCOL_HTTPS if url.lower().startswith("https:") else PROTOCOL_HTTP,
        "file_name": CONFIG_FILE_NAME,
        "mode": MODE_REPEATEDLY if resync_minutes else MODE_POWER_ON,
        "interval": interval_hours(resync_minutes) if resync_minutes else None,
        # `update_PB_Interval` / `updatePBInterval`: minutes between phonebook downloads (verify unit).
        "phonebook_interval": resync_minutes,
    }


# --- firmware --------------------------------------------------------------------------------

# A dotted version of three parts or more standing on its own in an image name, the first one
# (Fanvil's names: `x6upro-fanvil-release-ff01-6916-2.12.4.1-krnvUT2022-05-18-17.47.06.z`,
# `v67_fanvil_2.6.10.1992_20241023_full.zip`): not glued to a letter, digit or dot on either side.
# A match starts only where a run starts and reads it once, so the time is linear.
_IMAGE_VERSION = re.compile(r"(?<![A-Za-z0-9.])\d++(?:\.\d++){2,}+(?![A-Za-z0-9])")


def firmware_version(url: str) -> str:
    """The descriptor's `Version`: the version written in the image's file name, else the name.

    The phone offers the image when this differs from what it runs (Fanvil's manuals: "if the
    server has available files and versions"; whether it compares for difference or for a newer
    number: verify). Sonata knows the image only by its URL, so a name without a version makes the
    phone offer that image again at every check; Fanvil's own names carry their version.
    """
    name = urlsplit(url).path.rsplit("/", 1)[-1] or url
    found = _IMAGE_VERSION.search(name)
    return found.group() if found else name


def firmware_descriptor(url: str, model_name: str) -> dict[str, str]:
    """`fanvil_<model>_hw….txt`, the lines of Fanvil's manuals (H2U, GA10, PA2S "Upgrade server")
    and Wazo's common/templates/common/model-v6x.tpl: `Version`, `Firmware` (relative to the
    directory or absolute, told apart by the scheme: Sonata writes the image's full URL, so the
    image stays where the administrator put it), `BuildTime`, `Info=TXT|XML`, then description
    lines. BuildTime is not known to Sonata and written empty, keeping the lines in their order
    (verify: Wazo and the manuals write a date)."""
    image = text(url)
    version = firmware_version(image)
    return {"version": version, "firmware": image, "description": f"{model_name}_{version}"}


# --- phonebooks -------------------------------------------------------------------------------

PHONEBOOK_NAME = "Phonebook"
"""The name the phone shows for the phonebook file Sonata serves (remote phonebook slot 1)."""


@dataclass(frozen=True)
class Book:
    name: str
    url: str
    username: str = ""
    """The user name and password the phone answers the phonebook server's challenge with."""
    password: str = ""


def phonebooks(own: Book, remote: Sequence[Book], slots: int) -> list[dict[str, Any]]:
    """Every remote XML phonebook slot: Sonata's phonebook first, then the device's remote ones.

    All slots are written, unused ones empty, so a phonebook removed in Sonata disappears from
    the phone, and so are their credentials, so none stays behind in a slot. Remote phonebooks
    beyond the model's slots are not written.
    """
    books = [own, *remote][:slots]
    rows = [
        {
            "index": i,
            "name": text(b.name),
            "url": text(b.url),
            "username": text(b.username),
            "password": text(b.password),
        }
        for i, b in enumerate(books, 1)
    ]
    empty = {"name": "", "url": "", "username": "", "password": ""}
    rows += [{"index": i, **empty} for i in range(len(rows) + 1, slots + 1)]
    return rows


# Fanvil's XML phonebook has one number of each kind per entry (vendors.md: `Telephone`,
# `Mobile`); home numbers go to `Other` (verify: the element follows Fanvil's LDAP settings,
# where the "other" attribute defaults to home).
_NUMBER_FIELDS = {NumberType.WORK: "telephone", NumberType.MOBILE: "mobile", NumberType.HOME: "other"}


def directory_entries(contacts: Sequence[Contact]) -> list[dict[str, str]]:
    """`DirectoryEntry` rows; a contact with two numbers of one kind gets a second row."""
    rows: list[dict[str, str]] = []
    for contact in contacts:
        by_field: dict[str, list[str]] = {field: [] for field in _NUMBER_FIELDS.values()}
        for number in contact.numbers:
            by_field[_NUMBER_FIELDS[number.type]].append(text(number.number))
        count = max((len(numbers) for numbers in by_field.values()), default=0)
        for i in range(max(count, 1)):
            row = {"name": text(contact.name)}
            row.update({field: numbers[i] if i < len(numbers) else "" for field, numbers in by_field.items()})
            rows.append(row)
    return rows


# --- line keys -----------------------------------------------------------------------------

# vendors.md "Function keys": type 0 none, 1 memory key (`number@line/f` speed dial, `/ba` BLF),
# 2 line (`SIPn`), 3 key event. DTMF is 5 as in a public sysConf template for the X3U-X6U
# (verify: not in vendors.md; other lists put DTMF at 4).
KEY_NONE = 0
KEY_MEMORY = 1
KEY_LINE = 2
KEY_EVENT = 3
KEY_DTMF = 5


def key(number: int, line_key: LineKey | None) -> dict[str, Any]:
    """One programmable key; None gives an empty key (type 0) that clears the slot."""
    if line_key is None:
        return {"number": number, "type": KEY_NONE, "value": "", "title": ""}
    value, line = text(line_key.value), line_key.line
    kind = line_key.type
    if kind is LineKeyType.LINE:
        code, setting = KEY_LINE, f"SIP{line}"
    elif kind is LineKeyType.BLF:
        # The pickup code and the extension after `/ba` make the key pick up a ringing call
        # (the form Wazo writes: `1002@1/ba*81002`).
        pickup = f"{text(line_key.pickup_code)}{value}" if line_key.pickup_code else ""
        code, setting = KEY_MEMORY, f"{value}@{line}/ba{pickup}"
    elif kind is LineKeyType.SPEED_DIAL:
        code, setting = KEY_MEMORY, f"{value}@{line}/f"
    elif kind is LineKeyType.KEY_EVENT:
        code, setting = KEY_EVENT, value
    else:
        code, setting = KEY_DTMF, value
    return {"number": number, "type": code, "value": setting, "title": text(line_key.label)}


def keys(line_keys: Sequence[LineKey], slots: int) -> list[dict[str, Any]]:
    """The device's keys in order, then empty keys up to the model's count (none without keys).

    Once an administrator sets keys, Sonata owns all of them, so a removed key is cleared. A
    device without keys leaves the phone's own (usually one line key per account) alone.
    """
    if not line_keys or slots <= 0:
        return []
    chosen: list[LineKey | None] = [*line_keys[:slots]]
    chosen += [None] * (slots - len(chosen))
    return [key(number, line_key) for number, line_key in enumerate(chosen, 1)]


@dataclass(frozen=True)
class KeyBank:
    """A run of sysConf keys: `section` pages (the `<dsskey>` child, `dssSide` or `internal`) of
    `per_page` keys, `<dssSide index="P"><Fkey index="I">`."""

    section: str
    per_page: int
    pages: int

    @property
    def size(self) -> int:
        return self.per_page * self.pages


def key_banks(flat: Sequence[dict[str, Any]], banks: Sequence[KeyBank]) -> list[dict[str, Any]]:
    """sysConf: the keys in order over the model's banks, each bank in its pages."""
    written: list[dict[str, Any]] = []
    start = 0
    for bank in banks:
        chunk = flat[start : start + bank.size]
        start += bank.size
        if chunk:
            written.append({"section": bank.section, "pages": _pages(chunk, bank.per_page)})
    return written


def _pages(flat: Sequence[dict[str, Any]], per_page: int) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    for offset in range(0, len(flat), per_page):
        chunk = flat[offset : offset + per_page]
        page_keys = [dict(k, index=i) for i, k in enumerate(chunk, 1)]
        pages.append({"index": offset // per_page + 1, "slots": page_keys})
    return pages
