"""uvicorn's HTTP protocol with a deadline on request heads.

uvicorn waits for a request's headers as long as the client keeps sending something, so a
few hundred clients trickling one byte a second (slowloris) would hold their connections
forever. Here a connection must deliver a complete request head within `header_timeout`
seconds of opening, and again after each response while it waits for the next request;
otherwise it is closed. The body and the response are not limited by it, nor a WebSocket the
connection was upgraded to (its connection_init has the same time, entrypoints/graphql/app.py).

The protocol is built on httptools when it is installed (as uvicorn's "auto" would pick), else on
h11; the event loop is left to uvicorn's "auto" (uvloop when installed).
"""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING, Any, cast

from uvicorn.protocols.http.h11_impl import H11Protocol

if TYPE_CHECKING:
    _Protocol = H11Protocol
else:
    _Protocol = object


class HeadDeadline(_Protocol):
    """Mixed into uvicorn's H11Protocol or HttpToolsProtocol (both keep `cycle`, `loop`, `transport`)."""

    _head_deadline: asyncio.TimerHandle | None = None

    def __init__(self, *args: Any, header_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._request_in_progress() or self.transport.get_protocol() is not self:
            self._cancel_head_deadline()  # a request is being answered, or the connection is a WebSocket now

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # A pipelined request already read starts right away; otherwise the next head must come in time.
        if not self.transport.is_closing() and not self._request_in_progress():
            self._arm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        super().connection_lost(exc)

    def _request_in_progress(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _arm_head_deadline(self) -> None:
        self._cancel_head_deadline()
        self._head_deadline = self.loop.call_later(self.header_timeout, self._head_too_late)

    def _cancel_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_late(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def _parser() -> tuple[str, type[H11Protocol]]:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        return "h11", H11Protocol
    return "httptools", HttpToolsProtocol  # type: ignore[return-value]


HTTP_PARSER, _ParserProtocol = _parser()


class SonataHttpProtocol(HeadDeadline, _ParserProtocol):  # type: ignore[valid-type,misc]
    pass


def http_protocol(timeout: float) -> type[asyncio.Protocol]:
    """What to give uvicorn as its HTTP protocol class: SonataHttpProtocol with this header timeout.

    uvicorn only calls it, so a partial does; unlike a class made here it pickles, as the
    configuration must to reach the worker processes of `--workers`.
    """
    return cast(type[asyncio.Protocol], functools.partial(SonataHttpProtocol, header_timeout=timeout))


def runtime() -> str:
    """The event loop and the HTTP parser serving this process, such as `uvloop, httptools`."""
    loop = type(asyncio.get_running_loop()).__module__.partition(".")[0]
    return f"{loop}, {HTTP_PARSER}"
