"""Environment -> typed settings, read once at the edge."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///./sonata.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    api_token: str | None = None
    public_url: str | None = None
    host: str = "0.0.0.0"
    port: int = 8080
    templates_dir: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        port = environ.get("SONATA_PORT") or "8080"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("SONATA_PORT must be a port number from 1 to 65535")
        templates_dir = environ.get("SONATA_TEMPLATES_DIR")
        return cls(
            database_url=environ.get("SONATA_DATABASE_URL") or DEFAULT_DATABASE_URL,
            api_token=environ.get("SONATA_API_TOKEN") or None,
            public_url=(environ.get("SONATA_PUBLIC_URL") or "").rstrip("/") or None,
            host=environ.get("SONATA_HOST") or "0.0.0.0",
            port=int(port),
            templates_dir=Path(templates_dir) if templates_dir else None,
        )

    def listening_on(self, host: str | None, port: int | None) -> Settings:
        return replace(self, host=host or self.host, port=port or self.port)

    def link_base(self, request_base: str) -> str:
        """Base of the links handed out: SONATA_PUBLIC_URL, else `http://<host>:<port>`.

        A wildcard listening address is no address a phone can use, so then the address
        the API client used to reach Sonata is taken instead.
        """
        if self.public_url:
            return self.public_url
        if self.host in ("0.0.0.0", "::", ""):
            return request_base.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"
