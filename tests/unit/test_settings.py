"""Settings read from the environment, and the command line's choices winning over them."""

import pytest

from sonata.settings import Settings


def test_one_worker_unless_the_environment_or_the_command_line_asks_for_more() -> None:
    assert Settings.from_env({}).workers == 1
    from_env = Settings.from_env({"SONATA_WORKERS": "4"})
    assert from_env.workers == 4
    assert from_env.listening_on(None, None, None).workers == 4
    assert from_env.listening_on(None, None, "2").workers == 2


def test_the_cache_bound_is_read_in_megabytes_and_must_be_a_whole_number_above_zero() -> None:
    assert Settings.from_env({}).cache_mb == 512
    assert Settings.from_env({"SONATA_CACHE_MB": "64"}).cache_mb == 64
    for value in ("0", "-1", "1.5", "lots"):
        with pytest.raises(ValueError, match=r"^SONATA_CACHE_MB must be a whole number greater than 0"):
            Settings.from_env({"SONATA_CACHE_MB": value})
