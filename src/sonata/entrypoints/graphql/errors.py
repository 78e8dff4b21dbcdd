"""What the log and the client learn of a GraphQL error.

A client's mistake (a syntax or validation error, a limit, a refused argument) is logged at INFO
by kind and place only: its message and the document may carry a password the client sent.
Anything else is Sonata's own fault: the log gets it at ERROR with its traceback and an id, the
client the message "internal error" and the same id.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.types import ExecutionContext

from sonata.domain.errors import ValidationFailed
from sonata.entrypoints.graphql.limits import naming_the_setting

log = logging.getLogger("sonata.api")

INTERNAL_ERROR = "internal error"


@contextlib.contextmanager
def refused_as_bad_input() -> Iterator[None]:
    """A refused argument (ValidationFailed) raised inside reaches the client as BAD_USER_INPUT: the
    fields and what is wrong with each."""
    try:
        yield
    except ValidationFailed as failure:
        raise GraphQLError(str(failure), extensions={"code": "BAD_USER_INPUT"}) from None


class ReportingSchema(strawberry.Schema):
    def __init__(
        self, *args: Any, on_fault: Callable[[BaseException], None] | None = None, **kwargs: Any
    ) -> None:
        """`on_fault` is told of each fault, the exception itself, before it is masked."""
        super().__init__(*args, **kwargs)
        self._on_fault = on_fault

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log every error; replace each fault by its masked form.

        strawberry passes the very list the response carries, so a fault replaced here never
        reaches the client, whichever step of the operation raised it.
        """
        mistakes = []
        for index, error in enumerate(errors):
            if is_fault(error):
                if self._on_fault is not None and error.original_error is not None:
                    self._on_fault(error.original_error)
                errors[index] = _reported(error)
            else:
                errors[index] = naming_the_setting(error)
                mistakes.append(_summary(error))
        if mistakes:
            log.info("refused a GraphQL request: %s", "; ".join(mistakes))


def is_fault(error: GraphQLError) -> bool:
    """True for an exception of Sonata's own; False for what graphql-core or a resolver refused.

    A GraphQLError is always a refusal. So is any other exception that validation located in the
    document before execution began (an Int literal of 5,000 digits makes int() raise ValueError).
    """
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return error.path is not None or not error.nodes


def _summary(error: GraphQLError) -> str:
    """What kind of error, and where: `syntax error at 1:10`, `BAD_USER_INPUT at devices`."""
    code = (error.extensions or {}).get("code")
    if isinstance(error, GraphQLSyntaxError):
        kind = "syntax error"
    elif code:
        kind = str(code)
    else:
        kind = "validation error" if error.path is None else "error"
    if error.path:
        return f"{kind} at {'.'.join(str(step) for step in error.path)}"
    if error.locations:
        return f"{kind} at {', '.join(f'{at.line}:{at.column}' for at in error.locations)}"
    return kind


def _reported(error: GraphQLError) -> GraphQLError:
    incident = secrets.token_hex(6)
    log.error("internal error %s (%s)", incident, _summary(error), exc_info=error.original_error)
    return GraphQLError(
        INTERNAL_ERROR,
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "id": incident},
    )
