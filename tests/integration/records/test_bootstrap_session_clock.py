"""Which clock measures sessions: the system clock on a real server, the clinic clock for records."""

from __future__ import annotations

from pathlib import Path

from records_db import AUDIT_KEY, FixedClock

from thecal.adapters.clock import SystemClock
from thecal.adapters.sql.clinic_clock import ClinicClock
from thecal.bootstrap import bootstrap
from thecal.config import Settings


def _settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/t.db", audit_key=AUDIT_KEY, env="test")  # type: ignore[arg-type]


def test_a_server_measures_sessions_on_the_system_clock_and_records_on_the_clinic_clock(
    tmp_path: Path,
) -> None:
    thecal = bootstrap(_settings(tmp_path))
    try:
        assert isinstance(thecal.clock, ClinicClock)
        assert isinstance(thecal.identity.clock, SystemClock)
    finally:
        thecal.close()


def test_a_test_clock_alone_moves_both_and_a_session_clock_separates_them(tmp_path: Path) -> None:
    clinical, real = FixedClock(), FixedClock()
    one = bootstrap(_settings(tmp_path), clock=clinical)
    both = bootstrap(_settings(tmp_path), clock=clinical, session_clock=real)
    try:
        assert one.identity.clock is clinical
        assert (both.clock, both.identity.clock) == (clinical, real)
    finally:
        one.close()
        both.close()
