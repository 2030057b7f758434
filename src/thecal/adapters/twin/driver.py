"""The twin-backed pump driver: one :class:`~thecal.simulation.twin.PumpTwin` per pump serial.

It implements :class:`thecal.services.pump_driver.PumpDriver`. The service sees only what a
clinician would see (interrogation, measured residuals, acknowledgements); the twin's physical
truth stays behind it, reachable through :meth:`TwinPumpDriver.twin` for tests and the pump console.
The scenario-side knobs (``set_pocket_fill``, ``advance_to``, ``inject_fault``) are the twin's, not
the port's. Twin state can be saved and restored as JSON (:mod:`thecal.adapters.twin.state`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from thecal.adapters.twin import state as twin_state
from thecal.domain.admixture import Admixture
from thecal.domain.errors import NotFound
from thecal.domain.library import ReferenceLibrary, reference_library
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Volume, plain
from thecal.services.pump_driver import (
    BolusAnswer,
    InjectionReceipt,
    ProgramAck,
    PumpDriver,
    PumpSnapshot,
    WithdrawalReceipt,
)
from thecal.simulation.errors import TwinStateInvalid
from thecal.simulation.faults import Fault
from thecal.simulation.status import CommandOutcome
from thecal.simulation.twin import PumpTwin

__all__ = ["TwinPumpDriver"]


class TwinPumpDriver:
    """A :class:`PumpDriver` whose pumps are digital twins, keyed by serial.

    Args:
        library: the reference library restored twins are rebuilt with (default: the bundled
            one, :func:`thecal.domain.library.reference_library`).
    """

    def __init__(self, *, library: ReferenceLibrary | None = None) -> None:
        self._twins: dict[str, PumpTwin] = {}
        self._pocket: dict[str, Decimal] = {}
        self._library = library

    # ------------------------------------------------------------------ twin management

    def add(self, twin: PumpTwin) -> None:
        self._twins[twin.serial] = twin

    def twin(self, serial: str) -> PumpTwin:
        try:
            return self._twins[serial]
        except KeyError:
            raise NotFound(kind="pump", ident=serial) from None

    def serials(self) -> tuple[str, ...]:
        return tuple(sorted(self._twins))

    def advance_to(self, when: dt.datetime) -> None:
        """Move every twin's clock to ``when`` (simulated time only)."""
        for twin in self._twins.values():
            twin.advance_to(when)

    def set_pocket_fill(self, serial: str, percent: Decimal) -> None:
        """The next injection into this pump puts ``percent`` % into the pocket."""
        self._pocket[serial] = percent

    def inject_fault(self, serial: str, fault: Fault) -> None:
        self.twin(serial).inject_fault(fault)

    # ------------------------------------------------------------------ persistence

    def snapshot(self, serial: str) -> dict[str, Any]:
        """The state of pump ``serial`` (twin and pending pocket fill) as JSON-compatible data."""
        data = twin_state.snapshot(self.twin(serial))
        pocket = self._pocket.get(serial)
        data["driver"] = {"pocket_percent": plain(pocket) if pocket is not None else None}
        return data

    def restore(self, serial: str, data: dict[str, Any]) -> None:
        """Replace (or add) pump ``serial`` with the twin saved in ``data`` (:meth:`snapshot`).

        Raises:
            TwinStateInvalid: ``data`` is not a saved twin state, or is one of another pump.
        """
        saved = data.get("serial") if isinstance(data, dict) else None
        if saved != serial:
            raise TwinStateInvalid(where="serial", detail=f"{saved!r} is not pump {serial!r}")
        library = self._library if self._library is not None else reference_library()
        twin = twin_state.restore(data, library=library)
        self._twins[serial] = twin
        pocket = (data.get("driver") or {}).get("pocket_percent")
        if pocket is None:
            self._pocket.pop(serial, None)
        else:
            self._pocket[serial] = Decimal(pocket)

    # ------------------------------------------------------------------ the port

    def interrogate(self, serial: str) -> PumpSnapshot:
        status = self.twin(serial).interrogate()
        return PumpSnapshot(
            serial=status.serial,
            at=status.at,
            model_id=status.model_id,
            program=status.program,
            reservoir_estimate=status.reservoir,
            delivered_since_refill=status.delivered_since_refill,
            low_reservoir_alarm=status.low_reservoir_alarm,
            delivering=status.delivering,
            alarms=status.alarms,
            battery=status.battery,
            eri_at=status.eri_at,
            end_of_service_at=status.end_of_service_at,
            events=status.events,
            patient_boluses=status.patient_boluses,
        )

    def program(self, serial: str, program: InfusionProgram) -> ProgramAck:
        outcome = self.twin(serial).program(program)
        return (
            ProgramAck.ACKNOWLEDGED
            if outcome is CommandOutcome.ACKNOWLEDGED
            else ProgramAck.UNCERTAIN
        )

    def withdraw_residual(self, serial: str) -> WithdrawalReceipt:
        twin = self.twin(serial)
        measured = twin.withdraw_residual()
        return WithdrawalReceipt(serial=serial, at=twin.now, measured=measured)

    def inject(self, serial: str, *, volume: Volume, admixture: Admixture) -> InjectionReceipt:
        twin = self.twin(serial)
        twin.inject(volume, admixture, pocket_percent=self._pocket.pop(serial, Decimal(0)))
        return InjectionReceipt(
            serial=serial, at=twin.now, injected=volume, reservoir_estimate=twin.belief.reservoir
        )

    def request_patient_bolus(self, serial: str) -> BolusAnswer:
        decision = self.twin(serial).request_patient_bolus()
        return BolusAnswer(
            serial=serial,
            at=decision.at,
            granted=decision.granted,
            reason=decision.reason,
            uncertain=decision.uncertain,
        )


def _conforms(driver: TwinPumpDriver) -> PumpDriver:
    return driver  # mypy checks that the twin driver implements the port
