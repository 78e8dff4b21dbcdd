"""The composition root: real adapters wired to the domain services and the HTTP routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp

from sonata.adapters.clock import SystemClock
from sonata.adapters.metrics import METRICS_DIR_VARIABLE, Metrics
from sonata.adapters.sql.address_locks import SqlAddressLocks
from sonata.adapters.sql.database import (
    count_devices,
    create_engine,
    create_schema,
    one_start_at_a_time,
    server_label,
    sqlite_path,
)
from sonata.adapters.sql.failure_sharing import FailureSharing
from sonata.adapters.sql.sqlite_file import FileWatch, SqliteFile, open_sqlite_file
from sonata.adapters.sql.unit_of_work import SqlUnitOfWork
from sonata.adapters.templates import Jinja2TemplateEngine, shipped_templates_dir
from sonata.domain.failure_budget import FailureBudget
from sonata.domain.services.api_token import ApiTokenService
from sonata.domain.services.audit_log import AuditLogService
from sonata.domain.services.devices import DeviceService
from sonata.domain.services.phone_auth import PhoneAuthenticator, nonce_key
from sonata.domain.services.provisioning import ProvisioningService
from sonata.domain.services.unknown_phones import UnknownPhoneService
from sonata.entrypoints.database_guard import DatabaseGuard
from sonata.entrypoints.event_path import EventPath
from sonata.entrypoints.graphql.app import GraphQLEndpoint
from sonata.entrypoints.graphql.cors import management_route
from sonata.entrypoints.graphql.failed_logins import FailedLogins
from sonata.entrypoints.graphql.graphiql import ASSETS_PATH, GraphiQLAssets
from sonata.entrypoints.logs import RequestIds, configure_logging
from sonata.entrypoints.operations import MetricsEndpoint, Readiness, healthz
from sonata.entrypoints.phone_path import PhonePath
from sonata.entrypoints.provisioning import PhoneLinks, not_found
from sonata.entrypoints.secret_keys import key_file_path, secret_box, unlock_secrets
from sonata.entrypoints.server import runtime
from sonata.settings import Settings

log = logging.getLogger("sonata")


@dataclass(frozen=True)
class Services:
    """The domain services wired to the real adapters the settings name."""

    engine: AsyncEngine
    sqlite_file: SqliteFile | None  # None for a database server
    devices: DeviceService
    tokens: ApiTokenService
    audit: AuditLogService
    provisioning: ProvisioningService
    phones: PhonePath
    events: EventPath
    unknown_phones: UnknownPhoneService
    failures: FailureSharing


def build_services(settings: Settings, metrics: Metrics | None = None) -> Services:
    """Raises ValueError for an unusable URL or secret key, DatabaseUnusable for a SQLite file Sonata
    cannot use. `metrics` counts what the phones' path does.

    A SQLite file must exist: `prepare` creates a new one, and a mistyped path is no new database.
    So must a key file: `prepare` makes it, and each worker of `--workers N` reads the one it made.
    """
    path = sqlite_path(settings.database_url)
    sqlite_file = open_sqlite_file(path, create=False) if path else None
    box = secret_box(settings)
    engine = create_engine(settings.database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    def unit_of_work() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, box)

    clock = SystemClock()
    overrides = [settings.templates_dir] if settings.templates_dir else []
    templates = Jinja2TemplateEngine(overrides, auto_reload=False)
    folders = [*overrides, shipped_templates_dir()]
    phones = PhonePath.build(
        settings.database_url,
        engine,
        box,
        settings.cache_mb,
        folders,
        templates.forget,
        metrics,
        unknown_phones=settings.unknown_phones,
        unknown_phone_days=settings.unknown_phone_days,
    )
    events = EventPath.build(settings.database_url, engine, clock, settings.event_retention_days)
    return Services(
        engine=engine,
        sqlite_file=sqlite_file,
        devices=DeviceService(unit_of_work, clock, phones.cache),
        tokens=ApiTokenService(unit_of_work, clock, settings.api_token),
        audit=AuditLogService(unit_of_work, clock, settings.audit_retention_days),
        provisioning=ProvisioningService(
            unit_of_work,
            templates,
            clock,
            devices=phones.cache,
            files=phones.cache,
            recorder=phones.recorder,
            authenticator=PhoneAuthenticator(clock, settings.digest_nonce_seconds),
            locks=SqlAddressLocks(engine, phones.cache),
            publish_window_minutes=settings.publish_window_minutes,
            observer=metrics,
            events=events.writer,
            unknown_phones=phones.unknown_phones,
        ),
        unknown_phones=UnknownPhoneService(phones.unknown_phones),
        phones=phones,
        events=events,
        failures=FailureSharing(
            engine,
            FailureBudget(
                settings.failures.budget, settings.failures.window_seconds, settings.failures.block_seconds
            ),
        ),
    )


async def prepare(settings: Settings) -> None:
    """What happens once per start, before any worker serves: the SQLite file checked (or created
    private), the migrations, the start line, the secret key checked (on the first start its key file
    made) and secrets in clear sealed, and on the first start the API token generated and printed.

    Workers started after it only open what it left, so they never race on any of it. Raises
    ValueError for an unusable URL, DatabaseUnusable for a SQLite file Sonata cannot use.
    """
    path = sqlite_path(settings.database_url)
    key_file_path(settings)  # a database server without a key is refused before it is touched
    sqlite_file = open_sqlite_file(path, create=True) if path else None
    engine = create_engine(settings.database_url)
    try:
        async with one_start_at_a_time(engine):
            await create_schema(engine)
            log.info(await _opened(engine, sqlite_file, settings))
            box = await unlock_secrets(settings, engine)
            sessions = async_sessionmaker(engine, expire_on_commit=False)
            units, clock = partial(SqlUnitOfWork, sessions, box), SystemClock()
            new_token = await ApiTokenService(units, clock, settings.api_token).ensure_token()
            await AuditLogService(units, clock, settings.audit_retention_days).prune()
            await nonce_key(lambda: SqlUnitOfWork(sessions, box))  # made here, so workers only read it
        if new_token is not None:
            # Printed once, on purpose: only its hash is stored.
            print(
                "Sonata generated the management API token 'initial', an admin token (shown only now):",
                new_token,
                flush=True,
            )
    finally:
        await engine.dispose()


def create_app(settings: Settings, metrics_dir: Path | None = None) -> ASGIApp:
    """The app of one process serving a database that `prepare` has made ready; `metrics_dir` is where
    the workers of `sonata serve --workers N` count (None: this process serves alone)."""
    metrics = Metrics(metrics_dir)
    services = build_services(settings, metrics)
    engine = services.engine
    # Readiness asks on a connection of its own: on SQLite, saves and lookups have one each.
    readiness_engine = create_engine(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await services.provisioning.load_nonce_key()
        pruning = asyncio.create_task(services.audit.keep_pruned())
        async with (
            metrics.running(),
            services.phones.running(),
            services.events.running(),
            services.failures.running(),
        ):
            log.info("worker %d ready (%s)", os.getpid(), runtime())
            yield
        pruning.cancel()
        await engine.dispose()
        await readiness_engine.dispose()

    async def refuse(request: Request, exc: Exception) -> Response:
        return not_found()

    graphql = GraphQLEndpoint(
        services.devices,
        services.provisioning,
        services.tokens,
        services.audit,
        services.events.history,
        services.unknown_phones,
        settings,
        metrics,
    )

    app: ASGIApp = PhoneLinks(
        Starlette(
            routes=[
                Route("/healthz", healthz),
                Route("/readyz", Readiness(readiness_engine).answer),
                Route(
                    "/metrics",
                    MetricsEndpoint(metrics, settings.operations.metrics_token, FailedLogins(log)).answer,
                ),
                management_route("/graphql", graphql, settings.cors_origins),
                WebSocketRoute("/graphql", graphql),  # subscriptions (graphql-transport-ws)
                Mount(ASSETS_PATH, GraphiQLAssets()),
            ],
            lifespan=lifespan,
            exception_handlers={404: refuse},
        ),
        services.provisioning,
        settings,
        services.failures.budget,
        metrics,
    )
    if services.sqlite_file:
        app = DatabaseGuard(app, watch=FileWatch(services.sqlite_file))
    return RequestIds(app)


def app_from_environment() -> ASGIApp:
    """uvicorn's app factory in each worker process of `sonata serve --workers N`.

    The parent process has run `prepare`, put the command line's settings into the environment, and
    the directory where the workers count their metrics in PROMETHEUS_MULTIPROC_DIR.
    """
    settings = Settings.from_env()
    configure_logging(settings.operations.log_level, settings.operations.log_format)
    metrics_dir = os.environ.get(METRICS_DIR_VARIABLE)
    return create_app(settings, Path(metrics_dir) if metrics_dir else None)


async def _opened(engine: AsyncEngine, sqlite_file: SqliteFile | None, settings: Settings) -> str:
    """The start line: which database, and whether Sonata just created it."""
    if sqlite_file is not None and sqlite_file.created:
        return f"created a new database at {sqlite_file.path}"
    where = sqlite_file.path if sqlite_file else server_label(settings.database_url)
    devices = await count_devices(engine)
    return f"opened {where} ({devices} device{'' if devices == 1 else 's'})"
