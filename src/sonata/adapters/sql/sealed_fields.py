"""The secrets of a stored device document, those of documents.SECRET_KEYS: sealed on write, opened on read.

Each is sealed with its place, the device's MAC and the field's path (`001565a1b2c3/admin_password`,
`001565a1b2c3/accounts.0.sip_password`), as associated data. The MAC, not the key: rotateDeviceKey
changes a device's key without writing its document. An empty value stays empty (it tells only that
no password is set, as the API does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sonata.adapters.secret_box import SecretBox, is_sealed
from sonata.domain.documents import SECRET_KEYS

_SECRETS = sorted(SECRET_KEYS)
"""The stored document names its fields as device documents do: the same keys hold secrets."""


def _secret_fields(document: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str, str]]:
    """Each secret field present: the object holding it, its name, its path in the document."""
    for name in _SECRETS:
        if document.get(name):
            yield document, name, name
    for index, account in enumerate(document.get("accounts") or ()):
        for name in _SECRETS:
            if account.get(name):
                yield account, name, f"accounts.{index}.{name}"


def _place(mac: str, path: str) -> str:
    return f"{mac}/{path}"


def seal_secrets(document: dict[str, Any], mac: str, box: SecretBox) -> dict[str, Any]:
    """A document just built from a device, its secrets sealed in place."""
    for holder, name, path in _secret_fields(document):
        holder[name] = box.seal_text(holder[name], _place(mac, path))
    return document


def open_secrets(document: dict[str, Any], mac: str, box: SecretBox) -> dict[str, Any]:
    """A copy of a stored document with its secrets in clear; one stored in clear by an older Sonata is
    taken as it is (the start seals those: reseal_secrets)."""
    return _copy_with(
        document, lambda value, path: box.open_text(value, _place(mac, path)) if is_sealed(value) else value
    )


def reseal_secrets(document: dict[str, Any], mac: str, box: SecretBox) -> dict[str, Any] | None:
    """A copy with every secret that is in clear or under another key sealed under the box's key;
    None when all of them already are."""
    if all(box.is_current(holder[name]) for holder, name, _ in _secret_fields(document)):
        return None

    def current(value: str, path: str) -> str:
        if box.is_current(value):
            return value
        plain = box.open_text(value, _place(mac, path)) if is_sealed(value) else value
        return box.seal_text(plain, _place(mac, path))

    return _copy_with(document, current)


def _copy_with(document: dict[str, Any], change: Callable[[str, str], str]) -> dict[str, Any]:
    """A copy of the document (and of its accounts) with `change(value, path)` of each secret."""
    copy = {**document, "accounts": [dict(account) for account in document.get("accounts") or ()]}
    for holder, name, path in _secret_fields(copy):
        holder[name] = change(holder[name], path)
    return copy
