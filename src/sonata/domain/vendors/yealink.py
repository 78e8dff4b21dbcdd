"""Yealink T-series phones: `<mac>.cfg` files of `key = value` lines."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sonata.domain.mac import parse_mac
from sonata.domain.model import Account, Device
from sonata.domain.timezones import UtcOffset, parse_utc_offset
from sonata.domain.vendors.params import replace_lines, value_problem
from sonata.domain.vendors.base import (
    TEXT,
    FileKind,
    PhoneIdentity,
    PhoneModel,
    RenderRequest,
    RequestedFile,
    Vendor,
    single_line,
)

DEFAULT_SIP_PORT = 5060
_KEY = re.compile(r"^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)+$")

# Yealink User-Agents, MAC last, with or without colons, sometimes absent:
#   Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc
#   Yealink W90DM 130.87.0.10 80:5e:c0:d9:c7:44
#   Yealink SIP-T28P 2.73.0.50
_MODEL = re.compile(r"^(?:sip-?)?(?P<model>[a-z][a-z0-9_-]*\d[a-z0-9_-]*)$", re.IGNORECASE)
_VERSION = re.compile(r"^\d+(?:\.\d+)+$")
_DEVICE_FILE = re.compile(r"(?P<mac>[0-9a-f]{12})\.cfg", re.IGNORECASE)


class Yealink(Vendor):
    id = "yealink"
    name = "Yealink"
    models = (
        PhoneModel("t31g", "T31G", 2),
        PhoneModel("t46s", "T46S", 16),
        PhoneModel("t46u", "T46U", 16),
        PhoneModel("t48s", "T48S", 16),
        PhoneModel("t54w", "T54W", 16),
    )

    def device_filename(self, device: Device) -> str:
        return f"{device.mac}.cfg"

    def identify_file(self, filename: str) -> RequestedFile | None:
        match = _DEVICE_FILE.fullmatch(filename)
        if match is None:
            return None
        return RequestedFile(FileKind.DEVICE_CONFIG, match["mac"].lower())

    def parse_user_agent(self, user_agent: str) -> PhoneIdentity | None:
        tokens = user_agent.split()
        if not tokens or tokens[0].lower() != "yealink":
            return None
        rest = tokens[1:]
        macs = [mac for mac in map(parse_mac, rest) if mac is not None]
        models = [m["model"] for token in rest if parse_mac(token) is None and (m := _MODEL.match(token))]
        return PhoneIdentity(
            vendor=self.id,
            model=models[0].lower() if models else None,
            firmware=next((t for t in rest if _VERSION.match(t)), None),
            mac=macs[-1] if macs else None,
        )

    def check_param(self, key: str, value: str) -> str | None:
        if not _KEY.match(key):
            return "Yealink settings are dotted names such as static.wifi.enable"
        return value_problem(value)

    def apply_params(self, text: str, params: Sequence[tuple[str, str]]) -> str:
        return replace_lines(text, params)

    def template_for(self, request: RenderRequest) -> tuple[str, str]:
        return "yealink/device.cfg.j2", TEXT

    def context(self, request: RenderRequest) -> Mapping[str, Any]:
        device = request.device
        offset = parse_utc_offset(device.timezone_offset) if device.timezone_offset is not None else None
        return {
            "accounts": [_account(a) for a in sorted(device.accounts, key=lambda a: a.line)],
            "ntp_server": _value(device.ntp_server) if device.ntp_server is not None else None,
            "time_zone": time_zone(offset) if offset is not None else None,
            "time_zone_name": time_zone_name(offset) if offset is not None else None,
        }


def _account(account: Account) -> dict[str, Any]:
    register = account.sip_register
    return {
        "line": account.line,
        "enable": 1 if account.enabled else 0,
        "label": _value(account.name),
        "display_name": _value(account.sip_name),
        "server_host": _value(register.host if register else ""),
        "server_port": (register.port if register else None) or DEFAULT_SIP_PORT,
        "user_name": _value(account.sip_user),
        "auth_name": _value(account.auth_id),
        "password": _value(account.sip_password),
    }


def time_zone(offset: UtcOffset) -> str:
    """`local_time.time_zone`: `+3`, `-5`, `+5:30`; UTC is `0` as in Yealink's list (verify `+0`)."""
    if offset.minutes == 0:
        return "0"
    minutes = f":{offset.minutes_part:02d}" if offset.minutes_part else ""
    return f"{offset.sign}{offset.hours_part}{minutes}"


def time_zone_name(offset: UtcOffset) -> str:
    """`local_time.time_zone_name`: a neutral `UTC+3`-style label.

    Yealink expects a place from its own list for the offset (`Russia(Moscow)`), which also
    selects daylight-saving rules. A fixed offset names no place, so we write a label that
    names none; phones are expected to keep the offset of `local_time.time_zone` and
    apply no place's DST rules for an unknown name (verify on a phone).
    """
    if offset.minutes == 0:
        return "UTC"
    minutes = f":{offset.minutes_part:02d}" if offset.minutes_part else ""
    return f"UTC{offset.sign}{offset.hours_part}{minutes}"


# Lone surrogates cannot be encoded as UTF-8; they would make rendering fail.
_SURROGATES = re.compile("[\ud800-\udfff]")


# Yealink ignores a blank value and keeps what the phone had; `%NULL%` clears the setting.
# So an emptied field (a label removed, a password dropped) is written as `%NULL%` (verify
# that no firmware reads a blank value as "clear").
EMPTY = "%NULL%"


def _value(value: str) -> str:
    """Free text made safe for the value part of one `key = value` line."""
    text = _SURROGATES.sub(" ", single_line(value))
    return text if text.strip() else EMPTY
