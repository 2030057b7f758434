"""The syringe label read (issue 13 §6): who may print it, what it carries, and that it is an
audited PHI read found by the code as typed or scanned."""

from __future__ import annotations

import dataclasses

import pytest
from pathway_scenario import (
    MORPHINE_25,
    NURSE,
    PATIENT_USER,
    PHARMACIST,
    PHYSICIAN,
    MovableClock,
    actor,
    implant,
    refill,
    verify,
)
from records_fakes import FakeUnitOfWork

from thecal.adapters.twin.store import TwinStoreDriver
from thecal.domain.authorization import AccessDenied
from thecal.domain.users import User
from thecal.domain.verification_code import VerificationCodeInvalid, looks_like_code
from thecal.services.pharmacy import verify_admixture
from thecal.services.pumps import implant_pump
from thecal.services.refills import perform_refill
from thecal.services.repositories.pharmacy import VerificationNotFound
from thecal.services.syringe_labels import GetSyringeLabel, get_syringe_label


def _verified(uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver) -> str:
    implant_pump(implant(), uow=uow, clock=clock, driver=driver)
    clock.advance(days=30)
    fresh = dataclasses.replace(verify(clock.now()), verification_id=None)  # a fresh code
    code = verify_admixture(fresh, uow=uow, clock=clock).id
    assert looks_like_code(code)
    return code


def _label_reads(uow: FakeUnitOfWork) -> list[dict[str, object]]:
    return [dict(e.details) for e in uow.database.audit if e.action == "pharmacy.label_read"]


@pytest.mark.parametrize("user", [PHARMACIST, NURSE, PHYSICIAN], ids=lambda u: u.role.value)
def test_the_label_names_patient_pump_admixture_and_pharmacist_and_its_read_is_audited(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver, user: User
) -> None:
    code = _verified(uow, clock, driver)
    typed = code.lower().replace("-", " ")  # as a nurse might type it
    found = get_syringe_label(GetSyringeLabel(actor=actor(user), code=typed), uow=uow, clock=clock)
    assert found.code == code
    assert (found.patient.mrn, found.patient.display_name) == ("MRN-1", "Doe, Jane")
    assert (found.pump.id, found.pump.serial) == ("pump-1", "NGP-000123")
    assert found.label.admixture == MORPHINE_25
    assert found.label.lot == "LOT-1"
    assert found.verified_by == PHARMACIST.display_name
    assert found.verified_at == clock.now()
    assert found.used is False
    assert _label_reads(uow) == [
        {"verification_id": code, "pump_id": "pump-1", "role": user.role.value}
    ]
    (entry,) = [e for e in uow.database.audit if e.action == "pharmacy.label_read"]
    assert (entry.actor, entry.subject) == (user.id, "patient:patient-1")


def test_a_patient_user_prints_no_label_and_nothing_is_read(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    code = _verified(uow, clock, driver)
    with pytest.raises(AccessDenied):
        get_syringe_label(
            GetSyringeLabel(actor=actor(PATIENT_USER), code=code), uow=uow, clock=clock
        )
    assert _label_reads(uow) == []


def test_an_unknown_code_another_pumps_code_and_a_typo_are_refused_by_name(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    code = _verified(uow, clock, driver)
    pharmacist = actor(PHARMACIST)
    with pytest.raises(VerificationNotFound, match="not found") as unknown:
        get_syringe_label(GetSyringeLabel(actor=pharmacist, code="2222-2222"), uow=uow, clock=clock)
    assert unknown.value.code == "THC-PHARM-001"
    with pytest.raises(VerificationNotFound):
        get_syringe_label(
            GetSyringeLabel(actor=pharmacist, code=code, pump_id="pump-2"), uow=uow, clock=clock
        )
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")  # the check character no longer fits
    with pytest.raises(VerificationCodeInvalid, match="check character"):
        get_syringe_label(GetSyringeLabel(actor=pharmacist, code=typo), uow=uow, clock=clock)
    assert _label_reads(uow) == []


def test_a_label_printed_again_after_its_refill_says_it_was_used(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    code = _verified(uow, clock, driver)
    perform_refill(refill(1, verification_id=code), uow=uow, clock=clock, driver=driver)
    found = get_syringe_label(
        GetSyringeLabel(actor=actor(NURSE), code=code, pump_id="pump-1"), uow=uow, clock=clock
    )
    assert found.used is True
