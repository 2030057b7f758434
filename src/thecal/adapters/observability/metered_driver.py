"""A pump driver that notes each command's outcome, for the ``thecal_device_commands`` metric.

:class:`MeteredDriver` wraps the driver a use case gets (``Thecal.run_device``) and notes
``(command, outcome)`` for every call of the port: ``ok``; ``refused`` (a patient bolus the pump
did not give: lockout, daily maximum …); ``uncertain`` (the pump may or may not have acted: a
program or bolus whose acknowledgement was lost); ``failed`` (the driver raised: no link, the pump
refused the command). ``Thecal.run_device`` counts the notes once the use case has committed, so a
command that a rolled-back or retried transaction sent to the twin is not counted twice; a failure
is counted even then (the pump answered it). A twin's own knobs (pocket fill, faults, MRI field:
the console and the demo) pass through uncounted on :class:`MeteredTwin`, which :func:`metered`
picks when the driver has them — so a driver without them still looks like one without them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Protocol, TypeVar

from thecal.domain.admixture import Admixture
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Duration, Volume
from thecal.services.demo.clinic import TwinKnobs
from thecal.services.demo_console import ConsoleTwin
from thecal.services.pump_devices import ClinicPumpDriver, ImplantSpec
from thecal.services.pump_driver import (
    BolusAnswer,
    InjectionReceipt,
    ProgramAck,
    PumpSnapshot,
    WithdrawalReceipt,
)
from thecal.simulation.faults import Fault

__all__ = ["MeteredDriver", "MeteredTwin", "metered"]

T = TypeVar("T")


class MeteredDriver:
    """A :class:`ClinicPumpDriver` that notes what each command came to (see the module doc)."""

    def __init__(self, inner: ClinicPumpDriver) -> None:
        self._inner = inner
        self.noted: list[tuple[str, str]] = []

    def failed(self) -> list[tuple[str, str]]:
        """The notes of commands the driver raised on."""
        return [note for note in self.noted if note[1] == "failed"]

    def _call(self, command: str, send: Callable[[], T], outcome: Callable[[T], str]) -> T:
        try:
            answer = send()
        except Exception:
            self.noted.append((command, "failed"))
            raise
        self.noted.append((command, outcome(answer)))
        return answer

    def implant(self, spec: ImplantSpec) -> None:
        self._call("implant", lambda: self._inner.implant(spec), lambda _: "ok")

    def priming_bolus(self, serial: str) -> Volume:
        return self._call("priming_bolus", lambda: self._inner.priming_bolus(serial), _ok)

    def revise_catheter(self, serial: str, *, catheter_model_id: str, length_cm: Decimal) -> Volume:
        return self._call(
            "revise_catheter",
            lambda: self._inner.revise_catheter(
                serial, catheter_model_id=catheter_model_id, length_cm=length_cm
            ),
            _ok,
        )

    def catheter_priming(self, serial: str) -> Volume:
        return self._call("catheter_priming", lambda: self._inner.catheter_priming(serial), _ok)

    def explant(self, serial: str, *, reason: str) -> None:
        self._call("explant", lambda: self._inner.explant(serial, reason=reason), _ok)

    def interrogate(self, serial: str) -> PumpSnapshot:
        return self._call("interrogate", lambda: self._inner.interrogate(serial), _ok)

    def program(self, serial: str, program: InfusionProgram) -> ProgramAck:
        return self._call(
            "program",
            lambda: self._inner.program(serial, program),
            lambda ack: "uncertain" if ack is ProgramAck.UNCERTAIN else "ok",
        )

    def bridge_bolus(self, serial: str, program: InfusionProgram) -> ProgramAck:
        return self._call(
            "bridge_bolus",
            lambda: self._inner.bridge_bolus(serial, program),
            lambda ack: "uncertain" if ack is ProgramAck.UNCERTAIN else "ok",
        )

    def withdraw_residual(self, serial: str) -> WithdrawalReceipt:
        return self._call("withdraw_residual", lambda: self._inner.withdraw_residual(serial), _ok)

    def inject(self, serial: str, *, volume: Volume, admixture: Admixture) -> InjectionReceipt:
        return self._call(
            "inject", lambda: self._inner.inject(serial, volume=volume, admixture=admixture), _ok
        )

    def request_patient_bolus(self, serial: str) -> BolusAnswer:
        return self._call(
            "request_patient_bolus",
            lambda: self._inner.request_patient_bolus(serial),
            _bolus_outcome,
        )


def _ok(_answer: object) -> str:
    return "ok"


def _bolus_outcome(answer: BolusAnswer) -> str:
    if answer.uncertain:
        return "uncertain"
    return "ok" if answer.granted else "refused"


class _Twin(ClinicPumpDriver, TwinKnobs, ConsoleTwin, Protocol):
    """What :class:`MeteredTwin` wraps: a driver with the twin's knobs (the type checker's view)."""

    def end_mri(self, serial: str, *, recovery: Duration | None = None) -> None: ...


class MeteredTwin(MeteredDriver):
    """A metered twin: the port metered, the twin's knobs passed through uncounted."""

    def __init__(self, inner: _Twin) -> None:
        super().__init__(inner)
        self._twin = inner

    def set_pocket_fill(self, serial: str, percent: Decimal) -> None:
        self._twin.set_pocket_fill(serial, percent)

    def inject_fault(self, serial: str, fault: Fault) -> None:
        self._twin.inject_fault(serial, fault)

    def start_mri(self, serial: str) -> None:
        self._twin.start_mri(serial)

    def end_mri(self, serial: str, *, recovery: Duration | None = None) -> None:
        self._twin.end_mri(serial, recovery=recovery)


def metered(inner: ClinicPumpDriver) -> MeteredDriver:
    """``inner`` metered; a :class:`MeteredTwin` when it has the twin's knobs."""
    if isinstance(inner, TwinKnobs) and isinstance(inner, ConsoleTwin):
        return MeteredTwin(inner)
    return MeteredDriver(inner)
