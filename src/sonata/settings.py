"""Environment -> typed settings, read once at the edge."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlsplit

from sonata.adapters.secret_box import parse_key
from sonata.domain.http_auth import DEFAULT_NONCE_SECONDS
from sonata.domain.unknown_phones import MAX_UNKNOWN_PHONES, UNKNOWN_PHONE_DAYS
from sonata.domain.validation import MAX_PUBLISH_WINDOW_MINUTES

DEFAULT_DATABASE_URL = "sqlite:///./sonata.db"
DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_SHUTDOWN_TIMEOUT = 10
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")
DEFAULT_CACHE_MB = 512
DEFAULT_AUDIT_RETENTION_DAYS = 365
DEFAULT_EVENT_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 36500
MIN_API_TOKEN_LENGTH = 16
MAX_UNKNOWN_PHONES_SETTING = 1_000_000
_HOST = re.compile(r"[a-z0-9.-]+|[0-9a-f:.]+")
"""A host name (international ones in their xn-- form) or IP address, as urlsplit gives it: lower case."""
_HOST_AND_PORT = re.compile(r"[A-Za-z0-9.-]+(:[0-9]+)?")
DEFAULT_TRUSTED_PROXIES: tuple[IPv4Network | IPv6Network, ...] = (ip_network("127.0.0.1"), ip_network("::1"))


@dataclass(frozen=True)
class ApiLimits:
    """What one management API request may cost; each is read from `SONATA_<NAME>` (README: Configuration)."""

    max_body_bytes: int = 1024 * 1024
    max_json_depth: int = 32
    max_query_bytes: int = 64 * 1024
    max_query_tokens: int = 5000
    max_aliases: int = 100
    max_query_depth: int = 10
    max_query_fields: int = 500
    max_query_cost: int = 1000

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ApiLimits:
        default = cls()
        return cls(**{f.name: _limit(environ, f.name, getattr(default, f.name)) for f in fields(cls)})


@dataclass(frozen=True)
class TlsFiles:
    """The certificate (chain) and private key `sonata serve` speaks HTTPS with."""

    cert: Path
    key: Path


@dataclass(frozen=True)
class FailureBudgetSettings:
    """How many counted refusals a client address may cause on the phone links within a window
    before every phone request from it gets the 404 for a cool-down (README: Scans)."""

    budget: int = 30
    window_seconds: int = 600
    block_seconds: int = 900

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> FailureBudgetSettings:
        default = cls()
        return cls(
            budget=_limit(environ, "failure_budget", default.budget),
            window_seconds=_limit(environ, "failure_window_seconds", default.window_seconds),
            block_seconds=_limit(environ, "block_seconds", default.block_seconds),
        )


@dataclass(frozen=True)
class OperationsSettings:
    """The log, the metrics and stopping (README: Operations)."""

    log_level: str = "INFO"
    log_format: str = "text"
    """`text`, or `json`: one JSON object a line."""
    metrics_token: str | None = field(default=None, repr=False)
    """The bearer token /metrics asks for; None: /metrics is open."""
    shutdown_timeout: int = DEFAULT_SHUTDOWN_TIMEOUT
    """Seconds a stopping server gives the requests it is answering."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> OperationsSettings:
        return cls(
            log_level=_choice(environ, "SONATA_LOG_LEVEL", LOG_LEVELS, "INFO").upper(),
            log_format=_choice(environ, "SONATA_LOG_FORMAT", LOG_FORMATS, "text").lower(),
            metrics_token=_bearer_token(
                environ.get("SONATA_METRICS_TOKEN") or None,
                "SONATA_METRICS_TOKEN",
                "unset it to leave /metrics open",
            ),
            shutdown_timeout=_limit(environ, "shutdown_timeout", DEFAULT_SHUTDOWN_TIMEOUT),
        )


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    api_token: str | None = None
    public_url: str | None = None
    host: str = "0.0.0.0"
    port: int = 8080
    templates_dir: Path | None = None
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    api_limits: ApiLimits = ApiLimits()
    cache_mb: int = DEFAULT_CACHE_MB
    workers: int = 1
    publish_window_minutes: int | None = None
    """The publish window of devices without one of their own; None: no window."""
    failures: FailureBudgetSettings = FailureBudgetSettings()
    digest_nonce_seconds: int = DEFAULT_NONCE_SECONDS
    tls_cert: Path | None = None
    tls_key: Path | None = None
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = DEFAULT_TRUSTED_PROXIES
    audit_retention_days: int = DEFAULT_AUDIT_RETENTION_DAYS
    event_retention_days: int = DEFAULT_EVENT_RETENTION_DAYS
    """Days a device's provisioning events are kept (README: History and live events)."""
    unknown_phones: int = MAX_UNKNOWN_PHONES
    """Unknown phones kept at most (README: Unknown phones)."""
    unknown_phone_days: int = UNKNOWN_PHONE_DAYS
    cors_origins: tuple[str, ...] = ()
    """The browser origins allowed to call the management API, as browsers write them; none by default."""
    operations: OperationsSettings = OperationsSettings()
    secret_key: bytes | None = field(default=None, repr=False)
    """The key sealing secrets at rest; None: the key file's (README: Secrets at rest)."""
    old_secret_key: bytes | None = field(default=None, repr=False)
    """The key a rotation of SONATA_SECRET_KEY moves away from."""
    secret_key_file: Path | None = None
    """Where the key file is; None: beside the SQLite database."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        templates_dir = environ.get("SONATA_TEMPLATES_DIR")
        secret_key, old_secret_key, secret_key_file = _secret_keys(environ)
        return cls(
            database_url=environ.get("SONATA_DATABASE_URL") or DEFAULT_DATABASE_URL,
            api_token=_bearer_token(
                environ.get("SONATA_API_TOKEN") or None,
                "SONATA_API_TOKEN",
                "unset it and Sonata generates one",
            ),
            public_url=_public_url(environ.get("SONATA_PUBLIC_URL") or None),
            host=environ.get("SONATA_HOST") or "0.0.0.0",
            port=parse_port(environ.get("SONATA_PORT") or "8080", "SONATA_PORT"),
            templates_dir=_templates_dir(Path(templates_dir)) if templates_dir else None,
            header_timeout=_header_timeout(environ.get("SONATA_HEADER_TIMEOUT")),
            api_limits=ApiLimits.from_env(environ),
            cache_mb=_limit(environ, "cache_mb", DEFAULT_CACHE_MB),
            workers=parse_workers(environ.get("SONATA_WORKERS") or "1", "SONATA_WORKERS"),
            publish_window_minutes=_publish_window(environ.get("SONATA_PUBLISH_WINDOW_MINUTES")),
            failures=FailureBudgetSettings.from_env(environ),
            digest_nonce_seconds=_limit(environ, "digest_nonce_seconds", DEFAULT_NONCE_SECONDS),
            tls_cert=Path(cert) if (cert := environ.get("SONATA_TLS_CERT")) else None,
            tls_key=Path(key) if (key := environ.get("SONATA_TLS_KEY")) else None,
            trusted_proxies=_trusted_proxies(environ.get("SONATA_TRUSTED_PROXIES")),
            audit_retention_days=_retention_days(
                environ, "SONATA_AUDIT_RETENTION_DAYS", DEFAULT_AUDIT_RETENTION_DAYS
            ),
            event_retention_days=_retention_days(
                environ, "SONATA_EVENT_RETENTION_DAYS", DEFAULT_EVENT_RETENTION_DAYS
            ),
            unknown_phones=_unknown_phones(environ.get("SONATA_UNKNOWN_PHONES")),
            unknown_phone_days=_retention_days(environ, "SONATA_UNKNOWN_PHONE_DAYS", UNKNOWN_PHONE_DAYS),
            cors_origins=_cors_origins(environ.get("SONATA_CORS_ORIGINS")),
            operations=OperationsSettings.from_env(environ),
            secret_key=secret_key,
            old_secret_key=old_secret_key,
            secret_key_file=secret_key_file,
        )

    def listening_on(
        self,
        host: str | None,
        port: str | None,
        workers: str | None,
        tls_cert: str | None = None,
        tls_key: str | None = None,
    ) -> Settings:
        """The command line's `--host`, `--port`, `--workers`, `--tls-cert` and `--tls-key`: each wins
        over the environment."""
        return replace(
            self,
            host=host or self.host,
            port=parse_port(port, "--port") if port is not None else self.port,
            workers=parse_workers(workers, "--workers") if workers is not None else self.workers,
            tls_cert=Path(tls_cert) if tls_cert else self.tls_cert,
            tls_key=Path(tls_key) if tls_key else self.tls_key,
        )

    @property
    def tls(self) -> TlsFiles | None:
        """The certificate and key to serve HTTPS with, if any; ValueError for one without the other.

        Read here rather than from the environment alone, as the command line may give one of them.
        `sonata serve` checks what the files hold (entrypoints/tls.py).
        """
        if self.tls_cert and self.tls_key:
            return TlsFiles(self.tls_cert, self.tls_key)
        if self.tls_cert:
            raise ValueError(
                f"the TLS certificate {self.tls_cert} needs its private key:"
                " give --tls-key or SONATA_TLS_KEY too"
            )
        if self.tls_key:
            raise ValueError(
                f"the TLS key {self.tls_key} needs its certificate: give --tls-cert or SONATA_TLS_CERT too"
            )
        return None

    @property
    def scheme(self) -> str:
        """How Sonata itself is spoken to: `https` with a certificate, else `http`."""
        return "https" if self.tls else "http"

    def link_base(self, request_base: str) -> str:
        """Base of the links handed out: SONATA_PUBLIC_URL, else `<scheme>://<host>:<port>`.

        A wildcard listening address is no address a phone can use, so then the address the API
        client used to reach Sonata is taken instead, scheme included: `https` under TLS, or as the
        X-Forwarded-Proto of a trusted proxy says (uvicorn has put it in the request).
        """
        if self.public_url:
            return self.public_url
        if self.host in ("0.0.0.0", "::", ""):
            return request_base.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def _shown(value: str) -> str:
    """A bad value quoted for an error message, cut short so a pasted blob stays one readable line."""
    return repr(value if len(value) <= 40 else value[:40] + "…")


def _positive(value: str) -> int | None:
    """A whole number of 1 or more written in ASCII digits; None for anything else."""
    return int(value) if value.isascii() and value.isdigit() and int(value) > 0 else None


def _unknown_phones(value: str | None) -> int:
    if not value:
        return MAX_UNKNOWN_PHONES
    count = _positive(value)
    if count is None or count > MAX_UNKNOWN_PHONES_SETTING:
        raise ValueError(
            f"SONATA_UNKNOWN_PHONES must be a whole number of phones from 1 to {MAX_UNKNOWN_PHONES_SETTING},"
            f" not {_shown(value)}"
        )
    return count


def parse_port(value: str, source: str) -> int:
    port = _positive(value)
    if port is None or port > 65535:
        raise ValueError(f"{source} must be a port number from 1 to 65535, not {_shown(value)}")
    return port


def parse_workers(value: str, source: str) -> int:
    workers = _positive(value)
    if workers is None:
        raise ValueError(f"{source} must be a whole number of processes, 1 or more, not {_shown(value)}")
    return workers


def _bearer_token(token: str | None, name: str, otherwise: str) -> str | None:
    """A bearer token set in `name`; `otherwise` says what leaving it unset does."""
    if token is not None and (len(token) < MIN_API_TOKEN_LENGTH or token != token.strip() or " " in token):
        # A bearer token travels in a header: spaces would be cut off or split it.
        # The token itself is never echoed, not even a wrong one.
        raise ValueError(
            f"{name} must be at least {MIN_API_TOKEN_LENGTH} characters without spaces: set a"
            f" longer random token, or {otherwise}"
        )
    return token


def _secret_keys(environ: Mapping[str, str]) -> tuple[bytes | None, bytes | None, Path | None]:
    """SONATA_SECRET_KEY, SONATA_OLD_SECRET_KEY and SONATA_SECRET_KEY_FILE (README: Secrets at rest)."""
    key, old_key, key_file = (
        environ.get(f"SONATA_{name}") or None for name in ("SECRET_KEY", "OLD_SECRET_KEY", "SECRET_KEY_FILE")
    )
    if key and key_file:
        raise ValueError("set SONATA_SECRET_KEY or SONATA_SECRET_KEY_FILE, not both")
    if old_key and not key:
        raise ValueError(
            "SONATA_OLD_SECRET_KEY is the key a rotation moves away from: it needs the new one in"
            " SONATA_SECRET_KEY (README: Secrets at rest)"
        )
    return (
        parse_key(key, "SONATA_SECRET_KEY") if key else None,
        parse_key(old_key, "SONATA_OLD_SECRET_KEY") if old_key else None,
        Path(key_file) if key_file else None,
    )


def _public_url(url: str | None) -> str | None:
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query
    except ValueError:  # such as an unclosed [IPv6 address
        usable = False
    if not usable or "#" in url:
        raise ValueError(
            f"SONATA_PUBLIC_URL must be an http:// or https:// URL such as https://sonata.example.net,"
            f" not {_shown(url)}"
        )
    return url.rstrip("/")


def _trusted_proxies(value: str | None) -> tuple[IPv4Network | IPv6Network, ...]:
    if not value:
        return DEFAULT_TRUSTED_PROXIES
    return tuple(_trusted_proxy(entry.strip()) for entry in value.split(","))


def _trusted_proxy(entry: str) -> IPv4Network | IPv6Network:
    try:
        return ip_network(entry)
    except ValueError:
        pass
    try:
        meant = ip_network(entry, strict=False)
    except ValueError:
        raise ValueError(
            f"SONATA_TRUSTED_PROXIES takes addresses and networks separated by commas, such as"
            f" 127.0.0.1,10.0.0.0/8 (0.0.0.0/0,::/0 for every address); {_shown(entry)} is no address or"
            f" network"
        ) from None
    raise ValueError(
        f"SONATA_TRUSTED_PROXIES entry {_shown(entry)} has host bits set: write the network {meant}"
    )


def _cors_origins(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(_cors_origin(entry.strip()) for entry in value.split(","))


def _cors_origin(entry: str) -> str:
    """The origin as a browser sends it in its Origin header: lower case, without the default port."""
    name = f"SONATA_CORS_ORIGINS entry {_shown(entry)}"
    if _HOST_AND_PORT.fullmatch(entry) and ("." in entry or entry.lower().startswith("localhost")):
        raise ValueError(f"{name} has no scheme: write https://{entry} (or http://)")
    try:
        parts = urlsplit(entry)
    except ValueError:  # such as an unclosed [IPv6 address
        parts = urlsplit("")
    if parts.scheme not in ("", "http", "https"):
        raise ValueError(f"{name} must start with http:// or https://")
    hostname = parts.hostname or ""
    if (
        not parts.scheme
        or not _HOST.fullmatch(hostname)
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    ):
        raise ValueError(
            f"SONATA_CORS_ORIGINS takes origins separated by commas, each scheme://host[:port] such as"
            f" http://localhost:3000, and no wildcard: list every origin; {_shown(entry)} is none"
        )
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError(f"{name} has no valid port: ports go from 1 to 65535")
    host = f"[{hostname}]" if ":" in hostname else hostname
    default = {"http": 80, "https": 443}[parts.scheme]
    origin = f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, default) else "")
    if parts.path not in ("", "/"):
        raise ValueError(f"{name} has a path, which no origin has: write {origin}")
    return origin


def _publish_window(value: str | None) -> int | None:
    if not value:
        return None
    minutes = _positive(value)
    if minutes is None or minutes > MAX_PUBLISH_WINDOW_MINUTES:
        raise ValueError(
            f"SONATA_PUBLISH_WINDOW_MINUTES must be a whole number of minutes from 1 to"
            f" {MAX_PUBLISH_WINDOW_MINUTES} (366 days), not {_shown(value)}; unset it for no window"
        )
    return minutes


def _retention_days(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name)
    if not value:
        return default
    days = _positive(value)
    if days is None or days > MAX_RETENTION_DAYS:
        raise ValueError(
            f"{name} must be a whole number of days from 1 to {MAX_RETENTION_DAYS} (100 years),"
            f" not {_shown(value)}"
        )
    return days


def _templates_dir(path: Path) -> Path:
    if not path.exists():
        raise ValueError(f"SONATA_TEMPLATES_DIR {path} does not exist: create it or unset the variable")
    if not path.is_dir():
        raise ValueError(
            f"SONATA_TEMPLATES_DIR {path} is not a directory: point it at a folder laid out like templates/"
        )
    return path


def _header_timeout(value: str | None) -> float:
    if not value:
        return DEFAULT_HEADER_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(
            f"SONATA_HEADER_TIMEOUT must be a number of seconds greater than 0, not {_shown(value)}"
        )
    return seconds


def _choice(environ: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = environ.get(name)
    if not value:
        return default
    if value.upper() not in (choice.upper() for choice in choices):
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {_shown(value)}")
    return value


def _limit(environ: Mapping[str, str], field: str, default: int) -> int:
    name = f"SONATA_{field.upper()}"
    value = environ.get(name)
    if not value:
        return default
    limit = _positive(value)
    if limit is None:
        raise ValueError(f"{name} must be a whole number greater than 0, not {_shown(value)}")
    return limit
