"""Fixtures for the pump-twin tests: fixed instants, the reference library, small twins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from thecal.domain.admixture import Admixture
from thecal.domain.library import ReferenceLibrary, reference_library
from thecal.domain.units import Concentration
from thecal.simulation.twin import PumpTwin

START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
MORPHINE_25 = Admixture.single("morphine", Concentration.from_mg_per_ml(25))
MORPHINE_10 = Admixture.single("morphine", Concentration.from_mg_per_ml(10))


@pytest.fixture(scope="session")
def library() -> ReferenceLibrary:
    return reference_library()


@pytest.fixture
def make_twin(library: ReferenceLibrary) -> Callable[..., PumpTwin]:
    def make(
        pump: str = "synchromed-ii-20",
        *,
        bias: str = "0",
        primed: Admixture | None = MORPHINE_25,
        length_cm: str = "60",
    ) -> PumpTwin:
        catheter = "prometra-catheter" if pump.startswith("prometra") else "indura-1p-8709sc"
        return PumpTwin(
            pump=library.pump(pump),
            catheter=library.catheter(catheter),
            catheter_length_cm=Decimal(length_cm),
            start=START,
            library=library,
            accuracy_bias_pct=Decimal(bias),
            catheter_filled_with=primed,
        )

    return make
