"""The key file: Sonata's secret key in a file of mode 0600, by default beside the SQLite database.

One key per line, in base64url; lines starting with `#` are comments. The first key seals, a second
one is the key a rotation moves away from: it is there only while `sonata secrets rotate` runs, or
after one that stopped half way (running it again finishes it).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from sonata.adapters.secret_box import SecretKeyError, key_text, parse_key

_HEADER = (
    "# Sonata's secret key (README: Secrets at rest). Back it up with the database: without it the\n"
    "# secrets in the database cannot be read. The first key seals; a second one is an earlier key.\n"
)


def read_key_file(path: Path) -> list[bytes] | None:
    """The keys in the file, the sealing one first; None when there is no such file."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise SecretKeyError(f"cannot read the key file {path}: {_reason(error)}") from None
    source = f"each line of the key file {path}"
    keys = [
        parse_key(line, source) for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    if not keys:
        raise SecretKeyError(f"the key file {path} holds no key: restore it from the backup")
    return keys


def create_key_file(path: Path, key: bytes) -> None:
    """Write a new key file, mode 0600; fails rather than replace one that exists."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise SecretKeyError(f"cannot create the key file {path}: {_reason(error)}") from None
    _write(descriptor, [key])


def replace_key_file(path: Path, keys: Sequence[bytes]) -> None:
    """Put these keys in the file at once: a crash leaves the old file or the new one, never a part."""
    new = path.with_name(path.name + ".new")
    with contextlib.suppress(FileNotFoundError):
        new.unlink()  # left by a rotation that stopped while writing it
    try:
        _write(os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), keys)
        os.replace(new, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError as error:
        raise SecretKeyError(f"cannot write the key file {path}: {_reason(error)}") from None


def _write(descriptor: int, keys: Sequence[bytes]) -> None:
    with os.fdopen(descriptor, "w") as file:
        file.write(_HEADER + "".join(f"{key_text(key)}\n" for key in keys))
        file.flush()
        os.fsync(file.fileno())


def _reason(error: OSError | UnicodeDecodeError) -> str:
    return error.strerror or str(error) if isinstance(error, OSError) else "it is not text"
