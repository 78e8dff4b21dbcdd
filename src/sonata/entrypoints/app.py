"""The composition root: real adapters wired to the domain services and the HTTP routes."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sonata.adapters.clock import SystemClock
from sonata.adapters.sql.database import create_engine, create_schema, ping
from sonata.adapters.sql.unit_of_work import SqlUnitOfWork
from sonata.adapters.templates import Jinja2TemplateEngine
from sonata.domain.services.api_token import ApiTokenService
from sonata.domain.services.devices import DeviceService
from sonata.domain.services.provisioning import ProvisioningService
from sonata.entrypoints.graphql.app import GraphQLEndpoint
from sonata.entrypoints.provisioning import not_found, provisioning_routes
from sonata.settings import Settings

log = logging.getLogger("sonata")


@dataclass(frozen=True)
class Services:
    """The domain services wired to the real adapters the settings name."""

    engine: AsyncEngine
    devices: DeviceService
    tokens: ApiTokenService
    provisioning: ProvisioningService


def build_services(settings: Settings) -> Services:
    engine = create_engine(settings.database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    def unit_of_work() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions)

    clock = SystemClock()
    templates = Jinja2TemplateEngine([settings.templates_dir] if settings.templates_dir else [])
    return Services(
        engine=engine,
        devices=DeviceService(unit_of_work, clock),
        tokens=ApiTokenService(unit_of_work, settings.api_token),
        provisioning=ProvisioningService(unit_of_work, templates, clock),
    )


def create_app(settings: Settings) -> Starlette:
    services = build_services(settings)
    engine = services.engine

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await create_schema(engine)
        new_token = await services.tokens.ensure_token()
        if new_token is not None:
            # Printed once, on purpose: only its hash is stored.
            print(f"Sonata generated the management API token (shown only now): {new_token}", flush=True)
        yield
        await engine.dispose()

    async def healthz(request: Request) -> Response:
        try:
            await ping(engine)
        except (SQLAlchemyError, OSError):
            log.exception("database unreachable")
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    async def refuse(request: Request, exc: Exception) -> Response:
        return not_found()

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route(
                "/graphql",
                GraphQLEndpoint(services.devices, services.provisioning, services.tokens, settings),
                methods=["GET", "POST"],
            ),
            *provisioning_routes(services.provisioning, settings),
        ],
        lifespan=lifespan,
        exception_handlers={404: refuse},
    )
