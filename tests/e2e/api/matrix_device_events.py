"""Authorization-matrix part for the device events (issue 12 §3): replacement, catheter revision,
explant or end of therapy, interruption and restart, transfer of care, and the event list.

An event changes the pump for good (explanted, transferred, suspended), so every request builder
implants a fresh pump for the patient of the cell (own or foreign) just before the call — the
other parts keep their pumps. A restart's pump is suspended first. The pump travels in the body,
so the paths hold no id. Only a physician does the surgery, ends a therapy and restarts; any
clinician suspends delivery, records a transfer and reads the events; nobody else.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from api_support import Clinic
from matrix_parts import MatrixPart

from thecal.domain.admixture import Admixture
from thecal.domain.interruption import InterruptionReason
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Concentration, DoseRate, Volume
from thecal.domain.users import Actor, Role
from thecal.services.interruptions import SuspendDelivery, suspend_delivery
from thecal.services.pump_record import Pump
from thecal.services.pumps import ImplantPump, implant_pump

__all__ = ["PART"]

API = "/api/v1"
_counter = itertools.count(1)
MORPHINE = Admixture.single("morphine", Concentration.from_mg_per_ml(25))


def _physician(w: Any) -> Actor:
    return Actor(user_id=w.clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)


def _fresh_pump(w: Any, kind: str) -> Pump:
    result = w.clinic.thecal.run_device(
        implant_pump,
        ImplantPump(
            actor=_physician(w),
            patient_id=w.patient(kind),
            pump_model_id="synchromed-ii-20",
            pump_serial=f"NGP-EV-{next(_counter):05d}",
            catheter_model_id="indura-1p-8709sc",
            catheter_length_cm=Decimal(60),
            catheter_tip_level="T10",
            initial_fill=MORPHINE,
            fill_volume=Volume.from_ml(20),
            initial_program=InfusionProgram.continuous(MORPHINE, DoseRate.from_mg_per_day(5)),
        ),
    )
    pump: Pump = result.pump
    return pump


def _on(pump: Pump, **rest: Any) -> dict[str, Any]:
    return {"pump_id": pump.id, "expected_pump_version": pump.version, **rest}


def _replacement(w: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    pump = _fresh_pump(w, kind)
    body = _on(
        pump,
        reason="elective-replacement",
        new_pump_model_id="prometra-ii-20",
        new_pump_serial=f"PII-EV-{next(_counter):05d}",
        fill_volume="20 mL",
    )
    return "POST", f"{API}/pump-replacements", body


def _revision(w: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    with w.clinic.thecal.uow() as uow:  # implanted in prepare(): its priming bolus has ended
        pump = uow.pumps.get(w.ids["revision_pump"][kind])
    assert pump is not None
    body = _on(
        pump,
        catheter_model_id="ascenda-8780",
        implanted_length_cm="40",
        tip_level="T9",
        cap_check="csf-aspirated",
    )
    return "POST", f"{API}/catheter-revisions", body


def _discontinuation(w: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    body = _on(
        _fresh_pump(w, kind),
        kind="explant",
        reason="infection of the pocket",
        withdrawal_plan={"drugs": ["morphine"], "text": "oral morphine, taper over 4 weeks"},
    )
    return "POST", f"{API}/therapy-discontinuations", body


def _interruption(w: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    body = _on(_fresh_pump(w, kind), reason="surgery", note="hip replacement")
    return "POST", f"{API}/delivery-interruptions", body


def _restart(w: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    pump = _fresh_pump(w, kind)
    w.clinic.thecal.run_device(
        suspend_delivery,
        SuspendDelivery(
            actor=_physician(w),
            pump_id=pump.id,
            expected_pump_version=pump.version,
            reason=InterruptionReason.SURGERY,
        ),
    )
    with w.clinic.thecal.uow() as uow:
        suspended = uow.pumps.get(pump.id)
    assert suspended is not None
    return "POST", f"{API}/delivery-restarts", _on(suspended)


def _transfer(w: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    body = _on(_fresh_pump(w, kind), direction="out", clinic="Northgate Pain Centre")
    return "POST", f"{API}/care-transfers", body


def _events(w: Any, kind: str) -> tuple[str, str, None]:
    return "GET", f"{API}/pumps/{w.ids['pump_id'][kind]}/device-events", None


ENDPOINTS: dict[str, tuple[str, Any]] = {
    "events.replace": ("object", _replacement),
    "events.revise_catheter": ("object", _revision),
    "events.discontinue": ("object", _discontinuation),
    "events.suspend": ("object", _interruption),
    "events.restart": ("object", _restart),
    "events.transfer": ("object", _transfer),
    "events.list": ("object", _events),
}

_CLINICIAN = {"events.suspend", "events.transfer", "events.list"}
_PHYSICIAN = {"events.replace", "events.revise_catheter", "events.discontinue", "events.restart"}
# Written from the roles (architecture.md §1): surgery, the end of a therapy and a restart (a new
# start after tolerance is lost) are a physician's; suspending and transfers any clinician's.
EXPECTED: dict[str, dict[str, str]] = {
    "physician": dict.fromkeys(_CLINICIAN | _PHYSICIAN, "any"),
    "nurse": dict.fromkeys(_CLINICIAN, "any"),
    "pharmacist": {},
    "admin": {},
    "patient": {},
}


class _Prepared:
    def __init__(self, clinic: Clinic) -> None:
        self.clinic = clinic

    def patient(self, kind: str) -> str:
        return self.clinic.own_patient if kind == "own" else self.clinic.foreign_patient


def prepare(clinic: Clinic) -> dict[str, dict[str, str]]:
    """The pumps a catheter revision addresses (one per patient), implanted before the clients log
    in so that the clock can pass their priming bolus (a revision during it is 409 THC-DEV-005);
    the other requests implant their own pump, and the list reads the device part's pumps."""
    prepared = _Prepared(clinic)
    pumps = {kind: _fresh_pump(prepared, kind).id for kind in ("own", "foreign")}
    clinic.clock.advance(hours=1)
    return {"revision_pump": pumps}


PART = MatrixPart(endpoints=ENDPOINTS, expected=EXPECTED, prepare=prepare)
