"""Refill reconciliation worked by hand, and every step of the refill state machine."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal

import pytest

from thecal.domain.actors import ActorNotAllowed
from thecal.domain.admixture import Admixture
from thecal.domain.devices import PumpModel
from thecal.domain.errors import Conflict, ValueOutOfRange
from thecal.domain.forecast import RefillLimit
from thecal.domain.library import reference_library
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program import InfusionProgram
from thecal.domain.refill import (
    AboveReservoirCapacity,
    AdmixtureMismatch,
    BeyondUseDatePassed,
    DiscrepancyCause,
    PharmacyLabel,
    PocketFillChecklist,
    PocketFillChecklistIncomplete,
    ReconciliationVerdict,
    Refill,
    RefillState,
    RefillStateError,
    reconcile,
)
from thecal.domain.tasks import TaskKind, TaskPriority
from thecal.domain.units import Concentration, DoseRate, Volume
from thecal.domain.users import Actor, Role

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LIB = reference_library()
SM20, SM40, PROMETRA40 = (
    LIB.pump("synchromed-ii-20"),
    LIB.pump("synchromed-ii-40"),
    LIB.pump("prometra-ii-40"),
)
MORPHINE_25 = Admixture.single("morphine", Concentration.from_mg_per_ml(25))
PROGRAM = InfusionProgram.continuous(MORPHINE_25, DoseRate.from_mg_per_day(5))
NURSE = Actor(user_id="rn-cai", role=Role.NURSE)
PHARMACIST = Actor(user_id="rph-dee", role=Role.PHARMACIST)
LABEL = PharmacyLabel(
    admixture=MORPHINE_25,
    volume=Volume.from_ml(20),
    lot="L-2026-031",
    beyond_use=T0 + dt.timedelta(days=2),
)
ALL_YES = PocketFillChecklist(
    needle_placement_confirmed=True,
    aspiration_positive=True,
    no_pocket_swelling_or_pain=True,
    observed_for_overdose_symptoms=True,
)
R = RefillState


def ml(value: str) -> Volume:
    return Volume.from_ml(Decimal(value))


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


# ----------------------------------------------------------------------------- reconciliation


def test_synchromed_20_ml_expected_4_withdrawn_2_5_is_a_1_5_ml_discrepancy_flagged_for_pocket_fill() -> (
    None
):
    result = reconcile(
        pump=SM20,
        last_fill_volume=ml("20"),
        expected_residual=ml("4.0"),
        measured_residual=ml("2.5"),
    )
    # 4.0 − 2.5 = +1.5 mL > 1 mL (S75 threshold for 20 mL pumps)
    assert result.discrepancy == ml("1.5")
    assert result.threshold == ml("1")
    assert result.exceeds_threshold
    assert result.verdict is ReconciliationVerdict.LESS_WITHDRAWN_THAN_EXPECTED
    assert DiscrepancyCause.POCKET_FILL_AT_PREVIOUS_REFILL in result.possible_causes
    assert DiscrepancyCause.OVER_DELIVERY in result.possible_causes
    assert DiscrepancyCause.LEAK in result.possible_causes
    # programmed 20 − 4 = 16 mL, delivered 20 − 2.5 = 17.5 mL: 109.375 %, inside ±14.5 %
    assert result.delivered_pct == Decimal("109.375")
    assert not result.outside_band


def test_synchromed_40_ml_with_the_same_1_5_ml_discrepancy_is_within() -> None:
    result = reconcile(
        pump=SM40,
        last_fill_volume=ml("40"),
        expected_residual=ml("4.0"),
        measured_residual=ml("2.5"),
    )
    # 1.5 mL ≤ 2 mL (S75, 40 mL pumps); delivered 37.5 ÷ 36 = 104.17 % inside ±14.5 %
    assert result.discrepancy == ml("1.5")
    assert result.verdict is ReconciliationVerdict.WITHIN
    assert result.possible_causes == ()
    assert not result.flagged


def test_more_withdrawn_than_expected_points_to_under_delivery_stall_or_occlusion() -> None:
    result = reconcile(
        pump=SM20, last_fill_volume=ml("20"), expected_residual=ml("2"), measured_residual=ml("4.5")
    )
    # 2 − 4.5 = −2.5 mL, |−2.5| > 1
    assert result.discrepancy == ml("-2.5")
    assert result.verdict is ReconciliationVerdict.MORE_WITHDRAWN_THAN_EXPECTED
    assert {
        DiscrepancyCause.UNDER_DELIVERY,
        DiscrepancyCause.STALL,
        DiscrepancyCause.OCCLUSION,
    } <= set(result.possible_causes)


def test_a_small_volume_outside_the_accuracy_band_is_flagged_even_within_the_threshold() -> None:
    # Prometra II 40 mL: programmed 40 − 36 = 4 mL, delivered 40 − 37.5 = 2.5 mL = 62.5 % (band 85–115 %, S62)
    result = reconcile(
        pump=PROMETRA40,
        last_fill_volume=ml("40"),
        expected_residual=ml("36"),
        measured_residual=ml("37.5"),
    )
    assert not result.exceeds_threshold  # 1.5 mL ≤ 2 mL
    assert result.outside_band
    assert result.delivered_pct == Decimal("62.5")
    assert result.verdict is ReconciliationVerdict.MORE_WITHDRAWN_THAN_EXPECTED


def test_a_discrepancy_exactly_at_the_threshold_is_within() -> None:
    result = reconcile(
        pump=SM20, last_fill_volume=ml("20"), expected_residual=ml("4"), measured_residual=ml("3")
    )
    assert result.discrepancy == ml("1")
    assert result.verdict is ReconciliationVerdict.WITHIN


def test_a_delivered_share_exactly_on_the_band_edge_is_within() -> None:
    # programmed 20 mL, delivered 17 mL = 85 % exactly; threshold raised by clinic policy to 5 mL
    result = reconcile(
        pump=PROMETRA40,
        last_fill_volume=ml("20"),
        expected_residual=ml("0"),
        measured_residual=ml("3"),
        threshold=ml("5"),
    )
    assert result.delivered_pct == Decimal(85)
    assert not result.outside_band
    assert result.verdict is ReconciliationVerdict.WITHIN


def test_a_clinic_threshold_replaces_the_model_threshold() -> None:
    result = reconcile(
        pump=SM40,
        last_fill_volume=ml("40"),
        expected_residual=ml("4"),
        measured_residual=ml("3.2"),
        threshold=ml("0.5"),
    )
    assert result.threshold == ml("0.5")
    assert result.flagged


def test_an_empty_reservoir_at_withdrawal_is_noted() -> None:
    result = reconcile(
        pump=SM20, last_fill_volume=ml("20"), expected_residual=ml("0.5"), measured_residual=ml("0")
    )
    assert result.reservoir_was_empty


@pytest.mark.parametrize(
    ("last", "expected", "measured"),
    [("21", "4", "4"), ("20", "21", "4"), ("20", "4", "21"), ("10", "12", "4"), ("20", "-1", "4")],
)
def test_impossible_volumes_are_refused(last: str, expected: str, measured: str) -> None:
    with pytest.raises(ValueOutOfRange):
        reconcile(
            pump=SM20,
            last_fill_volume=ml(last),
            expected_residual=ml(expected),
            measured_residual=ml(measured),
        )


# ----------------------------------------------------------------------------- the procedure


def open_refill(pump: PumpModel = SM20, volume: str = "20") -> Refill:
    return Refill(
        refill_id="rf-1",
        idempotency_key="idem-7f3a",
        patient_id="p-1",
        pump=pump,
        pump_serial="NGP123456H",
        ordered_admixture=MORPHINE_25,
        ordered_volume=ml(volume),
        opened_by=NURSE,
        opened_at=T0,
    )


STEPS: dict[RefillState, Callable[[Refill], object]] = {
    R.INTERROGATED: lambda r: r.record_interrogation(
        actor=NURSE, at=at(1), expected_residual=ml("4"), last_fill_volume=ml("20")
    ),
    R.WITHDRAWN: lambda r: r.record_withdrawal(actor=NURSE, at=at(2), measured_residual=ml("3.6")),
    R.ADMIXTURE_VERIFIED: lambda r: r.verify_admixture(actor=PHARMACIST, at=at(3), label=LABEL),
    R.INJECTED: lambda r: r.inject_test_volume(
        actor=NURSE, at=at(4), volume=ml("5"), lot="L-2026-031"
    ),
    R.ASPIRATION_CONFIRMED: lambda r: r.record_aspiration(actor=NURSE, at=at(5), returned=True),
    R.POCKET_FILL_CHECKED: lambda r: r.complete_pocket_fill_checklist(
        actor=NURSE, at=at(6), checklist=ALL_YES
    ),
    R.COMPLETED: lambda r: r.complete(
        actor=NURSE,
        at=at(30),
        reservoir_volume=ml("20"),
        program=PROGRAM,
        drugs=LIB.drugs,
        policy=ClinicPolicy(),
    ),
}
ORDER = list(STEPS)


def refill_in(state: RefillState) -> Refill:
    refill = open_refill()
    if state is R.HALTED:
        refill.halt(actor=NURSE, at=at(1), reason="pocket swollen")
        return refill
    for step in ORDER[: ORDER.index(state) + 1] if state is not R.OPENED else []:
        STEPS[step](refill)
    assert refill.state is state
    return refill


NEXT = {R.OPENED: R.INTERROGATED, **dict(itertools.pairwise(ORDER))}
ILLEGAL = [(state, step) for state in RefillState for step in ORDER if NEXT.get(state) is not step]


@pytest.mark.parametrize(("state", "step"), ILLEGAL)
def test_every_out_of_order_refill_step_raises_naming_the_state(
    state: RefillState, step: RefillState
) -> None:
    refill = refill_in(state)
    with pytest.raises(RefillStateError, match=f"is {state.value}: cannot") as caught:
        STEPS[step](refill)
    assert isinstance(caught.value, Conflict)
    assert refill.state is state


@pytest.mark.parametrize("state", list(NEXT))
def test_every_next_refill_step_is_legal_and_bumps_the_version(state: RefillState) -> None:
    refill = refill_in(state)
    version = refill.version
    STEPS[NEXT[state]](refill)
    assert refill.state is NEXT[state]
    assert refill.version == version + 1


def test_a_complete_refill_plans_the_next_one_by_hand() -> None:
    refill = refill_in(R.COMPLETED)
    # 5 mg/day ÷ 25 mg/mL = 0.2 mL/day; (20 − 2 mL alarm) ÷ 0.2 = 90 days, minus 7 days margin = 83 days;
    # morphine stability 90 days (S48), clinic maximum 180 days → the alarm binds.
    assert refill.plan is not None
    assert refill.plan.due == at(30) + dt.timedelta(days=83)
    assert refill.plan.binding is RefillLimit.LOW_RESERVOIR_ALARM
    (task,) = refill.tasks
    assert task.kind is TaskKind.REFILL_DUE
    assert task.due == refill.plan.due
    assert refill.version == 8
    assert refill.idempotency_key == "idem-7f3a"


def test_a_flagged_reconciliation_adds_an_urgent_review_task_but_the_refill_goes_on() -> None:
    refill = refill_in(R.INTERROGATED)
    result = refill.record_withdrawal(actor=NURSE, at=at(2), measured_residual=ml("2.5"))
    assert result.flagged
    (task,) = refill.tasks
    assert task.kind is TaskKind.RECONCILIATION_REVIEW
    assert task.priority is TaskPriority.URGENT
    assert "pocket fill" in task.reason
    assert refill.state is R.WITHDRAWN


def test_only_a_pharmacist_verifies_the_admixture() -> None:
    refill = refill_in(R.WITHDRAWN)
    with pytest.raises(ActorNotAllowed, match="only pharmacist"):
        refill.verify_admixture(actor=NURSE, at=at(3), label=LABEL)


def test_a_pharmacist_may_not_do_the_nursing_steps() -> None:
    refill = refill_in(R.OPENED)
    with pytest.raises(ActorNotAllowed):
        refill.record_interrogation(
            actor=PHARMACIST, at=at(1), expected_residual=ml("4"), last_fill_volume=ml("20")
        )


@pytest.mark.parametrize(
    ("label", "match"),
    [
        (
            PharmacyLabel(
                admixture=Admixture.single("hydromorphone", Concentration.from_mg_per_ml(25)),
                volume=ml("20"),
                lot="L1",
                beyond_use=at(600),
            ),
            "drug/concentration",
        ),
        (
            PharmacyLabel(
                admixture=Admixture.single("morphine", Concentration.from_mg_per_ml(10)),
                volume=ml("20"),
                lot="L1",
                beyond_use=at(600),
            ),
            "drug/concentration",
        ),
        (
            PharmacyLabel(admixture=MORPHINE_25, volume=ml("18"), lot="L1", beyond_use=at(600)),
            "dispensed volume",
        ),
    ],
)
def test_a_label_that_does_not_match_the_order_is_refused(label: PharmacyLabel, match: str) -> None:
    refill = refill_in(R.WITHDRAWN)
    with pytest.raises(AdmixtureMismatch, match=match):
        refill.verify_admixture(actor=PHARMACIST, at=at(3), label=label)


def test_a_lot_past_its_beyond_use_date_is_refused_and_one_on_the_date_is_accepted() -> None:
    refill = refill_in(R.WITHDRAWN)
    expired = PharmacyLabel(admixture=MORPHINE_25, volume=ml("20"), lot="L0", beyond_use=at(2))
    with pytest.raises(BeyondUseDatePassed, match="L0"):
        refill.verify_admixture(actor=PHARMACIST, at=at(3), label=expired)
    on_the_date = PharmacyLabel(admixture=MORPHINE_25, volume=ml("20"), lot="L0", beyond_use=at(3))
    refill.verify_admixture(actor=PHARMACIST, at=at(3), label=on_the_date)
    assert refill.state is R.ADMIXTURE_VERIFIED


def test_a_lot_at_the_bedside_other_than_the_verified_one_is_refused() -> None:
    refill = refill_in(R.ADMIXTURE_VERIFIED)
    with pytest.raises(AdmixtureMismatch, match="lot at the bedside"):
        refill.inject_test_volume(actor=NURSE, at=at(4), volume=ml("5"), lot="L-OTHER")


def test_a_negative_aspiration_halts_the_refill_with_a_pocket_fill_watch() -> None:
    refill = refill_in(R.INJECTED)
    assert refill.record_aspiration(actor=NURSE, at=at(5), returned=False) is R.HALTED
    (task,) = refill.tasks
    assert task.kind is TaskKind.POCKET_FILL_WATCH
    assert task.priority is TaskPriority.URGENT
    assert "5 mL" in task.reason


def test_an_incomplete_checklist_names_the_missing_items_and_changes_nothing() -> None:
    refill = refill_in(R.ASPIRATION_CONFIRMED)
    partial = PocketFillChecklist(
        needle_placement_confirmed=True,
        aspiration_positive=True,
        no_pocket_swelling_or_pain=False,
        observed_for_overdose_symptoms=False,
    )
    with pytest.raises(
        PocketFillChecklistIncomplete,
        match="no_pocket_swelling_or_pain, observed_for_overdose_symptoms",
    ):
        refill.complete_pocket_fill_checklist(actor=NURSE, at=at(6), checklist=partial)
    assert refill.state is R.ASPIRATION_CONFIRMED


def test_a_volume_above_the_reservoir_capacity_is_refused() -> None:
    with pytest.raises(AboveReservoirCapacity, match="20 mL"):
        open_refill(volume="21")
    refill = refill_in(R.POCKET_FILL_CHECKED)
    with pytest.raises(AboveReservoirCapacity):
        refill.complete(
            actor=NURSE,
            at=at(30),
            reservoir_volume=ml("20.5"),
            program=PROGRAM,
            drugs=LIB.drugs,
            policy=ClinicPolicy(),
        )


def test_completion_with_a_program_for_another_admixture_is_refused() -> None:
    refill = refill_in(R.POCKET_FILL_CHECKED)
    other = InfusionProgram.continuous(
        Admixture.single("morphine", Concentration.from_mg_per_ml(10)), DoseRate.from_mg_per_day(5)
    )
    with pytest.raises(AdmixtureMismatch, match="program admixture"):
        refill.complete(
            actor=NURSE,
            at=at(30),
            reservoir_volume=ml("20"),
            program=other,
            drugs=LIB.drugs,
            policy=ClinicPolicy(),
        )


@pytest.mark.parametrize("state", [s for s in RefillState if s not in (R.COMPLETED, R.HALTED)])
def test_a_refill_may_be_halted_at_any_open_step(state: RefillState) -> None:
    refill = refill_in(state)
    refill.halt(actor=NURSE, at=at(40), reason="patient reports pain at the pocket")
    assert refill.state is R.HALTED
    assert refill.tasks[-1].kind is TaskKind.POCKET_FILL_WATCH


@pytest.mark.parametrize("state", [R.COMPLETED, R.HALTED])
def test_a_closed_refill_cannot_be_halted(state: RefillState) -> None:
    with pytest.raises(RefillStateError, match="halt"):
        refill_in(state).halt(actor=NURSE, at=at(40), reason="late")


def test_a_blank_idempotency_key_is_refused() -> None:
    with pytest.raises(ValueOutOfRange, match="idempotency key"):
        Refill(
            refill_id="rf-2",
            idempotency_key=" ",
            patient_id="p-1",
            pump=SM20,
            pump_serial="S",
            ordered_admixture=MORPHINE_25,
            ordered_volume=ml("20"),
            opened_by=NURSE,
            opened_at=T0,
        )
