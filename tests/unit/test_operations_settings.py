"""SONATA_LOG_LEVEL, SONATA_LOG_FORMAT, SONATA_METRICS_TOKEN and SONATA_SHUTDOWN_TIMEOUT read from the
environment: defaults, any case for the words, and one clear error for a bad value."""

import pytest

from sonata.settings import OperationsSettings, Settings


def test_the_defaults_log_text_at_info_leave_metrics_open_and_give_requests_ten_seconds() -> None:
    assert Settings.from_env({}).operations == OperationsSettings("INFO", "text", None, 10)


def test_each_setting_is_read_and_the_words_in_any_case() -> None:
    operations = OperationsSettings.from_env(
        {
            "SONATA_LOG_LEVEL": "debug",
            "SONATA_LOG_FORMAT": "JSON",
            "SONATA_METRICS_TOKEN": "metrics-token-0123456789",
            "SONATA_SHUTDOWN_TIMEOUT": "30",
        }
    )
    assert operations == OperationsSettings("DEBUG", "json", "metrics-token-0123456789", 30)
    assert "metrics-token" not in repr(operations)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "SONATA_LOG_LEVEL",
            "CRITICAL",
            "SONATA_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, not 'CRITICAL'",
        ),
        ("SONATA_LOG_FORMAT", "logfmt", "SONATA_LOG_FORMAT must be one of text, json, not 'logfmt'"),
        (
            "SONATA_SHUTDOWN_TIMEOUT",
            "-1",
            "SONATA_SHUTDOWN_TIMEOUT must be a whole number greater than 0, not '-1'",
        ),
        (
            "SONATA_METRICS_TOKEN",
            " metrics-token-0123456789",
            "SONATA_METRICS_TOKEN must be at least 16 characters",
        ),
    ],
)
def test_a_bad_value_is_one_clear_error(name: str, value: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        OperationsSettings.from_env({name: value})
    assert str(error.value).startswith(message)
    if name == "SONATA_METRICS_TOKEN":
        assert value.strip() not in str(error.value)
