"""The pathway use-case tests run over the records fakes (``FakeUnitOfWork``) and the real twin
behind :class:`~thecal.adapters.twin.store.TwinStoreDriver` (the twin is the fake device)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "records"))

from pathway_scenario import MovableClock, seed_clinic
from records_fakes import FakeUnitOfWork

from thecal.adapters.twin.store import TwinStoreDriver


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
