"""GraphQL output types, built from domain objects (never from ORM rows)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

import strawberry
from strawberry.scalars import JSON

from sonata.domain import model as domain
from sonata.domain.errors import FieldError as DomainFieldError
from sonata.domain.vendors.base import PhoneModel as DomainPhoneModel
from sonata.domain.vendors.base import Vendor as DomainVendor

Node = TypeVar("Node")


@strawberry.type
class PhoneModel:
    id: strawberry.ID
    name: str
    accounts: int

    @classmethod
    def from_domain(cls, phone_model: DomainPhoneModel) -> PhoneModel:
        return cls(id=strawberry.ID(phone_model.id), name=phone_model.name, accounts=phone_model.accounts)


@strawberry.type
class Vendor:
    id: strawberry.ID
    name: str
    models: list[PhoneModel]

    @classmethod
    def from_domain(cls, vendor: DomainVendor) -> Vendor:
        return cls(
            id=strawberry.ID(vendor.id),
            name=vendor.name,
            models=[PhoneModel.from_domain(m) for m in vendor.models],
        )


# The domain's enums, exposed as they are: GraphQL spells their member names (UDP, SPEED_DIAL, WORK).
strawberry.enum(domain.Transport)
strawberry.enum(domain.LineKeyType)
strawberry.enum(domain.NumberType)
strawberry.enum(domain.LinkKind)
strawberry.enum(domain.ConfigEncryption)


def _host_port(value: domain.HostPort | None) -> str | None:
    return str(value) if value else None


@strawberry.type
class Account:
    line: int
    name: str | None
    sip_register: str
    sip_name: str | None
    sip_user: str
    sip_auth: str | None
    enabled: bool
    has_password: bool
    transport: domain.Transport
    register_expires: int | None = strawberry.field(description="Seconds.")
    outbound_proxy: str | None
    backup_server: str | None
    voicemail: str | None

    @classmethod
    def from_domain(cls, account: domain.Account) -> Account:
        return cls(
            line=account.line,
            name=account.name,
            sip_register=_host_port(account.sip_register) or "",
            sip_name=account.sip_name,
            sip_user=account.sip_user,
            sip_auth=account.sip_auth,
            enabled=account.enabled,
            has_password=account.has_password,
            transport=account.transport,
            register_expires=account.register_expires,
            outbound_proxy=_host_port(account.outbound_proxy),
            backup_server=_host_port(account.backup_server),
            voicemail=account.voicemail,
        )


@strawberry.type
class LineKey:
    type: domain.LineKeyType
    value: str
    label: str
    line: int
    pickup_code: str


@strawberry.type
class ContactNumber:
    number: str
    type: domain.NumberType


@strawberry.type
class Contact:
    name: str
    numbers: list[ContactNumber]


@strawberry.type
class RemotePhonebook:
    name: str
    url: str


@strawberry.type
class Rules:
    expires_at: datetime | None
    check_mac: bool
    allowed_ips: list[str]
    publish_window_minutes: int | None = strawberry.field(
        description="Served only this many minutes after the last save; null: the server's "
        "SONATA_PUBLISH_WINDOW_MINUTES (unset: no window); 0: no window."
    )
    lock_to_first_address: bool = strawberry.field(
        description="After the first fetch since the last save, only that fetch's address is served."
    )


@strawberry.type
class Links:
    personal: str
    common: str | None


@strawberry.type
class ProvisioningRecord:
    at: datetime
    ip: str
    user_agent: str | None
    filename: str | None
    vendor: str | None
    model: str | None
    firmware: str | None
    link: domain.LinkKind | None = strawberry.field(
        description="The link the phone used: PERSONAL (its key) or COMMON (the group token and its "
        "MAC); null in records made before Sonata noted it."
    )
    previous_key: bool = strawberry.field(
        description="The personal link was that of a key rotateDeviceKey replaced, still in its grace: "
        "the file it got points the phone at the new link."
    )


@strawberry.type
class Device:
    key: str
    token: str | None
    title: str | None
    vendor: str
    model: str
    mac: str
    timezone_offset: str | None
    ntp_server: str | None
    status: bool
    accounts: list[Account]
    rules: Rules
    links: Links
    last_provisioning: ProvisioningRecord | None
    created_at: datetime
    updated_at: datetime
    has_admin_password: bool
    resync_minutes: int | None
    firmware_url: str | None
    language: str | None
    timezone: str | None
    line_keys: list[LineKey]
    phonebook: list[Contact]
    remote_phonebooks: list[RemotePhonebook]
    vendor_params: JSON
    provisioning_username: str | None = strawberry.field(
        description="The user name a phone gives (HTTP Digest or Basic) to fetch this device's files."
    )
    has_provisioning_password: bool
    config_encryption: domain.ConfigEncryption = strawberry.field(
        description="NONE, or the vendor's scheme the phone gets its config encrypted in."
    )
    has_config_encryption_key: bool

    @classmethod
    def from_domain(cls, device: domain.Device, link_base: str) -> Device:
        assert device.created_at is not None and device.updated_at is not None
        record = device.last_provisioning
        return cls(
            key=device.key,
            token=device.token,
            title=device.title,
            vendor=device.vendor,
            model=device.model,
            mac=device.mac,
            timezone_offset=device.timezone_offset,
            ntp_server=device.ntp_server,
            status=device.status,
            accounts=[Account.from_domain(a) for a in device.accounts],
            rules=Rules(
                expires_at=device.rules.expires_at,
                check_mac=device.rules.check_mac,
                allowed_ips=[str(n) for n in device.rules.allowed_ips],
                publish_window_minutes=device.rules.publish_window_minutes,
                lock_to_first_address=device.rules.lock_to_first_address,
            ),
            links=Links(
                personal=f"{link_base}/v1/device/{device.key}",
                common=f"{link_base}/v1/token/{device.token}" if device.token else None,
            ),
            last_provisioning=ProvisioningRecord(
                at=record.at,
                ip=record.ip,
                user_agent=record.user_agent,
                filename=record.filename,
                vendor=record.vendor,
                model=record.model,
                firmware=record.firmware,
                link=record.link,
                previous_key=record.previous_key,
            )
            if record
            else None,
            created_at=device.created_at,
            updated_at=device.updated_at,
            has_admin_password=bool(device.admin_password),
            resync_minutes=device.resync_minutes,
            firmware_url=device.firmware_url,
            language=device.language,
            timezone=device.timezone,
            line_keys=[
                LineKey(type=k.type, value=k.value, label=k.label, line=k.line, pickup_code=k.pickup_code)
                for k in device.line_keys
            ],
            phonebook=[
                Contact(name=c.name, numbers=[ContactNumber(number=n.number, type=n.type) for n in c.numbers])
                for c in device.phonebook
            ],
            remote_phonebooks=[RemotePhonebook(name=p.name, url=p.url) for p in device.remote_phonebooks],
            vendor_params=JSON(dict(device.vendor_params)),
            provisioning_username=device.provisioning_username or None,
            has_provisioning_password=bool(device.provisioning_password),
            config_encryption=device.config_encryption,
            has_config_encryption_key=bool(device.config_encryption_key),
        )


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None

    @classmethod
    def of(cls, nodes: Sequence[Node], has_next_page: bool, cursor: Callable[[Node], str]) -> PageInfo:
        """The page of `nodes`: its end cursor is the last one's, none where the page is empty."""
        return cls(has_next_page=has_next_page, end_cursor=cursor(nodes[-1]) if nodes else None)


@strawberry.type
class DeviceConnection:
    nodes: list[Device]
    total_count: int
    page_info: PageInfo


def camel_path(path: str) -> str:
    """`accounts.0.sip_register` -> `accounts.0.sipRegister`; vendor keys stay as given."""

    def convert(part: str) -> str:
        head, *rest = part.split("_")
        return head + "".join(word.capitalize() for word in rest)

    if path.startswith("vendor_params."):
        return "vendorParams." + path.removeprefix("vendor_params.")
    return ".".join(convert(part) for part in path.split("."))


@strawberry.type
class FieldError:
    field: str
    message: str

    @classmethod
    def from_domain(cls, error: DomainFieldError, *, camel_case: bool = True) -> FieldError:
        return cls(field=camel_path(error.field) if camel_case else error.field, message=error.message)


@strawberry.type
class RenderedFile:
    filename: str
    content_type: str
    body: str


@strawberry.type
class SaveDevicePayload:
    device: Device | None
    errors: list[FieldError]


@strawberry.type
class DeleteDevicePayload:
    deleted: bool
    errors: list[FieldError]


@strawberry.type
class ImportDevicesPayload:
    saved: int
    results: list[SaveDevicePayload]
