"""FHIR ``Quantity`` values in UCUM, exact: a dose in the drug's own unit (mg or mcg), per day.

A drug's dose unit comes from the drug library (``Drug.dose_unit``): morphine, hydromorphone and
bupivacaine in mg, ziconotide, clonidine, fentanyl and sufentanil in mcg. UCUM writes mcg as
``ug``; the human ``unit`` keeps "mcg".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from thecal.adapters.fhir.codes import UCUM
from thecal.domain.library import reference_library
from thecal.domain.units import DoseRate, Mass, MassUnit, Volume

__all__ = ["dose_unit", "hours", "mass_quantity", "rate_quantity", "volume_quantity"]

_UCUM_MASS = {MassUnit.MG: "mg", MassUnit.MCG: "ug"}


def dose_unit(drug_id: str) -> MassUnit:
    """The unit the library doses ``drug_id`` in."""
    return reference_library().drug(drug_id).dose_unit


def mass_quantity(mass: Mass, unit: MassUnit) -> dict[str, Any]:
    return {"value": mass.to(unit), "unit": unit.symbol, "system": UCUM, "code": _UCUM_MASS[unit]}


def rate_quantity(rate: DoseRate, unit: MassUnit) -> dict[str, Any]:
    """A daily dose as ``mg/d`` or ``ug/d``."""
    code = f"{_UCUM_MASS[unit]}/d"
    return {"value": rate.to(unit), "unit": f"{unit.symbol}/d", "system": UCUM, "code": code}


def volume_quantity(volume: Volume) -> dict[str, Any]:
    return {"value": volume.ml, "unit": "mL", "system": UCUM, "code": "mL"}


def hours(count: int) -> dict[str, Any]:
    return {"value": Decimal(count), "unit": "h", "system": UCUM, "code": "h"}
