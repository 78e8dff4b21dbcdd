"""Errors the domain reports to its callers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """A problem with one field of an input, named by its path (`accounts.0.sip_register`)."""

    field: str
    message: str


class ValidationFailed(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors
