"""What one phone fetch came to, for the log and the metrics: never a key, a token or a password."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # vendors.base needs the ports, which name what is here
    from sonata.domain.model import LinkKind
    from sonata.domain.vendors.base import FileKind


class RefusalKind(StrEnum):
    """Why a phone request was refused, in a few fixed words: a metric label and a log field.

    The refusal's own reason says more (which device, which rule); these never name a device, a
    key, a token or a MAC, so there are only ever this many of them.
    """

    FILENAME_TOO_LONG = "filename_too_long"
    UNKNOWN_KEY = "unknown_key"
    ROTATED_KEY = "rotated_key"
    """A key that a rotation took from its device, after its grace."""
    NO_MAC = "no_mac"
    """The common link, with no MAC in the file name nor in the User-Agent."""
    UNKNOWN_MAC = "unknown_mac"
    """The common link: no device with this MAC under this token (a wrong token looks the same)."""
    UNKNOWN_FILE = "unknown_file"
    """A file name the device's vendor or model does not use."""
    NOT_SERVED = "not_served"
    """A file phones ask for that Sonata does not serve: no failure."""
    WRONG_VENDOR = "wrong_vendor"
    WRONG_MAC = "wrong_mac"
    """The MAC of the file name, the User-Agent or the MAC check is not the device's."""
    NO_CREDENTIALS = "no_credentials"
    """A device with phone credentials asked for without them (or with a stale nonce): the challenge."""
    CREDENTIALS = "credentials"
    DISABLED = "disabled"
    EXPIRED = "expired"
    WINDOW = "window"
    """The device's publish window closed."""
    ADDRESS = "address"
    """The client address is not among the device's allowed ones."""
    LOCKED = "locked"
    """The device is locked to another address, the one of its first fetch."""
    BLOCKED = "blocked"
    """The client address spent its failure budget."""


class FetchOutcome(StrEnum):
    SERVED = "served"
    REFUSED = "refused"
    ERROR = "error"
    """Sonata's own fault, such as an unreachable database: a 503."""


class PhoneFetch(NamedTuple):
    """One phone request on a phone link and what it came to.

    A named tuple: made on every phone request, and a frozen dataclass takes four times as long."""

    address: str
    outcome: FetchOutcome
    seconds: float
    """How long Sonata took to decide (and render)."""
    link: LinkKind
    filename: str | None
    """The file served, or the name the phone asked for (None: the bare personal link)."""
    vendor: str | None = None
    """The served device's vendor, else the one the User-Agent shows, if any."""
    model: str | None = None
    kind: FileKind | None = None
    """The file's kind, once Sonata knows which file of the device was asked for."""
    refusal: RefusalKind | None = None
    reason: str = ""
    """A refusal's full reason, for the log (keys and tokens by fingerprint only)."""
    quiet: bool = False
    """A refusal that is no failure (a file Sonata does not serve, the first step of authentication)."""
    device_mac: str | None = None
    user_agent: str | None = None
    probe: bool = False
    render_seconds: float | None = None
    """How long rendering the file took; None when it came from memory (or none was served)."""
