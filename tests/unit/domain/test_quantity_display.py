"""Quantities and scores as people read them: display precision with "≈" when rounded, names."""

from __future__ import annotations

from decimal import Decimal

import pytest

from thecal.domain.quantity_display import catheter_model_name, pump_model_name, shown
from thecal.domain.units import Concentration, DoseRate, Duration, FlowRate, Mass, MassUnit, Volume


@pytest.mark.parametrize(
    ("quantity", "text"),
    [
        (Volume.from_ml(Decimal("34.872792")), "≈ 34.87 mL"),
        (Volume.from_ml(Decimal("11.09326720098877314814814815")), "≈ 11.09 mL"),
        (Volume.from_ml(20), "20 mL"),
        (Volume.from_ml(Decimal("0.1352")), "≈ 0.135 mL"),
        (DoseRate.from_mg_per_day(Decimal("2.706")), "2.706 mg/day"),
        (DoseRate.from_mcg_per_day(Decimal(50)), "50 mcg/day"),
        (Mass.from_mg(Decimal(5)), "5 mg"),
        (Concentration.from_mg_per_ml(25), "25 mg/mL"),
        (Duration.hours(Decimal("23.99663611")), "23 h 59 min"),
    ],
)
def test_a_quantity_at_its_display_precision(quantity: object, text: str) -> None:
    assert shown(quantity) == text  # type: ignore[arg-type]


def test_a_drug_s_display_unit_is_kept_even_above_1000_mcg() -> None:
    assert shown(DoseRate.from_mcg_per_day(1200), mass=MassUnit.MCG) == "1200 mcg/day"


def test_flow_to_three_decimals() -> None:
    flow = FlowRate(Decimal("0.1082400000000000000000000001"))  # mL/day
    assert shown(flow) == "≈ 0.108 mL/day"


def test_models_by_name() -> None:
    assert pump_model_name("synchromed-ii-20") == "SynchroMed II 20 mL"
    assert catheter_model_name("ascenda-8780") == "Ascenda 8780"
    assert pump_model_name("unknown-pump") == "unknown-pump"
