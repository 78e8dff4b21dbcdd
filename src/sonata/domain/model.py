"""The vendor-neutral device and the values it is made of."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class HostPort:
    """A `host` or `host:port` as written by the administrator."""

    host: str
    port: int | None = None

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port is None else f"{host}:{self.port}"


@dataclass(frozen=True)
class Account:
    line: int
    sip_register: HostPort | None
    sip_user: str
    sip_password: str = ""
    name: str = ""
    sip_name: str = ""
    sip_auth: str = ""
    enabled: bool = True

    @property
    def auth_id(self) -> str:
        """Phones expect the user id where no separate auth id is given."""
        return self.sip_auth or self.sip_user

    @property
    def has_password(self) -> bool:
        return bool(self.sip_password)


@dataclass(frozen=True)
class Rules:
    expires_at: datetime | None = None
    check_mac: bool = False
    allowed_ips: tuple[IpNetwork, ...] = ()


@dataclass(frozen=True)
class ProvisioningRecord:
    at: datetime
    ip: str
    user_agent: str | None = None
    filename: str | None = None


@dataclass(frozen=True)
class Device:
    key: str
    vendor: str
    model: str
    mac: str
    token: str | None = None
    title: str = ""
    timezone_offset: str | None = None
    ntp_server: str | None = None
    status: bool = True
    accounts: tuple[Account, ...] = ()
    rules: Rules = field(default_factory=Rules)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_provisioning: ProvisioningRecord | None = None


class LinkKind(Enum):
    PERSONAL = "personal"
    COMMON = "common"
