"""Quantities as a clinician reads them: a display precision per kind and unit.

``shown(Volume(Decimal("34.872792")))`` is ``"≈ 34.87 mL"``: rounded half-even to the kind's
places, with "≈" whenever rounding changed the value (never a silent rounding), and exact text
when nothing was lost (``"20 mL"``). Masses, concentrations and dose rates use mg from 1 mg up and
mcg below (as ``str()`` does) unless a unit is asked for — a drug's one display unit comes from the
drug library (:func:`drug_unit`): a drug's dose, bolus and concentration are always written in it,
whatever their size (morphine 0.5 mg/day is "0.5 mg/day", never "500 mcg/day"; baclofen
1,200 mcg/day is "1200 mcg/day"); :func:`in_drug_unit` writes the exact value in that unit. The
exact value stays in the record and the JSON.

Places: volumes 2 decimals (3 below 1 mL: catheter dead space, priming), flow 3 decimals (mL/day),
mg 3 decimals, mcg 1 decimal; durations in days, hours and minutes (``time_text``).
"""

from __future__ import annotations

from decimal import Decimal

from thecal.domain.library import reference_library
from thecal.domain.quantity_text import Quantity, format_quantity
from thecal.domain.time_text import timespan_text
from thecal.domain.units import (
    Concentration,
    DoseRate,
    Duration,
    FlowRate,
    Mass,
    MassUnit,
    Volume,
)

__all__ = ["catheter_model_name", "drug_unit", "in_drug_unit", "pump_model_name", "shown"]

_MASS_PLACES = {MassUnit.MG: 3, MassUnit.MCG: 1}
_THOUSAND = Decimal(1000)


def _mass_unit(mcg: Decimal) -> MassUnit:
    return MassUnit.MG if abs(mcg) >= _THOUSAND else MassUnit.MCG


def shown(quantity: Quantity, *, mass: MassUnit | None = None) -> str:
    """``quantity`` at its display precision (``mass``: the drug's display unit, when known)."""
    if isinstance(quantity, Volume):
        places = 2 if abs(quantity.value) >= 1 else 3
        return format_quantity(quantity, places=places)
    if isinstance(quantity, FlowRate):
        return format_quantity(quantity, places=3)
    if isinstance(quantity, Duration):
        return timespan_text(quantity.to_timedelta())
    if isinstance(quantity, Mass):
        unit = mass or _mass_unit(quantity.mcg)
    elif isinstance(quantity, Concentration):
        unit = mass or _mass_unit(quantity.mcg_per_ml)
    elif isinstance(quantity, DoseRate):
        unit = mass or _mass_unit(quantity.mcg_per_day)
    return format_quantity(quantity, mass=unit, places=_MASS_PLACES[unit])


def drug_unit(drug_id: str) -> MassUnit | None:
    """The drug's one display unit from the library (mg for morphine, mcg for baclofen); None for
    a drug the library does not know (its quantities then read mg from 1 mg up, mcg below)."""
    drug = reference_library().drugs.get(drug_id)
    return None if drug is None else drug.dose_unit


def in_drug_unit(quantity: Mass | Concentration | DoseRate, drug_id: str) -> str:
    """The exact ``quantity`` of ``drug_id`` in the drug's display unit, never rounded (what a
    signer's diff and the API's text fields show): morphine 0.5 mg/day → "0.5 mg/day"."""
    return format_quantity(quantity, mass=drug_unit(drug_id))


def pump_model_name(model_id: str) -> str:
    """The pump model's name from the library ("SynchroMed II 20 mL"); an unknown id as it is."""
    model = reference_library().pumps.get(model_id)
    return model_id if model is None else model.name


def catheter_model_name(model_id: str) -> str:
    """The catheter model's name from the library; an unknown id as it is."""
    model = reference_library().catheters.get(model_id)
    return model_id if model is None else model.name
