"""Yealink value conversions: Sonata's device vocabulary in Yealink's own units and codes.

The templates (templates/yealink/*.j2) hold the setting names; this module only turns values
into what Yealink expects on the right-hand side of `key = value`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sonata.domain.model import Account, HostPort, LineKey, LineKeyType, RemotePhonebook, Transport
from sonata.domain.phone_dst import WHOLE_HOURS, phone_rule
from sonata.domain.timezones import Transition, UtcOffset, ZoneRule
from sonata.domain.vendors.base import single_line, sip_port

# Yealink ignores a blank value and keeps what the phone had; `%NULL%` clears the setting.
# So an emptied field (a label removed, a password dropped) is written as `%NULL%` (verify
# that no firmware reads a blank value as "clear").
EMPTY = "%NULL%"

# Lone surrogates cannot be encoded as UTF-8; they would make rendering fail. NEL, LINE SEPARATOR and
# PARAGRAPH SEPARATOR are no control characters, yet Python's str.splitlines() (used when vendor
# params are written in) and possibly a phone's parser end a line there.
_UNSAFE = re.compile("[\ud800-\udfff\x85\u2028\u2029]")


def text(value: str) -> str:
    """Free text made safe for one line (or one XML text node); may be empty."""
    return _UNSAFE.sub(" ", single_line(value))


def value(value: str) -> str:
    """Free text made safe for the value part of one `key = value` line; blank becomes `%NULL%`."""
    cleaned = text(value)
    return cleaned if cleaned.strip() else EMPTY


# --- accounts ---------------------------------------------------------------------------------

# `account.N.sip_server.M.transport_type` (v8x) and `account.N.transport` (v7x): vendors.md
# "0 UDP, 1 TCP, 2 TLS, 3 DNS-NAPTR"; Sonata has no DNS-NAPTR.
TRANSPORT_TYPES = {Transport.UDP: 0, Transport.TCP: 1, Transport.TLS: 2}


def _port(address: HostPort | None, transport: Transport) -> int:
    return sip_port(address or HostPort(""), transport)


def _host(address: HostPort | None) -> str:
    return value(address.host if address is not None else "")


def account(account: Account) -> dict[str, Any]:
    """One SIP account in Yealink values; both key families read the same dictionary."""
    transport = account.transport
    return {
        "line": account.line,
        "enable": 1 if account.enabled else 0,
        "label": value(account.name),
        "display_name": value(account.sip_name),
        "server_host": _host(account.sip_register),
        "server_port": _port(account.sip_register, transport),
        "transport": TRANSPORT_TYPES[transport],
        "expires": account.register_expires,
        "user_name": value(account.sip_user),
        "auth_name": value(account.auth_id),
        "password": value(account.sip_password),
        "outbound_proxy": account.outbound_proxy is not None,
        "outbound_host": _host(account.outbound_proxy),
        "outbound_port": _port(account.outbound_proxy, transport),
        "backup_host": _host(account.backup_server),
        "backup_port": _port(account.backup_server, transport),
        # Firmware 7x (device-legacy.cfg.j2) clears the port of an unset backup server too, as
        # Wazo's v73 template does (`sip_server.2.port = %NULL%`).
        "backup_port_or_empty": _port(account.backup_server, transport)
        if account.backup_server is not None
        else EMPTY,
        "voicemail": value(account.voicemail),
    }


# --- time -------------------------------------------------------------------------------------


def time_zone(offset: UtcOffset) -> str:
    """`local_time.time_zone`: `+3`, `-5`, `+5:30`; UTC is `0` as in Yealink's list (verify `+0`)."""
    if offset.minutes == 0:
        return "0"
    minutes = f":{offset.minutes_part:02d}" if offset.minutes_part else ""
    return f"{offset.sign}{offset.hours_part}{minutes}"


def dst_time(transition: Transition) -> str:
    """`local_time.start_time|end_time` "by week" (`dst_time_type = 1`): month/week/weekday/hour.

    Yealink's AutoDST documentation: week of month 1-5 (5 = the last week), day of week 1-7
    with 1 = Monday and 7 = Sunday (its example `3/5/7/2` is the last Sunday of March, 2:00),
    hour of day 0-23 in whole hours (phone_dst.WHOLE_HOURS: a change the zone makes at other
    times is written as the nearest rule that can be, phone_dst.phone_rule).
    """
    weekday = transition.weekday or 7
    return f"{transition.month}/{transition.week}/{weekday}/{transition.minutes // 60}"


def time_settings(zone: ZoneRule, year: int) -> dict[str, Any]:
    """`local_time.*` values for a zone, its daylight saving right in `year` and the next; `dst` is
    None without daylight saving."""
    rule = phone_rule(zone, year, WHOLE_HOURS)
    dst = rule.daylight_saving
    return {
        "time_zone": time_zone(rule.standard),
        "summer_time": 1 if dst else 0,
        "dst": None
        if dst is None
        else {
            "start": dst_time(dst.start),
            "end": dst_time(dst.end),
            # `local_time.offset_time`: minutes, -300..300 (negative for Europe/Dublin's winter "DST").
            "offset": rule.daylight_shift_minutes,
        },
    }


# --- line keys --------------------------------------------------------------------------------

# `linekey.N.type` codes (Yealink administrator guides, "DSS key types"; vendors.md gives 15 line,
# 16 BLF, 13 speed dial): 0 N/A, 11 DTMF, and the key events below.
KEY_NONE = 0
KEY_TYPES = {
    LineKeyType.LINE: 15,
    LineKeyType.BLF: 16,
    LineKeyType.SPEED_DIAL: 13,
    LineKeyType.DTMF: 11,
}
# A KEY_EVENT key names its event in `value` (the original Sonata's `keyevent` keys: `park`, `dnd`…),
# optionally followed by `:target` for events that take one (`park:700`, `intercom:101`). A bare
# number is taken as a raw Yealink type code. An unknown event leaves the key N/A (type 0).
KEY_EVENTS = {
    "conference": 1,
    "forward": 2,
    "transfer": 3,
    "hold": 4,
    "dnd": 5,
    "call_return": 7,
    "sms": 8,
    "pickup": 9,
    "directed_pickup": 9,
    "park": 10,
    "call_park": 10,
    "voicemail": 12,
    "voice_mail": 12,
    "intercom": 14,
    "url": 17,
    "group_listening": 18,
    "private_hold": 20,
    "group_pickup": 23,
    "paging": 24,
    "multicast_paging": 24,
    "record": 25,
    "xml_browser": 27,
    "hot_desking": 34,
    "ldap": 38,
    "blf_list": 39,
    "prefix": 40,
    "keypad_lock": 50,
    "lock": 50,
    "retrieve_park": 56,
    "directory": 61,
}
_MAX_KEY_TYPE = 99


def key_event(event: str) -> tuple[int, str]:
    """The Yealink type code and key value of a KEY_EVENT key's `value`."""
    name, _, target = event.partition(":")
    name = re.sub(r"[\s-]+", "_", name.strip().lower())
    if name.isascii() and name.isdigit() and int(name) <= _MAX_KEY_TYPE:
        return int(name), target
    return KEY_EVENTS.get(name, KEY_NONE), target


def line_key(number: int, key: LineKey) -> dict[str, Any]:
    """Key `number` (1-based, in phone order) in Yealink values."""
    key_value = key.value
    if key.type is LineKeyType.KEY_EVENT:
        code, key_value = key_event(key.value)
    else:
        code = KEY_TYPES[key.type]
    return {
        "number": number,
        "type": code,
        "line": key.line,
        "value": value(key_value),
        "label": value(key.label),
        "blf": key.type is LineKeyType.BLF,
        "pickup_code": value(key.pickup_code),
    }


def line_keys(keys: Sequence[LineKey], slots: int) -> list[dict[str, Any]]:
    """The device's keys, then the model's remaining keys set to N/A.

    Once an administrator sets keys, Sonata owns all of the model's keys: a key removed in
    Sonata is cleared on the phone instead of keeping its last value. A device without keys
    writes none, so the phone keeps its own (factory: line keys for its accounts).
    """
    if not keys:
        return []
    written = [line_key(n, key) for n, key in enumerate(keys[:slots], start=1)]
    cleared = [
        {
            "number": n,
            "type": KEY_NONE,
            "line": EMPTY,
            "value": EMPTY,
            "label": EMPTY,
            "blf": False,
            "pickup_code": EMPTY,
        }
        for n in range(len(written) + 1, slots + 1)
    ]
    return written + cleared


# --- phonebooks -------------------------------------------------------------------------------

# Yealink phones hold 5 remote phonebooks (`remote_phonebook.data.1..5`). Slot 1 is the device's
# own phonebook served by Sonata; the administrator's remote phonebooks follow; further ones have no
# slot and are not written (verify: some firmware may accept more).
PHONEBOOK_SLOTS = 5
OWN_PHONEBOOK_NAME = "Phonebook"


def phonebook_slots(own_url: str | None, remote: Sequence[RemotePhonebook]) -> list[dict[str, Any]]:
    """`remote_phonebook.data.N.url|name` for every slot once any is used; unused slots are cleared."""
    books = [(own_url, OWN_PHONEBOOK_NAME)] if own_url else []
    books += [(book.url, book.name) for book in remote]
    if not books:
        return []
    books = books[:PHONEBOOK_SLOTS]
    slots = [
        {"slot": n, "url": value(url or ""), "name": value(name)} for n, (url, name) in enumerate(books, 1)
    ]
    slots += [{"slot": n, "url": EMPTY, "name": EMPTY} for n in range(len(slots) + 1, PHONEBOOK_SLOTS + 1)]
    return slots
