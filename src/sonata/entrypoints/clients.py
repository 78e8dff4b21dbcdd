"""The client address of a request, as logs and lastProvisioning may carry it."""

from __future__ import annotations

from starlette.types import Scope

MAX_CLIENT_ADDRESS = 64
"""Longer than any IPv6 address with a zone; what a trusted proxy's X-Forwarded-For may put there
beyond that is no address and is not carried on."""


def client_address(scope: Scope) -> str:
    """The address the request came from (uvicorn has applied X-Forwarded-For), or "" if unknown."""
    client = scope.get("client")
    return str(client[0])[:MAX_CLIENT_ADDRESS] if client else ""
