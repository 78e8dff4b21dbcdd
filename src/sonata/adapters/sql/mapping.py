"""Device <-> row conversion."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from typing import Any, Protocol

from sonata.adapters.secret_box import SecretBox
from sonata.adapters.sql.sealed_fields import open_secrets, seal_secrets
from sonata.adapters.sql.tables import DeviceRow
from sonata.domain.model import (
    Account,
    ConfigEncryption,
    Contact,
    ContactNumber,
    Device,
    HostPort,
    LineKey,
    LineKeyType,
    LinkKind,
    NumberType,
    ProvisioningRecord,
    RemotePhonebook,
    Rules,
    Transport,
)
from sonata.domain.ports import PreviousKey


class StoredDevice(Protocol):
    """A row of the devices table: an ORM DeviceRow, or a row of a plain SELECT of the table."""

    @property
    def key(self) -> str: ...
    @property
    def token(self) -> str | None: ...
    @property
    def vendor(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def mac(self) -> str: ...
    @property
    def document(self) -> dict[str, Any]: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def locked_address(self) -> str | None: ...


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything Sonata stores is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _timestamp(text: str | None) -> datetime | None:
    return _aware(datetime.fromisoformat(text)) if text else None


def _host_port_to_json(value: HostPort | None) -> dict[str, Any] | None:
    return {"host": value.host, "port": value.port} if value else None


def _host_port_from_json(data: dict[str, Any] | None) -> HostPort | None:
    return HostPort(data["host"], data["port"]) if data else None


def _account_to_json(account: Account) -> dict[str, Any]:
    return {
        "line": account.line,
        "name": account.name,
        "sip_register": _host_port_to_json(account.sip_register),
        "sip_name": account.sip_name,
        "sip_user": account.sip_user,
        "sip_password": account.sip_password,
        "sip_auth": account.sip_auth,
        "enabled": account.enabled,
        "transport": account.transport.value,
        "register_expires": account.register_expires,
        "outbound_proxy": _host_port_to_json(account.outbound_proxy),
        "backup_server": _host_port_to_json(account.backup_server),
        "voicemail": account.voicemail,
    }


# Documents stored before a field existed lack it: `.get` gives the field's default.
def _account_from_json(data: dict[str, Any]) -> Account:
    return Account(
        line=data["line"],
        name=data["name"],
        sip_register=_host_port_from_json(data["sip_register"]),
        sip_name=data["sip_name"],
        sip_user=data["sip_user"],
        sip_password=data["sip_password"],
        sip_auth=data["sip_auth"],
        enabled=data["enabled"],
        transport=Transport(data.get("transport", "udp")),
        register_expires=data.get("register_expires"),
        outbound_proxy=_host_port_from_json(data.get("outbound_proxy")),
        backup_server=_host_port_from_json(data.get("backup_server")),
        voicemail=data.get("voicemail", ""),
    )


def _line_key_to_json(key: LineKey) -> dict[str, Any]:
    return {
        "type": key.type.value,
        "value": key.value,
        "label": key.label,
        "line": key.line,
        "pickup_code": key.pickup_code,
    }


def _line_key_from_json(data: dict[str, Any]) -> LineKey:
    return LineKey(LineKeyType(data["type"]), data["value"], data["label"], data["line"], data["pickup_code"])


def _contact_to_json(contact: Contact) -> dict[str, Any]:
    return {
        "name": contact.name,
        "numbers": [{"number": n.number, "type": n.type.value} for n in contact.numbers],
    }


def _contact_from_json(data: dict[str, Any]) -> Contact:
    numbers = tuple(ContactNumber(n["number"], NumberType(n["type"])) for n in data["numbers"])
    return Contact(data["name"], numbers)


def record_to_json(record: ProvisioningRecord) -> dict[str, Any]:
    return {
        "at": record.at.isoformat(),
        "ip": record.ip,
        "user_agent": record.user_agent,
        "filename": record.filename,
        "vendor": record.vendor,
        "model": record.model,
        "firmware": record.firmware,
        "link": record.link.value if record.link else None,
        "previous_key": record.previous_key,
    }


def _record_from_json(data: dict[str, Any] | None) -> ProvisioningRecord | None:
    if not data:
        return None
    return ProvisioningRecord(
        at=_aware(datetime.fromisoformat(data["at"])),
        ip=data["ip"],
        user_agent=data.get("user_agent"),
        filename=data.get("filename"),
        vendor=data.get("vendor"),
        model=data.get("model"),
        firmware=data.get("firmware"),
        link=LinkKind(data["link"]) if data.get("link") else None,
        previous_key=data.get("previous_key", False),
    )


def previous_key_from_row(row: Any, box: SecretBox) -> PreviousKey:
    """A row of the devices table joined with the `until` of one of its previous keys."""
    return PreviousKey(device_from_row(row, box), _aware(row.until))


def device_values(device: Device, box: SecretBox) -> dict[str, Any]:
    """The devices table's columns for a device (lastProvisioning is kept apart, see tables.py), its
    secrets sealed with `box`."""
    assert device.created_at is not None and device.updated_at is not None
    return {
        "key": device.key,
        "mac": device.mac,
        "token": device.token,
        "vendor": device.vendor,
        "model": device.model,
        "created_at": device.created_at,
        "updated_at": device.updated_at,
        "locked_address": device.locked_address,
        "document": seal_secrets(_document(device), device.mac, box),
    }


def device_to_row(device: Device, box: SecretBox, row: DeviceRow | None = None) -> DeviceRow:
    """Fill `row` (the stored one, when replacing) or a new row with the device."""
    values = device_values(device, box)
    if row is None:
        return DeviceRow(**values)
    for name, value in values.items():
        setattr(row, name, value)
    return row


def _document(device: Device) -> dict[str, Any]:
    return {
        "title": device.title,
        "timezone_offset": device.timezone_offset,
        "ntp_server": device.ntp_server,
        "status": device.status,
        "accounts": [_account_to_json(a) for a in device.accounts],
        "rules": {
            "expires_at": device.rules.expires_at.isoformat() if device.rules.expires_at else None,
            "check_mac": device.rules.check_mac,
            "allowed_ips": [str(n) for n in device.rules.allowed_ips],
            "publish_window_minutes": device.rules.publish_window_minutes,
            "lock_to_first_address": device.rules.lock_to_first_address,
        },
        "admin_password": device.admin_password,
        "resync_minutes": device.resync_minutes,
        "firmware_url": device.firmware_url,
        "language": device.language,
        "timezone": device.timezone,
        "line_keys": [_line_key_to_json(k) for k in device.line_keys],
        "phonebook": [_contact_to_json(c) for c in device.phonebook],
        "remote_phonebooks": [{"name": p.name, "url": p.url} for p in device.remote_phonebooks],
        "vendor_params": [[key, value] for key, value in device.vendor_params],
        "provisioning_username": device.provisioning_username,
        "provisioning_password": device.provisioning_password,
        "config_encryption": device.config_encryption.value,
        "config_encryption_key": device.config_encryption_key,
    }


def device_from_row(
    row: StoredDevice, box: SecretBox, last_provisioning: dict[str, Any] | None = None
) -> Device:
    """The device of a row, its secrets opened with `box`; `last_provisioning` is the record stored
    apart, where it was read."""
    document = open_secrets(row.document, row.mac, box)
    rules = document["rules"]
    return Device(
        key=row.key,
        token=row.token,
        vendor=row.vendor,
        model=row.model,
        mac=row.mac,
        title=document["title"],
        timezone_offset=document["timezone_offset"],
        ntp_server=document["ntp_server"],
        status=document["status"],
        accounts=tuple(_account_from_json(a) for a in document["accounts"]),
        rules=Rules(
            expires_at=_timestamp(rules["expires_at"]),
            check_mac=rules["check_mac"],
            allowed_ips=tuple(ipaddress.ip_network(n) for n in rules["allowed_ips"]),
            publish_window_minutes=rules.get("publish_window_minutes"),
            lock_to_first_address=rules.get("lock_to_first_address", False),
        ),
        admin_password=document.get("admin_password", ""),
        resync_minutes=document.get("resync_minutes"),
        firmware_url=document.get("firmware_url"),
        language=document.get("language"),
        timezone=document.get("timezone"),
        line_keys=tuple(_line_key_from_json(k) for k in document.get("line_keys", [])),
        phonebook=tuple(_contact_from_json(c) for c in document.get("phonebook", [])),
        remote_phonebooks=tuple(
            RemotePhonebook(p["name"], p["url"]) for p in document.get("remote_phonebooks", [])
        ),
        vendor_params=tuple((key, value) for key, value in document.get("vendor_params", [])),
        provisioning_username=document.get("provisioning_username", ""),
        provisioning_password=document.get("provisioning_password", ""),
        config_encryption=ConfigEncryption(document.get("config_encryption", "none")),
        config_encryption_key=document.get("config_encryption_key", ""),
        created_at=_aware(row.created_at),
        updated_at=_aware(row.updated_at),
        last_provisioning=_record_from_json(last_provisioning),
        locked_address=row.locked_address,
    )
