"""Noticing an edited template, so that files rendered from the old one are not served again."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path


class TemplateWatch:
    """Tells whether any file under the template folders was added, removed or changed since the
    last look (by path, size and modification time)."""

    def __init__(self, folders: Sequence[Path]) -> None:
        self._folders = folders
        self._seen = self._signature()

    def changed(self) -> bool:
        signature = self._signature()
        if signature == self._seen:
            return False
        self._seen = signature
        return True

    def _signature(self) -> frozenset[tuple[str, int, int]]:
        files = set()
        for folder in self._folders:
            for directory, _, names in os.walk(folder):
                for name in names:
                    path = os.path.join(directory, name)
                    try:
                        status = os.stat(path)
                    except OSError:
                        continue  # removed while looking: the next look sees it gone
                    files.add((path, status.st_size, status.st_mtime_ns))
        return frozenset(files)
