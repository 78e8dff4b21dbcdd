"""While the database file Sonata opened is gone from its path, every request is answered 503.

Serving on would hand phones whatever is left of the deleted file and save changes nobody
will find after a restart.
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from sonata.adapters.sql.sqlite_file import FileWatch

log = logging.getLogger("sonata")

UNAVAILABLE = JSONResponse({"status": "unavailable", "database": "deleted or replaced"}, status_code=503)


class DatabaseGuard:
    def __init__(self, app: ASGIApp, watch: FileWatch) -> None:
        self._app = app
        self._watch = watch
        self._was_in_place = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._in_place():
            await UNAVAILABLE(scope, receive, send)
            return
        await self._app(scope, receive, send)

    def _in_place(self) -> bool:
        in_place = self._watch.in_place()
        if in_place != self._was_in_place:
            if in_place:
                log.warning("the database file %s is back in place; serving again", self._watch.path)
            else:
                log.error(
                    "the database file %s was deleted or replaced after Sonata opened it; answering 503"
                    " until it is back or Sonata restarts",
                    self._watch.path,
                )
            self._was_in_place = in_place
        return in_place
