"""What reaches the catheter tip while the dead space empties at an admixture change (issue 12 §2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from thecal.domain.admixture import Admixture, Component
from thecal.domain.admixture_change import admixture_changes, plan_transition
from thecal.domain.errors import DosingImpossible, RequestInvalid
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import diff
from thecal.domain.units import Concentration, DoseRate, Volume

DEAD_SPACE = Volume.from_ml(Decimal("0.5"))


def _mg(drug: str, mg_per_ml: str) -> Component:
    return Component(drug_id=drug, concentration=Concentration.from_mg_per_ml(Decimal(mg_per_ml)))


def _mcg(drug: str, mcg_per_ml: str) -> Component:
    return Component(drug_id=drug, concentration=Concentration.from_mcg_per_ml(Decimal(mcg_per_ml)))


def _program(*components: Component, mg_per_day: str) -> InfusionProgram:
    return InfusionProgram.continuous(
        Admixture(components=components), DoseRate.from_mg_per_day(Decimal(mg_per_day))
    )


MORPHINE_10 = _program(_mg("morphine", "10"), mg_per_day="5")  # 0.5 mL/day


def test_a_bridge_keeps_the_old_dose_for_dead_space_over_old_flow() -> None:
    new = _program(_mg("morphine", "20"), mg_per_day="5")
    transition = plan_transition(
        old_program=MORPHINE_10, new_program=new, dead_space=DEAD_SPACE, bridge=True
    )
    plan = transition.bridge_plan
    assert plan is not None
    assert plan.volume == DEAD_SPACE
    assert plan.duration.to_timedelta().total_seconds() == 86_400  # 0.5 mL at 0.5 mL/day
    assert transition.tip_text() == "morphine 5 mg/day for 1 day"


def test_without_a_bridge_the_tip_gets_the_old_concentration_at_the_new_flow() -> None:
    new = _program(_mg("morphine", "20"), mg_per_day="5")  # 0.25 mL/day
    transition = plan_transition(
        old_program=MORPHINE_10, new_program=new, dead_space=DEAD_SPACE, bridge=False
    )
    assert transition.bridge_plan is None
    (tip,) = transition.tip_doses()
    assert tip.at_tip == DoseRate.from_mg_per_day(Decimal("2.5"))
    assert tip.deviation_pct == Decimal(-50)
    assert transition.tip_text() == (
        "morphine 2.5 mg/day (prescribed 5 mg/day: 50 % under) for 2 days"
    )
    # a weaker new admixture: an overdose while the old, stronger one is pushed out
    weaker = _program(_mg("morphine", "5"), mg_per_day="5")  # 1 mL/day of 10 mg/mL
    over = plan_transition(
        old_program=MORPHINE_10, new_program=weaker, dead_space=DEAD_SPACE, bridge=False
    )
    assert over.tip_text() == "morphine 10 mg/day (prescribed 5 mg/day: 100 % over) for 12 h"


def test_rotation_and_adjuvants_are_named_and_each_drug_is_shown_at_the_tip() -> None:
    rotated = _program(_mg("hydromorphone", "5"), mg_per_day="1")
    assert admixture_changes(MORPHINE_10.admixture, rotated.admixture) == (
        "drug rotation morphine → hydromorphone",
    )
    rotation = plan_transition(
        old_program=MORPHINE_10, new_program=rotated, dead_space=DEAD_SPACE, bridge=False
    )
    assert rotation.tip_text() == (
        "morphine 2 mg/day (no longer prescribed); "
        "hydromorphone 0 mg/day (prescribed 1 mg/day: not yet at the tip) for 2 days 12 h"
    )
    with_clonidine = _program(_mg("morphine", "10"), _mcg("clonidine", "100"), mg_per_day="5")
    assert admixture_changes(MORPHINE_10.admixture, with_clonidine.admixture) == (
        "clonidine added",
    )
    assert admixture_changes(with_clonidine.admixture, MORPHINE_10.admixture) == (
        "clonidine removed",
    )
    bridged = plan_transition(
        old_program=with_clonidine, new_program=MORPHINE_10, dead_space=DEAD_SPACE, bridge=True
    )
    assert bridged.tip_text() == (
        "morphine 5 mg/day; clonidine 50 mcg/day (old dose; new 0 mcg/day after) for 1 day"
    )


def test_the_bridge_decision_is_part_of_the_signed_diff() -> None:
    new = _program(_mg("morphine", "20"), mg_per_day="5")
    with_bridge = plan_transition(
        old_program=MORPHINE_10, new_program=new, dead_space=DEAD_SPACE, bridge=True
    )
    without = plan_transition(
        old_program=MORPHINE_10, new_program=new, dead_space=DEAD_SPACE, bridge=False
    )
    one = diff(MORPHINE_10, new, extra=with_bridge.diff_rows())
    other = diff(MORPHINE_10, new, extra=without.diff_rows())
    assert one.digest != other.digest
    assert {e.parameter for e in one.changes} >= {"bridge bolus", "concentration morphine"}


def test_refused_transitions() -> None:
    with pytest.raises(RequestInvalid, match="needs no refill"):
        plan_transition(
            old_program=MORPHINE_10,
            new_program=_program(_mg("morphine", "10"), mg_per_day="6"),
            dead_space=DEAD_SPACE,
            bridge=True,
        )
    stopped = InfusionProgram.continuous(
        Admixture.single("morphine", Concentration.from_mg_per_ml(10)),
        DoseRate.from_mg_per_day(0),
    )
    with pytest.raises(RequestInvalid, match="no basal flow"):
        plan_transition(
            old_program=stopped,
            new_program=_program(_mg("morphine", "20"), mg_per_day="5"),
            dead_space=DEAD_SPACE,
            bridge=True,
        )
    with pytest.raises(DosingImpossible):
        plan_transition(
            old_program=MORPHINE_10,
            new_program=_program(_mg("morphine", "20"), mg_per_day="5"),
            dead_space=Volume.from_ml(Decimal(-1)),
            bridge=False,
        )
