"""Grandstream GXP phones: `cfg<mac>.xml` files of numbered P-values."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sonata.domain.mac import parse_mac
from sonata.domain.model import Account, Device, HostPort
from sonata.domain.timezones import UtcOffset, parse_utc_offset
from sonata.domain.vendors.params import replace_xml_children, value_problem
from sonata.domain.vendors.base import (
    XML,
    FileKind,
    PhoneIdentity,
    PhoneModel,
    RenderRequest,
    RequestedFile,
    Vendor,
    single_line,
)

DEFAULT_SIP_PORT = 5060
_P_VALUE = re.compile(r"^P\d{1,5}$")


class AccountPValues(NamedTuple):
    """The P-value of each account setting, for one account line."""

    enable: str
    name: str
    display_name: str
    server: str
    user: str
    auth: str
    password: str


# Accounts 1-3 are in vendors.md; 4-6 come from Grandstream's GXP21xx config template
# (firmware 1.0.11.16): 6xx, 17xx, 18xx. Accounts 7 and 8 (19xx, 20xx) only continue that
# pattern: no model of the catalogue has more than 6 accounts and no template we read lists
# them (verify before adding a model with 7 or more accounts).
ACCOUNT_P_VALUES: dict[int, AccountPValues] = {
    1: AccountPValues("P271", "P270", "P3", "P47", "P35", "P36", "P34"),
    2: AccountPValues("P401", "P417", "P407", "P402", "P404", "P405", "P406"),
    3: AccountPValues("P501", "P517", "P507", "P502", "P504", "P505", "P506"),
    4: AccountPValues("P601", "P617", "P607", "P602", "P604", "P605", "P606"),
    5: AccountPValues("P1701", "P1717", "P1707", "P1702", "P1704", "P1705", "P1706"),
    6: AccountPValues("P1801", "P1817", "P1807", "P1802", "P1804", "P1805", "P1806"),
    7: AccountPValues("P1901", "P1917", "P1907", "P1902", "P1904", "P1905", "P1906"),
    8: AccountPValues("P2001", "P2017", "P2007", "P2002", "P2004", "P2005", "P2006"),
}

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

# Grandstream HTTP User-Agents:
#   Grandstream Model HW GXP1620 SW 1.0.4.128 DevId 000b82aabbcc
#   Grandstream Model HW GXP2200 V2.2A SW 1.0.1.33 DevId 000b82462d97
#   Grandstream GXP2000 (gxp2000e.bin:1.2.5.3/boot55e.bin:1.1.6.9) DevId 000b822726c8
#   Grandstream GXP2130 1.0.4.17                  (SIP dialect: no MAC)
_MODEL = re.compile(r"^[a-z]{2,4}\d{3,4}[a-z0-9]*$", re.IGNORECASE)
_VERSION = re.compile(r"^\d+(?:\.\d+)+$")
_BIN_VERSION = re.compile(r"\.bin:(?P<version>\d+(?:\.\d+)+)", re.IGNORECASE)
_DEVICE_FILE = re.compile(r"cfg(?P<mac>[0-9a-f]{12})\.xml", re.IGNORECASE)


class Grandstream(Vendor):
    id = "grandstream"
    name = "Grandstream"
    models = (
        PhoneModel("gxp1610", "GXP1610", 1),
        PhoneModel("gxp1620", "GXP1620", 2),
        PhoneModel("gxp1625", "GXP1625", 2),
        PhoneModel("gxp1628", "GXP1628", 2),
        PhoneModel("gxp1630", "GXP1630", 3),
        PhoneModel("gxp2130", "GXP2130", 3),
        # 8 line keys but 4 SIP accounts (the config template gives accounts 5-6 to GXP2160/2170 only).
        PhoneModel("gxp2135", "GXP2135", 4),
        PhoneModel("gxp2140", "GXP2140", 4),
        PhoneModel("gxp2160", "GXP2160", 6),
        PhoneModel("gxp2170", "GXP2170", 6),
    )

    def device_filename(self, device: Device) -> str:
        return f"cfg{device.mac}.xml"

    def identify_file(self, filename: str) -> RequestedFile | None:
        match = _DEVICE_FILE.fullmatch(filename)
        if match is None:
            return None
        return RequestedFile(FileKind.DEVICE_CONFIG, match["mac"].lower())

    def parse_user_agent(self, user_agent: str) -> PhoneIdentity | None:
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
                firmware = next((t for t in tokens[1:] if _VERSION.match(t)), None)
        dev_id = _after(tokens, upper, "DEVID")
        mac = parse_mac(dev_id) if dev_id else None
        return PhoneIdentity(
            vendor=self.id,
            model=model.lower() if model and _MODEL.match(model) else None,
            firmware=firmware,
            mac=mac,
        )

    def check_param(self, key: str, value: str) -> str | None:
        if not _P_VALUE.match(key):
            return "Grandstream settings are P-values such as P8 or P1362"
        return value_problem(value)

    def apply_params(self, text: str, params: Sequence[tuple[str, str]]) -> str:
        return replace_xml_children(text, params, "config")

    def template_for(self, request: RenderRequest) -> tuple[str, str]:
        return "grandstream/device.xml.j2", XML

    def context(self, request: RenderRequest) -> Mapping[str, Any]:
        device = request.device
        accounts = sorted(device.accounts, key=lambda account: account.line)
        return {
            "mac": device.mac,
            # An account line without known P-values cannot be written; the device service
            # is expected to keep lines within the model's account count.
            "accounts": [_account(a) for a in accounts if a.line in ACCOUNT_P_VALUES],
            "ntp_server": _text(device.ntp_server) if device.ntp_server is not None else None,
            "timezone": _timezone(device.timezone_offset),
        }


def _after(tokens: list[str], upper: list[str], label: str) -> str | None:
    """The token following `label` (compared case-insensitively), if any."""
    try:
        index = upper.index(label)
    except ValueError:
        return None
    return tokens[index + 1] if index + 1 < len(tokens) else None


def _account(account: Account) -> dict[str, Any]:
    register = account.sip_register
    server = str(HostPort(register.host, register.port or DEFAULT_SIP_PORT)) if register else ""
    return {
        "line": account.line,
        "P": ACCOUNT_P_VALUES[account.line],
        "enable": 1 if account.enabled else 0,
        "name": _text(account.name),
        "display_name": _text(account.sip_name),
        "server": _text(server),
        "user": _text(account.sip_user),
        "auth": _text(account.auth_id),
        "password": _text(account.sip_password),
    }


def _timezone(timezone_offset: str | None) -> dict[str, str | None] | None:
    """P64 (and P246 for an offset the phone's list lacks), or None to leave the zone alone."""
    if timezone_offset is None:
        return None
    offset = parse_utc_offset(timezone_offset)
    p64 = P64_BY_OFFSET.get(offset.minutes)
    if p64 is not None:
        return {"p64": p64, "p246": None}
    return {"p64": P64_CUSTOM, "p246": posix_fixed_offset(offset)}


def posix_fixed_offset(offset: UtcOffset) -> str:
    """A POSIX TZ string for a fixed offset: GMT+3 is `UTC-3`, GMT-3:30 is `UTC+3:30`.

    The zone name is alphabetic (`UTC`) rather than the quoted `<+03>-3` form: every POSIX
    string known to work on these phones uses alphabetic names (`CET-1CEST-2,...`, `MSK-3`);
    whether the phone's parser takes the quoted form is undocumented (verify).
    """
    sign = "-" if offset.minutes > 0 else "+"
    minutes = f":{offset.minutes_part:02d}" if offset.minutes_part else ""
    return f"UTC{sign}{offset.hours_part}{minutes}"


# Characters XML 1.0 forbids even when escaped: lone surrogates and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """Free text made safe for one XML text node (the template engine escapes markup)."""
    return _NOT_XML.sub(" ", single_line(value))
