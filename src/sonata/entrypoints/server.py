"""uvicorn's HTTP protocol with a deadline on request heads.

uvicorn waits for a request's headers as long as the client keeps sending something, so a
few hundred clients trickling one byte a second (slowloris) would hold their connections
forever. Here a connection must deliver a complete request head within `header_timeout`
seconds of opening, and again after each response while it waits for the next request;
otherwise it is closed. The body and the response are not limited by it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

if TYPE_CHECKING:
    _Protocol = H11Protocol
else:
    _Protocol = object


class HeadDeadline(_Protocol):
    """Mixed into uvicorn's H11Protocol or HttpToolsProtocol (both keep `cycle`, `loop`, `transport`)."""

    header_timeout: ClassVar[float]
    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._request_in_progress():
            self._cancel_head_deadline()

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


def http_protocol(timeout: float) -> type[asyncio.Protocol]:
    """The class to give uvicorn: on httptools when installed (as uvicorn's "auto" picks), else on h11."""
    base: type[H11Protocol]
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        base = H11Protocol
    else:
        base = HttpToolsProtocol  # type: ignore[assignment]

    class SonataHttpProtocol(HeadDeadline, base):  # type: ignore[valid-type,misc]
        header_timeout = timeout

    return SonataHttpProtocol
