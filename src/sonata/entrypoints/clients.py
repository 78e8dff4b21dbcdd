"""The client address of a request, as logs and lastProvisioning may carry it."""

from __future__ import annotations

from starlette.types import Scope

MAX_CLIENT_ADDRESS = 64
"""Longer than any IPv6 address with a zone; what a trusted proxy's X-Forwarded-For may put there
beyond that is no address and is not carried on."""


def client_address(scope: Scope) -> str:
    """The address the request came from, or "" if unknown.

    uvicorn has put there what the X-Forwarded-For of a trusted proxy (SONATA_TRUSTED_PROXIES) names:
    its right-most address that is no trusted proxy. The address rules, the lock, the failure budget,
    lastProvisioning and the logs all take this one.
    """
    client = scope.get("client")
    return str(client[0])[:MAX_CLIENT_ADDRESS] if client else ""
