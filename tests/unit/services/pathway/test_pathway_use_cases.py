"""Pathway use cases over the in-memory unit of work and the replayed twin."""

from __future__ import annotations

import dataclasses

import pytest
from pathway_scenario import (
    NURSE,
    PATIENT_USER,
    PHARMACIST,
    PHYSICIAN,
    MovableClock,
    actor,
    cosign,
    implant,
    propose,
    refill,
    sign,
    token,
    verify,
)
from records_fakes import FakeUnitOfWork

from thecal.adapters.twin.store import TwinStoreDriver
from thecal.domain.authorization import AccessDenied
from thecal.domain.idempotency import IdempotencyKeyReused
from thecal.domain.program_change import (
    ConfirmationRejected,
    CoSigningPolicy,
    ProgramChangeBlocked,
    ProgramChangeState,
    ProposerMayNotCoSign,
    SameClinicianTwice,
)
from thecal.domain.refill import AdmixtureMismatch
from thecal.domain.tasks import TaskKind
from thecal.services.pharmacy import verify_admixture
from thecal.services.program_changes import (
    CoSignProgramChange,
    ProposalKeyInUse,
    SendProgramChange,
    cosign_program_change,
    propose_program_change,
    send_program_change,
    sign_program_change,
)
from thecal.services.pump_record import StalePumpVersion
from thecal.services.pumps import implant_pump
from thecal.services.refills import perform_refill


def test_an_implant_creates_the_pump_its_twin_primed_and_programmed_and_a_monitoring_task(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    result = implant_pump(implant(), uow=uow, clock=clock, driver=driver)
    stored = uow.database.pathway
    assert stored.pumps["pump-1"].serial == "NGP-000123"
    assert [c.kind for c in stored.commands] == ["implant", "inject", "program", "priming-bolus"]
    assert result.priming_volume == result.implant.priming.volume
    assert [t.task.kind for t in stored.tasks.values()] == [TaskKind.POST_IMPLANT_MONITORING]
    replayed = TwinStoreDriver.for_unit_of_work(uow, clock=clock)
    with uow:
        assert replayed.twin("NGP-000123").program_ == implant().initial_program


def test_a_nurse_may_not_implant_a_pump(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    with pytest.raises(AccessDenied):
        implant_pump(
            dataclasses.replace(implant(), actor=actor(NURSE)), uow=uow, clock=clock, driver=driver
        )
    assert uow.database.pathway.commands == []


def test_a_blocked_proposal_stores_nothing_and_sends_nothing(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    implant_pump(implant(), uow=uow, clock=clock, driver=driver)
    commands = len(uow.database.pathway.commands)
    with pytest.raises(ProgramChangeBlocked):
        propose_program_change(propose("500", key="ten-fold"), uow=uow, clock=clock)
    assert uow.database.pathway.changes == {}
    assert len(uow.database.pathway.commands) == commands


def test_a_replayed_proposal_returns_the_first_change_audited_as_a_read(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    implant_pump(implant(), uow=uow, clock=clock, driver=driver)
    first = propose_program_change(propose("5.5", key="k"), uow=uow, clock=clock)
    assert first.replayed is False
    audited = len(uow.database.audit)
    with pytest.raises(IdempotencyKeyReused, match="different program"):  # not a retry
        propose_program_change(propose("6", key="k"), uow=uow, clock=clock)
    assert len(uow.database.audit) == audited  # refused: nothing replayed, nothing audited
    again = propose_program_change(propose("5.5", key="k"), uow=uow, clock=clock)  # a retry
    assert again.replayed is True
    assert again.change == first.change
    assert list(uow.database.pathway.changes) == [first.change.change_id]
    (entry,) = uow.database.audit[audited:]  # one entry: a read of the change, no proposal
    assert entry.action == "program.read"
    assert (entry.details["change_id"], entry.details["replayed"]) == (first.change.change_id, True)
    other = propose_program_change(propose("5.5", key="other"), uow=uow, clock=clock)
    assert other.replayed is False
    assert other.change.change_id != first.change.change_id
    proposals = [e for e in uow.database.audit if e.action == "program.propose"]
    assert [e.details["change_id"] for e in proposals] == [
        first.change.change_id,
        other.change.change_id,
    ]


def test_a_key_used_for_one_pump_is_refused_for_another(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    implant_pump(implant(), uow=uow, clock=clock, driver=driver)
    first = propose_program_change(propose("5.5", key="k"), uow=uow, clock=clock)
    audited = len(uow.database.audit)
    elsewhere = dataclasses.replace(propose("5.5", key="k"), pump_id="pump-2")
    with pytest.raises(ProposalKeyInUse, match="another pump"):
        propose_program_change(elsewhere, uow=uow, clock=clock)
    assert list(uow.database.pathway.changes) == [first.change.change_id]  # nothing new
    assert len(uow.database.audit) == audited  # and not read back to the caller either


def test_a_token_spent_on_one_change_is_refused_on_another(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    implant_pump(implant(), uow=uow, clock=clock, driver=driver)
    first = propose_program_change(propose("5.5", key="a"), uow=uow, clock=clock).change
    signing = sign(first, clock.now())
    sign_program_change(signing, uow=uow, clock=clock)
    second = propose_program_change(propose("5.5", key="b"), uow=uow, clock=clock).change
    replay = dataclasses.replace(
        sign(second, clock.now()),
        token=dataclasses.replace(
            token(PHYSICIAN, second, clock.now()), token_id=signing.token.token_id
        ),
    )
    with pytest.raises(ConfirmationRejected, match="replay"):
        sign_program_change(replay, uow=uow, clock=clock)


def test_the_signer_may_not_co_sign_their_own_change(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    implant_pump(implant(), uow=uow, clock=clock, driver=driver)
    change = propose_program_change(propose(), uow=uow, clock=clock).change
    change = sign_program_change(sign(change, clock.now()), uow=uow, clock=clock)
    own = CoSignProgramChange(
        actor=actor(PHYSICIAN),
        change_id=change.change_id,
        token=token(PHYSICIAN, change, clock.now()),
    )
    with pytest.raises(SameClinicianTwice):
        cosign_program_change(own, uow=uow, clock=clock)


def test_the_nurse_who_proposed_may_not_co_sign_unless_the_clinic_allows_it(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    implant_pump(implant(), uow=uow, clock=clock, driver=driver)
    change = propose_program_change(propose(), uow=uow, clock=clock).change  # NURSE proposes
    change = sign_program_change(sign(change, clock.now()), uow=uow, clock=clock)
    proposer = CoSignProgramChange(
        actor=actor(NURSE), change_id=change.change_id, token=token(NURSE, change, clock.now())
    )
    with pytest.raises(ProposerMayNotCoSign) as refused:
        cosign_program_change(proposer, uow=uow, clock=clock)
    assert refused.value.code == "THC-PATH-017"
    stored, _, _ = uow.database.pathway.changes[change.change_id]
    assert stored.state is ProgramChangeState.SIGNED  # nothing changed
    allowed = dataclasses.replace(
        proposer,
        token=token(NURSE, change, clock.now()),
        policy=CoSigningPolicy(proposer_may_co_sign=True),
    )
    assert cosign_program_change(allowed, uow=uow, clock=clock).signers == (
        "user-paula",
        "user-nina",
    )


def test_a_send_from_a_stale_pump_version_conflicts_before_reaching_the_pump(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    implant_pump(implant(), uow=uow, clock=clock, driver=driver)
    change = propose_program_change(propose(), uow=uow, clock=clock).change
    change = sign_program_change(sign(change, clock.now()), uow=uow, clock=clock)
    change = cosign_program_change(cosign(change, clock.now()), uow=uow, clock=clock)
    commands = len(uow.database.pathway.commands)
    stale = SendProgramChange(
        actor=actor(NURSE), change_id=change.change_id, expected_pump_version=0
    )
    with pytest.raises(StalePumpVersion):
        send_program_change(stale, uow=uow, clock=clock, driver=driver)
    assert len(uow.database.pathway.commands) == commands


def test_a_refill_with_another_lot_at_the_bedside_is_refused_before_the_pump_is_touched(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    implant_pump(implant(), uow=uow, clock=clock, driver=driver)
    clock.advance(days=30)
    verify_admixture(verify(clock.now()), uow=uow, clock=clock)
    commands = len(uow.database.pathway.commands)
    with pytest.raises(AdmixtureMismatch):
        perform_refill(refill(1, lot="LOT-X"), uow=uow, clock=clock, driver=driver)
    assert len(uow.database.pathway.commands) == commands
    assert uow.database.pathway.refills == {}


def test_a_negative_aspiration_halts_the_refill_with_a_pocket_fill_watch_and_fills_nothing(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    implant_pump(implant(), uow=uow, clock=clock, driver=driver)
    clock.advance(days=30)
    verify_admixture(verify(clock.now()), uow=uow, clock=clock)
    outcome = perform_refill(
        refill(1, aspiration_returned=False),
        uow=uow,
        clock=clock,
        driver=TwinStoreDriver.for_unit_of_work(uow, clock=clock),
    )
    assert outcome.refill.state.value == "halted"
    kinds = [c.kind for c in uow.database.pathway.commands]
    assert kinds[-2:] == ["interrogate", "withdraw"]  # no injection after the halt
    tasks = {t.task.kind for t in uow.database.pathway.tasks.values()}
    assert TaskKind.POCKET_FILL_WATCH in tasks


def test_a_refill_after_a_halted_one_expects_no_residual_and_finds_no_discrepancy(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    # The halted refill withdrew the residual and put nothing back: the record now holds 0 mL,
    # so the retry must not report the withdrawn residual as "less withdrawn than expected".
    implant_pump(implant(), uow=uow, clock=clock, driver=driver)
    clock.advance(days=30)
    verify_admixture(verify(clock.now()), uow=uow, clock=clock)
    halted = perform_refill(
        refill(1, aspiration_returned=False), uow=uow, clock=clock, driver=driver
    )
    assert halted.refill.state.value == "halted"
    pump = uow.database.pathway.pumps["pump-1"]
    assert pump.reservoir_volume.ml == 0
    assert pump.next_refill_due == clock.now()  # due at once: the pump is empty
    clock.advance(hours=1)
    verify_admixture(verify(clock.now(), ident="ver-2", lot="LOT-2"), uow=uow, clock=clock)
    retry = perform_refill(
        refill(pump.version, key="refill-2", verification_id="ver-2", lot="LOT-2"),
        uow=uow,
        clock=clock,
        driver=driver,
    )
    assert retry.reconciliation is not None
    assert retry.reconciliation.expected_residual.ml == 0
    assert retry.reconciliation.verdict.value == "within"
    assert "ITS-REFILL-007" not in {f.code for f in retry.findings}  # no discrepancy finding


def test_only_a_pharmacist_verifies_an_admixture_and_a_patient_may_not(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    implant_pump(implant(), uow=uow, clock=clock, driver=driver)
    for who in (NURSE, PATIENT_USER):
        with pytest.raises(AccessDenied):
            verify_admixture(
                dataclasses.replace(verify(clock.now()), actor=actor(who)), uow=uow, clock=clock
            )
    assert verify_admixture(verify(clock.now()), uow=uow, clock=clock).verified_by == PHARMACIST.id
