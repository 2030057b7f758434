"""Issue 14 item 1 through the services: a program change that puts a drug new to the pump is a
new start for that drug, and an opioid switch is checked as a rotation — through
``propose_program_change``, not only ``thecal review``."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from pathway_scenario import NURSE, MovableClock, actor, implant
from records_fakes import FakeUnitOfWork

from thecal.adapters.twin.store import TwinStoreDriver
from thecal.domain.admixture import Admixture, Component
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import FindingSeverity, ProgramChangeBlocked
from thecal.domain.units import Concentration, DoseRate
from thecal.services.program_changes import ProposeProgramChange, propose_program_change
from thecal.services.pumps import implant_pump

MORPHINE_25 = Component(drug_id="morphine", concentration=Concentration.from_mg_per_ml(25))


def _morphine_2_mg(uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver) -> None:
    start = InfusionProgram.continuous(
        Admixture(components=(MORPHINE_25,)), DoseRate.from_mg_per_day(2)
    )
    implant_pump(
        dataclasses.replace(implant(), initial_program=start),
        uow=uow,
        clock=clock,
        driver=driver,
    )


def _propose(program: InfusionProgram, key: str) -> ProposeProgramChange:
    return ProposeProgramChange(
        actor=actor(NURSE),
        pump_id="pump-1",
        new_program=program,
        idempotency_key=key,
        rationale="switch",
    )


def _single(drug: str, mcg_per_ml: int, dose: DoseRate) -> InfusionProgram:
    admixture = Admixture.single(drug, Concentration.from_mcg_per_ml(mcg_per_ml))
    return InfusionProgram.continuous(admixture, dose)


def test_morphine_2_mg_to_sufentanil_1_mg_a_day_is_blocked_as_a_rotation_and_nothing_is_stored(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    _morphine_2_mg(uow, clock, driver)
    switch = _single("sufentanil", 1000, DoseRate.from_mg_per_day(1))
    with pytest.raises(ProgramChangeBlocked) as blocked:
        propose_program_change(_propose(switch, "sufentanil"), uow=uow, clock=clock)
    assert "ITS-ROT-001" in blocked.value.message
    assert "ext:KIM2019" in blocked.value.message  # the ratio's source is in the message
    assert uow.database.pathway.changes == {}


def test_morphine_2_mg_to_hydromorphone_2_mg_a_day_needs_the_rotation_override(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    _morphine_2_mg(uow, clock, driver)
    switch = InfusionProgram.continuous(
        Admixture.single("hydromorphone", Concentration.from_mg_per_ml(2)),
        DoseRate.from_mg_per_day(2),
    )
    change = propose_program_change(_propose(switch, "hydro"), uow=uow, clock=clock).change
    overrides = {f.code for f in change.findings if f.severity is FindingSeverity.OVERRIDE}
    assert "ITS-ROT-002" in overrides
    assert "ITS-PUMP-001" in overrides


def test_clonidine_added_at_ten_times_its_starting_range_is_blocked(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    _morphine_2_mg(uow, clock, driver)
    # morphine 25 mg/mL at 2 mg/day: 0.08 mL/day; clonidine 12.5 mg/mL would be 1000 mcg/day
    admixture = Admixture(
        components=(
            MORPHINE_25,
            Component(drug_id="clonidine", concentration=Concentration.from_mcg_per_ml(12500)),
        )
    )
    added = InfusionProgram.continuous(admixture, DoseRate.from_mg_per_day(Decimal(2)))
    with pytest.raises(ProgramChangeBlocked) as blocked:
        propose_program_change(_propose(added, "clonidine"), uow=uow, clock=clock)
    assert "ITS-GUARD-006" in blocked.value.message
    assert "S1" in blocked.value.message
