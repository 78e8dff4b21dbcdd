"""Raw Fanvil settings (`vendorParams`): key grammar of both formats and writing them in.

VOIP_CONFIG_FILE format (X3S, X4, X5S): a key starts with a module, the children of the root.
  `MODULE.Name`               a module-level setting: `GLOBAL_CONFIG_MODULE.SNTP_Timeout`,
                              `SIP_CONFIG_MODULE.S.Timer_Expire` (names may hold dots);
  `MODULE.List[ID].Name`      a setting of a list entry, found by its `<ID>`:
                              `SIP_CONFIG_MODULE.SIP_Line_List[SIP1].Register_TTL`,
                              `PHONE_CONFIG_MODULE.Function_Key[Fkey7].Type`; the entry element
                              is `<List>_Entry` (`SIP_Line_List_Entry`), created when missing.
  Module names end in `_MODULE`, which is what tells these keys from sysConf keys.

sysConf format (X6U, V-series): a dotted path of element names from below `<sysConf>`; a number
after a name is that element's `index` attribute:
  `net.EnableDHCP`, `phone.date.SNTPTimeout`, `sip.line.1.RegisterTTL`,
  `dsskey.dssSide.1.Fkey.3.Type`, `phone.xmlContact.2.Addr`, `web.account.2.Password`.
  At least two names; the last segment is a name. `Version` (the format marker) is Sonata's.

Every key names exactly one element: an element Sonata renders gets the new value (never a
second copy); a missing one is created with its missing parents. Names are XML names and values
become escaped text, so no key or value can add markup or another setting. A key that names a
section rather than a setting (an element with child elements), or that goes below a setting,
changes nothing. Each model reads one format: `check` refuses keys of the other one, and `apply`
writes only keys of the rendered file's format all the same.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from sonata.domain.vendors.params import XML_DECLARATION, value_problem

VOIP_ROOT = "VOIP_CONFIG_FILE"
SYSCONF_ROOT = "sysConf"

_NAME = r"[A-Za-z_][A-Za-z0-9_-]{0,63}"
_VOIP_KEY = re.compile(
    r"(?P<module>[A-Za-z][A-Za-z0-9_]{0,56}_MODULE)\."
    r"(?:(?P<list>[A-Za-z][A-Za-z0-9_-]{0,63})\[(?P<id>[A-Za-z0-9_.-]{1,32})\]\.)?"
    r"(?P<name>[A-Za-z_][A-Za-z0-9_.-]{0,63})"
)
_SYSCONF_NAME = re.compile(_NAME)
_SYSCONF_INDEX = re.compile(r"[0-9]{1,3}")
_RESERVED = {"Version"}

Path = list[tuple[str, str | None]]


def is_voip_key(key: str) -> bool:
    return key.split(".", 1)[0].endswith("_MODULE")


def sysconf_path(key: str) -> Path | None:
    """`sip.line.1.RegisterTTL` -> [("sip", None), ("line", "1"), ("RegisterTTL", None)]."""
    path: Path = []
    for segment in key.split("."):
        if _SYSCONF_INDEX.fullmatch(segment):
            if not path or path[-1][1] is not None:
                return None
            path[-1] = (path[-1][0], segment)
        elif _SYSCONF_NAME.fullmatch(segment):
            path.append((segment, None))
        else:
            return None
    if len(path) < 2 or path[-1][1] is not None or key.endswith(".") or path[0][0] in _RESERVED:
        return None
    return path


def check(key: str, value: str, voip: bool, model_name: str) -> str | None:
    """Why a raw Fanvil setting cannot be written for a model of the VOIP_CONFIG_FILE format
    (`voip`) or of the sysConf format, or None."""
    if voip:
        if not _VOIP_KEY.fullmatch(key):
            return (
                f"{model_name} settings are VOIP_CONFIG_FILE keys, MODULE.Name or MODULE.List[ID].Name, "
                "such as GLOBAL_CONFIG_MODULE.SNTP_Timeout or "
                "SIP_CONFIG_MODULE.SIP_Line_List[SIP1].Register_TTL (this model does not read sysConf paths)"
            )
    elif is_voip_key(key) or sysconf_path(key) is None:
        return (
            f"{model_name} settings are sysConf paths such as sip.line.1.RegisterTTL or "
            "phone.date.SNTPTimeout (this model does not read VOIP_CONFIG_FILE MODULE keys)"
        )
    return value_problem(value)


def apply(text: str, params: Sequence[tuple[str, str]]) -> str:
    """Write the settings of the rendered file's format into it (see the module docstring)."""
    root = ET.fromstring(text.encode("utf-8"))
    voip = root.tag == VOIP_ROOT
    for key, value in params:
        if voip and is_voip_key(key):
            _apply_voip(root, key, value)
        elif not voip and not is_voip_key(key):
            path = sysconf_path(key)
            if path is not None:
                _set(root, path, value)
    return serialize(root, "" if voip else "    ")


def serialize(root: ET.Element, indent: str) -> str:
    """The layout of the shipped templates: one element per line, `<X></X>` for empty values."""
    ET.indent(root, space=indent)
    body = ET.tostring(root, encoding="unicode", short_empty_elements=False)
    return XML_DECLARATION + body + "\n"


def _apply_voip(root: ET.Element, key: str, value: str) -> None:
    match = _VOIP_KEY.fullmatch(key)
    if match is None:
        return
    # Modules and lists are sections by the grammar, even when a template left one empty.
    container = _section(root, match["module"])
    if match["list"]:
        container = _entry(container, match["list"], match["id"])
    _set(container, [(match["name"], None)], value)


def _entry(module: ET.Element, list_name: str, entry_id: str) -> ET.Element:
    """The `<List_Entry>` whose `<ID>` is entry_id, created (with its list) when missing."""
    container = _section(module, list_name)
    tag = f"{list_name}_Entry"
    for entry in container:
        if entry.tag == tag and (entry.findtext("ID") or "").strip() == entry_id:
            return entry
    entry = ET.SubElement(container, tag)
    ET.SubElement(entry, "ID").text = entry_id
    return entry


def _child(parent: ET.Element, tag: str, index: str | None) -> ET.Element | None:
    for child in parent:
        if child.tag == tag and (index is None or child.get("index") == index):
            return child
    return None


def _descend(root: ET.Element, path: Path) -> ET.Element | None:
    """The section at path, created when missing; None when the path goes below a setting.

    An existing element without children is a setting: the templates write no empty sections.
    """
    element = root
    for tag, index in path:
        child = _child(element, tag, index)
        if child is None:
            child = ET.SubElement(element, tag, {"index": index} if index is not None else {})
        elif len(child) == 0:
            return None
        element = child
    return element


def _section(root: ET.Element, tag: str) -> ET.Element:
    """A module or list: a section by the key grammar, created when missing."""
    section = _child(root, tag, None)
    return ET.SubElement(root, tag) if section is None else section


def _set(root: ET.Element, path: Path, value: str) -> None:
    parent = _descend(root, path[:-1])
    if parent is None:
        return
    tag, index = path[-1]
    element = _child(parent, tag, index)
    if element is None:
        element = ET.SubElement(parent, tag, {"index": index} if index is not None else {})
    elif len(element):
        return  # a section, not a setting
    element.text = value
