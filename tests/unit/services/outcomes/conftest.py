"""Fixtures for the procedure and assessment use-case tests: the records fakes, reused."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "records"))

from records_fakes import FakeUnitOfWork, FixedClock

from thecal.domain.users import Actor, Role


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def physician() -> Actor:
    return Actor(user_id="u-physician", role=Role.PHYSICIAN)


@pytest.fixture
def nurse() -> Actor:
    return Actor(user_id="u-nurse", role=Role.NURSE)


@pytest.fixture
def admin() -> Actor:
    return Actor(user_id="u-admin", role=Role.ADMIN)
