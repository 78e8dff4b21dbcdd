"""The failure budget's settings: whole numbers above zero, each with its default."""

import pytest

from sonata.settings import FailureBudgetSettings, Settings


def test_defaults_and_values_from_the_environment() -> None:
    assert Settings.from_env({}).failures == FailureBudgetSettings(
        budget=30, window_seconds=600, block_seconds=900
    )
    named = Settings.from_env(
        {"SONATA_FAILURE_BUDGET": "50", "SONATA_FAILURE_WINDOW_SECONDS": "60", "SONATA_BLOCK_SECONDS": "120"}
    )
    assert named.failures == FailureBudgetSettings(budget=50, window_seconds=60, block_seconds=120)
    assert Settings.from_env({"SONATA_FAILURE_BUDGET": ""}).failures.budget == 30


@pytest.mark.parametrize(
    "name", ["SONATA_FAILURE_BUDGET", "SONATA_FAILURE_WINDOW_SECONDS", "SONATA_BLOCK_SECONDS"]
)
@pytest.mark.parametrize("value", ["0", "-5", "1.5", "ten", "٣"])
def test_anything_but_a_whole_number_above_zero_is_one_line_naming_the_setting(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=rf"^{name} must be a whole number greater than 0, not '{value}'$"):
        Settings.from_env({name: value})
