"""The snake_case device document of the original Sonata: read into a DeviceDraft, and written from a
Device (an export that an import reads back into the same device)."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.limits import (
    MAX_ACCOUNTS,
    MAX_ADDRESS,
    MAX_ALLOWED_IPS,
    MAX_CONTACTS,
    MAX_LINE_KEYS,
    MAX_NUMBERS_PER_CONTACT,
    MAX_REMOTE_PHONEBOOKS,
    shown_key,
)
from sonata.domain.mac import parse_mac
from sonata.domain.model import (
    Account,
    ConfigEncryption,
    Contact,
    ContactNumber,
    Device,
    HostPort,
    LineKey,
    LineKeyType,
    NumberType,
    Rules,
    Transport,
)
from sonata.domain.validation import (
    AccountDraft,
    ContactDraft,
    DeviceDraft,
    LineKeyDraft,
    RemotePhonebookDraft,
    RulesDraft,
)

E = TypeVar("E", bound=Enum)

# The keys each object of a document may have. The `_IGNORED` ones are written by the original
# Sonata (its database ids, timestamps and `profiles`, which it derived from the accounts) and
# carry nothing Sonata reads.
_DEVICE_KEYS = frozenset(
    {
        "key", "token", "title", "vendor", "model", "mac", "timezone_offset", "ntp_server", "status",
        "accounts", "rules", "admin_password", "resync_minutes", "firmware_url", "firmware", "language",
        "timezone", "line_keys", "functionkeys", "phonebook", "remote_phonebooks", "phonebooks",
        "vendor_params", "provisioning_username", "provisioning_password", "config_encryption",
        "config_encryption_key",
    }
)  # fmt: skip
_DEVICE_IGNORED = frozenset({"id", "_id", "__v", "created_at", "updated_at", "profiles"})
_ACCOUNT_KEYS = frozenset(
    {
        "line", "name", "sip_register", "sip_name", "sip_user", "sip_password", "sip_auth", "enabled",
        "transport", "register_expires", "outbound_proxy", "backup_server", "voicemail",
    }
)  # fmt: skip
_ACCOUNT_IGNORED = frozenset({"profile_id"})
_RULES_KEYS = frozenset({"expires_at", "check_mac", "allowed_ips"})
_LEGACY_RULES_KEYS = frozenset({"time", "mac", "ip"})
_PUBLISHING_RULES_KEYS = frozenset({"publish_window_minutes", "lock_to_first_address"})
"""Rules the original Sonata did not have: taken beside either form of the others."""
_TIME_KEYS = frozenset({"until"})
_LINE_KEY_KEYS = frozenset({"type", "value", "label", "line", "pickup_code"})
_FUNCTION_KEY_KEYS = frozenset({"name", "type", "value", "line"})
_FUNCTION_KEY_IGNORED = frozenset({"id"})
_CONTACT_KEYS = frozenset({"name", "numbers"})
_NUMBER_KEYS = frozenset({"number", "type"})
_REMOTE_PHONEBOOK_KEYS = frozenset({"name", "url"})
_FIRMWARE_KEYS = frozenset({"url"})
_LONGEST_KEY = 64
"""Longer keys are no misspelling of a known one: no nearest key is looked for."""
_LONGEST_NUMBER = 9
"""Digits of a whole number given as a string (every number of a device is far smaller)."""


def _unknown_key_message(key: str, known: Collection[str]) -> str:
    nearest = difflib.get_close_matches(key, sorted(known), n=1) if len(key) <= _LONGEST_KEY else []
    if nearest:
        return f"unknown key; did you mean `{nearest[0]}`?"
    return f"unknown key; known keys: {', '.join(sorted(known))}"


class _Reader:
    """Reads typed values out of a JSON object, collecting errors by field path."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def known_keys(
        self, data: Mapping[str, Any], path: str, known: Collection[str], ignored: Collection[str] = ()
    ) -> None:
        """Name every key of an object that is neither read nor ignored, with the nearest known key."""
        for key in data:
            name = str(key)
            if name not in known and name not in ignored:
                self.fail(
                    f"{path}.{shown_key(name)}" if path else shown_key(name),
                    _unknown_key_message(name, known),
                )

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
        if isinstance(value, str):
            digits = value.strip()
            # ASCII only ("²" is a digit to str.isdigit, not to int), and few enough for int().
            if digits.isascii() and digits.isdigit() and len(digits) <= _LONGEST_NUMBER:
                return int(digits)
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

    def objects(
        self, data: Mapping[str, Any], name: str, path: str, limit: int, what: str
    ) -> list[Mapping[str, Any]]:
        """The objects of a list, none of them looked at when there are more than `limit`."""
        value = data.get(name) or []
        if not isinstance(value, list):
            self.fail(path, "must be a list")
            return []
        if len(value) > limit:
            self.fail(path, f"holds at most {limit} {what}")
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
    reader.known_keys(data, path, _ACCOUNT_KEYS, _ACCOUNT_IGNORED)
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
    reader.known_keys(data, "rules", _RULES_KEYS | _LEGACY_RULES_KEYS | _PUBLISHING_RULES_KEYS)
    if any(name in data for name in _LEGACY_RULES_KEYS):
        if any(name in data for name in _RULES_KEYS):
            reader.fail(
                "rules", "mixes the original rules (time, mac, ip) with expires_at, check_mac, allowed_ips"
            )
        rules = _legacy_rules(reader, data)
    else:
        rules = RulesDraft(
            expires_at=reader.timestamp(data.get("expires_at"), "rules.expires_at"),
            check_mac=reader.boolean(data, "check_mac", "rules.check_mac", False),
            allowed_ips=_addresses(reader, data.get("allowed_ips") or [], "rules.allowed_ips"),
        )
    rules.publish_window_minutes = _optional_integer(
        reader, data, "publish_window_minutes", "rules.publish_window_minutes"
    )
    rules.lock_to_first_address = reader.boolean(
        data, "lock_to_first_address", "rules.lock_to_first_address", False
    )
    return rules


def _legacy_rules(reader: _Reader, data: Mapping[str, Any]) -> RulesDraft:
    """The original rules: `{"time": {"until": …}, "mac": true, "ip": "10.0.0.0/8" | [...]}`."""
    time = data.get("time") or {}
    if not isinstance(time, Mapping):
        reader.fail("rules.time", 'must be an object such as {"until": "2030-01-01"}')
        time = {}
    reader.known_keys(time, "rules.time", _TIME_KEYS)
    ip = data.get("ip") or []
    if isinstance(ip, str):
        ip = ip.replace(",", " ").split(maxsplit=MAX_ALLOWED_IPS)
    ips = _addresses(reader, ip, "rules.ip")
    return RulesDraft(
        expires_at=reader.timestamp(time.get("until"), "rules.time.until"),
        check_mac=reader.boolean(data, "mac", "rules.mac", False),
        allowed_ips=ips,
    )


def _addresses(reader: _Reader, value: Any, path: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        reader.fail(path, "must be an address or network, or a list of them")
        return []
    if len(value) > MAX_ALLOWED_IPS:
        reader.fail(path, f"holds at most {MAX_ALLOWED_IPS} entries")
        return []
    return list(value)


def _line_key(reader: _Reader, path: str, data: Mapping[str, Any]) -> LineKeyDraft:
    reader.known_keys(data, path, _LINE_KEY_KEYS)
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
    reader.known_keys(data, path, _FUNCTION_KEY_KEYS, _FUNCTION_KEY_IGNORED)
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
    reader.known_keys(data, path, _CONTACT_KEYS)
    numbers = []
    listed = reader.objects(data, "numbers", f"{path}.numbers", MAX_NUMBERS_PER_CONTACT, "numbers")
    for index, number in enumerate(listed):
        number_path = f"{path}.numbers.{index}"
        reader.known_keys(number, number_path, _NUMBER_KEYS)
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
    reader.known_keys(data, path, _REMOTE_PHONEBOOK_KEYS)
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
        reader.known_keys(firmware, "firmware", _FIRMWARE_KEYS)
        return reader.string(firmware, "url", "firmware.url")
    if firmware is not None and not isinstance(firmware, bool):
        reader.fail("firmware", 'must be true, false or {"url": "…"}')
    return None


def document_mac(document: Any) -> str | None:
    """The MAC a document names, as 12 hex digits; None where it names no readable one."""
    mac = document.get("mac") if isinstance(document, Mapping) else None
    return parse_mac(mac) if isinstance(mac, str) and len(mac) <= MAX_ADDRESS else None


def draft_from_document(document: Any) -> DeviceDraft:
    """Read a device document; raise ValidationFailed naming every field of the wrong type."""
    if not isinstance(document, Mapping):
        raise ValidationFailed([FieldError("document", "must be a JSON object")])
    reader = _Reader()
    reader.known_keys(document, "", _DEVICE_KEYS, _DEVICE_IGNORED)
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
        accounts=[
            _account(reader, i, a)
            for i, a in enumerate(reader.objects(document, "accounts", "accounts", MAX_ACCOUNTS, "accounts"))
        ],
        rules=_rules(reader, document.get("rules")),
        admin_password=reader.string(document, "admin_password", "admin_password"),
        resync_minutes=_optional_integer(reader, document, "resync_minutes", "resync_minutes"),
        firmware_url=_firmware_url(reader, document),
        language=reader.string(document, "language", "language"),
        timezone=reader.string(document, "timezone", "timezone"),
        line_keys=[
            _line_key(reader, f"line_keys.{i}", k)
            for i, k in enumerate(reader.objects(document, "line_keys", "line_keys", MAX_LINE_KEYS, "keys"))
        ]
        + [
            _legacy_function_key(reader, f"functionkeys.{i}", k)
            for i, k in enumerate(
                reader.objects(document, "functionkeys", "functionkeys", MAX_LINE_KEYS, "keys")
            )
        ],
        phonebook=[
            _contact(reader, f"phonebook.{i}", c)
            for i, c in enumerate(
                reader.objects(document, "phonebook", "phonebook", MAX_CONTACTS, "contacts")
            )
        ],
        remote_phonebooks=[
            _remote_phonebook(reader, f"{name}.{i}", p)
            for name in ("remote_phonebooks", "phonebooks")
            for i, p in enumerate(reader.objects(document, name, name, MAX_REMOTE_PHONEBOOKS, "phonebooks"))
        ],
        vendor_params=document.get("vendor_params") or {},
        provisioning_username=reader.string(document, "provisioning_username", "provisioning_username"),
        provisioning_password=reader.string(document, "provisioning_password", "provisioning_password"),
        config_encryption=_enum(
            reader,
            document,
            "config_encryption",
            "config_encryption",
            ConfigEncryption,
            ConfigEncryption.NONE,
        ),
        config_encryption_key=reader.string(document, "config_encryption_key", "config_encryption_key"),
    )
    if reader.errors:
        raise ValidationFailed(reader.errors)
    return draft


SECRET_KEYS = frozenset({"sip_password", "admin_password", "provisioning_password", "config_encryption_key"})
"""The document keys that hold secrets (of the device, or of one of its accounts): a document is
written without them unless they are asked for, and an import without them keeps the stored ones."""


def document_from_device(device: Device, *, with_secrets: bool = False) -> dict[str, Any]:
    """The document `draft_from_document` reads back into this device (everything but its history:
    when it was made and saved, its last fetch, the address it is locked to). Empty values are left
    out; the secrets of SECRET_KEYS only `with_secrets`, then even empty ones, so that an import
    clears a stored secret the device no longer has. `vendor_params` is written as it is."""
    document = _compact(
        {
            "key": device.key,
            "token": device.token,
            "title": device.title,
            "vendor": device.vendor,
            "model": device.model,
            "mac": device.mac,
            "status": device.status,
            "timezone": device.timezone,
            "timezone_offset": device.timezone_offset,
            "ntp_server": device.ntp_server,
            "language": device.language,
            "resync_minutes": device.resync_minutes,
            "firmware_url": device.firmware_url,
            "accounts": [_account_document(account) for account in device.accounts],
            "rules": _rules_document(device.rules),
            "line_keys": [_line_key_document(key) for key in device.line_keys],
            "phonebook": [_contact_document(contact) for contact in device.phonebook],
            "remote_phonebooks": [{"name": book.name, "url": book.url} for book in device.remote_phonebooks],
            "vendor_params": dict(device.vendor_params),
            "provisioning_username": device.provisioning_username,
            "config_encryption": device.config_encryption.value,
            "admin_password": device.admin_password,
            "provisioning_password": device.provisioning_password,
            "config_encryption_key": device.config_encryption_key,
        }
    )
    if not with_secrets:
        for part in (document, *document.get("accounts", ())):
            for name in SECRET_KEYS.intersection(part):
                del part[name]
    return document


def _account_document(account: Account) -> dict[str, Any]:
    return _compact(
        {
            "line": account.line,
            "name": account.name,
            "sip_register": _host_port(account.sip_register),
            "sip_name": account.sip_name,
            "sip_user": account.sip_user,
            "sip_auth": account.sip_auth,
            "enabled": account.enabled,
            "transport": account.transport.value,
            "register_expires": account.register_expires,
            "outbound_proxy": _host_port(account.outbound_proxy),
            "backup_server": _host_port(account.backup_server),
            "voicemail": account.voicemail,
            "sip_password": account.sip_password,
        }
    )


def _rules_document(rules: Rules) -> dict[str, Any]:
    return _compact(
        {
            "expires_at": rules.expires_at.isoformat() if rules.expires_at else None,
            "check_mac": rules.check_mac,
            "allowed_ips": [str(network) for network in rules.allowed_ips],
            "publish_window_minutes": rules.publish_window_minutes,
            "lock_to_first_address": rules.lock_to_first_address,
        }
    )


def _line_key_document(key: LineKey) -> dict[str, Any]:
    return _compact(
        {
            "type": key.type.value,
            "value": key.value,
            "label": key.label,
            "line": key.line,
            "pickup_code": key.pickup_code,
        }
    )


def _contact_document(contact: Contact) -> dict[str, Any]:
    numbers = [{"number": number.number, "type": number.type.value} for number in contact.numbers]
    return {"name": contact.name, "numbers": numbers}


def _host_port(value: HostPort | None) -> str | None:
    return str(value) if value is not None else None


def _compact(document: dict[str, Any]) -> dict[str, Any]:
    """The document without its empty values (None, "", [], {}; numbers and booleans are never empty),
    but with every secret: an empty one clears a stored one."""
    return {
        name: value
        for name, value in document.items()
        if name in SECRET_KEYS or value not in (None, "", [], {})
    }
