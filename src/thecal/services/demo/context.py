"""The seed's shared state: the clinic, its clock, the staff, deterministic ids and the tally.

Pathways (``injections.py``, ``intrathecal.py``) call the real use cases through the helpers here;
the helpers only add what every pathway repeats (ids derived from the seed, the questionnaires of
a visit, counting what was made).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from thecal.domain.instruments import Instrument
from thecal.domain.patient import Contact
from thecal.domain.users import Actor
from thecal.services.assessments import RecordAssessment, record_assessment
from thecal.services.demo.clinic import DemoClinic, SeedClock
from thecal.services.demo.cohort import PatientPlan
from thecal.services.patients import RegisterPatient, register_patient

__all__ = ["SeedContext", "Staff", "Tally"]

_NAMESPACE = uuid.UUID("6f1c1a52-58a4-4d2e-9a54-5c7f1d3e0b7a")  # the demo clinic's id space


@dataclass(frozen=True, slots=True, kw_only=True)
class Staff:
    """The clinicians who act in the demo clinic, with the passwords they re-authenticate with."""

    physician: Actor
    second_physician: Actor
    nurse: Actor
    pharmacist: Actor
    administrator: Actor  # opens the portal accounts of the patients with a bolus button
    passwords: dict[str, str]  # user id → password (public demo accounts only)


@dataclass(slots=True)
class Tally:
    """What the seed made, by kind (the CLI summary and the tests read it)."""

    counts: Counter[str] = field(default_factory=Counter)
    by_indication: Counter[str] = field(default_factory=Counter)
    pumps_by_model: Counter[str] = field(default_factory=Counter)
    assessments_by_instrument: Counter[str] = field(default_factory=Counter)
    procedures_by_kind: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, amount: int = 1) -> None:
        self.counts[kind] += amount


@dataclass(slots=True, kw_only=True)
class SeedContext:
    clinic: DemoClinic
    clock: SeedClock
    staff: Staff
    seed: int
    today: dt.date  # nothing is dated on or after this day
    tally: Tally = field(default_factory=Tally)
    existing_patients: dict[str, str] = field(default_factory=dict)  # MRN → id (demo patient)
    patient_actors: dict[str, Actor] = field(default_factory=dict)  # patients who answer online
    serials: list[str] = field(default_factory=list)
    reminders_from: dt.date | None = None  # the clinic sends reminders from this day (visits.py)

    def reminded_from_day(self, procedure_day: dt.date) -> int | None:
        """The day after ``procedure_day`` from which the clinic sends reminders."""
        if self.reminders_from is None:
            return None
        return (self.reminders_from - procedure_day).days

    def keeper(
        self,
        *,
        patient_id: str,
        procedure_id: str,
        procedure_day: dt.date,
        answers: dict[int, tuple[tuple[Instrument, dict[str, int | None]], ...]],
    ) -> Callable[[int], Callable[[], None]]:
        """``keep(day)``: the act that records the questionnaires of the course's visit on
        ``day`` (nothing when the course has no answers that day)."""

        def keep(day: int) -> Callable[[], None]:
            def act() -> None:
                if day in answers:
                    self.questionnaires(
                        patient_id=patient_id,
                        procedure_id=procedure_id,
                        procedure_day=procedure_day,
                        day=day,
                        answers=answers[day],
                    )

            return act

        return keep

    def ident(self, *parts: object) -> str:
        """A stable UUID for a record of this seed (same seed, same ids)."""
        return str(uuid.uuid5(_NAMESPACE, ":".join([str(self.seed), *map(str, parts)])))

    def register(self, plan: PatientPlan) -> str:
        """Register the patient (or reuse the demo patient already registered); return the id."""
        known = self.existing_patients.get(plan.mrn)
        if known is not None:
            self.tally.add("patients")
            return known
        patient = self.clinic.run(
            register_patient,
            RegisterPatient(
                actor=self.staff.nurse,
                mrn=plan.mrn,
                family_name=plan.family_name,
                given_names=plan.given_names,
                birth_date=plan.birth_date,
                sex=plan.sex,
                contact=Contact(email=f"{plan.mrn.lower()}@example.org"),  # reminders (demo)
                patient_id=self.ident("patient", plan.number),
            ),
        )
        self.tally.add("patients")
        return patient.id

    def questionnaires(
        self,
        *,
        patient_id: str,
        procedure_id: str,
        procedure_day: dt.date,
        day: int,
        answers: tuple[tuple[Instrument, dict[str, int | None]], ...],
        actor: Actor | None = None,
    ) -> None:
        """Record one visit's questionnaires, linked to the procedure (dated procedure + day)."""
        for instrument, given in answers:
            self.clinic.run(
                record_assessment,
                RecordAssessment(
                    actor=actor or self.patient_actors.get(patient_id, self.staff.nurse),
                    patient_id=patient_id,
                    instrument=instrument,
                    answers=given,
                    assessed_on=procedure_day + dt.timedelta(days=day),
                    procedure_id=procedure_id,
                    assessment_id=self.ident("assessment", procedure_id, day, instrument.value),
                ),
            )
            self.tally.add("assessments")
            self.tally.assessments_by_instrument[instrument.value] += 1


def at_clinic_hour(day: dt.date, minute_of_day: int) -> dt.datetime:
    """An instant in clinic hours (08:00 UTC + ``minute_of_day``) on ``day``."""
    start = dt.datetime.combine(day, dt.time(8, 0), tzinfo=dt.UTC)
    return start + dt.timedelta(minutes=minute_of_day)
