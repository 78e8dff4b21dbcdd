"""Which browser origins may call the management API: those SONATA_CORS_ORIGINS names, no other."""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route
from starlette.types import ASGIApp


def management_route(path: str, endpoint: ASGIApp, cors_origins: tuple[str, ...]) -> Route:
    """The route of `endpoint`; with origins, it answers their preflight and its answers name the origin.

    A bearer token is sent by the frontend itself, never by the browser on its own: credentials (cookies)
    are not allowed, and an origin outside the list gets no permission, so its page cannot read an answer.
    """
    if not cors_origins:
        return Route(path, endpoint, methods=["GET", "POST"])
    shared = CORSMiddleware(
        endpoint,
        allow_origins=list(cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
    )
    return Route(path, shared, methods=["GET", "POST", "OPTIONS"])
