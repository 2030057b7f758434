"""Suite-wide test settings.

Under ``THECAL_REQUIRE_ALL=1`` (set by ``.ci/run``) a skipped test counts as a failure: CI must
prove that every test ran, including those that need PostgreSQL or Chromium.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest
from hypothesis import HealthCheck, settings

REQUIRE_ALL = os.environ.get("THECAL_REQUIRE_ALL") == "1"

settings.register_profile(
    "thecal", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("thecal")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = (
            f"skipped under THECAL_REQUIRE_ALL=1 (a skip is a failure in CI): {report.longrepr}"
        )
