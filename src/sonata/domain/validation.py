"""Turning a submitted device (a draft) into a valid Device, or into field errors."""

from __future__ import annotations

import functools
import ipaddress
import re
import secrets
from collections.abc import Mapping, Sized
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import SplitResult, urlsplit

from sonata.domain.encryption import key_problem
from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.limits import (
    MAX_ACCOUNTS,
    MAX_ADDRESS,
    MAX_ALLOWED_IPS,
    MAX_CONTACTS,
    MAX_LINE_KEYS,
    MAX_NUMBERS_PER_CONTACT,
    MAX_PASSWORD,
    MAX_PROVISIONING_USERNAME,
    MAX_REMOTE_PHONEBOOKS,
    MAX_SECRET,
    MAX_TEXT,
    MAX_URL,
    MAX_VENDOR_KEY,
    MAX_VENDOR_PARAMS,
    MAX_VENDOR_VALUE,
    shown_key,
)
from sonata.domain.mac import normalize_mac
from sonata.domain.model import (
    Account,
    ConfigEncryption,
    Contact,
    ContactNumber,
    Device,
    HostPort,
    IpNetwork,
    LineKey,
    LineKeyType,
    RemotePhonebook,
    Rules,
    Transport,
)
from sonata.domain.timezones import parse_utc_offset, zone_rule
from sonata.domain.vendors import VENDORS
from sonata.domain.vendors.base import PhoneModel, Vendor, password_problem


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
    transport: Transport = Transport.UDP
    register_expires: int | None = None
    outbound_proxy: str | None = None
    backup_server: str | None = None
    voicemail: str | None = None


@dataclass
class LineKeyDraft:
    type: LineKeyType
    value: str | None = None
    label: str | None = None
    line: int = 1
    pickup_code: str | None = None


@dataclass
class ContactDraft:
    name: str
    numbers: list[ContactNumber] = field(default_factory=list)


@dataclass
class RemotePhonebookDraft:
    name: str
    url: str


@dataclass
class RulesDraft:
    expires_at: datetime | None = None
    check_mac: bool = False
    allowed_ips: list[str] = field(default_factory=list)
    publish_window_minutes: int | None = None
    lock_to_first_address: bool = False


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
    admin_password: str | None = None
    """None keeps the admin password already stored."""
    resync_minutes: int | None = None
    firmware_url: str | None = None
    language: str | None = None
    timezone: str | None = None
    line_keys: list[LineKeyDraft] = field(default_factory=list)
    phonebook: list[ContactDraft] = field(default_factory=list)
    remote_phonebooks: list[RemotePhonebookDraft] = field(default_factory=list)
    vendor_params: Any = field(default_factory=dict)
    """A flat JSON object of vendor keys to string values (checked here, whatever its type)."""
    provisioning_username: str | None = None
    provisioning_password: str | None = None
    """None keeps the provisioning password already stored."""
    config_encryption: ConfigEncryption = ConfigEncryption.NONE
    config_encryption_key: str | None = None
    """None keeps the key already stored for the same scheme."""


_URL_SAFE_SECRET = re.compile(rf"^[A-Za-z0-9_-]{{12,{MAX_SECRET}}}\Z")
_HOST_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}\Z){_HOST_LABEL}(?:\.{_HOST_LABEL})*\.?\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# No space, colon (Basic splits user and password at the first one) or quote (Digest quotes it),
# and nothing a phone's config or an HTTP header would have to escape.
_PROVISIONING_USERNAME = re.compile(r"[A-Za-z0-9._@+-]+")
MIN_REGISTER_EXPIRES = 30
MAX_REGISTER_EXPIRES = 7 * 24 * 3600
MAX_RESYNC_MINUTES = 30 * 24 * 60
MAX_PUBLISH_WINDOW_MINUTES = 366 * 24 * 60


def is_secret(text: str) -> bool:
    """Whether a key or token is well formed: anything else names no device and is never looked up."""
    return len(text) <= MAX_SECRET and _URL_SAFE_SECRET.match(text) is not None


def generate_key() -> str:
    """A personal key with 192 bits of randomness, URL-safe.

    It never starts with `-`, so it cannot be mistaken for an option on a command line
    (`sonata render <key>`); redrawing keeps the remaining characters uniformly random.
    """
    while (key := secrets.token_urlsafe(24)).startswith("-"):
        pass
    return key


@functools.lru_cache(maxsize=1024)
def parse_host(text: str) -> str:
    """A hostname, IPv4 or IPv6 address (the latter without brackets).

    Cached: an import names the same few servers in every document, and telling a name from an
    address costs two failed address parses."""
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
    if port_text is not None and not (port_text.isdigit() and 1 <= int(port_text) <= 65535):
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

    def fits(self, path: str, value: str, limit: int) -> bool:
        """Whether a value is short enough to look at; checked before any pattern reads it."""
        if len(value) > limit:
            self.fail(path, f"must be at most {limit} characters")
            return False
        return True

    def many(self, path: str, items: Sized, limit: int, what: str) -> bool:
        """Whether a list is short enough to go through item by item."""
        if len(items) > limit:
            self.fail(path, f"holds at most {limit} {what}")
            return False
        return True

    def text(self, path: str, value: str | None, *, required: bool = False, limit: int = MAX_TEXT) -> str:
        """Trimmed text; empty when it is too long (an error of its own), so nothing parses it further."""
        value = (value or "").strip()
        if required and not value:
            self.fail(path, "is required")
        return value if self.fits(path, value, limit) else ""

    def identifier(
        self, path: str, value: str | None, *, required: bool = False, limit: int = MAX_TEXT
    ) -> str:
        """Text that goes into SIP headers: no control characters or spaces at the ends."""
        value = self.text(path, value, required=required, limit=limit)
        if _CONTROL.search(value):
            self.fail(path, "must not contain control characters such as line breaks")
        return value

    def password(self, path: str, value: str | None, vendor: Vendor | None) -> str | None:
        """A SIP or admin password, short and writable by the vendor (by every vendor while the
        vendor is unknown); None when none is given."""
        if value is None or not self.fits(path, value, MAX_PASSWORD):
            return None
        problem = vendor.check_password(value) if vendor else password_problem(value)
        if problem:
            self.fail(path, problem)
        return value

    def secret(self, path: str, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not is_secret(value):
            self.fail(path, f"must be 12 to {MAX_SECRET} URL-safe characters (letters, digits, '-' and '_')")
        return value


def _model(check: _Checker, vendor: Vendor | None, model_id: str) -> PhoneModel | None:
    if vendor is None:
        check.fail("vendor", f"unknown vendor; known vendors: {', '.join(sorted(VENDORS))}")
        return None
    model = vendor.model(model_id.strip().lower())
    if model is None:
        known = ", ".join(m.id for m in vendor.models)
        check.fail("model", f"unknown {vendor.id} model; known models: {known}")
    return model


def _optional_host_port(check: _Checker, path: str, text: str | None) -> HostPort | None:
    text = check.identifier(path, text)
    if not text:
        return None
    try:
        return parse_host_port(text)
    except ValueError as error:
        check.fail(path, str(error))
        return None


def _account(
    check: _Checker,
    index: int,
    draft: AccountDraft,
    vendor: Vendor | None,
    model: PhoneModel | None,
    previous: Device | None,
) -> Account:
    path = f"accounts.{index}"
    if model is not None and not 1 <= draft.line <= model.accounts:
        check.fail(f"{path}.line", f"must be from 1 to {model.accounts}, the {model.name}'s account count")
    register = _optional_host_port(check, f"{path}.sip_register", draft.sip_register)
    if draft.enabled and not draft.sip_register.strip():
        check.fail(f"{path}.sip_register", "is required")
    password = check.password(f"{path}.sip_password", draft.sip_password, vendor)
    if password is None:
        password = _stored_password(previous, draft.line)
    expires = draft.register_expires
    if expires is not None and not MIN_REGISTER_EXPIRES <= expires <= MAX_REGISTER_EXPIRES:
        check.fail(
            f"{path}.register_expires",
            f"must be from {MIN_REGISTER_EXPIRES} to {MAX_REGISTER_EXPIRES} seconds",
        )
    return Account(
        line=draft.line,
        sip_register=register,
        sip_user=check.identifier(f"{path}.sip_user", draft.sip_user, required=draft.enabled),
        sip_password=password,
        name=check.text(f"{path}.name", draft.name),
        sip_name=check.text(f"{path}.sip_name", draft.sip_name),
        sip_auth=check.identifier(f"{path}.sip_auth", draft.sip_auth),
        enabled=draft.enabled,
        transport=draft.transport,
        register_expires=expires,
        outbound_proxy=_optional_host_port(check, f"{path}.outbound_proxy", draft.outbound_proxy),
        backup_server=_optional_host_port(check, f"{path}.backup_server", draft.backup_server),
        voicemail=check.identifier(f"{path}.voicemail", draft.voicemail),
    )


def _stored_password(previous: Device | None, line: int) -> str:
    if previous is None:
        return ""
    return next((a.sip_password for a in previous.accounts if a.line == line), "")


def _rules(check: _Checker, draft: RulesDraft | None) -> Rules:
    if draft is None:
        return Rules()
    networks: list[IpNetwork] = []
    texts = (
        draft.allowed_ips
        if check.many("rules.allowed_ips", draft.allowed_ips, MAX_ALLOWED_IPS, "entries")
        else []
    )
    for index, text in enumerate(texts):
        path = f"rules.allowed_ips.{index}"
        if not check.fits(path, text, MAX_ADDRESS):
            continue
        try:
            networks.append(parse_network(text))
        except ValueError as error:
            check.fail(path, str(error))
    expires_at = draft.expires_at
    if expires_at is not None and expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    window = draft.publish_window_minutes
    if window is not None and not 0 <= window <= MAX_PUBLISH_WINDOW_MINUTES:
        check.fail(
            "rules.publish_window_minutes",
            f"must be from 0 (no window) to {MAX_PUBLISH_WINDOW_MINUTES} minutes (366 days)",
        )
    return Rules(
        expires_at=expires_at,
        check_mac=draft.check_mac,
        allowed_ips=tuple(networks),
        publish_window_minutes=window,
        lock_to_first_address=draft.lock_to_first_address,
    )


def _url(
    check: _Checker, path: str, text: str | None, schemes: tuple[str, ...], alternative: str = ""
) -> str | None:
    text = check.identifier(path, text, limit=MAX_URL)
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in schemes or not parts.hostname or " " in text or not _has_valid_port(parts):
        check.fail(
            path, f"must be a URL starting with {' or '.join(s + '://' for s in schemes)}{alternative}"
        )
    return text


_BARE_HOST_PATH = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*+)(?::\d{1,5})?(?:/[^\s]*+)?\Z")
"""`host[:port][/path]` without a scheme; a name with any other character before the path
(`javascript:alert(1)`) is not one."""


def _has_valid_port(parts: SplitResult) -> bool:
    try:
        return parts.port != 0
    except ValueError:  # not a number, or over 65535
        return False


def _firmware_url(check: _Checker, text: str | None) -> str | None:
    """A firmware URL, or a bare `host[:port][/path]` as Grandstream's firmware path is written (the
    original Sonata's own example: `firmware.grandstream.com`), taken as HTTP."""
    if text and _BARE_HOST_PATH.match(text):
        text = f"http://{text}"
    alternative = ", or a host/path such as firmware.example.com/phones (taken as http://)"
    return _url(check, "firmware_url", text, ("http", "https", "tftp", "ftp"), alternative)


def _line_keys(
    check: _Checker,
    drafts: list[LineKeyDraft],
    vendor: Vendor | None,
    model: PhoneModel | None,
    account_lines: list[int],
) -> tuple[LineKey, ...]:
    if not check.many("line_keys", drafts, MAX_LINE_KEYS, "keys"):
        return ()
    if model is not None and len(drafts) > model.line_keys:
        check.fail("line_keys", f"the {model.name} has {model.line_keys} programmable keys Sonata can set")
    keys = []
    for index, draft in enumerate(drafts):
        path = f"line_keys.{index}"
        if draft.line not in account_lines:
            known = ", ".join(map(str, sorted(account_lines))) or "none yet"
            check.fail(f"{path}.line", f"must be the line of one of the device's accounts ({known})")
        value = check.identifier(f"{path}.value", draft.value, required=draft.type is not LineKeyType.LINE)
        is_event = draft.type is LineKeyType.KEY_EVENT and bool(value)
        if is_event and vendor is not None and (problem := vendor.check_key_event(value)):
            check.fail(f"{path}.value", problem)
        pickup_code = check.identifier(f"{path}.pickup_code", draft.pickup_code)
        if pickup_code and draft.type is not LineKeyType.BLF:
            check.fail(f"{path}.pickup_code", "is only for BLF keys")
        keys.append(
            LineKey(
                type=draft.type,
                value=value,
                label=check.text(f"{path}.label", draft.label),
                line=draft.line,
                pickup_code=pickup_code,
            )
        )
    return tuple(keys)


def _phonebook(check: _Checker, drafts: list[ContactDraft]) -> tuple[Contact, ...]:
    if not check.many("phonebook", drafts, MAX_CONTACTS, "contacts"):
        return ()
    contacts = []
    for index, draft in enumerate(drafts):
        path = f"phonebook.{index}"
        numbers: tuple[ContactNumber, ...] = ()
        if check.many(f"{path}.numbers", draft.numbers, MAX_NUMBERS_PER_CONTACT, "numbers"):
            numbers = tuple(
                ContactNumber(
                    check.identifier(f"{path}.numbers.{n}.number", number.number, required=True), number.type
                )
                for n, number in enumerate(draft.numbers)
            )
            if not numbers:
                check.fail(f"{path}.numbers", "needs at least one number")
        contacts.append(Contact(name=check.text(f"{path}.name", draft.name, required=True), numbers=numbers))
    return tuple(contacts)


def _remote_phonebooks(check: _Checker, drafts: list[RemotePhonebookDraft]) -> tuple[RemotePhonebook, ...]:
    if not check.many("remote_phonebooks", drafts, MAX_REMOTE_PHONEBOOKS, "phonebooks"):
        return ()
    return tuple(
        RemotePhonebook(
            name=check.text(f"remote_phonebooks.{index}.name", draft.name, required=True),
            url=_url(check, f"remote_phonebooks.{index}.url", draft.url, ("http", "https")) or "",
        )
        for index, draft in enumerate(drafts)
    )


def _vendor_params(
    check: _Checker, vendor: Vendor | None, model: PhoneModel | None, params: Any
) -> tuple[tuple[str, str], ...]:
    """Keys are checked against the model's config format; with an unknown vendor or model (an
    error of its own already) only the values' type is."""
    if not isinstance(params, Mapping):
        check.fail("vendor_params", "must be an object of vendor keys to string values")
        return ()
    if not check.many("vendor_params", params, MAX_VENDOR_PARAMS, "settings"):
        return ()
    checked = []
    for key, value in params.items():
        path = f"vendor_params.{shown_key(key)}"
        if not isinstance(value, str):
            check.fail(path, "must be a string")
            continue
        if len(key) > MAX_VENDOR_KEY:
            check.fail(path, f"the key must be at most {MAX_VENDOR_KEY} characters")
            continue
        if not check.fits(path, value, MAX_VENDOR_VALUE):
            continue
        problem = vendor.check_param(model, key, value) if vendor and model else None
        if problem:
            check.fail(path, problem)
        checked.append((key, value))
    return tuple(checked)


def _language(
    check: _Checker, vendor: Vendor | None, model: PhoneModel | None, code: str | None
) -> str | None:
    """A language the model has a value for; an unknown vendor or model is an error of its own."""
    code = check.text("language", code).lower() or None
    if code and vendor is not None and model is not None:
        known = vendor.model_languages(model)
        if code not in known:
            check.fail("language", f"{model.name} phones take: {', '.join(sorted(known))}")
    return code


def _provisioning_credentials(
    check: _Checker, draft: DeviceDraft, vendor: Vendor | None, previous: Device | None
) -> tuple[str, str]:
    """The user name and password a phone gives to fetch the device's files: both or neither."""
    errors = len(check.errors)
    username = check.text(
        "provisioning_username", draft.provisioning_username, limit=MAX_PROVISIONING_USERNAME
    )
    if username and not _PROVISIONING_USERNAME.fullmatch(username):
        check.fail(
            "provisioning_username",
            "may hold only letters, digits and . _ - @ + (no spaces, colons or quotes)",
        )
    password = check.password("provisioning_password", draft.provisioning_password, vendor)
    if password is None:
        password = previous.provisioning_password if previous else ""
    if len(check.errors) == errors:
        if username and not password:
            check.fail("provisioning_password", "is required with a provisioning user name")
        elif password and not username:
            check.fail(
                "provisioning_username",
                "is required while the device has a provisioning password; an empty password removes both",
            )
    return username, password


def _config_encryption(
    check: _Checker, draft: DeviceDraft, vendor: Vendor | None, previous: Device | None
) -> tuple[ConfigEncryption, str]:
    """The vendor's own scheme with its key, checked against the scheme's format; or NONE and no key."""
    scheme, key = draft.config_encryption, draft.config_encryption_key
    if scheme is ConfigEncryption.NONE:
        if key:
            check.fail("config_encryption_key", "is only taken with an encryption scheme other than NONE")
        return scheme, ""
    if vendor is not None and scheme is not vendor.config_encryption:
        own = vendor.config_encryption
        takes = f"NONE or {own.name}" if own else "only NONE"
        check.fail("config_encryption", f"{vendor.id} devices take {takes}")
        return scheme, ""
    if key is None:
        key = previous.config_encryption_key if previous and previous.config_encryption is scheme else ""
    if not key:
        check.fail("config_encryption_key", f"is required with {scheme.name}")
    elif problem := key_problem(scheme, key):
        check.fail("config_encryption_key", problem)
    return scheme, key


def _timezone(check: _Checker, name: str | None, offset: str | None) -> tuple[str | None, str | None]:
    name = check.text("timezone", name) or None
    if name:
        try:
            zone_rule(name)
        except ValueError as error:
            check.fail("timezone", str(error))
    offset = check.text("timezone_offset", offset) or None
    if offset:
        try:
            parse_utc_offset(offset)
        except ValueError as error:
            check.fail("timezone_offset", str(error))
    return name, offset


def validate_device(draft: DeviceDraft, previous: Device | None, now: datetime) -> Device:
    """Build the Device a draft describes; `previous` is the stored device it replaces."""
    check = _Checker()
    mac = ""
    try:
        mac = normalize_mac(draft.mac) if check.fits("mac", draft.mac, MAX_ADDRESS) else ""
    except ValueError as error:
        check.fail("mac", str(error))
    vendor = VENDORS.get(draft.vendor.strip().lower())
    model = _model(check, vendor, draft.model)
    timezone, timezone_offset = _timezone(check, draft.timezone, draft.timezone_offset)
    ntp_server = check.text("ntp_server", draft.ntp_server) or None
    if ntp_server:
        try:
            ntp_server = parse_host(ntp_server)
        except ValueError as error:
            check.fail("ntp_server", str(error))
    drafts = draft.accounts if check.many("accounts", draft.accounts, MAX_ACCOUNTS, "accounts") else []
    accounts = [_account(check, i, a, vendor, model, previous) for i, a in enumerate(drafts)]
    seen: set[int] = set()
    for index, account in enumerate(accounts):
        if account.line in seen:
            check.fail(f"accounts.{index}.line", f"line {account.line} is given twice")
        seen.add(account.line)
    for index, problem in vendor.check_accounts(accounts) if vendor is not None else ():
        check.fail(f"accounts.{index}", problem)
    admin_password = check.password("admin_password", draft.admin_password, vendor)
    if admin_password is None:
        admin_password = previous.admin_password if previous else ""
    resync = draft.resync_minutes
    if resync is not None and not 1 <= resync <= MAX_RESYNC_MINUTES:
        check.fail("resync_minutes", f"must be from 1 to {MAX_RESYNC_MINUTES} minutes")
    provisioning_username, provisioning_password = _provisioning_credentials(check, draft, vendor, previous)
    config_encryption, config_encryption_key = _config_encryption(check, draft, vendor, previous)
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
        admin_password=admin_password,
        resync_minutes=resync,
        firmware_url=_firmware_url(check, draft.firmware_url),
        language=_language(check, vendor, model, draft.language),
        timezone=timezone,
        line_keys=_line_keys(check, draft.line_keys, vendor, model, [a.line for a in accounts]),
        phonebook=_phonebook(check, draft.phonebook),
        remote_phonebooks=_remote_phonebooks(check, draft.remote_phonebooks),
        vendor_params=_vendor_params(check, vendor, model, draft.vendor_params),
        provisioning_username=provisioning_username,
        provisioning_password=provisioning_password,
        config_encryption=config_encryption,
        config_encryption_key=config_encryption_key,
        created_at=previous.created_at if previous else now,
        updated_at=now,
        last_provisioning=previous.last_provisioning if previous else None,
    )
    if check.errors:
        raise ValidationFailed(check.errors)
    return device
