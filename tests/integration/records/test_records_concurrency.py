"""Concurrent amendments of one patient: exactly one wins, the rest get Conflict (SR-24).

N threads, each with its own unit of work and connection, are released together by a barrier and
all amend the same patient from the same expected version. Afterwards exactly one amendment is
stored (its value, not a mix), the version went up by exactly one, exactly one amendment entry is
in the audit log and the chain verifies.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from records_db import NOW

from thecal.bootstrap import Thecal
from thecal.domain.audit import verify_chain
from thecal.domain.errors import Conflict
from thecal.domain.patient import DemographicsAmendment, Patient, Sex
from thecal.domain.users import Actor, Role
from thecal.services.patients import (
    AmendDemographics,
    GetPatient,
    RegisterPatient,
    amend_demographics,
    get_patient,
    register_patient,
)

NURSE = Actor(user_id="nurse-1", role=Role.NURSE)
ROUNDS = 3


def _register(app: Thecal, mrn: str) -> Patient:
    return app.run(
        register_patient,
        RegisterPatient(
            actor=NURSE,
            mrn=mrn,
            family_name="Doe",
            given_names="Jane",
            birth_date=NOW.date().replace(year=1960),
            sex=Sex.FEMALE,
        ),
    )


@pytest.mark.parametrize("threads", [2, 4, 8, 16])
def test_same_version_amendments_race_and_exactly_one_wins(app: Thecal, threads: int) -> None:
    for round_number in range(ROUNDS):
        patient = _register(app, f"MRN-{threads}-{round_number}")
        barrier = threading.Barrier(threads)

        def amend(
            worker: int, patient_id: str = patient.id, gate: threading.Barrier = barrier
        ) -> str:
            gate.wait()
            try:
                app.run(
                    amend_demographics,
                    AmendDemographics(
                        actor=NURSE,
                        patient_id=patient_id,
                        expected_version=1,
                        amendment=DemographicsAmendment(given_names=f"Worker {worker}"),
                    ),
                )
            except Conflict as error:
                return f"conflict:{error.code}"
            return f"won:{worker}"

        with ThreadPoolExecutor(max_workers=threads) as pool:
            outcomes = list(pool.map(amend, range(threads)))

        winners = [o for o in outcomes if o.startswith("won:")]
        assert len(winners) == 1, outcomes
        assert len([o for o in outcomes if o.startswith("conflict:")]) == threads - 1, outcomes
        stored = app.run(get_patient, GetPatient(actor=NURSE, patient_id=patient.id))
        assert stored.version == 2
        assert (
            stored.demographics.given_names == f"Worker {winners[0].split(':')[1]}"
        )  # no lost update

    with app.uow() as uow:
        entries = list(uow.audit_log.entries())
        report = verify_chain(entries, uow.audit_key, anchor=uow.audit_log.recorded_head())
    assert report.ok, report.first_break
    assert sum(1 for e in entries if e.action == "patient.amend") == ROUNDS
