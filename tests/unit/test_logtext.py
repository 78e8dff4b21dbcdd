"""What log lines show of client-given text and of secrets."""

import hashlib

from sonata.domain.logtext import MAX_QUOTED, fingerprint, quoted


def test_short_text_is_quoted_whole_and_escaped() -> None:
    assert quoted("001565aabbcc.cfg") == "'001565aabbcc.cfg'"
    assert quoted("a\nb\x00") == "'a\\nb\\x00'"
    assert quoted(None) == "None"


def test_long_text_is_cut_and_says_how_long_it_was() -> None:
    text = "y" * MAX_QUOTED + "z" * 100_000
    line = quoted(text)
    assert line == repr("y" * MAX_QUOTED) + f"… ({len(text)} characters)"
    assert "z" not in line


def test_a_fingerprint_names_a_secret_without_showing_it() -> None:
    assert fingerprint("office-phones-2026") == hashlib.sha256(b"office-phones-2026").hexdigest()[:8]
    assert fingerprint("office-phones-2026") != fingerprint("office-phones-2027")
    assert fingerprint("\ud800") == fingerprint("\ud800")  # a lone surrogate from a URL does not raise
