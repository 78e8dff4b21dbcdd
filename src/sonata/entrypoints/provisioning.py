"""The phone routes: translate HTTP to a ProvisioningRequest and the outcome back to HTTP.

They are answered on plain ASGI, ahead of Starlette's routing and middleware: a phone's fetch is
the one request that must be fast under a boot storm, and needs none of what those layers add.
Everything else goes on to the app behind.
"""

from __future__ import annotations

import logging
import secrets
import time
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sonata.adapters.metrics import Metrics
from sonata.adapters.sql.errors import is_database_error
from sonata.domain.failure_budget import FailureBudget
from sonata.domain.model import LinkKind
from sonata.domain.phone_fetch import FetchOutcome, PhoneFetch, RefusalKind
from sonata.domain.services.provisioning import ProvisioningRequest, ProvisioningService, Refusal
from sonata.entrypoints.clients import client_address
from sonata.settings import Settings

# Every refusal looks the same, so a caller learns nothing from it.
NOT_FOUND_BODY = "Not Found\n"
# Configs carry passwords and change when the device does: no cache, proxy or browser keeps one.
NO_STORE = {"Cache-Control": "no-store"}

log = logging.getLogger("sonata.provisioning")


def not_found() -> Response:
    return PlainTextResponse(NOT_FOUND_BODY, status_code=404, headers=NO_STORE)


def unauthorized(challenge: tuple[str, ...]) -> Response:
    """A device that exists and needs credentials the request lacks: the same body every time."""
    response = PlainTextResponse("Unauthorized\n", status_code=401, headers=NO_STORE)
    response.raw_headers.extend((b"www-authenticate", value.encode("latin-1")) for value in challenge)
    return response


def unavailable() -> Response:
    return PlainTextResponse(
        "Service Unavailable\n", status_code=503, headers={**NO_STORE, "Retry-After": "30"}
    )


_NOT_FOUND = not_found()
_UNAVAILABLE = unavailable()
_NOT_FOUND_BODY, _UNAVAILABLE_BODY = bytes(_NOT_FOUND.body), bytes(_UNAVAILABLE.body)
_LINKS = {"device": LinkKind.PERSONAL, "token": LinkKind.COMMON}


def phone_link(path: str) -> tuple[LinkKind, str, str | None] | None:
    """`/v1/device/<key>[/<file>]` or `/v1/token/<token>/<file>` read as (link, secret, file name)."""
    parts = path.split("/", 5)
    if len(parts) not in (4, 5) or parts[0] or parts[1] != "v1" or not parts[3]:
        return None
    link = _LINKS.get(parts[2])
    filename = parts[4] if len(parts) == 5 and parts[4] else None  # `/v1/device/<key>/` is the bare link
    if link is None or (link is LinkKind.COMMON and filename is None):
        return None
    return link, parts[3], filename


class PhoneLinks:
    """Answers GET and HEAD on the phone links; passes every other request to `app`.

    The provisioning service tells `metrics` of every fetch it answers; the ones answered here
    without it (a spent failure budget, a fault of Sonata's) are counted here."""

    def __init__(
        self,
        app: ASGIApp,
        service: ProvisioningService,
        settings: Settings,
        failures: FailureBudget,
        metrics: Metrics | None = None,
    ) -> None:
        self._app = app
        self._service = service
        self._settings = settings
        self._failures = failures
        self._metrics = metrics
        # Empty when the links depend on the address the phone used; then it is read per request.
        self._fixed_base = settings.link_base("")
        # Behind a proxy that strips SONATA_PUBLIC_URL's path, a Digest uri names the path with it.
        self._public_path = urlsplit(settings.public_url).path.rstrip("/") if settings.public_url else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            link = phone_link(scope["path"])
            if link is not None:
                await self._answer(scope, send, *link)
                return
        await self._app(scope, receive, send)

    async def _answer(
        self, scope: Scope, send: Send, link: LinkKind, secret: str, filename: str | None
    ) -> None:
        started = time.perf_counter()
        client_ip = client_address(scope)
        if self._failures.blocked(client_ip):
            # A spent failure budget: the uniform 404 before any work (the block was logged once).
            await _send(send, 404, _NOT_FOUND.raw_headers, _NOT_FOUND_BODY)
            self._count(client_ip, link, filename, started, FetchOutcome.REFUSED, RefusalKind.BLOCKED)
            return
        prefix = "device" if link is LinkKind.PERSONAL else "token"
        base = self._fixed_base or self._settings.link_base(str(Request(scope).base_url))
        user_agent, authorization = _read_headers(scope)
        request = ProvisioningRequest(
            link=link,
            secret=secret,
            filename=filename,
            client_ip=client_ip,
            user_agent=user_agent,
            link_url=f"{base}/v1/{prefix}/{secret}",
            probe=scope["method"] == "HEAD",
            authorization=authorization,
            request_uris=self._request_uris(scope) if authorization is not None else (),
        )
        try:
            outcome = await self._service.provision(request)
        except Exception as error:
            # Sonata's own fault, such as an unreachable database: the phone retries a 503 later;
            # the log gets the exception under an id, never a 500 with a traceback for the phone.
            incident = secrets.token_hex(6)
            log.exception("internal error %s while answering a phone at %s", incident, request.client_ip)
            await _send(send, 503, _UNAVAILABLE.raw_headers, _UNAVAILABLE_BODY)
            self._count(client_ip, link, filename, started, FetchOutcome.ERROR)
            if self._metrics is not None and is_database_error(error):
                self._metrics.database_error("phones")
            return
        if isinstance(outcome, Refusal):
            if outcome.counts:
                self._failures.failed(client_ip)
            if outcome.challenge:
                challenged = unauthorized(outcome.challenge)
                await _send(send, 401, challenged.raw_headers, bytes(challenged.body))
            else:
                await _send(send, 404, _NOT_FOUND.raw_headers, _NOT_FOUND_BODY)
            return
        headers = [
            (b"cache-control", b"no-store"),
            (b"content-length", str(len(outcome.body)).encode()),
            (b"content-type", outcome.content_type.encode()),
        ]
        await _send(send, 200, headers, outcome.body)

    def _count(
        self,
        address: str,
        link: LinkKind,
        filename: str | None,
        started: float,
        outcome: FetchOutcome,
        refusal: RefusalKind | None = None,
    ) -> None:
        if self._metrics is not None:
            seconds = time.perf_counter() - started
            self._metrics.fetched(PhoneFetch(address, outcome, seconds, link, filename, refusal=refusal))

    def _request_uris(self, scope: Scope) -> tuple[str, ...]:
        """The request's target as the phone wrote it, and with SONATA_PUBLIC_URL's path before it."""
        target = scope.get("raw_path") or scope["path"].encode()
        if scope["query_string"]:
            target += b"?" + scope["query_string"]
        sent = target.decode("latin-1")
        return (sent, self._public_path + sent) if self._public_path else (sent,)


def _read_headers(scope: Scope) -> tuple[str | None, str | None]:
    """The User-Agent and Authorization headers (the first of each), in one pass."""
    user_agent = authorization = None
    for name, value in scope["headers"]:
        if name == b"user-agent" and user_agent is None:
            user_agent = value.decode("latin-1")
        elif name == b"authorization" and authorization is None:
            authorization = value.decode("latin-1")
    return user_agent, authorization


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
