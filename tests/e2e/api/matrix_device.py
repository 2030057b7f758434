"""Authorization-matrix part for the device endpoints (see matrix_parts): pumps, interrogation,
program changes (propose, read, sign, co-sign, send), pharmacy verification and refills.

Every allowed call must succeed, and some succeed only once per object (a change is signed,
co-signed and sent once; a pharmacy verification fills one refill). So the builders put the
object in the state the endpoint needs just before the call:

* a program change for ``kind`` is kept in ``world.ids["change_id"][kind]``; the sign, co-sign
  and send builders take it if it is at their step, move it forward (signed by a second
  physician, co-signed by a second nurse — users no matrix client is) if it is before, and
  propose a new one from the pump's current program otherwise. So all four change endpoints
  address the same change when called in a row (the coverage test), and whoever calls
  co-sign is never the signer;
* proposals lower the daily dose by 0.1 mg/day (an increase could meet a titration-interval
  block after an earlier change was confirmed);
* a refill gets a fresh pharmacy verification, a fresh idempotency key and the pump's current
  version.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from api_support import PASSWORD, Clinic
from matrix_parts import MatrixPart

from thecal.domain.admixture import Admixture
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import (
    FindingSeverity,
    OverrideJustification,
    OverrideReason,
    ProgramChange,
    ProgramChangeState,
)
from thecal.domain.refill import PharmacyLabel
from thecal.domain.units import Concentration, DoseRate, Volume
from thecal.domain.users import Actor, Role
from thecal.services.accounts import CreateUser
from thecal.services.identity import Reauthenticate
from thecal.services.pharmacy import VerifyAdmixture, verify_admixture
from thecal.services.program_changes import (
    CoSignProgramChange,
    ProposeProgramChange,
    SignProgramChange,
    cosign_program_change,
    propose_program_change,
    sign_program_change,
)
from thecal.services.pump_record import Pump
from thecal.services.pumps import ImplantPump, implant_pump

__all__ = ["PART"]

API = "/api/v1"
_counter = itertools.count(1)
_SIGNER, _COSIGNER, _PROPOSER = "matrix-physician-two", "matrix-nurse-two", "matrix-proposer"


_HELPERS: dict[int, dict[str, Actor]] = {}  # id(thecal) → helper clinicians of that world


def _actor(world: Any, name: str) -> Actor:
    return _HELPERS[id(world.clinic.thecal)][name]


def _pump(world: Any, kind: str) -> Pump:
    with world.clinic.thecal.uow() as uow:
        pump = uow.pumps.get(world.ids["pump_id"][kind])
    assert pump is not None
    return pump


def _load(world: Any, change_id: str) -> ProgramChange:
    with world.clinic.thecal.uow() as uow:
        change = uow.program_changes.get_change(change_id)
    assert change is not None
    return change


def _propose(thecal: Any, actor: Actor, pump: Pump) -> ProgramChange:
    lower = pump.program.basal_daily_dose - DoseRate.from_mg_per_day(Decimal("0.1"))
    program = InfusionProgram.continuous(
        pump.program.admixture,
        lower,
        patient_bolus=pump.program.patient_bolus,
        low_reservoir_alarm=pump.program.low_reservoir_alarm,
    )
    change: ProgramChange = thecal.run(
        propose_program_change,
        ProposeProgramChange(
            actor=actor,
            pump_id=pump.id,
            new_program=program,
            idempotency_key=f"matrix-change-{next(_counter)}",
        ),
    ).change
    assert change.state is ProgramChangeState.REVIEWED, change.findings
    return change


def _token(thecal: Any, actor: Actor, change: ProgramChange) -> Any:
    return thecal.run(
        thecal.identity.reauthenticate,
        Reauthenticate(
            actor=actor,
            password=PASSWORD,
            change_id=change.change_id,
            diff_digest=change.diff.digest,
        ),
    )


def _answers(change: ProgramChange) -> dict[str, Any]:
    """A signer's answers to every finding: warnings acknowledged, overrides justified."""
    return {
        "acknowledged_warnings": [f.code for f in change.findings_of(FindingSeverity.WARN)],
        "overrides": [
            {"finding_code": f.code, "reason": "clinical-judgement", "text": "matrix"}
            for f in change.findings_of(FindingSeverity.OVERRIDE)
        ],
    }


def _sign(thecal: Any, actor: Actor, change: ProgramChange) -> ProgramChange:
    answers = _answers(change)
    signed: ProgramChange = thecal.run(
        sign_program_change,
        SignProgramChange(
            actor=actor,
            change_id=change.change_id,
            token=_token(thecal, actor, change),
            acknowledged_warnings=frozenset(answers["acknowledged_warnings"]),
            overrides=tuple(
                OverrideJustification(
                    finding_code=o["finding_code"],
                    reason=OverrideReason.CLINICAL_JUDGEMENT,
                    text=o["text"],
                )
                for o in answers["overrides"]
            ),
        ),
    )
    return signed


def _cosign(thecal: Any, actor: Actor, change: ProgramChange) -> ProgramChange:
    cosigned: ProgramChange = thecal.run(
        cosign_program_change,
        CoSignProgramChange(
            actor=actor, change_id=change.change_id, token=_token(thecal, actor, change)
        ),
    )
    return cosigned


_STEPS = ("reviewed", "signed", "co-signed")


def _step(world: Any, change: ProgramChange) -> int | None:
    """How far along the matrix path (reviewed → signed by the second physician → co-signed) a
    change is, or None when it left that path (signed by a matrix user, sent, …)."""
    signer = _actor(world, _SIGNER).user_id
    if change.state is ProgramChangeState.REVIEWED:
        return 0
    if change.signature is None or change.signature.user_id != signer:
        return None
    return {ProgramChangeState.SIGNED: 1, ProgramChangeState.CO_SIGNED: 2}.get(change.state)


def _change_at(world: Any, kind: str, wanted: str) -> ProgramChange:
    """The kind's current change brought to ``wanted`` (a new one when it is past it)."""
    thecal, pump = world.clinic.thecal, _pump(world, kind)
    change = _load(world, world.ids["change_id"][kind])
    step = _step(world, change)
    target = _STEPS.index(wanted)
    if step is None or step > target or change.old_program != pump.program:
        change, step = _propose(thecal, _actor(world, _PROPOSER), pump), 0
    if step < 1 <= target:
        change = _sign(thecal, _actor(world, _SIGNER), change)
    if step < 2 <= target:
        change = _cosign(thecal, _actor(world, _COSIGNER), change)
    world.ids["change_id"][kind] = change.change_id
    return change


def _sign_request(w: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    change = _change_at(w, kind, "reviewed")
    body = {"password": PASSWORD, "diff_digest": change.diff.digest, **_answers(change)}
    return "POST", f"{API}/program-changes/{change.change_id}/signature", body


def _cosign_request(w: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    change = _change_at(w, kind, "signed")
    body = {"password": PASSWORD, "diff_digest": change.diff.digest}
    return "POST", f"{API}/program-changes/{change.change_id}/co-signature", body


def _send_request(w: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    change = _change_at(w, kind, "co-signed")
    body = {"expected_pump_version": _pump(w, kind).version}
    return "POST", f"{API}/program-changes/{change.change_id}/sending", body


def _read_request(w: Any, kind: str) -> tuple[str, str, None]:
    return "GET", f"{API}/program-changes/{w.ids['change_id'][kind]}", None


def _propose_request(w: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    pump = _pump(w, kind)
    lower = pump.program.basal_daily_dose - DoseRate.from_mg_per_day(Decimal("0.1"))
    body = {"daily_dose": str(lower), "idempotency_key": f"matrix-propose-{next(_counter)}"}
    return "POST", f"{API}/pumps/{pump.id}/program-changes", body


def _withdraw_request(w: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    change = _propose(w.clinic.thecal, _actor(w, _PROPOSER), _pump(w, kind))
    w.ids["change_id"][kind] = change.change_id  # withdrawn: the next row proposes anew
    body = {"reason": "matrix: the plan changed"}
    return "POST", f"{API}/program-changes/{change.change_id}/withdrawal", body


def _label(w: Any) -> dict[str, Any]:
    beyond_use = w.clinic.clock.now() + dt.timedelta(days=30)
    return {
        "drugs": [{"drug": "morphine", "concentration": "25 mg/mL"}],
        "volume": "20 mL",
        "lot": "LOT-MATRIX",
        "beyond_use": beyond_use.isoformat(),
    }


def _verify_request(w: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    return "POST", f"{API}/pumps/{w.ids['pump_id'][kind]}/pharmacy-verifications", _label(w)


def _refill_request(w: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    pump = _pump(w, kind)
    verification = w.clinic.thecal.run(
        verify_admixture,
        VerifyAdmixture(
            actor=_actor(w, "matrix-pharmacist"),
            pump_id=pump.id,
            label=PharmacyLabel(
                admixture=pump.program.admixture,
                volume=Volume.from_ml(20),
                lot="LOT-MATRIX",
                beyond_use=w.clinic.clock.now() + dt.timedelta(days=30),
            ),
        ),
    )
    body = {
        "idempotency_key": f"matrix-refill-{next(_counter)}",
        "expected_pump_version": pump.version,
        "verification_id": verification.id,
        "ordered_volume": "20 mL",
        "lot_at_bedside": "LOT-MATRIX",
        "test_volume": "5 mL",
        "aspiration_returned": True,
        "checklist": {
            "needle_placement_confirmed": True,
            "aspiration_positive": True,
            "no_pocket_swelling_or_pain": True,
            "observed_for_overdose_symptoms": True,
        },
    }
    return "POST", f"{API}/pumps/{pump.id}/refills", body


def _admixture_request(w: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    pump = _pump(w, kind)
    body = {
        "drugs": [{"drug": "morphine", "concentration": "20 mg/mL"}],
        "daily_dose": str(pump.program.basal_daily_dose),
        "bridge": True,
        "idempotency_key": f"matrix-admixture-{next(_counter)}",
    }
    return "POST", f"{API}/pumps/{pump.id}/admixture-changes", body


def _pump_path(w: Any, kind: str, tail: str = "") -> str:
    return f"{API}/pumps/{w.ids['pump_id'][kind]}{tail}"


ENDPOINTS: dict[str, tuple[str, Any]] = {
    "device.patient_pumps": (
        "object",
        lambda w, k: ("GET", f"{API}/patients/{w.patient(k)}/pumps", None),
    ),
    "device.pumps_search": (
        "object",
        lambda w, k: ("GET", f"{API}/pumps?patient_id={w.patient(k)}&state=active", None),
    ),
    "device.pump_read": ("object", lambda w, k: ("GET", _pump_path(w, k), None)),
    "device.changes_list": (
        "object",
        lambda w, k: ("GET", _pump_path(w, k, "/program-changes"), None),
    ),
    "device.change_propose": ("object", _propose_request),
    # sign → co-sign → send → read address one change in a row (see the module docstring)
    "device.change_sign": ("object", _sign_request),
    "device.change_cosign": ("object", _cosign_request),
    "device.change_send": ("object", _send_request),
    "device.change_read": ("object", _read_request),
    "device.change_withdraw": ("object", _withdraw_request),
    "device.interrogate": (
        "object",
        lambda w, k: ("POST", _pump_path(w, k, "/interrogations"), None),
    ),
    "device.pharmacy_verify": ("object", _verify_request),
    "device.pharmacy_label": (
        "object",
        lambda w, k: (
            "GET",
            _pump_path(w, k, f"/pharmacy-verifications/{w.ids['code'][k]}/label.pdf"),
            None,
        ),
    ),
    "device.refill": ("object", _refill_request),
    "device.refills_list": ("object", lambda w, k: ("GET", _pump_path(w, k, "/refills"), None)),
    "device.admixture_propose": ("object", _admixture_request),
    "device.admixture_pending": (
        "object",
        lambda w, k: ("GET", _pump_path(w, k, "/admixture-changes"), None),
    ),
}

_CLINICIAN = {
    "device.patient_pumps", "device.pumps_search", "device.pump_read", "device.changes_list",
    "device.change_propose",
    "device.change_cosign", "device.change_send", "device.change_read", "device.interrogate",
    "device.refill", "device.refills_list", "device.admixture_propose", "device.pharmacy_label",
    "device.admixture_pending", "device.change_withdraw",
}  # fmt: skip
# Written from the roles (architecture.md §1), not from the policy table: clinicians run the
# pump and its program changes, only a physician signs, only a pharmacist verifies the
# admixture; a patient sees their own pumps; an administrator none.
EXPECTED: dict[str, dict[str, str]] = {
    "physician": {**dict.fromkeys(_CLINICIAN, "any"), "device.change_sign": "any"},
    "nurse": dict.fromkeys(_CLINICIAN, "any"),
    "pharmacist": dict.fromkeys(
        (
            "device.patient_pumps",
            "device.pumps_search",
            "device.pump_read",
            "device.pharmacy_verify",
            "device.pharmacy_label",  # prints the syringe label it verified
        ),
        "any",
    ),
    "admin": {},
    "patient": {
        "device.patient_pumps": "own",
        "device.pumps_search": "own",
        "device.pump_read": "own",
    },
}


def _user(clinic: Clinic, username: str, role: Role) -> Actor:
    user = clinic.thecal.run(
        clinic.thecal.accounts.create_user,
        CreateUser(
            actor=Actor(user_id="matrix-operator", role=Role.ADMIN),
            username=username,
            role=role,
            display_name=username,
            password=PASSWORD,
        ),
    )
    return user.as_actor()  # type: ignore[no-any-return]


def _implant_foreign(clinic: Clinic, physician: Actor) -> str:
    morphine = Admixture.single("morphine", Concentration.from_mg_per_ml(25))
    result = clinic.thecal.run_device(
        implant_pump,
        ImplantPump(
            actor=physician,
            patient_id=clinic.foreign_patient,
            pump_model_id="synchromed-ii-20",
            pump_serial="NGP-E2E-MATRIX-2",
            catheter_model_id="indura-1p-8709sc",
            catheter_length_cm=Decimal(60),
            catheter_tip_level="T10",
            initial_fill=morphine,
            fill_volume=Volume.from_ml(20),
            initial_program=InfusionProgram.continuous(
                morphine, DoseRate.from_mg_per_day(Decimal(5))
            ),
        ),
    )
    return str(result.pump.id)


def prepare(clinic: Clinic) -> dict[str, dict[str, str]]:
    """The foreign patient's pump (the own one is the fixture's), helper clinicians, and one
    reviewed program change per pump."""
    physician = Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)
    with clinic.thecal.uow() as uow:
        own = uow.pumps.get_by_serial("NGP-E2E-001")  # implant_pump_with_patient_bolus
    assert own is not None
    pumps = {"own": own.id, "foreign": _implant_foreign(clinic, physician)}
    helpers = _HELPERS[id(clinic.thecal)] = {
        _SIGNER: _user(clinic, _SIGNER, Role.PHYSICIAN),
        _COSIGNER: _user(clinic, _COSIGNER, Role.NURSE),
        _PROPOSER: _user(clinic, _PROPOSER, Role.NURSE),
        "matrix-pharmacist": _user(clinic, "matrix-pharmacist", Role.PHARMACIST),
    }
    changes: dict[str, str] = {}
    codes: dict[str, str] = {}  # a verification per pump whose syringe label is printed
    for kind, pump_id in pumps.items():
        with clinic.thecal.uow() as uow:
            pump = uow.pumps.get(pump_id)
        assert pump is not None
        changes[kind] = _propose(clinic.thecal, helpers[_PROPOSER], pump).change_id
        codes[kind] = clinic.thecal.run(
            verify_admixture,
            VerifyAdmixture(
                actor=helpers["matrix-pharmacist"],
                pump_id=pump.id,
                label=PharmacyLabel(
                    admixture=pump.program.admixture,
                    volume=Volume.from_ml(20),
                    lot="LOT-MATRIX-LABEL",
                    beyond_use=clinic.clock.now() + dt.timedelta(days=30),
                ),
            ),
        ).id
    return {"pump_id": pumps, "change_id": changes, "code": codes}


PART = MatrixPart(endpoints=ENDPOINTS, expected=EXPECTED, prepare=prepare)
