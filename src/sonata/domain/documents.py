"""The snake_case device document of the original Sonata, read into a DeviceDraft."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.validation import AccountDraft, DeviceDraft, RulesDraft


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

    def objects(self, data: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
        value = data.get(name) or []
        if not isinstance(value, list):
            self.fail(name, "must be a list")
            return []
        for index, item in enumerate(value):
            if not isinstance(item, Mapping):
                self.fail(f"{name}.{index}", "must be an object")
        return [item for item in value if isinstance(item, Mapping)]


def _account(reader: _Reader, index: int, data: Mapping[str, Any]) -> AccountDraft:
    path = f"accounts.{index}"
    return AccountDraft(
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
        reader.fail("rules.time", "must be an object such as {\"until\": \"2030-01-01\"}")
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
    )
    if reader.errors:
        raise ValidationFailed(reader.errors)
    return draft
