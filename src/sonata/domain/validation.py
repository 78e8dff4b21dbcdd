"""Turning a submitted device (a draft) into a valid Device, or into field errors."""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.mac import normalize_mac
from sonata.domain.model import Account, Device, HostPort, IpNetwork, Rules
from sonata.domain.timezones import parse_utc_offset
from sonata.domain.vendors import VENDORS
from sonata.domain.vendors.base import PhoneModel


@dataclass
class AccountDraft:
    line: int
    sip_register: str = ""
    sip_user: str = ""
    sip_password: str | None = None
    """None keeps the password already stored for this line."""
    name: str | None = None
    sip_name: str | None = None
    sip_auth: str | None = None
    enabled: bool = True


@dataclass
class RulesDraft:
    expires_at: datetime | None = None
    check_mac: bool = False
    allowed_ips: list[str] = field(default_factory=list)


@dataclass
class DeviceDraft:
    vendor: str
    model: str
    mac: str
    key: str | None = None
    token: str | None = None
    title: str | None = None
    timezone_offset: str | None = None
    ntp_server: str | None = None
    status: bool = True
    accounts: list[AccountDraft] = field(default_factory=list)
    rules: RulesDraft | None = None


_URL_SAFE_SECRET = re.compile(r"^[A-Za-z0-9_-]{12,128}$")
_HOST_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_HOST_LABEL}(?:\.{_HOST_LABEL})*\.?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_TEXT = 256


def generate_key() -> str:
    """A personal key with 192 bits of randomness, URL-safe."""
    return secrets.token_urlsafe(24)


def parse_host(text: str) -> str:
    """A hostname, IPv4 or IPv6 address (the latter without brackets)."""
    candidate = text.strip()
    if candidate.startswith("[") and candidate.endswith("]"):
        candidate = candidate[1:-1]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        pass
    if not _HOSTNAME.match(candidate) or candidate.replace(".", "").isdigit():
        raise ValueError("must be a host name or an IP address")
    return candidate.lower()


def parse_host_port(text: str) -> HostPort:
    """`host`, `host:port`, `[v6]` or `[v6]:port`."""
    candidate = text.strip()
    host, port_text = candidate, None
    if candidate.startswith("["):
        end = candidate.find("]")
        if end < 0:
            raise ValueError("an IPv6 address must be closed with ]")
        host, rest = candidate[: end + 1], candidate[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ValueError("must be host or host:port")
            port_text = rest[1:]
    elif candidate.count(":") == 1:
        host, port_text = candidate.split(":")
    if port_text is not None:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise ValueError("the port must be a number from 1 to 65535")
    return HostPort(parse_host(host), int(port_text) if port_text is not None else None)


def parse_network(text: str) -> IpNetwork:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ValueError("must be an IPv4 or IPv6 address or network such as 10.0.0.0/8") from None


class _Checker:
    """Collects field errors while values are converted."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def text(self, path: str, value: str | None, *, required: bool = False) -> str:
        value = (value or "").strip()
        if required and not value:
            self.fail(path, "is required")
        elif len(value) > _MAX_TEXT:
            self.fail(path, f"must be at most {_MAX_TEXT} characters")
        return value

    def identifier(self, path: str, value: str | None, *, required: bool = False) -> str:
        """Text that goes into SIP headers: no control characters or spaces at the ends."""
        value = self.text(path, value, required=required)
        if _CONTROL.search(value):
            self.fail(path, "must not contain control characters such as line breaks")
        return value

    def secret(self, path: str, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not _URL_SAFE_SECRET.match(value):
            self.fail(path, "must be 12 to 128 URL-safe characters (letters, digits, '-' and '_')")
        return value


def _model(check: _Checker, vendor_id: str, model_id: str) -> PhoneModel | None:
    vendor = VENDORS.get(vendor_id.strip().lower())
    if vendor is None:
        check.fail("vendor", f"unknown vendor; known vendors: {', '.join(sorted(VENDORS))}")
        return None
    model = vendor.model(model_id.strip().lower())
    if model is None:
        known = ", ".join(m.id for m in vendor.models)
        check.fail("model", f"unknown {vendor.id} model; known models: {known}")
    return model


def _account(
    check: _Checker, index: int, draft: AccountDraft, model: PhoneModel | None, previous: Device | None
) -> Account:
    path = f"accounts.{index}"
    if model is not None and not 1 <= draft.line <= model.accounts:
        check.fail(f"{path}.line", f"must be from 1 to {model.accounts}, the {model.name}'s account count")
    register: HostPort | None = None
    register_text = check.identifier(f"{path}.sip_register", draft.sip_register, required=draft.enabled)
    if register_text:
        try:
            register = parse_host_port(register_text)
        except ValueError as error:
            check.fail(f"{path}.sip_register", str(error))
    password = draft.sip_password
    if password is None:
        password = _stored_password(previous, draft.line)
    elif _CONTROL.search(password):
        check.fail(f"{path}.sip_password", "must not contain control characters such as line breaks")
    return Account(
        line=draft.line,
        sip_register=register,
        sip_user=check.identifier(f"{path}.sip_user", draft.sip_user, required=draft.enabled),
        sip_password=password,
        name=check.text(f"{path}.name", draft.name),
        sip_name=check.text(f"{path}.sip_name", draft.sip_name),
        sip_auth=check.identifier(f"{path}.sip_auth", draft.sip_auth),
        enabled=draft.enabled,
    )


def _stored_password(previous: Device | None, line: int) -> str:
    if previous is None:
        return ""
    return next((a.sip_password for a in previous.accounts if a.line == line), "")


def _rules(check: _Checker, draft: RulesDraft | None) -> Rules:
    if draft is None:
        return Rules()
    networks: list[IpNetwork] = []
    for index, text in enumerate(draft.allowed_ips):
        try:
            networks.append(parse_network(text))
        except ValueError as error:
            check.fail(f"rules.allowed_ips.{index}", str(error))
    expires_at = draft.expires_at
    if expires_at is not None and expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    return Rules(expires_at=expires_at, check_mac=draft.check_mac, allowed_ips=tuple(networks))


def validate_device(draft: DeviceDraft, previous: Device | None, now: datetime) -> Device:
    """Build the Device a draft describes; `previous` is the stored device it replaces."""
    check = _Checker()
    mac = ""
    try:
        mac = normalize_mac(draft.mac)
    except ValueError as error:
        check.fail("mac", str(error))
    model = _model(check, draft.vendor, draft.model)
    timezone_offset = check.text("timezone_offset", draft.timezone_offset) or None
    if timezone_offset:
        try:
            parse_utc_offset(timezone_offset)
        except ValueError as error:
            check.fail("timezone_offset", str(error))
    ntp_server = check.text("ntp_server", draft.ntp_server) or None
    if ntp_server:
        try:
            ntp_server = parse_host(ntp_server)
        except ValueError as error:
            check.fail("ntp_server", str(error))
    accounts = [_account(check, i, a, model, previous) for i, a in enumerate(draft.accounts)]
    seen: set[int] = set()
    for index, account in enumerate(accounts):
        if account.line in seen:
            check.fail(f"accounts.{index}.line", f"line {account.line} is given twice")
        seen.add(account.line)
    device = Device(
        key=check.secret("key", draft.key) or (previous.key if previous else generate_key()),
        token=check.secret("token", draft.token),
        title=check.text("title", draft.title),
        vendor=draft.vendor.strip().lower(),
        model=draft.model.strip().lower(),
        mac=mac,
        timezone_offset=timezone_offset,
        ntp_server=ntp_server,
        status=draft.status,
        accounts=tuple(sorted(accounts, key=lambda a: a.line)),
        rules=_rules(check, draft.rules),
        created_at=previous.created_at if previous else now,
        updated_at=now,
        last_provisioning=previous.last_provisioning if previous else None,
    )
    if check.errors:
        raise ValidationFailed(check.errors)
    return device
