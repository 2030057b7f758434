"""Trial, MRI and patient-bolus use cases over ``FakeUnitOfWork`` and the replayed twin."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_SERVICES = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_SERVICES / "records"))
sys.path.insert(0, str(_SERVICES / "pathway"))

from pathway_scenario import MovableClock, seed_clinic  # noqa: E402
from records_fakes import FakeUnitOfWork  # noqa: E402

from thecal.adapters.twin.store import TwinStoreDriver  # noqa: E402


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    seed_clinic(fake)
    return fake


@pytest.fixture
def driver(uow: FakeUnitOfWork, clock: MovableClock) -> TwinStoreDriver:
    return TwinStoreDriver.for_unit_of_work(uow, clock=clock)
