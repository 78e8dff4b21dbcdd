"""GraphQL output types, built from domain objects (never from ORM rows)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from sonata.domain import model as domain
from sonata.domain.errors import FieldError as DomainFieldError
from sonata.domain.vendors.base import PhoneModel as DomainPhoneModel
from sonata.domain.vendors.base import Vendor as DomainVendor


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

    @classmethod
    def from_domain(cls, account: domain.Account) -> Account:
        return cls(
            line=account.line,
            name=account.name,
            sip_register=str(account.sip_register) if account.sip_register else "",
            sip_name=account.sip_name,
            sip_user=account.sip_user,
            sip_auth=account.sip_auth,
            enabled=account.enabled,
            has_password=account.has_password,
        )


@strawberry.type
class Rules:
    expires_at: datetime | None
    check_mac: bool
    allowed_ips: list[str]


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
            ),
            links=Links(
                personal=f"{link_base}/v1/device/{device.key}",
                common=f"{link_base}/v1/token/{device.token}" if device.token else None,
            ),
            last_provisioning=ProvisioningRecord(
                at=record.at, ip=record.ip, user_agent=record.user_agent, filename=record.filename
            )
            if record
            else None,
            created_at=device.created_at,
            updated_at=device.updated_at,
        )


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class DeviceConnection:
    nodes: list[Device]
    total_count: int
    page_info: PageInfo


def _camel(path: str) -> str:
    def convert(part: str) -> str:
        head, *rest = part.split("_")
        return head + "".join(word.capitalize() for word in rest)

    return ".".join(convert(part) for part in path.split("."))


@strawberry.type
class FieldError:
    field: str
    message: str

    @classmethod
    def from_domain(cls, error: DomainFieldError, *, camel_case: bool = True) -> FieldError:
        return cls(field=_camel(error.field) if camel_case else error.field, message=error.message)


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
