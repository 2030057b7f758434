"""Suite-wide test settings.

Under ``THECAL_REQUIRE_ALL=1`` (set by ``.ci/run``) a skipped test counts as a failure: CI must
prove that every test ran, including those that need PostgreSQL or Chromium.

Modules holding a test marked ``slow`` run first (whole modules, in their collected order, so a
module-scoped fixture is still built once): under ``pytest -n 2 --dist worksteal`` the long tests
then start early and the short ones fill in behind them, instead of one long test running alone
on one worker at the end while the other is idle.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Generator

import pytest
from hypothesis import HealthCheck, settings

REQUIRE_ALL = os.environ.get("THECAL_REQUIRE_ALL") == "1"

settings.register_profile(
    "thecal", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("thecal")


@pytest.fixture(autouse=True)
def _own_audit_checkpoint_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each test keeps its audit checkpoints in a file of its own.

    The default file beside a SQLite database is already per test; for PostgreSQL it is named
    after the URL under ``var/`` of the working folder, which tests would share and litter. A
    test that checks the default unsets the variable.
    """
    where = tmp_path_factory.getbasetemp() / f"audit-checkpoints-{uuid.uuid4().hex}.jsonl"
    monkeypatch.setenv("THECAL_AUDIT_CHECKPOINT_FILE", str(where))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    slow_modules = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in slow_modules)  # stable


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
