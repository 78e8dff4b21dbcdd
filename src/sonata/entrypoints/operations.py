"""What a container runtime, a load balancer and Prometheus ask: /healthz, /readyz and /metrics."""

from __future__ import annotations

import asyncio
import hmac

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from sonata.adapters.metrics import CONTENT_TYPE, Metrics
from sonata.adapters.sql.database import SchemaState, current_revision, schema_state, shipped_revisions
from sonata.entrypoints.clients import client_address
from sonata.entrypoints.graphql.failed_logins import FailedLogins

READY_TIMEOUT = 3.0
"""Seconds /readyz waits for the database before it says the database does not answer."""


async def healthz(request: Request) -> Response:
    """The process is alive and answers: 200, whatever the database does (that is /readyz)."""
    return JSONResponse({"status": "ok"})


class Readiness:
    """/readyz: 200 while this process can serve, the database answering and at the schema this
    Sonata ships; else 503 saying what is wrong (never a password or a URL)."""

    def __init__(self, engine: AsyncEngine, timeout: float = READY_TIMEOUT) -> None:
        self._engine = engine
        self._timeout = timeout
        self._shipped = shipped_revisions()  # read once: the files do not change while serving

    async def answer(self, request: Request) -> Response:
        try:
            current = await asyncio.wait_for(current_revision(self._engine), self._timeout)
        except TimeoutError:
            return _unavailable(database=f"no answer within {self._timeout:g} s")
        except Exception:  # whatever the driver raises; the database's own log lines say more
            return _unavailable(database="unreachable")
        problem = schema_problem(current, self._shipped)
        if problem is not None:
            return _unavailable(database="ok", schema=problem)
        return JSONResponse({"status": "ready", "database": "ok", "schema": current})


def schema_problem(current: str | None, shipped: list[str]) -> str | None:
    """What keeps a database at migration `current` from being served by a Sonata shipping `shipped`
    (oldest first); None when it is at the newest."""
    match schema_state(current, shipped):
        case SchemaState.EMPTY:
            return "missing: the database has no Sonata tables"
        case SchemaState.NEWER:
            return f"at {current}, newer than this Sonata's {shipped[-1]}: upgrade Sonata"
        case SchemaState.OLDER:
            return f"at {current}, older than this Sonata's {shipped[-1]}: restart Sonata to migrate it"
        case SchemaState.CURRENT:
            return None


def _unavailable(**problems: str) -> Response:
    return JSONResponse({"status": "unavailable", **problems}, status_code=503)


class MetricsEndpoint:
    """/metrics in the Prometheus text format; with a token, only for `Authorization: Bearer <token>`."""

    def __init__(self, metrics: Metrics, token: str | None, failed_logins: FailedLogins) -> None:
        self._metrics = metrics
        self._token = token.encode() if token is not None else None
        self._failed_logins = failed_logins

    async def answer(self, request: Request) -> Response:
        if self._token is not None:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), self._token):
                reason = "wrong metrics token" if given else "no metrics token"
                self._failed_logins.refused(client_address(request.scope) or "an unknown address", reason)
                return PlainTextResponse(
                    "a valid metrics token is required: send 'Authorization: Bearer <token>'\n",
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
                )
        return Response(self._metrics.exposition(), media_type=CONTENT_TYPE)
