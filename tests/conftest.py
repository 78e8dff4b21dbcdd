"""Test-wide settings."""

import os

from hypothesis import HealthCheck, settings

# On CI the property tests draw the same examples every run, so a red build is reproducible;
# locally they keep exploring new ones. Slow example generation on a busy 2-core machine is no failure.
settings.register_profile(
    "sonata",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
)
settings.load_profile("sonata")
