"""The template engine of a server reads a template once and again only when told to."""

import os
from pathlib import Path

from sonata.adapters.templates import Jinja2TemplateEngine

TEMPLATE = "yealink/device.cfg.j2"


def test_a_kept_template_is_read_anew_only_after_forget(tmp_path: Path) -> None:
    override = tmp_path / TEMPLATE
    override.parent.mkdir(parents=True)
    override.write_text("first {{ x }}\n")
    engine = Jinja2TemplateEngine([tmp_path], auto_reload=False)
    assert engine.render(TEMPLATE, {"x": 1}) == "first 1\n"
    override.write_text("second {{ x }}\n")
    assert engine.render(TEMPLATE, {"x": 1}) == "first 1\n"
    engine.forget()
    assert engine.render(TEMPLATE, {"x": 1}) == "second 1\n"


def test_by_default_an_edited_template_is_read_at_once(tmp_path: Path) -> None:
    override = tmp_path / TEMPLATE
    override.parent.mkdir(parents=True)
    override.write_text("first\n")
    engine = Jinja2TemplateEngine([tmp_path])
    assert engine.render(TEMPLATE, {}) == "first\n"
    override.write_text("second, longer\n")
    later = override.stat().st_mtime + 10  # two writes within one tick of the file clock look alike
    os.utime(override, (later, later))
    assert engine.render(TEMPLATE, {}) == "second, longer\n"
