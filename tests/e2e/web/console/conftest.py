"""A demo-mode clinic whose clock reads the stored clinic-clock offset, like the real server's;
its sessions run on the time without the offset (the real server's system clock)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "api"))

from api_support import Clinic, MovableClock, build_clinic

from thecal.adapters.sql.clinic_clock import clock_offset


class OffsetClock(MovableClock):
    """The test's hand-moved time plus the offset the console stores (``ClinicClock``'s rule)."""

    engine: Engine | None = None

    def now(self) -> dt.datetime:
        base = super().now()
        return base if self.engine is None else base + clock_offset(self.engine)


class RealTime:
    """The sessions' clock: the hand-moved time without the console's offset (the real server
    measures sessions on the system clock, clinical time on the clinic clock)."""

    def __init__(self, clinic_clock: MovableClock) -> None:
        self._clinic_clock = clinic_clock

    def now(self) -> dt.datetime:
        return self._clinic_clock.at


def _demo_clinic(url: str, *, demo_mode: bool) -> Clinic:
    clock = OffsetClock()
    built = build_clinic(url, clock=clock, session_clock=RealTime(clock), demo_mode=demo_mode)
    clock.engine = built.thecal.engine
    return built


@pytest.fixture
def demo_clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    built = _demo_clinic(
        f"sqlite:///{tmp_path_factory.mktemp('console')}/thecal.db", demo_mode=True
    )
    yield built
    built.thecal.close()


@pytest.fixture
def plain_clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    built = _demo_clinic(
        f"sqlite:///{tmp_path_factory.mktemp('console')}/thecal.db", demo_mode=False
    )
    yield built
    built.thecal.close()
