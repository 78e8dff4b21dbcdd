"""The management API: queries and mutations over the domain services."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.scalars import JSON
from strawberry.types import ExecutionResult, Info
from strawberry.types.graphql import OperationType

from sonata.adapters.metrics import Metrics
from sonata.domain.services.devices import MAX_GRACE_MINUTES, SaveResult, encode_cursor
from sonata.domain.vendors import VENDORS
from sonata.entrypoints.graphql.administration import AdministrationMutation, AdministrationQuery
from sonata.entrypoints.graphql.context import api_context
from sonata.entrypoints.graphql.errors import ReportingSchema, refused_as_bad_input
from sonata.entrypoints.graphql.history import HistoryQuery, Subscription
from sonata.entrypoints.graphql.inputs import DeviceInput, DevicePatch
from sonata.entrypoints.graphql.limits import limit_extensions
from sonata.entrypoints.graphql.operation_metrics import FaultCounter, OperationMetrics
from sonata.entrypoints.graphql.permissions import Authorization
from sonata.entrypoints.graphql.types import (
    DeleteDevicePayload,
    Device,
    DeviceConnection,
    FieldError,
    ImportDevicesPayload,
    PageInfo,
    RenderedFile,
    SaveDevicePayload,
    Vendor,
)
from sonata.entrypoints.graphql.unknown_phones import UnknownPhonesQuery
from sonata.settings import ApiLimits


def _payload(result: SaveResult, link_base: str, *, camel_case: bool = True) -> SaveDevicePayload:
    return SaveDevicePayload(
        device=Device.from_domain(result.device, link_base) if result.device else None,
        errors=[FieldError.from_domain(e, camel_case=camel_case) for e in result.errors],
    )


# strawberry's field decorators with arguments are untyped for mypy: hence the ignores below.
@strawberry.type
class Query(AdministrationQuery, HistoryQuery, UnknownPhonesQuery):
    @strawberry.field
    def vendors(self) -> list[Vendor]:
        return [Vendor.from_domain(v) for v in VENDORS.values()]

    @strawberry.field
    async def device(
        self, info: Info[Any, None], key: str | None = None, mac: str | None = None
    ) -> Device | None:
        context = api_context(info)
        if key is None and mac is None:
            return None
        device = await context.devices.find(key=key, mac=mac)
        return Device.from_domain(device, context.link_base) if device else None

    @strawberry.field
    async def devices(
        self,
        info: Info[Any, None],
        vendor: str | None = None,
        token: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> DeviceConnection:
        context = api_context(info)
        with refused_as_bad_input():
            page = await context.devices.list(vendor=vendor, token=token, first=first, after=after)
        nodes = [Device.from_domain(d, context.link_base) for d in page.devices]
        return DeviceConnection(
            nodes=nodes,
            total_count=page.total_count,
            page_info=PageInfo.of(page.devices, page.has_next_page, lambda device: encode_cursor(device.mac)),
        )

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="The exact file a phone would get on the personal link, rules not applied, "
        "and plain: a device with configEncryption gets these bytes encrypted. It carries the "
        "device's passwords: it is the config itself."
    )
    async def render_config(
        self, info: Info[Any, None], key: str, filename: str | None = None
    ) -> RenderedFile | None:
        context = api_context(info)
        with refused_as_bad_input():
            rendered = await context.provisioning.preview(
                key, filename, context.link_base, context.actor.scope
            )
        if rendered is None:
            return None
        return RenderedFile(
            filename=rendered.filename, content_type=rendered.content_type, body=rendered.body.decode("utf-8")
        )


@strawberry.type
class Mutation(AdministrationMutation):
    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description="Create a device, or replace a whole device (found by key, else by MAC): every "
        "field left out gets its default, so a replace without status, rules, lineKeys or phonebook "
        "enables the device and clears them. Omitted sipPassword and adminPassword keep the stored "
        "ones. To change some fields only, use updateDevice."
    )
    async def save_device(self, info: Info[Any, None], input: DeviceInput) -> SaveDevicePayload:
        context = api_context(info)
        result = await context.devices.save_reporting(input.to_draft())
        return _payload(result, context.link_base)

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description="Change only the fields given of the device with this key; the others keep their "
        "stored values. Validated like saveDevice; on any error nothing changes."
    )
    async def update_device(self, info: Info[Any, None], key: str, input: DevicePatch) -> SaveDevicePayload:
        context = api_context(info)
        result = await context.devices.update_reporting(key, input.to_patch())
        return _payload(result, context.link_base)

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description="Give the device a new key. Its phone is still served on the old key for "
        f"graceMinutes (0 to {MAX_GRACE_MINUTES}, 30 days), and what it gets there already names "
        "the new link, so the phone moves at its next fetch; then the old key is refused like any "
        "unknown key. Not a save: the publish window and the address lock go on. "
        "lastProvisioning.previousKey shows a phone still on the old key."
    )
    async def rotate_device_key(
        self, info: Info[Any, None], key: str, grace_minutes: int
    ) -> SaveDevicePayload:
        context = api_context(info)
        result = await context.devices.rotate_key_reporting(key, grace_minutes)
        return _payload(result, context.link_base)

    @strawberry.mutation
    async def delete_device(self, info: Info[Any, None], key: str) -> DeleteDevicePayload:
        deleted = await api_context(info).devices.delete(key)
        errors = [] if deleted else [FieldError(field="key", message="no device has this key")]
        return DeleteDevicePayload(deleted=deleted, errors=errors)

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description="Save devices given as snake_case documents; each is saved on its own. A "
        "document with an unknown key, or with the MAC of an earlier document of the same call "
        "(documents count from 0, as results do), is not saved."
    )
    async def import_devices(self, info: Info[Any, None], documents: list[JSON]) -> ImportDevicesPayload:
        context = api_context(info)
        results = await context.devices.import_documents(list(documents))
        return ImportDevicesPayload(
            saved=sum(1 for r in results if r.device is not None),
            results=[_payload(r, context.link_base, camel_case=False) for r in results],
        )


class _ManagementSchema(ReportingSchema):
    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """One answer per request, so no subscription: those go over WebSocket, which streams every
        operation and never comes here. Over HTTP a subscription gets a 400 saying so."""
        allowed = set(allowed_operation_types or OperationType) - {OperationType.SUBSCRIPTION}
        return await super().execute(
            query, variable_values, context_value, root_value, operation_name, allowed, operation_extensions
        )


def build_schema(limits: ApiLimits, metrics: Metrics | None = None) -> strawberry.Schema:
    """With `metrics`, each operation is counted by type and outcome, and database faults among its errors."""
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        *limit_extensions(limits),
        Authorization,
    ]
    if metrics is not None:
        extensions.append(partial(OperationMetrics, metrics))
    return _ManagementSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        on_fault=FaultCounter(metrics) if metrics is not None else None,
    )
