"""A small clinic for the pathway tests: people, a patient, a SynchroMed II with morphine, and the
commands of the pathway with sensible defaults (used by the unit and the integration tests)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from thecal.domain.admixture import Admixture
from thecal.domain.authorization import Action, Subject
from thecal.domain.patient import Demographics, Patient, Sex
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import ConfirmationToken, ProgramChange
from thecal.domain.refill import PharmacyLabel, PocketFillChecklist
from thecal.domain.units import Concentration, DoseRate, Volume
from thecal.domain.users import Actor, Role, User
from thecal.services.pharmacy import VerifyAdmixture
from thecal.services.program_changes import (
    CoSignProgramChange,
    ProposeProgramChange,
    SignProgramChange,
)
from thecal.services.pumps import ImplantPump
from thecal.services.refills import PerformRefill
from thecal.services.unit_of_work import AbstractUnitOfWork

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
MORPHINE_25 = Admixture.single("morphine", Concentration.from_mg_per_ml(25))
PATIENT_ID = "patient-1"
SERIAL = "NGP-000123"


def program(mg_per_day: str) -> InfusionProgram:
    return InfusionProgram.continuous(MORPHINE_25, DoseRate.from_mg_per_day(Decimal(mg_per_day)))


class MovableClock:
    """A clock the test moves forward (the clinic's days between visits)."""

    def __init__(self, at: dt.datetime = START) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


def _user(username: str, role: Role, patient_id: str | None = None) -> User:
    return User(
        id=f"user-{username}",
        username=username,
        role=role,
        display_name=username.title(),
        created_at=START,
        patient_id=patient_id,
    )


PHYSICIAN = _user("paula", Role.PHYSICIAN)
SECOND_PHYSICIAN = _user("peter", Role.PHYSICIAN)
NURSE = _user("nina", Role.NURSE)
#: Co-signs the changes NURSE proposes: the proposer may not co-sign (clinic policy, default on).
SECOND_NURSE = _user("noah", Role.NURSE)
PHARMACIST = _user("phil", Role.PHARMACIST)
PATIENT_USER = _user("pat", Role.PATIENT, PATIENT_ID)


def actor(user: User) -> Actor:
    return user.as_actor()


def seed_clinic(uow: AbstractUnitOfWork) -> None:
    """Register the patient and the users directly (their own use cases are tested elsewhere)."""
    with uow:
        uow.patients.add(
            Patient(
                id=PATIENT_ID,
                mrn="MRN-1",
                demographics=Demographics(
                    family_name="Doe",
                    given_names="Jane",
                    birth_date=dt.date(1961, 4, 3),
                    sex=Sex.FEMALE,
                ),
                registered_at=START,
            )
        )
        for user in (PHYSICIAN, SECOND_PHYSICIAN, NURSE, SECOND_NURSE, PHARMACIST, PATIENT_USER):
            uow.users.add(user)
        uow.audit.record(
            actor=actor(PHYSICIAN),
            action=Action.PATIENT_REGISTER,
            subject=Subject.patient(PATIENT_ID),
            at=START,
            details={"seed": True},
        )
        uow.commit()


def implant(serial: str = SERIAL, pump_id: str = "pump-1") -> ImplantPump:
    return ImplantPump(
        actor=actor(PHYSICIAN),
        patient_id=PATIENT_ID,
        pump_model_id="synchromed-ii-20",
        pump_serial=serial,
        catheter_model_id="indura-1p-8709sc",
        catheter_length_cm=Decimal(60),
        catheter_tip_level="T10",
        initial_fill=MORPHINE_25,
        fill_volume=Volume.from_ml(20),
        initial_program=program("5"),
        pump_id=pump_id,
    )


def propose(
    mg_per_day: str = "5.5", key: str = "change-1", pump_id: str = "pump-1"
) -> ProposeProgramChange:
    return ProposeProgramChange(
        actor=actor(NURSE),
        pump_id=pump_id,
        new_program=program(mg_per_day),
        idempotency_key=key,
        rationale="pain not controlled",
    )


def token(user: User, change: ProgramChange, at: dt.datetime) -> ConfirmationToken:
    return ConfirmationToken(
        token_id=uuid.uuid4().hex,
        user_id=user.id,
        change_id=change.change_id,
        diff_digest=change.diff.digest,
        authenticated_at=at,
    )


def sign(change: ProgramChange, at: dt.datetime) -> SignProgramChange:
    return SignProgramChange(
        actor=actor(PHYSICIAN),
        change_id=change.change_id,
        token=token(PHYSICIAN, change, at),
        acknowledged_warnings=frozenset(f.code for f in change.findings),
    )


def cosign(change: ProgramChange, at: dt.datetime) -> CoSignProgramChange:
    """A second nurse co-signs: the proposer (NURSE) may not."""
    return CoSignProgramChange(
        actor=actor(SECOND_NURSE),
        change_id=change.change_id,
        token=token(SECOND_NURSE, change, at),
    )


def verify(
    at: dt.datetime, *, lot: str = "LOT-1", ident: str = "ver-1", pump_id: str = "pump-1"
) -> VerifyAdmixture:
    return VerifyAdmixture(
        actor=actor(PHARMACIST),
        pump_id=pump_id,
        label=PharmacyLabel(
            admixture=MORPHINE_25,
            volume=Volume.from_ml(20),
            lot=lot,
            beyond_use=at + dt.timedelta(days=30),
        ),
        verification_id=ident,
    )


ALL_CONFIRMED = PocketFillChecklist(
    needle_placement_confirmed=True,
    aspiration_positive=True,
    no_pocket_swelling_or_pain=True,
    observed_for_overdose_symptoms=True,
)


def refill(
    version: int,
    *,
    key: str = "refill-1",
    verification_id: str = "ver-1",
    lot: str = "LOT-1",
    pump_id: str = "pump-1",
    aspiration_returned: bool = True,
) -> PerformRefill:
    return PerformRefill(
        actor=actor(NURSE),
        pump_id=pump_id,
        idempotency_key=key,
        expected_pump_version=version,
        verification_id=verification_id,
        ordered_volume=Volume.from_ml(20),
        lot_at_bedside=lot,
        test_volume=Volume.from_ml(5),
        aspiration_returned=aspiration_returned,
        checklist=ALL_CONFIRMED,
    )
