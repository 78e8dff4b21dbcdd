"""Noticing edited template overrides."""

import os
from pathlib import Path

from sonata.adapters.template_watch import TemplateWatch


def test_a_template_added_changed_or_removed_is_noticed_once(tmp_path: Path) -> None:
    (tmp_path / "yealink").mkdir()
    template = tmp_path / "yealink" / "device.cfg.j2"
    template.write_text("a = 1\n")
    watch = TemplateWatch([tmp_path])
    assert not watch.changed()
    template.write_text("a = 2\n")
    os.utime(template, ns=(1, 1))  # a different modification time, even on a coarse clock
    assert watch.changed()
    assert not watch.changed()
    (tmp_path / "yealink" / "common.cfg.j2").write_text("b = 1\n")
    assert watch.changed()
    template.unlink()
    assert watch.changed()
    assert not watch.changed()
