"""The /graphql endpoint: GraphiQL for browsers, bearer-token checked GraphQL for everyone else."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from sonata.domain.services.api_token import ApiTokenService
from sonata.domain.services.devices import DeviceService
from sonata.domain.services.provisioning import ProvisioningService
from sonata.entrypoints.graphql.schema import ApiContext, schema
from sonata.settings import Settings

UNAUTHENTICATED = {
    "data": None,
    "errors": [
        {
            "message": "a valid API token is required: send 'Authorization: Bearer <token>'",
            "extensions": {"code": "UNAUTHENTICATED"},
        }
    ],
}


class _SonataGraphQL(GraphQL[ApiContext, None]):
    def __init__(self, devices: DeviceService, provisioning: ProvisioningService, settings: Settings) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self._devices = devices
        self._provisioning = provisioning
        self._settings = settings

    async def get_context(self, request: Request, response: Response) -> ApiContext:  # type: ignore[override]
        return ApiContext(
            devices=self._devices,
            provisioning=self._provisioning,
            link_base=self._settings.link_base(str(request.base_url)),
        )


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
        settings: Settings,
    ) -> None:
        self._graphql = _SonataGraphQL(devices, provisioning, settings)
        self._tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if _wants_graphiql(request) or self._tokens.is_valid(_bearer_token(request)):
            await self._graphql(scope, receive, send)
            return
        await JSONResponse(UNAUTHENTICATED)(scope, receive, send)
