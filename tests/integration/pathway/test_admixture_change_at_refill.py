"""An admixture change at a refill (issue 12 §2), on SQLite and PostgreSQL, with the twin as oracle.

A Prometra II (no modelled accuracy bias, S62, S63) runs morphine 10 mg/mL at 5 mg/day; at the
refill the pharmacy dispenses morphine 20 mg/mL for the same 5 mg/day. With the bridge bolus the
dose at the catheter tip — read from the twin's truth through the driver — stays within 1 % of
the prescribed 5 mg/day in every window through the change; without it the tip receives 2.5 mg/day
for the dead space ÷ new flow, as the signed diff said. After the confirming interrogation the
record, the pump's belief and the twin's truth agree.

Windows: the Prometra delivers 2 µL strokes (clinical.md §4.2 [A]), so a window holds ≥ 250
strokes (2 days at 0.25 mL/day): its quantisation is below 0.4 %.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from pathway_scenario import (
    NURSE,
    PHARMACIST,
    PHYSICIAN,
    MovableClock,
    actor,
    cosign,
    implant,
    refill,
    sign,
)

from thecal.adapters.twin.store import TwinStoreDriver
from thecal.bootstrap import Thecal
from thecal.domain.admixture import Admixture, Component
from thecal.domain.admixture_change import AdmixtureChangeSentByRefill
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import ProgramChange, ProgramChangeBlocked, ProgramChangeState
from thecal.domain.refill import AdmixtureMismatch, LabelNotTheOrder, PharmacyLabel
from thecal.domain.units import Concentration, DoseRate, Volume
from thecal.services.admixture_changes import ProposeAdmixtureChange, propose_admixture_change
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.pharmacy import VerifyAdmixture, verify_admixture
from thecal.services.program_changes import (
    SendProgramChange,
    cosign_program_change,
    send_program_change,
    sign_program_change,
)
from thecal.services.pump_reads import GetPumpOverview, PumpOverview, get_pump_overview
from thecal.services.pumps import implant_pump
from thecal.services.refills import RefillOutcome, perform_refill

SERIAL = "PII-000777"
MORPHINE_10 = Admixture.single("morphine", Concentration.from_mg_per_ml(10))
MORPHINE_20 = Admixture.single("morphine", Concentration.from_mg_per_ml(20))
FIVE_MG = DoseRate.from_mg_per_day(5)
OLD = InfusionProgram.continuous(MORPHINE_10, FIVE_MG)
NEW = InfusionProgram.continuous(MORPHINE_20, FIVE_MG)
WINDOW = dt.timedelta(days=2)
STEP = dt.timedelta(hours=3)


def overview(clinic: Thecal) -> PumpOverview:
    return clinic.run(get_pump_overview, GetPumpOverview(actor=actor(NURSE), pump_id="pump-1"))


def _implant(clinic: Thecal) -> None:
    clinic.run_device(
        implant_pump,
        dataclasses.replace(
            implant(serial=SERIAL),
            pump_model_id="prometra-ii-20",
            catheter_model_id="prometra-catheter",
            initial_fill=MORPHINE_10,
            initial_program=OLD,
        ),
    )


def _signed_change(clinic: Thecal, clock: MovableClock, *, bridge: bool) -> ProgramChange:
    change = clinic.run(
        propose_admixture_change,
        ProposeAdmixtureChange(
            actor=actor(NURSE),
            pump_id="pump-1",
            new_program=NEW,
            bridge=bridge,
            idempotency_key=f"conc-{bridge}",
            rationale="smaller refill volume",
        ),
    ).change
    assert change.state is ProgramChangeState.REVIEWED, change.findings
    change = clinic.run(sign_program_change, sign(change, clock.now()))
    return clinic.run(cosign_program_change, cosign(change, clock.now()))


def _verify(clinic: Thecal, clock: MovableClock, admixture: Admixture, ident: str) -> None:
    clinic.run(
        verify_admixture,
        VerifyAdmixture(
            actor=actor(PHARMACIST),
            pump_id="pump-1",
            label=PharmacyLabel(
                admixture=admixture,
                volume=Volume.from_ml(20),
                lot="LOT-20",
                beyond_use=clock.now() + dt.timedelta(days=30),
            ),
            verification_id=ident,
        ),
    )


def _refill_with(clinic: Thecal, change: ProgramChange, ident: str) -> RefillOutcome:
    outcome = clinic.run_device(
        perform_refill,
        dataclasses.replace(
            refill(overview(clinic).pump.version, verification_id=ident, lot="LOT-20"),
            program_change_id=change.change_id,
        ),
    )
    assert outcome.program_change is not None
    assert outcome.program_change.state is ProgramChangeState.SENT
    return outcome


def tip_doses(
    clinic: Thecal, clock: MovableClock, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, Fraction]]:
    """Morphine at the tip (mg/day) over each WINDOW from ``start`` every STEP until ``end``,
    read from the twin's truth through the driver (in a transaction that is rolled back)."""
    with clinic.uow() as uow:
        twin = TwinStoreDriver.for_unit_of_work(uow, clock=clock).twin(SERIAL)
        marks: dict[dt.datetime, Fraction] = {}
        at = start
        while at <= end + WINDOW:
            twin.advance_to(at)
            mass = twin.truth.tip_mass.get("morphine")
            marks[at] = Fraction(mass.mcg) / 1000 if mass is not None else Fraction(0)
            at += STEP
    days = Fraction(WINDOW.total_seconds()) / 86_400
    return [(at, (marks[at + WINDOW] - marks[at]) / days) for at in marks if at + WINDOW in marks]


def test_a_concentration_change_with_a_bridge_keeps_the_tip_dose_and_is_confirmed(
    clinic: Thecal, clock: MovableClock
) -> None:
    _implant(clinic)
    clock.advance(days=20)
    change = _signed_change(clinic, clock, bridge=True)
    rows = {e.parameter: e.new for e in change.diff.entries}
    assert rows["bridge bolus"].startswith("0.406 mL at 0.5 mL/day over 19 h 29 min")
    assert rows["at the tip until the new admixture arrives"] == (
        "morphine 5 mg/day for 19 h 29 min"
    )

    # the change is never sent on its own: the pump would run 0.25 mL/day of 10 mg/mL
    with pytest.raises(AdmixtureChangeSentByRefill):
        clinic.run_device(
            send_program_change,
            SendProgramChange(
                actor=actor(NURSE),
                change_id=change.change_id,
                expected_pump_version=overview(clinic).pump.version,
            ),
        )

    _verify(clinic, clock, MORPHINE_20, "ver-20")
    refilled_at = clock.now()
    before = tip_doses(clinic, clock, refilled_at - WINDOW, refilled_at - WINDOW)
    refilled = _refill_with(clinic, change, "ver-20")
    during = overview(clinic)  # the record during the bridge: the old flow until it ends
    assert during.pump.admixture == MORPHINE_20
    assert refilled.plan is not None
    assert during.pump.next_refill_due is not None
    assert during.pump.next_refill_due <= refilled.plan.due  # the bridge's faster flow counted
    assert Volume.from_ml(19) < during.reservoir.volume <= Volume.from_ml(20)

    # the oracle: the twin's tip dose through the change, within 1 % of 5 mg/day, every window
    through = tip_doses(clinic, clock, refilled_at, refilled_at + dt.timedelta(days=3))
    worst = max(abs(dose / 5 - 1) for _, dose in before + through)
    assert worst <= Fraction(1, 100), [(at.isoformat(), float(d)) for at, d in through]

    # the confirming interrogation, after the bridge: record, belief and truth agree
    clock.advance(days=3)
    settled = clinic.run_device(
        interrogate_pump, InterrogatePump(actor=actor(NURSE), pump_id="pump-1")
    )
    assert [c.state for c in settled.resolved] == [ProgramChangeState.CONFIRMED]
    assert settled.snapshot.program == NEW
    seen = overview(clinic)
    assert seen.pump.program == NEW
    assert seen.pump.admixture == MORPHINE_20
    with clinic.uow() as uow:
        twin = TwinStoreDriver.for_unit_of_work(uow, clock=clock).twin(SERIAL)
        truth, belief = twin.truth, twin.belief
    assert truth.reservoir_contents == truth.path_contents[0][1]  # the dead space is new drug
    assert {contents for _, contents in truth.path_contents} == {truth.reservoir_contents}
    assert "20 mg/mL" in truth.reservoir_contents
    assert seen.reservoir.volume == belief.reservoir
    assert abs(truth.reservoir.ml - belief.reservoir.ml) <= Decimal("0.002")  # one stroke
    assert settled.snapshot.reservoir_estimate == belief.reservoir


def test_without_a_bridge_the_signed_diff_and_the_tip_show_the_underdose(
    clinic: Thecal, clock: MovableClock
) -> None:
    _implant(clinic)
    clock.advance(days=20)
    change = _signed_change(clinic, clock, bridge=False)
    rows = {e.parameter: e.new for e in change.diff.entries}
    assert rows["bridge bolus"] == "none"
    assert rows["at the tip until the new admixture arrives"] == (
        "morphine 2.5 mg/day (prescribed 5 mg/day: 50 % under) for 1 day 14 h"
    )
    _verify(clinic, clock, MORPHINE_20, "ver-20")
    refilled_at = clock.now()
    _refill_with(clinic, change, "ver-20")
    first_window = tip_doses(clinic, clock, refilled_at, refilled_at)[0][1]
    assert first_window < Fraction(7, 2)  # ≤ 3.5 mg/day: 30 % under the prescription


def test_the_pharmacy_verifies_a_new_admixture_only_for_a_co_signed_change(
    clinic: Thecal, clock: MovableClock
) -> None:
    _implant(clinic)
    clock.advance(days=20)
    # no co-signed change asks for 20 mg/mL yet: the label is not the order (10 mg/mL)
    with pytest.raises(LabelNotTheOrder, match="the order is morphine 10 mg/mL"):
        _verify(clinic, clock, MORPHINE_20, "ver-early")
    _signed_change(clinic, clock, bridge=True)
    _verify(clinic, clock, MORPHINE_20, "ver-20")  # now it is the change's new admixture


def test_a_switch_to_sufentanil_at_fifty_times_a_start_is_blocked_and_nothing_stored(
    clinic: Thecal, clock: MovableClock
) -> None:
    _implant(clinic)
    sufentanil = InfusionProgram.continuous(
        Admixture.single("sufentanil", Concentration.from_mcg_per_ml(1000)),
        DoseRate.from_mcg_per_day(1000),
    )
    with pytest.raises(ProgramChangeBlocked, match="ITS-ROT-001"):
        clinic.run(
            propose_admixture_change,
            ProposeAdmixtureChange(
                actor=actor(PHYSICIAN),
                pump_id="pump-1",
                new_program=sufentanil,
                bridge=True,
                idempotency_key="sufentanil",
            ),
        )
    with clinic.uow() as uow:
        assert list(uow.program_changes.for_pump("pump-1")) == []


def test_a_refill_that_halts_sends_nothing_and_the_change_waits(
    clinic: Thecal, clock: MovableClock
) -> None:
    _implant(clinic)
    clock.advance(days=20)
    change = _signed_change(clinic, clock, bridge=True)
    _verify(clinic, clock, MORPHINE_10, "ver-old")  # the old strength: not the change's syringe
    with pytest.raises(AdmixtureMismatch):
        clinic.run_device(
            perform_refill,
            dataclasses.replace(
                refill(overview(clinic).pump.version, verification_id="ver-old", lot="LOT-20"),
                program_change_id=change.change_id,
            ),
        )
    _verify(clinic, clock, MORPHINE_20, "ver-20")
    halted = clinic.run_device(
        perform_refill,
        dataclasses.replace(
            refill(
                overview(clinic).pump.version,
                verification_id="ver-20",
                lot="LOT-20",
                aspiration_returned=False,  # a possible pocket fill: nothing is injected
            ),
            program_change_id=change.change_id,
        ),
    )
    assert halted.refill.state.value == "halted"
    with clinic.uow() as uow:
        kept = uow.program_changes.get_change(change.change_id)
        twin = TwinStoreDriver.for_unit_of_work(uow, clock=clock).twin(SERIAL)
        running = twin.program_
    assert kept is not None
    assert kept.state is ProgramChangeState.CO_SIGNED  # waits for the next refill
    assert running == OLD
    assert overview(clinic).pump.program == OLD


def test_an_adjuvant_new_to_the_pump_at_ten_times_a_start_is_blocked(
    clinic: Thecal, clock: MovableClock
) -> None:
    _implant(clinic)
    clock.advance(days=20)
    with_clonidine = InfusionProgram.continuous(
        Admixture(
            components=(
                *MORPHINE_10.components,
                Component(drug_id="clonidine", concentration=Concentration.from_mcg_per_ml(2000)),
            )
        ),
        FIVE_MG,  # 0.5 mL/day: clonidine 1,000 mcg/day, a new start for clonidine
    )
    with pytest.raises(ProgramChangeBlocked, match="clonidine"):
        clinic.run(
            propose_admixture_change,
            ProposeAdmixtureChange(
                actor=actor(PHYSICIAN),
                pump_id="pump-1",
                new_program=with_clonidine,
                bridge=True,
                idempotency_key="clonidine",
            ),
        )
