"""Catheter revision: a new catheter (model or length) means a new dead space (issue 12 §3).

The pump's internal path still holds the admixture, so only the new catheter is primed
(:attr:`PrimingMode.AFTER_CATHETER_REVISION`, S53): priming the pump path again would push the drug
it holds out of the tip as a bolus. The drug the priming volume carries is stated per drug in the
drug's own unit (mcg for baclofen, mg for morphine), because it reaches the tip as the priming ends.
Dead space = implanted length × volume per cm (S64).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from thecal.domain.admixture import Admixture
from thecal.domain.devices import CatheterModel, PumpModel
from thecal.domain.dosing import PrimingBolus, PrimingMode, priming_bolus
from thecal.domain.drugs import Drug
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.quantity_display import shown
from thecal.domain.units import Mass, Volume

__all__ = [
    "CAP_SOURCES",
    "CapCheck",
    "CatheterRevisionPlan",
    "has_catheter_access_port",
    "plan_catheter_revision",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class CatheterRevisionPlan:
    """The new catheter's dead space against the old one, and the catheter-only priming."""

    catheter: CatheterModel
    implanted_length_cm: Decimal
    old_dead_space: Volume
    priming: PrimingBolus

    @property
    def new_dead_space(self) -> Volume:
        return self.priming.catheter_volume

    @property
    def drug_pushed(self) -> Mapping[str, Mass]:
        """Drug of each component the priming volume carries to the tip (exact)."""
        return self.priming.drug_in_volume

    def drug_pushed_text(self, drugs: Mapping[str, Drug]) -> str:
        """ "baclofen 1.3 mcg" — each drug at display precision in its own unit."""
        return ", ".join(
            f"{drugs[drug_id].name} {shown(mass, mass=drugs[drug_id].dose_unit)}"
            for drug_id, mass in self.drug_pushed.items()
        )


def plan_catheter_revision(
    *,
    catheter: CatheterModel,
    implanted_length_cm: Decimal,
    old_dead_space: Volume,
    pump: PumpModel,
    admixture: Admixture,
) -> CatheterRevisionPlan:
    """The priming of a revised catheter: its dead space only, with the drug it pushes.

    Raises:
        ValueOutOfRange: a length that is not positive.
    """
    if implanted_length_cm <= 0:
        raise ValueOutOfRange(
            name="implanted catheter length", expected="> 0 cm", value=f"{implanted_length_cm} cm"
        )
    priming = priming_bolus(
        catheter_volume=catheter.dead_space(implanted_length_cm),
        pump_internal_volume=pump.internal_volume.value,
        mode=PrimingMode.AFTER_CATHETER_REVISION,
        admixture=admixture,
    )
    return CatheterRevisionPlan(
        catheter=catheter,
        implanted_length_cm=implanted_length_cm,
        old_dead_space=old_dead_space,
        priming=priming,
    )


class CapCheck(Enum):
    """The catheter access port (CAP) procedure at a revision: aspirate CSF through the CAP with a
    24-gauge non-coring needle to prove the new catheter's patency; never inject through the CAP
    to push drug to the tip (S54)."""

    CSF_ASPIRATED = "csf-aspirated"
    NO_CSF = "no-csf"  # the catheter is not patent: do not prime, find the cause
    NOT_DONE = "not-done"


#: Pump makers whose pumps have a catheter access port, with the source: the Medtronic 8540 CAP
#: kit IFU (S54). The Prometra texts retrieved (S58, S59) describe none, so none is offered there.
CAP_SOURCES = {"Medtronic": "S54"}


def has_catheter_access_port(pump: PumpModel) -> bool:
    return pump.manufacturer in CAP_SOURCES
