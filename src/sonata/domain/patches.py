"""Changing some fields of a stored device: the patch, laid over the device, gives the draft
that validate_device checks like any other."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.model import Account, ConfigEncryption, Device, HostPort
from sonata.domain.validation import (
    AccountDraft,
    ContactDraft,
    DeviceDraft,
    LineKeyDraft,
    RemotePhonebookDraft,
    RulesDraft,
)


class Keep(Enum):
    """A field the patch leaves out: the stored value stays."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class RulesPatch:
    expires_at: datetime | Keep | None = KEEP
    check_mac: bool | Keep | None = KEEP
    """None turns the check off."""
    allowed_ips: list[str] | Keep | None = KEEP
    publish_window_minutes: int | Keep | None = KEEP
    """None: the server's default window."""
    lock_to_first_address: bool | Keep | None = KEEP
    """None turns the lock off."""


@dataclass(frozen=True)
class DevicePatch:
    """Each field is KEEP (the stored value stays), None (it is cleared) or the new value.

    Lists given replace the stored list whole; accounts without a password keep the password
    stored for their line, as a saved draft does."""

    vendor: str | Keep | None = KEEP
    model: str | Keep | None = KEEP
    mac: str | Keep | None = KEEP
    token: str | Keep | None = KEEP
    title: str | Keep | None = KEEP
    timezone_offset: str | Keep | None = KEEP
    ntp_server: str | Keep | None = KEEP
    status: bool | Keep | None = KEEP
    accounts: list[AccountDraft] | Keep | None = KEEP
    rules: RulesPatch | Keep | None = KEEP
    """None removes every rule; a RulesPatch changes the rules it names."""
    admin_password: str | Keep | None = KEEP
    resync_minutes: int | Keep | None = KEEP
    firmware_url: str | Keep | None = KEEP
    language: str | Keep | None = KEEP
    timezone: str | Keep | None = KEEP
    line_keys: list[LineKeyDraft] | Keep | None = KEEP
    phonebook: list[ContactDraft] | Keep | None = KEEP
    remote_phonebooks: list[RemotePhonebookDraft] | Keep | None = KEEP
    vendor_params: Any = KEEP
    provisioning_username: str | Keep | None = KEEP
    provisioning_password: str | Keep | None = KEEP
    """None or "" removes it (and the user name must go with it)."""
    config_encryption: ConfigEncryption | Keep | None = KEEP
    """None is NONE: the files go plain and the key is dropped."""
    config_encryption_key: str | Keep | None = KEEP


_NOT_CLEARABLE = ("vendor", "model", "mac", "status")
# What a cleared field becomes where None is not the draft's own "nothing".
_CLEARED: dict[str, Callable[[], Any]] = {
    "accounts": list,
    "line_keys": list,
    "phonebook": list,
    "remote_phonebooks": list,
    "vendor_params": dict,
    "admin_password": str,
    "provisioning_username": str,
    "provisioning_password": str,
    "config_encryption": lambda: ConfigEncryption.NONE,
    "config_encryption_key": str,
}


def apply_patch(device: Device, patch: DevicePatch) -> DeviceDraft:
    """The draft of the device with the patch's fields changed; ValidationFailed when the patch
    clears a field every device needs."""
    errors = [
        FieldError(name, "cannot be cleared; leave it out to keep the stored value")
        for name in _NOT_CLEARABLE
        if getattr(patch, name) is None
    ]
    if errors:
        raise ValidationFailed(errors)
    stored = draft_of(device)
    changes: dict[str, Any] = {}
    for item in dataclasses.fields(patch):
        value = getattr(patch, item.name)
        if value is KEEP:
            continue
        if item.name == "rules":
            changes["rules"] = _patched_rules(stored.rules, value)
        elif value is None:
            changes[item.name] = _CLEARED.get(item.name, lambda: None)()
        else:
            changes[item.name] = value
    return dataclasses.replace(stored, **changes)


def _patched_rules(stored: RulesDraft | None, patch: RulesPatch | None) -> RulesDraft | None:
    if patch is None:
        return None
    rules = stored or RulesDraft()
    return RulesDraft(
        expires_at=rules.expires_at if patch.expires_at is KEEP else patch.expires_at,
        check_mac=rules.check_mac if patch.check_mac is KEEP else bool(patch.check_mac),
        allowed_ips=rules.allowed_ips if patch.allowed_ips is KEEP else list(patch.allowed_ips or []),
        publish_window_minutes=(
            rules.publish_window_minutes
            if patch.publish_window_minutes is KEEP
            else patch.publish_window_minutes
        ),
        lock_to_first_address=(
            rules.lock_to_first_address
            if patch.lock_to_first_address is KEEP
            else bool(patch.lock_to_first_address)
        ),
    )


def draft_of(device: Device) -> DeviceDraft:
    """The draft describing a stored device. It leaves the passwords out, so validating it
    keeps the stored ones, and the key, so the device keeps its own."""
    return DeviceDraft(
        vendor=device.vendor,
        model=device.model,
        mac=device.mac,
        token=device.token,
        title=device.title,
        timezone_offset=device.timezone_offset,
        ntp_server=device.ntp_server,
        status=device.status,
        accounts=[_account_draft(a) for a in device.accounts],
        rules=RulesDraft(
            expires_at=device.rules.expires_at,
            check_mac=device.rules.check_mac,
            allowed_ips=[str(network) for network in device.rules.allowed_ips],
            publish_window_minutes=device.rules.publish_window_minutes,
            lock_to_first_address=device.rules.lock_to_first_address,
        ),
        resync_minutes=device.resync_minutes,
        firmware_url=device.firmware_url,
        language=device.language,
        timezone=device.timezone,
        line_keys=[LineKeyDraft(k.type, k.value, k.label, k.line, k.pickup_code) for k in device.line_keys],
        phonebook=[ContactDraft(c.name, list(c.numbers)) for c in device.phonebook],
        remote_phonebooks=[RemotePhonebookDraft(p.name, p.url) for p in device.remote_phonebooks],
        vendor_params=dict(device.vendor_params),
        provisioning_username=device.provisioning_username,
        config_encryption=device.config_encryption,
    )


def _written(address: HostPort | None) -> str | None:
    return str(address) if address else None


def _account_draft(account: Account) -> AccountDraft:
    return AccountDraft(
        line=account.line,
        sip_register=_written(account.sip_register) or "",
        sip_user=account.sip_user,
        name=account.name,
        sip_name=account.sip_name,
        sip_auth=account.sip_auth,
        enabled=account.enabled,
        transport=account.transport,
        register_expires=account.register_expires,
        outbound_proxy=_written(account.outbound_proxy),
        backup_server=_written(account.backup_server),
        voicemail=account.voicemail,
    )
