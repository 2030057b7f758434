"""Referral use cases: the public intake, and triage by a clinician.

* :func:`submit_referral` — the public page's one write. No user: it is audited as ``anonymous``
  (``referral.submit``). It refuses a client that already sent :data:`MAX_PER_HOUR` referrals in
  the last hour (``IntakeThrottled``, 429; the client is a keyed hash of its address, never the
  address). It never looks at the clinic's patients, so its answer cannot tell anyone whether a
  person is a patient.
* :func:`list_referrals`, :func:`get_referral` — clinicians read referrals (audited); the one
  referral view lists possible existing patients (same birth date and family name) for the
  clinician to link instead of registering a duplicate.
* :func:`triage_referral` — accept (register the patient, or link the existing one; a
  candidacy-assessment task on the worklist; the consultation is then a visit to book),
  decline with a reason, ask for more information, or record the information received.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from thecal.domain.audit import append_entry
from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.errors import Conflict
from thecal.domain.patient import (
    Contact,
    Demographics,
    DuplicateMrn,
    Patient,
    PatientNotFound,
    Sex,
)
from thecal.domain.scheduling import (
    IntakeForm,
    Referral,
    ReferralInvalid,
    ReferralNotFound,
    ReferralState,
)
from thecal.domain.tasks import Task, TaskKind
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.repositories.patients import PatientQuery
from thecal.services.repositories.tasks import StoredTask
from thecal.services.scheduling.planning import replan_visits
from thecal.services.scheduling.setup import ClinicSetup
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "CANDIDACY_WITHIN",
    "MAX_PER_HOUR",
    "GetReferral",
    "IntakeThrottled",
    "ListReferrals",
    "ReferralView",
    "SubmitReferral",
    "TriageReferral",
    "TriageStep",
    "get_referral",
    "list_referrals",
    "submit_referral",
    "triage_referral",
]

#: Referrals one client may send per hour (a family, a referring practice); more is abuse.
MAX_PER_HOUR = 5
#: The candidacy assessment of an accepted referral is due this soon (clinic choice).
CANDIDACY_WITHIN = dt.timedelta(days=28)


class IntakeThrottled(Conflict):
    code = "THC-REF-005"
    template = (
        "too many requests from this connection: please try again in an hour, or call the clinic"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmitReferral:
    form: IntakeForm
    client_key: str
    referral_id: str | None = None


def submit_referral(cmd: SubmitReferral, *, uow: AbstractUnitOfWork, clock: Clock) -> Referral:
    """Store a referral from the public page (anonymous, audited, throttled per client).

    Raises:
        ReferralInvalid: a birth date in the future.
        IntakeThrottled: this client sent too many in the last hour.
    """
    now = clock.now()
    referral = Referral(
        id=cmd.referral_id or str(uuid.uuid4()),
        form=cmd.form,
        received_at=now,
        client_key=cmd.client_key,
    )
    with uow:
        if (
            uow.referrals.count_from(cmd.client_key, since=now - dt.timedelta(hours=1))
            >= MAX_PER_HOUR
        ):
            raise IntakeThrottled
        uow.referrals.add(referral)
        entry = append_entry(
            uow.audit_log.head(),
            key=uow.audit_key,
            occurred_at=now,
            actor="anonymous",
            action=Action.REFERRAL_SUBMIT.value,
            subject=str(Subject(kind="referral", ident=referral.id)),
            details={
                "role": "none",
                "referral_id": referral.id,
                "source": cmd.form.source.value,
                "condition": cmd.form.condition.value,
            },
        )
        uow.audit_log.append(entry)
        uow.audit.recorded += 1  # the anonymous entry is this transaction's audit record
        uow.commit()
    return referral


@dataclass(frozen=True, slots=True, kw_only=True)
class ListReferrals:
    actor: Actor
    states: frozenset[ReferralState] | None = frozenset(
        {ReferralState.RECEIVED, ReferralState.INFORMATION_REQUESTED}
    )
    limit: int = 50
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= 500 or self.offset < 0:
            raise ReferralInvalid(where="page", detail="limit 1–500, offset ≥ 0")


def list_referrals(
    cmd: ListReferrals, *, uow: AbstractUnitOfWork, clock: Clock
) -> Sequence[Referral]:
    """Referrals, oldest first (open ones by default): an audited PHI read."""
    subject = Subject.collection("referrals")
    authorize(cmd.actor, Action.REFERRAL_READ, subject)
    with uow:
        found = uow.referrals.page(states=cmd.states, limit=cmd.limit, offset=cmd.offset)
    uow.audit_read(
        actor=cmd.actor,
        action=Action.REFERRAL_READ,
        subject=subject,
        at=clock.now(),
        details={"returned": [r.id for r in found]},
    )
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class GetReferral:
    actor: Actor
    referral_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferralView:
    referral: Referral
    possible_patients: tuple[Patient, ...]  # same family name and birth date


def get_referral(cmd: GetReferral, *, uow: AbstractUnitOfWork, clock: Clock) -> ReferralView:
    """One referral, with the registered patients it may be (an audited PHI read)."""
    authorize_function(cmd.actor, Action.REFERRAL_READ)
    with uow:
        referral = uow.referrals.get(cmd.referral_id)
        if referral is None:
            raise ReferralNotFound(ident=cmd.referral_id)
        subject = Subject(kind="referral", ident=referral.id, patient_id=referral.patient_id)
        authorize(cmd.actor, Action.REFERRAL_READ, subject)
        form = referral.form
        matches = uow.patients.search(
            PatientQuery(family_name_prefix=form.family_name, birth_date=form.birth_date, limit=10)
        )
        same = tuple(
            p
            for p in matches
            if p.demographics.family_name.casefold() == form.family_name.casefold()
        )
    uow.audit_read(
        actor=cmd.actor,
        action=Action.REFERRAL_READ,
        subject=subject,
        at=clock.now(),
        details={"referral_id": referral.id, "possible_patients": [p.id for p in same]},
    )
    return ReferralView(referral=referral, possible_patients=same)


class TriageStep(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    REQUEST_INFORMATION = "request-information"
    INFORMATION_RECEIVED = "information-received"


@dataclass(frozen=True, slots=True, kw_only=True)
class TriageReferral:
    actor: Actor
    referral_id: str
    step: TriageStep
    expected_version: int | None = None
    text: str = ""  # the decline reason, the question, or the information received
    mrn: str = ""  # accept: the new patient's record number …
    patient_id: str | None = None  # … or the registered patient this referral is about
    setup: ClinicSetup = field(default_factory=ClinicSetup)
    new_patient_id: str | None = None


def _register(
    uow: AbstractUnitOfWork, cmd: TriageReferral, form: IntakeForm, now: dt.datetime
) -> Patient:
    mrn = cmd.mrn.strip()
    if not mrn:
        raise ReferralInvalid(
            where="medical record number", detail="is required to register the patient"
        )
    if uow.patients.get_by_mrn(mrn) is not None:
        raise DuplicateMrn(mrn=mrn)
    demographics = Demographics(
        family_name=form.family_name,
        given_names=form.given_names,
        birth_date=form.birth_date,
        sex=Sex.UNKNOWN,
        contact=Contact(phone=form.phone[:40], email=form.email),
    )
    patient = Patient(
        id=cmd.new_patient_id or str(uuid.uuid4()),
        mrn=mrn,
        demographics=demographics,
        registered_at=now,
    )
    uow.patients.add(patient)
    uow.audit.record(
        actor=cmd.actor,
        action=Action.PATIENT_REGISTER,
        subject=Subject.patient(patient.id),
        at=now,
        details={"mrn": patient.mrn, "version": patient.version, "referral_id": cmd.referral_id},
    )
    return patient


def _accept(
    uow: AbstractUnitOfWork, cmd: TriageReferral, referral: Referral, now: dt.datetime
) -> str:
    if cmd.patient_id is not None:
        authorize(cmd.actor, Action.PATIENT_READ, Subject.patient(cmd.patient_id))
        existing = uow.patients.get(cmd.patient_id)
        if existing is None:
            raise PatientNotFound(ident=cmd.patient_id)
        patient_id = existing.id
    else:
        authorize(cmd.actor, Action.PATIENT_REGISTER, Subject.collection("patients"))
        patient_id = _register(uow, cmd, referral.form, now).id
    referral.accept(actor=cmd.actor, at=now, patient_id=patient_id)
    task = Task(
        kind=TaskKind.CANDIDACY_ASSESSMENT,
        subject=patient_id,
        origin=referral.id,
        due=now + CANDIDACY_WITHIN,
        reason=(
            f"complete the candidacy assessment (referred for "
            f"{referral.form.condition.value.replace('_', ' ')})"
        ),
        source="clinical.md §8.3",
    )
    uow.tasks.add(StoredTask(id=str(uuid.uuid4()), task=task, created_at=now))
    return patient_id


def triage_referral(cmd: TriageReferral, *, uow: AbstractUnitOfWork, clock: Clock) -> Referral:
    """One triage step on one referral, audited (``referral.triage``).

    Raises:
        AccessDenied; ReferralNotFound; StaleReferralVersion; ReferralStateError;
        ReferralInvalid (a blank reason or question, a missing MRN); DuplicateMrn;
        PatientNotFound (linking an unknown patient).
    """
    authorize_function(cmd.actor, Action.REFERRAL_TRIAGE)
    now = clock.now()
    with uow:
        referral = uow.referrals.get(cmd.referral_id)
        if referral is None:
            raise ReferralNotFound(ident=cmd.referral_id)
        authorize(cmd.actor, Action.REFERRAL_TRIAGE, Subject(kind="referral", ident=referral.id))
        referral.check_version(cmd.expected_version)
        if cmd.step is TriageStep.ACCEPT:
            _accept(uow, cmd, referral, now)
        elif cmd.step is TriageStep.DECLINE:
            referral.decline(actor=cmd.actor, at=now, reason=cmd.text)
        elif cmd.step is TriageStep.REQUEST_INFORMATION:
            referral.request_information(actor=cmd.actor, at=now, question=cmd.text)
        else:
            referral.information_received(actor=cmd.actor, at=now, note=cmd.text)
        uow.referrals.update(referral)
        if referral.patient_id is not None:
            replan_visits(
                uow, referral.patient_id, policy=cmd.setup.policy, time_points=cmd.setup.time_points
            )
        uow.audit.record(
            actor=cmd.actor,
            action=Action.REFERRAL_TRIAGE,
            subject=Subject(kind="referral", ident=referral.id, patient_id=referral.patient_id),
            at=now,
            details={
                "referral_id": referral.id,
                "step": cmd.step.value,
                "state": referral.state.value,
                "patient_id": referral.patient_id,
                "version": referral.version,
            },
        )
        uow.commit()
    return referral
