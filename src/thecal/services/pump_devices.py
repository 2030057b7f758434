"""What the pathway needs of a pump driver beyond the port: implanting a new pump and priming it,
revising its catheter and explanting it.

:class:`ClinicPumpDriver` extends :class:`~thecal.services.pump_driver.PumpDriver` with the two
commands of the implant procedure. The twin-backed, persisted implementation is
``thecal.adapters.twin.store.TwinStoreDriver``; a real clinician-programmer link would register
the implanted device and send the priming bolus through the same two methods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from thecal.domain.program import InfusionProgram
from thecal.domain.units import Volume
from thecal.services.pump_driver import ProgramAck, PumpDriver

__all__ = ["ClinicPumpDriver", "ImplantSpec"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ImplantSpec:
    """A newly implanted pump as the driver needs to know it."""

    serial: str
    model_id: str
    catheter_model_id: str
    catheter_length_cm: Decimal
    at: dt.datetime
    seed: int  # the twin's random seed (a real device ignores it)


class ClinicPumpDriver(PumpDriver, Protocol):
    """A pump driver that can also take a new implant and give its priming bolus."""

    def implant(self, spec: ImplantSpec) -> None:
        """Make the pump reachable (the twin: create it, empty, its catheter full of CSF)."""

    def priming_bolus(self, serial: str) -> Volume:
        """Fill the pump path and catheter dead space (S53, SR-14); returns the volume."""

    def revise_catheter(self, serial: str, *, catheter_model_id: str, length_cm: Decimal) -> Volume:
        """A catheter revision: the new catheter (empty of drug) replaces the old one; returns the
        new catheter's dead space."""

    def catheter_priming(self, serial: str) -> Volume:
        """Prime the revised catheter only (the pump path still holds drug, S53); the volume."""

    def explant(self, serial: str, *, reason: str) -> None:
        """The pump comes out: it takes no more commands; its history is kept."""

    def bridge_bolus(self, serial: str, program: InfusionProgram) -> ProgramAck:
        """Send ``program`` behind a bridge bolus: the dead-space volume at the current program's
        flow first, so the old admixture leaves the tip at its old dose (an admixture change at a
        refill, ``domain/admixture_change.py``); acknowledged or uncertain like a program."""
