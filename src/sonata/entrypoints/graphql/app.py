"""The /graphql endpoint: GraphiQL for browsers, bearer-token checked GraphQL for everyone else."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData

from sonata.adapters.metrics import Metrics
from sonata.adapters.sql.errors import describe, is_database_error
from sonata.domain.access import Actor, ApiToken
from sonata.domain.services.api_token import ApiTokenService
from sonata.domain.services.audit_log import AuditLogService
from sonata.domain.services.devices import DeviceService
from sonata.domain.services.provisioning import ProvisioningService
from sonata.entrypoints.clients import client_address
from sonata.entrypoints.graphql import http_request
from sonata.entrypoints.graphql.context import ApiContext
from sonata.entrypoints.graphql.failed_logins import FailedLogins
from sonata.entrypoints.graphql.graphiql import GraphiQLPage
from sonata.entrypoints.graphql.operation_metrics import UNKNOWN
from sonata.entrypoints.graphql.schema import build_schema
from sonata.settings import Settings

if TYPE_CHECKING:
    from cross_web import AsyncHTTPRequestAdapter  # strawberry's view over the starlette request

log = logging.getLogger("sonata.api")

UNAUTHENTICATED = {
    "data": None,
    "errors": [
        {
            "message": "a valid API token is required: send 'Authorization: Bearer <token>'",
            "extensions": {"code": "UNAUTHENTICATED"},
        }
    ],
}
UNAVAILABLE = {
    "data": None,
    "errors": [
        {
            "message": "the database is unavailable: the API token cannot be checked",
            "extensions": {"code": "UNAVAILABLE"},
        }
    ],
}


class _SonataGraphQL(GraphQL[ApiContext, None]):
    def __init__(
        self,
        devices: DeviceService,
        provisioning: ProvisioningService,
        tokens: ApiTokenService,
        audit: AuditLogService,
        settings: Settings,
        metrics: Metrics | None,
    ) -> None:
        super().__init__(
            build_schema(settings.api_limits, metrics), graphql_ide="graphiql", allow_queries_via_get=True
        )
        self._devices = devices
        self._provisioning = provisioning
        self._tokens = tokens
        self._audit = audit
        self._settings = settings
        self._graphiql = GraphiQLPage()

    async def render_graphql_ide(self, request: Request) -> Response:
        return self._graphiql.response()

    async def get_context(self, request: Request, response: Response) -> ApiContext:  # type: ignore[override]
        caller: ApiToken = request.state.api_token  # GraphQLEndpoint authenticated the request
        actor = Actor.of(caller, client_address(request.scope))
        return ApiContext(
            caller=caller,
            actor=actor,
            devices=self._devices.acting_as(actor),
            provisioning=self._provisioning,
            tokens=self._tokens,
            audit=self._audit,
            link_base=self._settings.link_base(str(request.base_url)),
        )

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        max_depth = self._settings.api_limits.max_json_depth
        if request.method == "GET":
            return http_request.from_query_string(request.query_params, max_depth)
        return http_request.from_body(await request.get_body(), request.content_type, max_depth)


def _bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _wants_graphiql(request: Request) -> bool:
    return (
        request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
    )


class GraphQLEndpoint:
    """An ASGI app: every GraphQL operation needs the management API's bearer token."""

    def __init__(
        self,
        devices: DeviceService,
        provisioning: ProvisioningService,
        tokens: ApiTokenService,
        audit: AuditLogService,
        settings: Settings,
        metrics: Metrics | None = None,
    ) -> None:
        """`metrics` counts the operations, those refused before they are read too."""
        self._graphql = _SonataGraphQL(devices, provisioning, tokens, audit, settings, metrics)
        self._metrics = metrics
        self._tokens = tokens
        self._max_body_bytes = settings.api_limits.max_body_bytes
        self._failed_logins = FailedLogins(log)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if http_request.declared_too_large(request.headers.get("content-length"), self._max_body_bytes):
            refused = http_request.too_large(self._max_body_bytes)
            self._count_unread("error")
            await PlainTextResponse(refused.reason, status_code=refused.status)(scope, receive, send)
            return
        if _wants_graphiql(request):  # the page, which asks for the token; it runs no operation
            await (await self._graphql.render_graphql_ide(request))(scope, receive, send)
            return
        token = _bearer_token(request)
        try:
            request.state.api_token = await self._tokens.authenticate(token)
        except Exception as error:  # whatever the database driver raises: no token can be checked
            log.error("cannot check a management API token: %s", describe(error))
            self._count_unread("internal")
            if self._metrics is not None and is_database_error(error):
                self._metrics.database_error("api")
            await JSONResponse(UNAVAILABLE, status_code=503)(scope, receive, send)
            return
        if request.state.api_token is None:
            address = client_address(scope) or "an unknown address"
            self._failed_logins.refused(address, "wrong bearer token" if token else "no bearer token")
            self._count_unread("unauthenticated")
            await JSONResponse(UNAUTHENTICATED, status_code=401, headers={"WWW-Authenticate": "Bearer"})(
                scope, receive, send
            )
            return
        try:
            await self._graphql(scope, http_request.capped(receive, self._max_body_bytes), send)
        except http_request.Refused as refused:
            self._count_unread("error")
            await PlainTextResponse(refused.reason, status_code=refused.status)(scope, receive, send)
        except ClientDisconnect:
            pass  # gone before its request was read: there is no one to answer

    def _count_unread(self, outcome: str) -> None:
        """An operation refused before its document was read: of unknown type."""
        if self._metrics is not None:
            self._metrics.graphql_operation(UNKNOWN, outcome)
