"""Jinja2 rendering of the vendor templates, with administrator overrides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2


def shipped_templates_dir() -> Path:
    """The `templates/` shipped with Sonata: inside the installed package, or at the source root."""
    package_dir = Path(__file__).resolve().parent.parent
    installed = package_dir / "templates"
    if installed.is_dir():
        return installed
    return package_dir.parent.parent / "templates"


def _autoescape(template_name: str | None) -> bool:
    return bool(template_name) and ".xml" in str(template_name)


class Jinja2TemplateEngine:
    """Renders `<vendor>/<file>.j2`; a file in an override folder wins over the shipped one."""

    def __init__(self, override_dirs: Sequence[Path] = (), *, auto_reload: bool = True) -> None:
        """Without `auto_reload`, a template is read once and kept until `forget` (a server watches
        the folders instead of asking the file system at every render)."""
        self._override_dirs = list(override_dirs)
        search_path = [*override_dirs, shipped_templates_dir()]
        self._env = jinja2.Environment(
            auto_reload=auto_reload,
            loader=jinja2.FileSystemLoader([str(p) for p in search_path]),
            autoescape=_autoescape,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def forget(self) -> None:
        """Drop the templates read so far: the next render reads them anew."""
        if self._env.cache is not None:
            self._env.cache.clear()

    def render(self, template: str, context: Mapping[str, Any]) -> str:
        return self._env.get_template(template).render(context)

    def problems(self, vendors: Iterable[str]) -> list[str]:
        """What keeps a phone from getting its file, one line each: no shipped templates for a vendor,
        a template that does not compile, an override that replaces no shipped template (a misspelt
        name is never read)."""
        shipped = shipped_templates_dir()
        problems = [
            f"no templates for {vendor} in {shipped}: reinstall Sonata"
            for vendor in vendors
            if not any((shipped / vendor).glob("*.j2"))
        ]
        for name in self._env.list_templates(extensions=["j2"]):
            try:
                self._env.get_template(name)
            except jinja2.TemplateSyntaxError as error:
                problems.append(f"{error.filename or name}, line {error.lineno}: {error.message}")
        for folder in self._override_dirs:
            for path in sorted(folder.rglob("*.j2")):
                if not (shipped / path.relative_to(folder)).is_file():
                    problems.append(
                        f"{path} replaces no shipped template: a file of another name is never read"
                    )
        return problems
