"""The snake_case device document of the original Sonata, read into a DeviceDraft."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.model import ContactNumber, LineKeyType, NumberType, Transport
from sonata.domain.validation import (
    AccountDraft,
    ContactDraft,
    DeviceDraft,
    LineKeyDraft,
    RemotePhonebookDraft,
    RulesDraft,
)

E = TypeVar("E", bound=Enum)


class _Reader:
    """Reads typed values out of a JSON object, collecting errors by field path."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def string(self, data: Mapping[str, Any], name: str, path: str, *, required: bool = False) -> str | None:
        value = data.get(name)
        if value is None:
            if required:
                self.fail(path, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.fail(path, "must be a string")
            return None
        return str(value)

    def boolean(self, data: Mapping[str, Any], name: str, path: str, default: bool) -> bool:
        value = data.get(name, default)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if value in (0, 1):
            return bool(value)
        self.fail(path, "must be true or false")
        return default

    def integer(self, data: Mapping[str, Any], name: str, path: str) -> int:
        value = data.get(name)
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.fail(path, "must be a whole number" if value is not None else "is required")
        return 0

    def timestamp(self, value: Any, path: str) -> datetime | None:
        if value is None:
            return None
        try:
            # A date alone means the start of that day, UTC.
            return datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(path, "must be an ISO 8601 date or date and time")
            return None

    def objects(self, data: Mapping[str, Any], name: str, path: str | None = None) -> list[Mapping[str, Any]]:
        path = path or name
        value = data.get(name) or []
        if not isinstance(value, list):
            self.fail(path, "must be a list")
            return []
        for index, item in enumerate(value):
            if not isinstance(item, Mapping):
                self.fail(f"{path}.{index}", "must be an object")
        return [item for item in value if isinstance(item, Mapping)]


def _enum(reader: _Reader, data: Mapping[str, Any], name: str, path: str, enum: type[E], default: E) -> E:
    """Enum values by name, in any case: `tls`, `TLS`, `speed_dial`, `SPEED_DIAL`."""
    text = reader.string(data, name, path)
    if text is None:
        return default
    try:
        return enum[text.strip().upper()]
    except KeyError:
        reader.fail(path, f"must be one of {', '.join(m.name for m in enum)}")
        return default


def _optional_integer(reader: _Reader, data: Mapping[str, Any], name: str, path: str) -> int | None:
    return reader.integer(data, name, path) if data.get(name) is not None else None


def _account(reader: _Reader, index: int, data: Mapping[str, Any]) -> AccountDraft:
    path = f"accounts.{index}"
    return AccountDraft(
        transport=_enum(reader, data, "transport", f"{path}.transport", Transport, Transport.UDP),
        register_expires=_optional_integer(reader, data, "register_expires", f"{path}.register_expires"),
        outbound_proxy=reader.string(data, "outbound_proxy", f"{path}.outbound_proxy"),
        backup_server=reader.string(data, "backup_server", f"{path}.backup_server"),
        voicemail=reader.string(data, "voicemail", f"{path}.voicemail"),
        line=reader.integer(data, "line", f"{path}.line"),
        name=reader.string(data, "name", f"{path}.name"),
        sip_register=reader.string(data, "sip_register", f"{path}.sip_register") or "",
        sip_name=reader.string(data, "sip_name", f"{path}.sip_name"),
        sip_user=reader.string(data, "sip_user", f"{path}.sip_user") or "",
        sip_password=reader.string(data, "sip_password", f"{path}.sip_password"),
        sip_auth=reader.string(data, "sip_auth", f"{path}.sip_auth"),
        enabled=reader.boolean(data, "enabled", f"{path}.enabled", True),
    )


def _rules(reader: _Reader, data: Any) -> RulesDraft | None:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        reader.fail("rules", "must be an object")
        return None
    if any(name in data for name in ("time", "mac", "ip")):
        return _legacy_rules(reader, data)
    ips = data.get("allowed_ips") or []
    if not isinstance(ips, list) or not all(isinstance(ip, str) for ip in ips):
        reader.fail("rules.allowed_ips", "must be a list of addresses or networks")
        ips = []
    return RulesDraft(
        expires_at=reader.timestamp(data.get("expires_at"), "rules.expires_at"),
        check_mac=reader.boolean(data, "check_mac", "rules.check_mac", False),
        allowed_ips=ips,
    )


def _legacy_rules(reader: _Reader, data: Mapping[str, Any]) -> RulesDraft:
    """The original rules: `{"time": {"until": …}, "mac": true, "ip": "10.0.0.0/8" | [...]}`."""
    time = data.get("time") or {}
    if not isinstance(time, Mapping):
        reader.fail("rules.time", 'must be an object such as {"until": "2030-01-01"}')
        time = {}
    ip = data.get("ip") or []
    if isinstance(ip, str):
        ips = [part for part in ip.replace(",", " ").split() if part]
    elif isinstance(ip, list) and all(isinstance(item, str) for item in ip):
        ips = list(ip)
    else:
        reader.fail("rules.ip", "must be an address or network, or a list of them")
        ips = []
    return RulesDraft(
        expires_at=reader.timestamp(time.get("until"), "rules.time.until"),
        check_mac=reader.boolean(data, "mac", "rules.mac", False),
        allowed_ips=ips,
    )


def _line_key(reader: _Reader, path: str, data: Mapping[str, Any]) -> LineKeyDraft:
    return LineKeyDraft(
        type=_enum(reader, data, "type", f"{path}.type", LineKeyType, LineKeyType.LINE),
        value=reader.string(data, "value", f"{path}.value"),
        label=reader.string(data, "label", f"{path}.label"),
        line=reader.integer(data, "line", f"{path}.line") if data.get("line") is not None else 1,
        pickup_code=reader.string(data, "pickup_code", f"{path}.pickup_code"),
    )


# The original Sonata's function key types, by the name it wrote them with.
_LEGACY_KEY_TYPES = {
    "speeddial": LineKeyType.SPEED_DIAL,
    "line": LineKeyType.LINE,
    "keyevent": LineKeyType.KEY_EVENT,
    "dtmf": LineKeyType.DTMF,
    "blf": LineKeyType.BLF,
}


def _legacy_function_key(reader: _Reader, path: str, data: Mapping[str, Any]) -> LineKeyDraft:
    """`{"name": "Reception", "type": "speeddial", "value": "100"}`."""
    type_name = (reader.string(data, "type", f"{path}.type", required=True) or "").strip().lower()
    key_type = _LEGACY_KEY_TYPES.get(type_name.replace("_", ""))
    if key_type is None:
        reader.fail(f"{path}.type", f"must be one of {', '.join(_LEGACY_KEY_TYPES)}")
    return LineKeyDraft(
        type=key_type or LineKeyType.LINE,
        value=reader.string(data, "value", f"{path}.value"),
        label=reader.string(data, "name", f"{path}.name"),
        line=reader.integer(data, "line", f"{path}.line") if data.get("line") is not None else 1,
    )


def _contact(reader: _Reader, path: str, data: Mapping[str, Any]) -> ContactDraft:
    numbers = []
    for index, number in enumerate(reader.objects(data, "numbers", f"{path}.numbers")):
        number_path = f"{path}.numbers.{index}"
        numbers.append(
            ContactNumber(
                number=reader.string(number, "number", f"{number_path}.number", required=True) or "",
                type=_enum(reader, number, "type", f"{number_path}.type", NumberType, NumberType.WORK),
            )
        )
    return ContactDraft(
        name=reader.string(data, "name", f"{path}.name", required=True) or "", numbers=numbers
    )


def _remote_phonebook(reader: _Reader, path: str, data: Mapping[str, Any]) -> RemotePhonebookDraft:
    return RemotePhonebookDraft(
        name=reader.string(data, "name", f"{path}.name", required=True) or "",
        url=reader.string(data, "url", f"{path}.url", required=True) or "",
    )


def _firmware_url(reader: _Reader, document: Mapping[str, Any]) -> str | None:
    """`firmware_url`, or the original `firmware`: `true` (nothing to point at) or `{"url": …}`."""
    if "firmware_url" in document:
        return reader.string(document, "firmware_url", "firmware_url")
    firmware = document.get("firmware")
    if isinstance(firmware, Mapping):
        return reader.string(firmware, "url", "firmware.url")
    if firmware is not None and not isinstance(firmware, bool):
        reader.fail("firmware", 'must be true, false or {"url": "…"}')
    return None


def draft_from_document(document: Any) -> DeviceDraft:
    """Read a device document; raise ValidationFailed naming every field of the wrong type."""
    if not isinstance(document, Mapping):
        raise ValidationFailed([FieldError("document", "must be a JSON object")])
    reader = _Reader()
    draft = DeviceDraft(
        key=reader.string(document, "key", "key"),
        token=reader.string(document, "token", "token"),
        title=reader.string(document, "title", "title"),
        vendor=reader.string(document, "vendor", "vendor", required=True) or "",
        model=reader.string(document, "model", "model", required=True) or "",
        mac=reader.string(document, "mac", "mac", required=True) or "",
        timezone_offset=reader.string(document, "timezone_offset", "timezone_offset"),
        ntp_server=reader.string(document, "ntp_server", "ntp_server"),
        status=reader.boolean(document, "status", "status", True),
        accounts=[_account(reader, i, a) for i, a in enumerate(reader.objects(document, "accounts"))],
        rules=_rules(reader, document.get("rules")),
        admin_password=reader.string(document, "admin_password", "admin_password"),
        resync_minutes=_optional_integer(reader, document, "resync_minutes", "resync_minutes"),
        firmware_url=_firmware_url(reader, document),
        language=reader.string(document, "language", "language"),
        timezone=reader.string(document, "timezone", "timezone"),
        line_keys=[
            _line_key(reader, f"line_keys.{i}", k)
            for i, k in enumerate(reader.objects(document, "line_keys"))
        ]
        + [
            _legacy_function_key(reader, f"functionkeys.{i}", k)
            for i, k in enumerate(reader.objects(document, "functionkeys"))
        ],
        phonebook=[
            _contact(reader, f"phonebook.{i}", c) for i, c in enumerate(reader.objects(document, "phonebook"))
        ],
        remote_phonebooks=[
            _remote_phonebook(reader, f"{name}.{i}", p)
            for name in ("remote_phonebooks", "phonebooks")
            for i, p in enumerate(reader.objects(document, name))
        ],
        vendor_params=document.get("vendor_params") or {},
    )
    if reader.errors:
        raise ValidationFailed(reader.errors)
    return draft
