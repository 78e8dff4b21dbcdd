"""What every vendor module provides: catalogue, file names, User-Agent reading, rendering."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sonata.domain.mac import parse_mac
from sonata.domain.model import Device
from sonata.domain.ports import TemplateEngine

XML = "application/xml"
TEXT = "text/plain"


@dataclass(frozen=True)
class PhoneModel:
    id: str
    name: str
    accounts: int


@dataclass(frozen=True)
class PhoneIdentity:
    """What a phone says about itself in its User-Agent."""

    vendor: str
    model: str | None = None
    firmware: str | None = None
    mac: str | None = None


class FileKind(Enum):
    DEVICE_CONFIG = "device config"


@dataclass(frozen=True)
class RequestedFile:
    """A file name a phone asked for, as the vendor module understood it."""

    kind: FileKind
    mac: str | None
    """The MAC written in the file name, if any."""


@dataclass(frozen=True)
class RenderedFile:
    filename: str
    content_type: str
    body: bytes


class Vendor(ABC):
    id: str
    name: str
    models: tuple[PhoneModel, ...]

    def model(self, model_id: str) -> PhoneModel | None:
        return next((m for m in self.models if m.id == model_id), None)

    @abstractmethod
    def device_filename(self, device: Device) -> str:
        """The name of the device's own config file (what a bare personal link serves)."""

    @abstractmethod
    def identify_file(self, filename: str) -> RequestedFile | None:
        """Understand a file name this vendor's phones request; None for anything else."""

    @abstractmethod
    def parse_user_agent(self, user_agent: str) -> PhoneIdentity | None:
        """Read vendor, model, firmware and MAC; None when the User-Agent is not this vendor's."""

    @abstractmethod
    def template_for(self, device: Device, requested: RequestedFile) -> tuple[str, str]:
        """The template path and the content type rendering the requested file."""

    @abstractmethod
    def context(self, device: Device, requested: RequestedFile) -> Mapping[str, Any]:
        """The values the template writes, already in the vendor's own vocabulary."""

    def render(
        self, device: Device, requested: RequestedFile, filename: str, engine: TemplateEngine
    ) -> RenderedFile:
        template, content_type = self.template_for(device, requested)
        text = engine.render(template, self.context(device, requested))
        return RenderedFile(filename, f"{content_type}; charset=utf-8", text.encode("utf-8"))


def mac_from_pattern(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.match(text)
    return parse_mac(match["mac"]) if match else None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def single_line(value: str) -> str:
    """Free text made safe for one line of a config: control characters become spaces."""
    return _CONTROL.sub(" ", value)
