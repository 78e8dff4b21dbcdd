"""GraphQL inputs and their translation into domain drafts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from sonata.domain import model as domain
from sonata.domain import patches
from sonata.domain.validation import (
    MAX_PUBLISH_WINDOW_MINUTES,
    AccountDraft,
    ContactDraft,
    DeviceDraft,
    LineKeyDraft,
    RemotePhonebookDraft,
    RulesDraft,
)

_CONFIG_ENCRYPTION = (
    "How the device's config reaches the phone: NONE (plain), or encrypted in the vendor's own "
    "scheme (YEALINK_AES for Yealink, GRANDSTREAM_OPENSSL for Grandstream) with configEncryptionKey."
)
_CONFIG_ENCRYPTION_KEY = (
    "Write-only. The key the phone holds: Yealink's static.auto_provision.aes_key.mac (16 "
    "characters), Grandstream's XML config file password P1359."
)
_PROVISIONING_USERNAME = (
    "The user name a phone must give (HTTP Digest or Basic) to fetch this device's files, with "
    "provisioningPassword; both or neither."
)


@strawberry.input
class AccountInput:
    line: int
    sip_register: str
    sip_user: str
    name: str | None = None
    sip_name: str | None = None
    sip_password: str | None = strawberry.field(
        default=None, description="Write-only. Omit it to keep the password stored for this line."
    )
    sip_auth: str | None = None
    enabled: bool | None = True
    transport: domain.Transport = domain.Transport.UDP
    register_expires: int | None = strawberry.field(default=None, description="Seconds.")
    outbound_proxy: str | None = None
    backup_server: str | None = None
    voicemail: str | None = None

    def to_draft(self) -> AccountDraft:
        return AccountDraft(
            line=self.line,
            sip_register=self.sip_register,
            sip_user=self.sip_user,
            sip_password=self.sip_password,
            name=self.name,
            sip_name=self.sip_name,
            sip_auth=self.sip_auth,
            enabled=self.enabled is not False,
            transport=self.transport,
            register_expires=self.register_expires,
            outbound_proxy=self.outbound_proxy,
            backup_server=self.backup_server,
            voicemail=self.voicemail,
        )


@strawberry.input
class LineKeyInput:
    type: domain.LineKeyType
    value: str | None = None
    label: str | None = None
    line: int = 1
    pickup_code: str | None = strawberry.field(default=None, description="BLF keys only.")

    def to_draft(self) -> LineKeyDraft:
        return LineKeyDraft(
            type=self.type, value=self.value, label=self.label, line=self.line, pickup_code=self.pickup_code
        )


@strawberry.input
class ContactNumberInput:
    number: str
    type: domain.NumberType = domain.NumberType.WORK


@strawberry.input
class ContactInput:
    name: str
    numbers: list[ContactNumberInput]

    def to_draft(self) -> ContactDraft:
        return ContactDraft(self.name, [domain.ContactNumber(n.number, n.type) for n in self.numbers])


@strawberry.input
class RemotePhonebookInput:
    name: str
    url: str


_PUBLISH_WINDOW = (
    f"Serve the device only this many minutes after its last save (0 to {MAX_PUBLISH_WINDOW_MINUTES});"
    " 0: no window; null: "
    "the server's SONATA_PUBLISH_WINDOW_MINUTES when the phone asks (unset: no window)."
)
_LOCK_TO_FIRST_ADDRESS = (
    "After the first fetch since the last save, serve only that fetch's client address; a save frees it."
)


@strawberry.input
class RulesInput:
    expires_at: datetime | None = None
    check_mac: bool | None = False
    allowed_ips: list[str] | None = strawberry.field(default_factory=list)
    publish_window_minutes: int | None = strawberry.field(default=None, description=_PUBLISH_WINDOW)
    lock_to_first_address: bool | None = strawberry.field(default=False, description=_LOCK_TO_FIRST_ADDRESS)

    def to_draft(self) -> RulesDraft:
        return RulesDraft(
            expires_at=self.expires_at,
            check_mac=bool(self.check_mac),
            allowed_ips=list(self.allowed_ips or []),
            publish_window_minutes=self.publish_window_minutes,
            lock_to_first_address=bool(self.lock_to_first_address),
        )


@strawberry.input
class DeviceInput:
    vendor: str
    model: str
    mac: str
    key: str | None = None
    token: str | None = None
    title: str | None = None
    timezone_offset: str | None = None
    ntp_server: str | None = None
    status: bool | None = True
    accounts: list[AccountInput] = strawberry.field(default_factory=list)
    rules: RulesInput | None = None
    admin_password: str | None = strawberry.field(
        default=None, description="Write-only. Omit it to keep the stored admin password."
    )
    resync_minutes: int | None = None
    firmware_url: str | None = None
    language: str | None = strawberry.field(default=None, description="ISO 639-1 code such as en or de.")
    timezone: str | None = strawberry.field(
        default=None, description="IANA zone such as Europe/Berlin; wins over timezoneOffset."
    )
    line_keys: list[LineKeyInput] | None = None
    phonebook: list[ContactInput] | None = None
    remote_phonebooks: list[RemotePhonebookInput] | None = None
    vendor_params: JSON | None = strawberry.field(
        default=None, description='Raw vendor settings, e.g. {"P8": "1"}; they win over Sonata\'s own values.'
    )
    provisioning_username: str | None = strawberry.field(default=None, description=_PROVISIONING_USERNAME)
    provisioning_password: str | None = strawberry.field(
        default=None,
        description="Write-only. Omit it to keep the stored one; an empty string removes the credentials.",
    )
    config_encryption: domain.ConfigEncryption = strawberry.field(
        default=domain.ConfigEncryption.NONE, description=_CONFIG_ENCRYPTION
    )
    config_encryption_key: str | None = strawberry.field(
        default=None, description=f"{_CONFIG_ENCRYPTION_KEY} Omit it to keep the stored one."
    )

    def to_draft(self) -> DeviceDraft:
        return DeviceDraft(
            vendor=self.vendor,
            model=self.model,
            mac=self.mac,
            key=self.key,
            token=self.token,
            title=self.title,
            timezone_offset=self.timezone_offset,
            ntp_server=self.ntp_server,
            status=self.status is not False,
            accounts=[a.to_draft() for a in self.accounts],
            rules=self.rules.to_draft() if self.rules else None,
            admin_password=self.admin_password,
            resync_minutes=self.resync_minutes,
            firmware_url=self.firmware_url,
            language=self.language,
            timezone=self.timezone,
            line_keys=[k.to_draft() for k in self.line_keys or []],
            phonebook=[c.to_draft() for c in self.phonebook or []],
            remote_phonebooks=[RemotePhonebookDraft(p.name, p.url) for p in self.remote_phonebooks or []],
            vendor_params=self.vendor_params if self.vendor_params is not None else {},
            provisioning_username=self.provisioning_username,
            provisioning_password=self.provisioning_password,
            config_encryption=self.config_encryption,
            config_encryption_key=self.config_encryption_key,
        )


def _kept(value: Any, convert: Callable[[Any], Any] = lambda given: given) -> Any:
    """A field left out (strawberry.UNSET) as the domain's KEEP, null as None, a value converted."""
    if value is strawberry.UNSET:
        return patches.KEEP
    return None if value is None else convert(value)


@strawberry.input(description="Rules to change; a rule left out keeps its stored value.")
class RulesPatch:
    expires_at: datetime | None = strawberry.field(default=strawberry.UNSET, description="null: no expiry.")
    check_mac: bool | None = strawberry.field(default=strawberry.UNSET, description="null: off.")
    allowed_ips: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="null: from any address."
    )
    publish_window_minutes: int | None = strawberry.field(
        default=strawberry.UNSET, description=_PUBLISH_WINDOW
    )
    lock_to_first_address: bool | None = strawberry.field(
        default=strawberry.UNSET, description=f"{_LOCK_TO_FIRST_ADDRESS} null: off."
    )

    def to_patch(self) -> patches.RulesPatch:
        return patches.RulesPatch(
            expires_at=_kept(self.expires_at),
            check_mac=_kept(self.check_mac),
            allowed_ips=_kept(self.allowed_ips),
            publish_window_minutes=_kept(self.publish_window_minutes),
            lock_to_first_address=_kept(self.lock_to_first_address),
        )


@strawberry.input(
    description="The fields of a device to change. A field left out keeps its stored value; null "
    "clears it (vendor, model, mac and status cannot be cleared). A list given replaces the stored "
    "list; an account without sipPassword keeps the password stored for its line."
)
class DevicePatch:
    vendor: str | None = strawberry.UNSET
    model: str | None = strawberry.UNSET
    mac: str | None = strawberry.UNSET
    token: str | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    timezone_offset: str | None = strawberry.UNSET
    ntp_server: str | None = strawberry.UNSET
    status: bool | None = strawberry.UNSET
    accounts: list[AccountInput] | None = strawberry.UNSET
    rules: RulesPatch | None = strawberry.field(
        default=strawberry.UNSET, description="null removes every rule."
    )
    admin_password: str | None = strawberry.field(
        default=strawberry.UNSET, description="Write-only. null or an empty string removes it."
    )
    resync_minutes: int | None = strawberry.UNSET
    firmware_url: str | None = strawberry.UNSET
    language: str | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    line_keys: list[LineKeyInput] | None = strawberry.UNSET
    phonebook: list[ContactInput] | None = strawberry.UNSET
    remote_phonebooks: list[RemotePhonebookInput] | None = strawberry.UNSET
    vendor_params: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces all raw vendor settings; null removes them."
    )
    provisioning_username: str | None = strawberry.field(
        default=strawberry.UNSET, description=_PROVISIONING_USERNAME
    )
    provisioning_password: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Write-only. null or an empty string removes it, together with the user name.",
    )
    config_encryption: domain.ConfigEncryption | None = strawberry.field(
        default=strawberry.UNSET, description=f"{_CONFIG_ENCRYPTION} null: NONE."
    )
    config_encryption_key: str | None = strawberry.field(
        default=strawberry.UNSET, description=_CONFIG_ENCRYPTION_KEY
    )

    def to_patch(self) -> patches.DevicePatch:
        return patches.DevicePatch(
            vendor=_kept(self.vendor),
            model=_kept(self.model),
            mac=_kept(self.mac),
            token=_kept(self.token),
            title=_kept(self.title),
            timezone_offset=_kept(self.timezone_offset),
            ntp_server=_kept(self.ntp_server),
            status=_kept(self.status),
            accounts=_kept(self.accounts, lambda accounts: [a.to_draft() for a in accounts]),
            rules=_kept(self.rules, lambda rules: rules.to_patch()),
            admin_password=_kept(self.admin_password),
            resync_minutes=_kept(self.resync_minutes),
            firmware_url=_kept(self.firmware_url),
            language=_kept(self.language),
            timezone=_kept(self.timezone),
            line_keys=_kept(self.line_keys, lambda keys: [k.to_draft() for k in keys]),
            phonebook=_kept(self.phonebook, lambda contacts: [c.to_draft() for c in contacts]),
            remote_phonebooks=_kept(
                self.remote_phonebooks, lambda books: [RemotePhonebookDraft(p.name, p.url) for p in books]
            ),
            vendor_params=_kept(self.vendor_params),
            provisioning_username=_kept(self.provisioning_username),
            provisioning_password=_kept(self.provisioning_password),
            config_encryption=_kept(self.config_encryption),
            config_encryption_key=_kept(self.config_encryption_key),
        )
