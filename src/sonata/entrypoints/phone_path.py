"""The phones' hot path wired: the device cache, the change follower, the batched recorder and the
unknown phones noted, with the background tasks of one serving process."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from sonata.adapters.cache import DeviceCache
from sonata.adapters.clock import SystemClock
from sonata.adapters.metrics import Metrics
from sonata.adapters.secret_box import SecretBox
from sonata.adapters.sql.changes import ChangeFollower, prune_changes
from sonata.adapters.sql.database import create_engine
from sonata.adapters.sql.device_reader import SqlPhoneDevices
from sonata.adapters.sql.errors import describe
from sonata.adapters.sql.recorder import BatchedRecorder
from sonata.adapters.sql.unknown_phones import SqlUnknownPhones
from sonata.adapters.template_watch import TemplateWatch
from sonata.domain.unknown_phones import MAX_UNKNOWN_PHONES, UNKNOWN_PHONE_DAYS

log = logging.getLogger("sonata")

SHUTDOWN_FLUSH_SECONDS = 5.0
"""How long a stopping server tries to write the last lastProvisioning records."""
PRUNE_EVERY = 60.0
LOOKUP_CONNECTIONS = 4
"""Connections the lookups of devices not in memory read on (SQLite): phones booting at once whose
devices are not in memory yet do not all queue for one."""
TEMPLATES_EVERY = 1.0
"""Seconds between two looks at the template folders: an edited template is served after about this."""


@dataclass(frozen=True)
class PhonePath:
    """Phones' lookups and the change follower read over connections of their own, so that neither
    waits for a save, an import or a batch of records being written (SQLite has one writer)."""

    devices: SqlPhoneDevices
    preload_source: SqlPhoneDevices
    """The devices read ahead of phones, on the change follower's connection: a phone's lookup never
    queues behind a chunk of them."""
    cache: DeviceCache
    follower: ChangeFollower
    recorder: BatchedRecorder
    unknown_phones: SqlUnknownPhones
    """Written like the records, and read for unknownPhones."""
    writer: AsyncEngine
    """The engine saves use: it writes the records and prunes old change rows."""
    engines: tuple[AsyncEngine, ...]
    """The engines opened here, disposed when serving ends."""
    templates: TemplateWatch
    forget_templates: Callable[[], None]
    """Drops the templates the engine has read, so that an edited one is read anew."""

    @classmethod
    def build(
        cls,
        database_url: str,
        engine: AsyncEngine,
        box: SecretBox,
        cache_mb: int,
        template_folders: Sequence[Path],
        forget_templates: Callable[[], None],
        metrics: Metrics | None = None,
        unknown_phones: int = MAX_UNKNOWN_PHONES,
        unknown_phone_days: int = UNKNOWN_PHONE_DAYS,
    ) -> PhonePath:
        """`engine` is the one saves use; it writes the records. `box` opens the devices' secrets.
        At most `unknown_phones` unknown phones are kept, each `unknown_phone_days` days."""
        lookups, changes = (
            create_engine(database_url, readers=LOOKUP_CONNECTIONS),
            create_engine(database_url),
        )
        devices = SqlPhoneDevices(lookups, box)
        cache = DeviceCache(devices, cache_mb * 1024 * 1024, metrics=metrics)
        return cls(
            devices,
            SqlPhoneDevices(changes, box),
            cache,
            ChangeFollower(changes, cache),
            BatchedRecorder(engine, metrics=metrics),
            SqlUnknownPhones(engine, SystemClock(), limit=unknown_phones, days=unknown_phone_days),
            engine,
            (lookups, changes),
            TemplateWatch(template_folders),
            forget_templates,
        )

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Follow changes and write records and unknown phones while serving; on the way out, write
        the last of them."""
        with contextlib.suppress(Exception):  # the task logs a failure and retries
            await self.follower.poll()
        follower = asyncio.create_task(self.follower.run())
        pruner = asyncio.create_task(self._prune_regularly())
        watcher = asyncio.create_task(self._watch_templates())
        preloader = asyncio.create_task(self._preload())
        recorder = asyncio.create_task(self.recorder.run())
        unknown = asyncio.create_task(self.unknown_phones.run())
        try:
            yield
        finally:
            for task in (follower, pruner, watcher, preloader):
                task.cancel()
            self.recorder.stop()
            self.unknown_phones.stop()
            try:
                await asyncio.wait_for(recorder, SHUTDOWN_FLUSH_SECONDS)
            except TimeoutError:
                log.error(
                    "the database took no lastProvisioning records for %s s: the last %d are lost",
                    SHUTDOWN_FLUSH_SECONDS,
                    self.recorder.pending,
                )
            try:
                await asyncio.wait_for(unknown, SHUTDOWN_FLUSH_SECONDS)
            except TimeoutError:
                log.warning(
                    "the database took no unknown phones for %s s: the last ones are lost",
                    SHUTDOWN_FLUSH_SECONDS,
                )
            await asyncio.gather(follower, pruner, watcher, preloader, return_exceptions=True)
            for engine in self.engines:
                await engine.dispose()

    async def _prune_regularly(self) -> None:
        while True:
            try:
                await prune_changes(self.writer)
            except Exception as error:  # tried again later; old rows cost only disk meanwhile
                log.warning("cannot prune old device changes: %s", describe(error))
            await asyncio.sleep(PRUNE_EVERY)

    async def _watch_templates(self) -> None:
        while True:
            await asyncio.sleep(TEMPLATES_EVERY)
            if self.templates.changed():
                log.info("a template changed: files are rendered anew")
                self.forget_templates()
                self.cache.clear()

    async def _preload(self) -> None:
        """Read the devices into memory before phones ask: a server started in a power cut's boot
        storm then answers from memory from the first fetch of each phone on."""
        started = time.monotonic()
        # What is read here lives long: the cyclic garbage collector would walk it again and again
        # (a second's pause at 100k devices). It is left out of that: paused while reading, then
        # the objects so far are frozen, out of the collector's reach (they are still freed when
        # unused, as none of them are in cycles).
        gc.disable()
        try:
            loaded = await self.cache.preload(self.preload_source.all())
        except Exception as error:  # phones are then read one by one, as they ask
            log.warning("cannot read the devices into memory ahead of phones: %s", describe(error))
            return
        finally:
            gc.freeze()
            gc.enable()
        log.info("%d devices read into memory in %.1f s", loaded, time.monotonic() - started)
