"""Fanvil X-series phones: `<mac>.cfg` files in the XML `VOIP_CONFIG_FILE` format."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from sonata.domain.mac import parse_mac
from sonata.domain.model import Account, Device
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
_KEY = re.compile(r"^[A-Z][A-Z0-9_]*_MODULE\.[A-Za-z][A-Za-z0-9_]*$")

# Fanvil User-Agents, lowercase MAC last:
#   Fanvil X4 2.10.2.6887 0c383e07e16c
#   Fanvil X6U Pro 0.0.10 0c383e2cd782      (edition word after the model: model x6u)
#   Fanvil X5U-V2 2.12.16.17 0c383e557eb1   (hardware revision suffix: model x5u)
# Dropping `-V2` treats it like Grandstream's `V2.2A` hardware revision rather than a model
# of its own (verify: Fanvil's common file names do spell it, `F0V5UV200000.cfg`).
_MODEL = re.compile(r"^(?P<model>[a-z]+\d+[a-z0-9]*)(?:-v\d+)?$", re.IGNORECASE)
_VERSION = re.compile(r"^\d+(?:\.\d+)+$")
_DEVICE_FILE = re.compile(r"(?P<mac>[0-9a-f]{12})\.cfg", re.IGNORECASE)


class Fanvil(Vendor):
    id = "fanvil"
    name = "Fanvil"
    models = (
        PhoneModel("x3s", "X3S", 2),
        PhoneModel("x4", "X4", 4),
        PhoneModel("x5s", "X5S", 6),
        PhoneModel("x6u", "X6U", 6),  # 6 SIP lines per the datasheet we recall (verify)
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
        if not tokens or tokens[0].lower() != "fanvil":
            return None
        rest = tokens[1:]
        macs = [mac for mac in map(parse_mac, rest) if mac is not None]
        model = _MODEL.match(rest[0]) if rest and parse_mac(rest[0]) is None else None
        return PhoneIdentity(
            vendor=self.id,
            model=model["model"].lower() if model else None,
            firmware=next((t for t in rest if _VERSION.match(t)), None),
            mac=macs[-1] if macs else None,
        )

    def check_param(self, key: str, value: str) -> str | None:
        if not _KEY.match(key):
            return "Fanvil settings are MODULE.Name, such as GLOBAL_CONFIG_MODULE.SNTP_Timeout"
        return value_problem(value)

    def apply_params(self, text: str, params: Sequence[tuple[str, str]]) -> str:
        by_module: dict[str, list[tuple[str, str]]] = {}
        for key, value in params:
            module, name = key.split(".", 1)
            by_module.setdefault(module, []).append((name, value))
        for module, settings in by_module.items():
            if ET.fromstring(text.encode()).find(module) is None:
                text = replace_xml_children(text, [(module, "")], ".")
            text = replace_xml_children(text, settings, module)
        return text

    def template_for(self, request: RenderRequest) -> tuple[str, str]:
        # The older XML format, which the brief asks for on every X model. vendors.md says
        # firmware 2.2.10 and newer (X6U among them) uses `<sysConf>` with CamelCase names;
        # whether those firmwares still read this format is unknown (verify on an X6U).
        return "fanvil/device.xml.j2", XML

    def context(self, request: RenderRequest) -> Mapping[str, Any]:
        device = request.device
        offset = parse_utc_offset(device.timezone_offset) if device.timezone_offset is not None else None
        return {
            "accounts": [_account(a) for a in sorted(device.accounts, key=lambda a: a.line)],
            "ntp_server": _text(device.ntp_server) if device.ntp_server is not None else None,
            "time_zone": time_zone(offset) if offset is not None else None,
            "time_zone_name": time_zone_name(offset) if offset is not None else None,
        }


def _account(account: Account) -> dict[str, Any]:
    register = account.sip_register
    return {
        "line": account.line,
        "enable": 1 if account.enabled else 0,
        # Fanvil has no per-line label (vendors.md: only a per-phone screen title, `LCDTitle`,
        # verify). The account name is kept here for overriding templates; ours omits it.
        "name": _text(account.name),
        "display_name": _text(account.sip_name),
        "register_addr": _text(register.host) if register else "",
        "register_port": (register.port if register else None) or DEFAULT_SIP_PORT,
        "phone_number": _text(account.sip_user),
        "register_user": _text(account.auth_id),
        "register_pswd": _text(account.sip_password),
    }


def time_zone(offset: UtcOffset) -> int:
    """`Time_Zone` counts quarter hours: +3h is 12, -5h is -20, +5:30 is 22."""
    return offset.minutes // 15


def time_zone_name(offset: UtcOffset) -> str:
    """`Time_Zone_Name`: `UTC+3`, `UTC-5`, `UTC+5:30`, `UTC`.

    Fanvil's list mostly spells fixed offsets this way, but not uniformly (`UTC-05`, `UCT`
    appear in configs seen in the field); the phone is expected to go by `Time_Zone` (verify).
    """
    if offset.minutes == 0:
        return "UTC"
    minutes = f":{offset.minutes_part:02d}" if offset.minutes_part else ""
    return f"UTC{offset.sign}{offset.hours_part}{minutes}"


# Characters XML 1.0 forbids even when escaped: lone surrogates and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """Free text made safe for one XML text node (the template engine escapes markup)."""
    return _NOT_XML.sub(" ", single_line(value))
