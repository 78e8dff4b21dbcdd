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
    """Mixed into uvicorn's H11Protocol or HttpToolsProtocol (both keep `cycle`, `loop`, `transport`
    and `server_state`, whose `connections` are the server's open HTTP connections).

    A connection notes when its next head is due: on opening, and after each response. One timer per
    server looks at every connection a few times a second and closes those past their time with no
    request in progress, so a request costs a clock reading, not a timer armed and cancelled (a few
    per cent of a cached fetch). A connection upgraded to a WebSocket leaves `connections`.
    """

    head_due: float | None = None
    """The loop time by which the next request head must have arrived; None while none is awaited."""

    def __init__(self, *args: Any, header_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.head_due = self.loop.time() + self.header_timeout
        _HeadWatch.of(self).watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self.head_due = self.loop.time() + self.header_timeout

    def head_too_late(self, now: float) -> bool:
        """Whether a head is awaited (no request in progress) and its time has passed."""
        if self.head_due is None or now < self.head_due:
            return False
        return self.cycle is None or self.cycle.response_complete


class _HeadWatch:
    """The one timer of a server's head deadlines: runs every `interval` while connections are open,
    so a late head is cut between `header_timeout` and `header_timeout + interval` seconds."""

    def __init__(self, loop: asyncio.AbstractEventLoop, connections: set[Any], header_timeout: float) -> None:
        self._loop = loop
        self._connections = connections
        self._interval = min(header_timeout / 4, 0.5)
        self._timer: asyncio.TimerHandle | None = None

    @staticmethod
    def of(connection: HeadDeadline) -> _HeadWatch:
        state = connection.server_state
        watch: _HeadWatch | None = getattr(state, "sonata_head_watch", None)
        if watch is None:
            watch = _HeadWatch(connection.loop, connection.connections, connection.header_timeout)
            state.sonata_head_watch = watch  # type: ignore[attr-defined]
        return watch

    def watch(self) -> None:
        if self._timer is None:
            self._timer = self._loop.call_later(self._interval, self._check)

    def _check(self) -> None:
        now = self._loop.time()
        for connection in list(self._connections):
            if isinstance(connection, HeadDeadline) and connection.head_too_late(now):
                connection.head_due = None
                if not connection.transport.is_closing():
                    connection.transport.close()
        self._timer = None
        if self._connections:
            self.watch()


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
