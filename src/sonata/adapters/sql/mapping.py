"""Device <-> row conversion."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from typing import Any

from sonata.adapters.sql.tables import DeviceRow
from sonata.domain.model import Account, Device, HostPort, ProvisioningRecord, Rules


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything Sonata stores is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _timestamp(text: str | None) -> datetime | None:
    return _aware(datetime.fromisoformat(text)) if text else None


def _account_to_json(account: Account) -> dict[str, Any]:
    register = account.sip_register
    return {
        "line": account.line,
        "name": account.name,
        "sip_register": {"host": register.host, "port": register.port} if register else None,
        "sip_name": account.sip_name,
        "sip_user": account.sip_user,
        "sip_password": account.sip_password,
        "sip_auth": account.sip_auth,
        "enabled": account.enabled,
    }


def _account_from_json(data: dict[str, Any]) -> Account:
    register = data["sip_register"]
    return Account(
        line=data["line"],
        name=data["name"],
        sip_register=HostPort(register["host"], register["port"]) if register else None,
        sip_name=data["sip_name"],
        sip_user=data["sip_user"],
        sip_password=data["sip_password"],
        sip_auth=data["sip_auth"],
        enabled=data["enabled"],
    )


def record_to_json(record: ProvisioningRecord) -> dict[str, Any]:
    return {
        "at": record.at.isoformat(),
        "ip": record.ip,
        "user_agent": record.user_agent,
        "filename": record.filename,
    }


def _record_from_json(data: dict[str, Any] | None) -> ProvisioningRecord | None:
    if not data:
        return None
    return ProvisioningRecord(
        at=_aware(datetime.fromisoformat(data["at"])),
        ip=data["ip"],
        user_agent=data.get("user_agent"),
        filename=data.get("filename"),
    )


def device_to_row(device: Device, row: DeviceRow | None = None) -> DeviceRow:
    """Fill `row` (the stored one, when replacing) or a new row with the device."""
    assert device.created_at is not None and device.updated_at is not None
    values: dict[str, Any] = {
        "mac": device.mac,
        "token": device.token,
        "vendor": device.vendor,
        "model": device.model,
        "created_at": device.created_at,
        "updated_at": device.updated_at,
        "last_provisioning": record_to_json(device.last_provisioning) if device.last_provisioning else None,
        "document": _document(device),
    }
    if row is None:
        return DeviceRow(key=device.key, **values)
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
        },
    }


def device_from_row(row: DeviceRow) -> Device:
    document = row.document
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
        ),
        created_at=_aware(row.created_at),
        updated_at=_aware(row.updated_at),
        last_provisioning=_record_from_json(row.last_provisioning),
    )
