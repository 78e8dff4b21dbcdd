"""What every vendor module provides: catalogue, file names, User-Agent reading, rendering."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sonata.domain.encryption import ENCRYPTED_CONTENT_TYPE, encrypt_config
from sonata.domain.model import Account, ConfigEncryption, Device, HostPort, Transport
from sonata.domain.ports import TemplateEngine

XML = "application/xml"
TEXT = "text/plain"
DEFAULT_SIP_PORT = 5060
DEFAULT_SIPS_PORT = 5061


def sip_port(address: HostPort, transport: Transport) -> int:
    """The port a SIP server is reached on: its own, else RFC 3261's default for the transport
    (5061 for TLS, 5060 for UDP and TCP). Every vendor writes a server without a port this way,
    so one device registers alike on every phone."""
    if address.port is not None:
        return address.port
    return DEFAULT_SIPS_PORT if transport is Transport.TLS else DEFAULT_SIP_PORT


def with_sip_port(address: HostPort, transport: Transport) -> HostPort:
    """The server as `host:port`, the port decided by `sip_port`."""
    return HostPort(address.host, sip_port(address, transport))


# What a phone sends is read only up to these caps, and by patterns that take each character once
# (possessive quantifiers, no overlapping repetition): hostile input costs time linear in its length.
MAX_USER_AGENT = 512
"""How much of a User-Agent is read: real ones are under 200 characters, the rest is ignored."""
MAX_FILENAME = 64
"""The longest file name a phone may ask for; a longer one is no vendor's and is not read. The
longest names the vendors here know have 26 characters (`001565aabbcc-phonebook.xml`)."""
FIRMWARE_VERSION = re.compile(r"^\d++(?:\.\d++)++\Z")
"""A dotted firmware version in a User-Agent (`66.86.0.15`)."""


@dataclass(frozen=True)
class PhoneModel:
    id: str
    name: str
    accounts: int
    line_keys: int = 0
    """Programmable keys Sonata can set (line, BLF, speed dial); 0 where it sets none."""


@dataclass(frozen=True)
class PhoneIdentity:
    """What a phone says about itself in its User-Agent."""

    vendor: str
    model: str | None = None
    firmware: str | None = None
    mac: str | None = None


class FileKind(Enum):
    DEVICE_CONFIG = "device config"
    COMMON_CONFIG = "common config"
    """The per-model file (`y000000000066.cfg`, `cfggxp1620.xml`, `cfg.xml`, `f0X4hw1.100.cfg`)."""
    BOOT = "boot"
    PHONEBOOK = "phonebook"
    FIRMWARE = "firmware"
    """A file naming the firmware image the phone is to load (Snom's firmware settings file, Fanvil's
    `fanvil_<model>_hw….txt` descriptor): served only while the device has a firmware URL, else a
    404 that is no refusal, like NOT_SERVED."""
    NOT_SERVED = "not served"
    """A file phones ask for that Sonata does not serve: a 404 that is no refusal."""


@dataclass(frozen=True)
class RequestedFile:
    """A file name a phone asked for, as the vendor module understood it."""

    kind: FileKind
    mac: str | None = None
    """The MAC written in the file name, if any."""
    model: str | None = None
    """The model the file name is for, if it names one."""


@dataclass(frozen=True)
class RenderRequest:
    device: Device
    requested: RequestedFile
    filename: str
    link: str
    """The directory URL the phone used (personal or common link): the config points back at it."""
    year: int = field(default_factory=lambda: datetime.now(UTC).year)
    """The year the file is rendered in (the provisioning service's clock): daylight saving a phone
    cannot be told exactly is written right for this year and the next (phone_dst.phone_rule)."""


@dataclass(frozen=True)
class RenderedFile:
    filename: str
    content_type: str
    body: bytes


class Vendor(ABC):
    id: str
    name: str
    models: tuple[PhoneModel, ...]
    languages: Mapping[str, str] = {}
    """ISO 639-1 language codes -> the vendor's own value for them, where every model spells them
    alike (see model_languages)."""
    files_with_params: frozenset[FileKind] = frozenset({FileKind.DEVICE_CONFIG})
    """The files that are the device's config: raw vendor settings are written into them, and the
    device's config encryption covers them (where a vendor's per-model file is the whole device
    config, that one too)."""
    config_encryption: ConfigEncryption | None = None
    """The vendor's own scheme for encrypted configs, where Sonata writes one."""
    mac_prefixes: frozenset[str] = frozenset()
    """The first 6 hex digits (the IEEE OUI) of the vendor's phones' MACs: a MAC with one of them is
    one of this vendor's phones, even where its User-Agent says nothing (unknownPhones)."""

    def model(self, model_id: str) -> PhoneModel | None:
        return next((m for m in self.models if m.id == model_id), None)

    def model_languages(self, model: PhoneModel) -> Mapping[str, str]:
        """The languages `model` takes, ISO 639-1 code -> the phone's value: `languages`, unless
        the vendor's model families spell them differently. A device is saved only with one of them."""
        return self.languages

    @abstractmethod
    def device_filename(self, device: Device) -> str:
        """The name of the device's own config file (what a bare personal link serves)."""

    def identify_file(self, filename: str) -> RequestedFile | None:
        """Understand a file name this vendor's phones request; None for anything else."""
        return None if len(filename) > MAX_FILENAME else self.read_filename(filename)

    @abstractmethod
    def read_filename(self, filename: str) -> RequestedFile | None:
        """Understand a file name of at most MAX_FILENAME characters (identify_file)."""

    def serves(self, device: Device, requested: RequestedFile) -> bool:
        """Whether the requested file belongs to this device (a per-model file of its own model)."""
        return requested.model is None or requested.model == device.model

    def parse_user_agent(self, user_agent: str) -> PhoneIdentity | None:
        """Who the phone says it is, from the first MAX_USER_AGENT characters of its User-Agent."""
        return self.read_user_agent(user_agent[:MAX_USER_AGENT])

    @abstractmethod
    def read_user_agent(self, user_agent: str) -> PhoneIdentity | None:
        """Read vendor, model, firmware and MAC from at most MAX_USER_AGENT characters; None when
        the User-Agent is not this vendor's."""

    @abstractmethod
    def template_for(self, request: RenderRequest) -> tuple[str, str]:
        """The template path and the content type rendering the requested file."""

    @abstractmethod
    def context(self, request: RenderRequest) -> Mapping[str, Any]:
        """The values the template writes, already in the vendor's own vocabulary."""

    @abstractmethod
    def check_param(self, model: PhoneModel, key: str, value: str) -> str | None:
        """Why a raw vendor setting cannot be written for this model (a message), or None."""

    @abstractmethod
    def apply_params(self, text: str, params: Sequence[tuple[str, str]]) -> str:
        """Write raw vendor settings into a rendered device config, replacing Sonata's own."""

    def check_password(self, password: str) -> str | None:
        """Why a SIP or admin password cannot be written into this vendor's configs, or None."""
        return password_problem(password)

    def check_accounts(self, accounts: Sequence[Account]) -> Iterable[tuple[int, str]]:
        """Accounts this vendor's phones cannot take together as given, each as (its position in
        `accounts`, why). By default every set of accounts on the model's lines is taken."""
        return ()

    def check_key_event(self, event: str) -> str | None:
        """Why a KEY_EVENT key's value names nothing this vendor's phones do (a message), or None.
        By default any value is taken, and one the vendor does not know leaves the key unused."""
        return None

    def render(self, request: RenderRequest, engine: TemplateEngine) -> RenderedFile:
        """The file the phone gets: the plain rendering, encrypted in the vendor's scheme where the
        device asks for it and the file is its config."""
        plain = self.render_plain(request, engine)
        device = request.device
        if (
            device.config_encryption is ConfigEncryption.NONE
            or request.requested.kind not in self.files_with_params
        ):
            return plain
        body = encrypt_config(device.config_encryption, device.config_encryption_key, plain.body)
        return RenderedFile(plain.filename, ENCRYPTED_CONTENT_TYPE, body)

    def render_plain(self, request: RenderRequest, engine: TemplateEngine) -> RenderedFile:
        """The file as rendered, never encrypted (what a preview shows)."""
        template, content_type = self.template_for(request)
        text = engine.render(template, self.context(request))
        params = request.device.vendor_params
        if params and request.requested.kind in self.files_with_params:
            text = self.apply_params(text, params)
        return RenderedFile(request.filename, f"{content_type}; charset=utf-8", text.encode("utf-8"))


# Control characters, lone surrogates (no UTF-8 for them) and U+FFFE/U+FFFF (not XML).
_UNWRITABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def single_line(value: str) -> str:
    """Free text made safe for one line or XML text node of a config: unwritable characters become spaces."""
    return _UNWRITABLE.sub(" ", value)


# What no config format carries in a password, by the name an error gives it: every control
# character (C0, DEL and C1, NEL among them), Unicode's line and paragraph separators (some
# parsers end a line there), lone surrogates (no UTF-8 for them) and U+FFFE/U+FFFF (not XML).
_UNWRITABLE_IN_PASSWORDS = (
    (re.compile("[\x00-\x1f\x7f-\x9f]"), "control characters such as line breaks or tabs"),
    (re.compile("[\u2028\u2029]"), "line or paragraph separators (U+2028, U+2029)"),
    (re.compile("[\ud800-\udfff]"), "lone surrogates (U+D800 to U+DFFF)"),
    (re.compile("[\ufffe\uffff]"), "the non-characters U+FFFE and U+FFFF"),
)


def password_problem(password: str) -> str | None:
    """The class of characters no vendor can write that a password holds, as a message; or None."""
    for pattern, name in _UNWRITABLE_IN_PASSWORDS:
        if pattern.search(password):
            return f"must not contain {name}"
    return None
