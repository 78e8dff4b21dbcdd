"""Writing raw vendor settings (`vendorParams`) into a rendered config, each key once."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# Control characters, the line separators Unicode adds (U+0085, U+2028, U+2029), and
# characters UTF-8 or XML cannot carry.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def value_problem(value: str) -> str | None:
    """Values go on one line or into one XML text node: no control characters or line separators."""
    if _CONTROL.search(value):
        return "must not contain line breaks or other control characters"
    return None


def replace_lines(text: str, params: Sequence[tuple[str, str]], separator: str = " = ") -> str:
    """For `key = value` files: a rendered key gets the given value, a new key is appended."""
    pending = dict(params)
    lines = []
    for line in text.split("\n"):
        key = line.split("=", 1)[0].strip() if "=" in line and not line.startswith("#") else None
        if key is not None and key in pending:
            line = f"{key}{separator}{pending.pop(key)}"
        lines.append(line)
    if lines and lines[-1] == "":
        lines.pop()
    lines += [f"{key}{separator}{value}" for key, value in pending.items()]
    return "\n".join(lines) + "\n"


def _serialize(root: ET.Element) -> str:
    ET.indent(root)
    return XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


def _container(root: ET.Element, path: str) -> ET.Element:
    container = root if path in ("", ".") else root.find(path)
    if container is None:
        raise ValueError(f"the rendered file has no {path} element")
    return container


def replace_xml_children(text: str, params: Sequence[tuple[str, str]], container_path: str) -> str:
    """For files of `<Key>value</Key>` elements (`<P47>`): set the element, or append it."""
    root = ET.fromstring(text.encode("utf-8"))
    container = _container(root, container_path)
    for key, value in params:
        element = container.find(key)
        if element is None:
            element = ET.SubElement(container, key)
        element.text = value
    return _serialize(root)


def replace_xml_items(
    text: str,
    params: Sequence[tuple[str, str]],
    container_path: str,
    tag: str = "item",
    attribute: str = "name",
) -> str:
    """For files of `<item name="key">value</item>` elements: set the item, or append it."""
    root = ET.fromstring(text.encode("utf-8"))
    container = _container(root, container_path)
    items = {element.get(attribute): element for element in container.findall(tag)}
    for key, value in params:
        element = items.get(key)
        if element is None:
            element = items[key] = ET.SubElement(container, tag, {attribute: key})
        element.text = value
    return _serialize(root)
