"""Test-wide settings, and the PostgreSQL database of this test run."""

import os
from collections.abc import Iterator

import pytest
from benchmarks.servers import fresh_postgres
from hypothesis import HealthCheck, settings
from tests import log_scan

# On CI the property tests draw the same examples every run, so a red build is reproducible;
# locally they keep exploring new ones. Slow example generation on a busy 2-core machine is no failure.
settings.register_profile(
    "sonata",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
)
settings.load_profile("sonata")


def pytest_configure(config: pytest.Config) -> None:
    log_scan.install()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """The log scan (tests/log_scan.py), after the test's own teardown, where its servers stop."""
    yield
    log_scan.note_test_secrets(item.module, getattr(item, "funcargs", {}))
    leaks = log_scan.findings()
    if leaks:
        pytest.fail("a secret reached the log:\n" + "\n".join(leaks[:20]), pytrace=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this run's own, `sonata_test_<random>`, on the server SONATA_TEST_POSTGRES_URL names,
    dropped when the run ends (also when tests fail); the database that URL names is never changed, so
    runs at the same time and a real server's data are safe. Made at the first PostgreSQL test."""
    server_url = os.environ.get("SONATA_TEST_POSTGRES_URL")
    if not server_url:
        pytest.skip(
            "PostgreSQL tests need SONATA_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1/test)"
        )
    with fresh_postgres(server_url, prefix="sonata_test") as url:
        yield url
