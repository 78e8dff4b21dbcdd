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


class Transport(Enum):
    UDP = "udp"
    TCP = "tcp"
    TLS = "tls"


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
    transport: Transport = Transport.UDP
    register_expires: int | None = None
    """Seconds; None leaves the phone's default."""
    outbound_proxy: HostPort | None = None
    backup_server: HostPort | None = None
    voicemail: str = ""

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
    publish_window_minutes: int | None = None
    """Served only this long after the device's last save; None: the server's default, 0: always."""
    lock_to_first_address: bool = False
    """Served only to the address of the first fetch after the device's last save."""


class LineKeyType(Enum):
    LINE = "line"
    BLF = "blf"
    SPEED_DIAL = "speed_dial"
    KEY_EVENT = "key_event"
    DTMF = "dtmf"


@dataclass(frozen=True)
class LineKey:
    """A programmable key, in the order the keys sit on the phone."""

    type: LineKeyType
    value: str = ""
    label: str = ""
    line: int = 1
    pickup_code: str = ""


class NumberType(Enum):
    WORK = "work"
    MOBILE = "mobile"
    HOME = "home"


@dataclass(frozen=True)
class ContactNumber:
    number: str
    type: NumberType = NumberType.WORK


@dataclass(frozen=True)
class Contact:
    name: str
    numbers: tuple[ContactNumber, ...] = ()


@dataclass(frozen=True)
class RemotePhonebook:
    name: str
    url: str


@dataclass(frozen=True)
class ProvisioningRecord:
    at: datetime
    ip: str
    user_agent: str | None = None
    filename: str | None = None
    vendor: str | None = None
    model: str | None = None
    firmware: str | None = None
    link: LinkKind | None = None
    """The link the phone used; None in records of a Sonata that did not note it."""
    previous_key: bool = False
    """The personal link was that of the key rotateDeviceKey replaced, in its grace."""


class ConfigEncryption(Enum):
    """How the files that are a device's config reach its phone: plain, or in the vendor's own
    encryption with a key the phone already holds (see domain/encryption.py)."""

    NONE = "none"
    YEALINK_AES = "yealink_aes"
    GRANDSTREAM_OPENSSL = "grandstream_openssl"


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
    admin_password: str = ""
    resync_minutes: int | None = None
    firmware_url: str | None = None
    language: str | None = None
    timezone: str | None = None
    """An IANA zone name; when set it wins over timezone_offset."""
    line_keys: tuple[LineKey, ...] = ()
    phonebook: tuple[Contact, ...] = ()
    remote_phonebooks: tuple[RemotePhonebook, ...] = ()
    vendor_params: tuple[tuple[str, str], ...] = ()
    """Raw vendor settings, written as given and winning over Sonata's own values."""
    # The credentials a phone gives (HTTP Digest or Basic) to fetch this device's files: both or neither.
    provisioning_username: str = ""
    provisioning_password: str = ""
    config_encryption: ConfigEncryption = ConfigEncryption.NONE
    config_encryption_key: str = ""
    """The scheme's key or password, as set on the phone; empty exactly when the scheme is NONE."""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_provisioning: ProvisioningRecord | None = None
    locked_address: str | None = None
    """Under lock_to_first_address, the address of the first fetch since the last save."""

    @property
    def needs_credentials(self) -> bool:
        return bool(self.provisioning_password)


class LinkKind(Enum):
    PERSONAL = "personal"
    COMMON = "common"
