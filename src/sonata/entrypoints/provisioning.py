"""The phone routes: translate HTTP to a ProvisioningRequest and the outcome back to HTTP."""

from __future__ import annotations

import logging
import secrets

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from sonata.domain.model import LinkKind
from sonata.domain.services.provisioning import ProvisioningRequest, ProvisioningService, Refusal
from sonata.settings import Settings

# Every refusal looks the same, so a caller learns nothing from it.
NOT_FOUND_BODY = "Not Found\n"
# Configs carry passwords and change when the device does: no cache, proxy or browser keeps one.
NO_STORE = {"Cache-Control": "no-store"}


# Longer than any IPv6 address with a zone; what a trusted proxy's X-Forwarded-For may put here
# beyond that is no address and is not carried into logs or lastProvisioning.
MAX_CLIENT_ADDRESS = 64

log = logging.getLogger("sonata.provisioning")


def not_found() -> Response:
    return PlainTextResponse(NOT_FOUND_BODY, status_code=404, headers=NO_STORE)


def unavailable() -> Response:
    return PlainTextResponse(
        "Service Unavailable\n", status_code=503, headers={**NO_STORE, "Retry-After": "30"}
    )


def provisioning_routes(service: ProvisioningService, settings: Settings) -> list[Route]:
    # Empty when the links depend on the address the phone used; then it is read per request.
    fixed_base = settings.link_base("")

    async def answer(request: Request, link: LinkKind, secret: str, filename: str | None) -> Response:
        prefix = "device" if link is LinkKind.PERSONAL else "token"
        base = fixed_base or settings.link_base(str(request.base_url))
        link_url = f"{base}/v1/{prefix}/{secret}"
        provisioning = ProvisioningRequest(
            link=link,
            secret=secret,
            filename=filename,
            client_ip=request.client.host[:MAX_CLIENT_ADDRESS] if request.client else "",
            user_agent=request.headers.get("user-agent"),
            link_url=link_url,
            probe=request.method == "HEAD",
        )
        try:
            outcome = await service.provision(provisioning)
        except Exception:
            # Sonata's own fault, such as an unreachable database: the phone retries a 503 later;
            # the log gets the exception under an id, never a 500 with a traceback for the phone.
            incident = secrets.token_hex(6)
            log.exception("internal error %s while answering a phone at %s", incident, provisioning.client_ip)
            return unavailable()
        if isinstance(outcome, Refusal):
            return not_found()
        return Response(outcome.body, media_type=outcome.content_type, headers=NO_STORE)

    async def personal(request: Request) -> Response:
        params = request.path_params
        return await answer(request, LinkKind.PERSONAL, params["key"], params.get("filename"))

    async def common(request: Request) -> Response:
        params = request.path_params
        return await answer(request, LinkKind.COMMON, params["token"], params["filename"])

    return [  # the routes phones fetch files on first: they are matched in this order
        Route("/v1/device/{key}/{filename}", personal, methods=["GET", "HEAD"]),
        Route("/v1/token/{token}/{filename}", common, methods=["GET", "HEAD"]),
        Route("/v1/device/{key}", personal, methods=["GET", "HEAD"]),
    ]
