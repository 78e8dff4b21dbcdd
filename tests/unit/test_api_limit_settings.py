"""The management API's limits are read from SONATA_MAX_… variables, each with its documented default."""

import re
from pathlib import Path

import pytest

from sonata.settings import ApiLimits, Settings

README = (Path(__file__).parents[2] / "README.md").read_text()


def test_unset_limits_keep_their_defaults_and_set_ones_are_read() -> None:
    assert Settings.from_env({}).api_limits == ApiLimits()
    limits = Settings.from_env({"SONATA_MAX_ALIASES": "7", "SONATA_MAX_BODY_BYTES": "2048"}).api_limits
    assert (limits.max_aliases, limits.max_body_bytes, limits.max_query_cost) == (7, 2048, 1000)


@pytest.mark.parametrize("value", ["0", "-5", "many", "1e3", "٣"])
def test_a_limit_that_is_no_whole_number_above_zero_is_refused(value: str) -> None:
    with pytest.raises(
        ValueError, match=r"^SONATA_MAX_QUERY_DEPTH must be a whole number greater than 0, not '"
    ):
        Settings.from_env({"SONATA_MAX_QUERY_DEPTH": value})


def test_the_readme_documents_every_limit_with_its_default() -> None:
    documented = dict(re.findall(r"^\| `(SONATA_MAX_\w+)` \| `(\d+)`", README, re.M))
    defaults = ApiLimits()
    assert documented == {f"SONATA_{name.upper()}": str(value) for name, value in vars(defaults).items()}
