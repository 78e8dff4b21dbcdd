"""Each GraphQL operation counted by type and outcome, and the database failures among its faults."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from sonata.adapters.metrics import Metrics
from sonata.adapters.sql.errors import is_database_error

UNKNOWN = "unknown"
"""The type of an operation whose document could not be read."""


class OperationMetrics(SchemaExtension):
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except BaseException:
            self._metrics.graphql_operation(self._type(), "internal")
            raise
        context = self.execution_context
        errors = context.pre_execution_errors or (context.result.errors if context.result else None)
        self._metrics.graphql_operation(self._type(), outcome(errors or []))

    def _type(self) -> str:
        try:
            return self.execution_context.operation_type.value
        except RuntimeError:  # no document, or no operation of the name asked for
            return UNKNOWN


def outcome(errors: list[GraphQLError]) -> str:
    """ok; internal if any error is Sonata's fault; forbidden if the token may not ask for a field;
    else error, the client's mistake (syntax, validation, a limit, a refused argument)."""
    codes = {(error.extensions or {}).get("code") for error in errors}
    if not errors:
        return "ok"
    if "INTERNAL_SERVER_ERROR" in codes:
        return "internal"
    if "FORBIDDEN" in codes:
        return "forbidden"
    return "error"


class FaultCounter:
    """Told of each fault of an operation (ReportingSchema), before it is masked: counts the
    database's."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def __call__(self, fault: BaseException) -> None:
        if is_database_error(fault):
            self._metrics.database_error("api")
