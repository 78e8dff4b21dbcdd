"""The /graphql endpoint: GraphiQL for browsers, bearer-token checked GraphQL for everyone else, over
HTTP or over WebSocket (graphql-transport-ws, the token in the connection_init payload)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, cast

from starlette.requests import ClientDisconnect, HTTPConnection, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from sonata.adapters.metrics import Metrics
from sonata.adapters.sql.errors import describe, is_database_error
from sonata.domain.access import Actor, ApiToken, Role
from sonata.domain.access import Scope as DeviceScope
from sonata.domain.services.api_token import ApiTokenService
from sonata.domain.services.audit_log import AuditLogService
from sonata.domain.services.devices import DeviceService
from sonata.domain.services.provisioning import ProvisioningService
from sonata.domain.services.provisioning_history import ProvisioningHistory
from sonata.domain.services.unknown_phones import UnknownPhoneService
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


NOBODY = ApiToken("", Role.READER, DeviceScope(frozenset()))
"""The caller of a WebSocket until its connection_init names a valid token (strawberry runs no
operation before): it sees no device."""

Check = Callable[[str, Scope], Awaitable[ApiToken | None]]
"""The check of an Authorization value ('Bearer <token>') sent from a client (GraphQLEndpoint.check)."""


class _Unavailable(Exception):
    """The database cannot say whether a token is valid."""


@dataclasses.dataclass
class _SocketContext(ApiContext):
    """The context of every operation over one WebSocket: its caller is set by connection_init."""

    connection_params: Mapping[str, object] = dataclasses.field(default_factory=dict)
    """The connection_init payload (strawberry sets it)."""
    socket: WebSocket | None = None

    def act_for(self, context: ApiContext) -> None:
        for field in dataclasses.fields(ApiContext):
            setattr(self, field.name, getattr(context, field.name))


class _SonataGraphQL(GraphQL[ApiContext, None]):
    def __init__(
        self,
        devices: DeviceService,
        provisioning: ProvisioningService,
        tokens: ApiTokenService,
        audit: AuditLogService,
        history: ProvisioningHistory,
        unknown_phones: UnknownPhoneService,
        settings: Settings,
        metrics: Metrics | None,
        check: Check,
    ) -> None:
        super().__init__(
            build_schema(settings.api_limits, metrics),
            graphql_ide="graphiql",
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            # A WebSocket that does not say who it is in time is closed, as a slow request head is.
            connection_init_wait_timeout=timedelta(seconds=settings.header_timeout),
        )
        self._devices = devices
        self._provisioning = provisioning
        self._tokens = tokens
        self._audit = audit
        self._history = history
        self._unknown_phones = unknown_phones
        self._settings = settings
        self._check = check
        self._graphiql = GraphiQLPage()

    async def render_graphql_ide(self, request: Request) -> Response:
        return self._graphiql.response()

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> ApiContext:
        if isinstance(request, WebSocket):
            context = self._context(NOBODY, request)
            return _SocketContext(**vars(context), socket=request)
        return self._context(request.state.api_token, request)  # GraphQLEndpoint authenticated it

    async def on_ws_connect(self, context: ApiContext) -> UnsetType | dict[str, object] | None:
        """Checks the token of connection_init's payload, {"Authorization": "Bearer <token>"}; without
        a valid one (or a database to check it) the socket closes with 4403."""
        assert isinstance(context, _SocketContext) and context.socket is not None
        try:
            caller = await self._check(_authorization(context.connection_params), context.socket.scope)
        except _Unavailable:
            raise ConnectionRejectionError from None
        if caller is None:
            raise ConnectionRejectionError
        context.act_for(self._context(caller, context.socket))
        return cast(UnsetType, UNSET)  # connection_ack without a payload

    def _context(self, caller: ApiToken, connection: HTTPConnection) -> ApiContext:
        actor = Actor.of(caller, client_address(connection.scope))
        return ApiContext(
            caller=caller,
            actor=actor,
            devices=self._devices.acting_as(actor),
            provisioning=self._provisioning,
            tokens=self._tokens,
            audit=self._audit,
            history=self._history,
            unknown_phones=self._unknown_phones,
            link_base=self._settings.link_base(str(connection.base_url)),
        )

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        max_depth = self._settings.api_limits.max_json_depth
        if request.method == "GET":
            return http_request.from_query_string(request.query_params, max_depth)
        return http_request.from_body(await request.get_body(), request.content_type, max_depth)


def _bearer_token(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _authorization(connection_params: Mapping[str, object]) -> str:
    """The Authorization entry of a connection_init payload, its name in any case."""
    value = next((v for k, v in connection_params.items() if k.lower() == "authorization"), "")
    return value if isinstance(value, str) else ""


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
        history: ProvisioningHistory,
        unknown_phones: UnknownPhoneService,
        settings: Settings,
        metrics: Metrics | None = None,
    ) -> None:
        """`metrics` counts the operations, those refused before they are read too."""
        self._graphql = _SonataGraphQL(
            devices, provisioning, tokens, audit, history, unknown_phones, settings, metrics, self.check
        )
        self._metrics = metrics
        self._tokens = tokens
        self._max_body_bytes = settings.api_limits.max_body_bytes
        self._failed_logins = FailedLogins(log)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # checked at its connection_init
            await self._graphql(scope, receive, send)
            return
        request = Request(scope, receive)
        if http_request.declared_too_large(request.headers.get("content-length"), self._max_body_bytes):
            refused = http_request.too_large(self._max_body_bytes)
            self._count_unread("error")
            await PlainTextResponse(refused.reason, status_code=refused.status)(scope, receive, send)
            return
        if _wants_graphiql(request):  # the page, which asks for the token; it runs no operation
            await (await self._graphql.render_graphql_ide(request))(scope, receive, send)
            return
        try:
            request.state.api_token = await self.check(request.headers.get("authorization", ""), scope)
        except _Unavailable:
            await JSONResponse(UNAVAILABLE, status_code=503)(scope, receive, send)
            return
        if request.state.api_token is None:
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

    async def check(self, authorization: str, scope: Scope) -> ApiToken | None:
        """The caller an Authorization value names ('Bearer <token>'), for every operation over HTTP or
        WebSocket; None for no valid token (a failed login). Raises _Unavailable when the database
        cannot answer."""
        token = _bearer_token(authorization)
        try:
            caller = await self._tokens.authenticate(token)
        except Exception as error:  # whatever the database driver raises: no token can be checked
            log.error("cannot check a management API token: %s", describe(error))
            self._count_unread("internal")
            if self._metrics is not None and is_database_error(error):
                self._metrics.database_error("api")
            raise _Unavailable from error
        if caller is None:
            address = client_address(scope) or "an unknown address"
            self._failed_logins.refused(address, "wrong bearer token" if token else "no bearer token")
            self._count_unread("unauthenticated")
        return caller

    def _count_unread(self, outcome: str) -> None:
        """An operation refused before its document was read: of unknown type."""
        if self._metrics is not None:
            self._metrics.graphql_operation(UNKNOWN, outcome)
