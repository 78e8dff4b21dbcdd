"""Sonata's log: its level, its format (text, or one JSON object a line), and an id for each request.

Every line goes to standard error, uvicorn's own included, in the one format. uvicorn's access log
stays off: phone URLs carry device keys and group tokens. Each phone fetch has its own line instead
(domain/services/fetch_log.py), whose facts the JSON format writes as keys.
"""

from __future__ import annotations

import itertools
import json
import logging
import logging.config
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_PROCESS = secrets.token_hex(3)
_request_number: ContextVar[int | None] = ContextVar("sonata_request_number", default=None)
"""The number of the request being answered, in the task answering it; None outside requests."""


def request_id() -> str | None:
    """The id of the request being answered: this process's random prefix and the request's number,
    unique across workers and restarts in practice; None outside requests."""
    number = _request_number.get()
    return None if number is None else f"{_PROCESS}-{number:x}"


class RequestIds:
    """ASGI: numbers each HTTP request, so that each log line written while answering it carries its
    id (only a number per request: phone requests come by the thousand a second)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._count = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # uvicorn runs each request in a task of its own, so this never reaches another request.
            _request_number.set(next(self._count))
        await self._app(scope, receive, send)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the request id where there is one, a
    phone fetch's facts, and an exception's traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = request_id()
        if current is not None:
            entry["request_id"] = current
        fetch = record.__dict__.get("fetch")
        if isinstance(fetch, dict):
            entry.update(fetch)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def logging_config(level: str, log_format: str) -> dict[str, Any]:
    """What `logging.config.dictConfig` takes: Sonata's processes and uvicorn's workers alike.

    DEBUG is Sonata's own (and uvicorn's, which uvicorn sets): the libraries stay at INFO, as some
    write SQL statements with their parameters, passwords included, at DEBUG.
    """
    formatter = {"()": f"{__name__}.JsonFormatter"} if log_format == "json" else {"format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"sonata": formatter},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "sonata", "stream": "ext://sys.stderr"}
        },
        "root": {"level": "INFO" if level == "DEBUG" else level, "handlers": ["stderr"]},
        "loggers": {
            "sonata": {"level": level},
            # uvicorn's loggers write through the root's handler; its access log is off.
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }


def configure_logging(level: str, log_format: str) -> None:
    logging.config.dictConfig(logging_config(level, log_format))
