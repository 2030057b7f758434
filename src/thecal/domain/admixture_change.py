"""An admixture change at a refill, and what reaches the catheter tip while the old drug is pushed out.

A concentration change, a drug rotation (morphine → hydromorphone) or an adjuvant added or removed
takes effect at the refill that injects the new admixture: the reservoir then holds the new
admixture, but the dead space (the pump's internal path + the catheter, S53, S64) still holds the
old one, and the patient receives whatever leaves the tip.

* **With a bridge bolus** the pump first delivers the dead-space volume at the *old* flow (old
  daily dose ÷ old concentration), so the old admixture leaves the tip at the old daily doses until
  the new admixture arrives; the new program runs from then on (``domain.dosing.bridge_bolus``).
* **Without a bridge** the pump runs the new program at once, so for dead space ÷ new flow the tip
  receives the *old* concentrations at the *new* flow — an under- or overdose the clinician must
  see, per drug, with its duration (:meth:`AdmixtureTransition.tip_without_bridge`).

The transition is part of the program change: its rows join the program diff
(:meth:`AdmixtureTransition.diff_rows`), so the bridge decision is signed and co-signed with the
old and new programs as one change bound to one digest (SR-16).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from thecal.domain.admixture import Admixture
from thecal.domain.dosing import BridgeBolus, bridge_bolus, tip_lag
from thecal.domain.errors import Conflict, DosingImpossible, RequestInvalid
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram, ProgramMode
from thecal.domain.quantity_display import in_drug_unit, shown
from thecal.domain.units import DoseRate, Duration, Volume

__all__ = [
    "AdmixtureChangeNotReady",
    "AdmixtureChangeSentByRefill",
    "AdmixtureTransition",
    "TipDose",
    "admixture_changes",
    "plan_transition",
]

_HUNDRED = Decimal(100)


class AdmixtureChangeSentByRefill(Conflict):
    """Errors of the admixture change (THC-PATH-080…081)."""

    code = "THC-PATH-080"
    template = (
        "program change {change_id} switches the admixture to {admixture}: it is sent by the "
        "refill that injects the new admixture (the pump would otherwise run the new program on "
        "the old admixture); refill with this change"
    )


class AdmixtureChangeNotReady(Conflict):
    code = "THC-PATH-081"
    template = "program change {change_id} ({state}) cannot be carried by a refill: {why}"


_BRIDGEABLE = (ProgramMode.CONTINUOUS, ProgramMode.FLEX)


def admixture_changes(old: Admixture, new: Admixture) -> tuple[str, ...]:
    """What changes between two admixtures, as clinicians name it ("" when nothing does)."""
    found: list[str] = []
    if old.primary.drug_id != new.primary.drug_id:
        found.append(f"drug rotation {old.primary.drug_id} → {new.primary.drug_id}")
    for component in new.components:
        before = old.concentration_of(component.drug_id)
        if before is None:
            if component.drug_id != new.primary.drug_id:
                found.append(f"{component.drug_id} added")
        elif before != component.concentration:
            found.append(
                f"{component.drug_id} concentration {in_drug_unit(before, component.drug_id)}"
                f" → {in_drug_unit(component.concentration, component.drug_id)}"
            )
    found += [
        f"{c.drug_id} removed"
        for c in old.components
        if new.concentration_of(c.drug_id) is None and c.drug_id != old.primary.drug_id
    ]
    return tuple(found)


@dataclass(frozen=True, slots=True, kw_only=True)
class TipDose:
    """One drug at the tip while the dead space empties, beside the dose the new program prescribes."""

    drug_id: str
    at_tip: DoseRate
    prescribed: DoseRate  # by the new program (0 for a drug the new admixture no longer holds)
    before: DoseRate  # under the old program (0 for a drug new to the pump)

    @property
    def deviation_pct(self) -> Decimal | None:
        """(at the tip − prescribed) ÷ prescribed × 100; None when nothing is prescribed."""
        if self.prescribed.value == 0:
            return None
        return (self.at_tip.value - self.prescribed.value) / self.prescribed.value * _HUNDRED


@dataclass(frozen=True, slots=True, kw_only=True)
class AdmixtureTransition:
    """The switch from the old to the new admixture at a refill (see the module docstring)."""

    old_program: InfusionProgram
    new_program: InfusionProgram
    dead_space: Volume  # pump internal path + catheter, when the change is proposed
    bridge: bool

    @property
    def bridge_plan(self) -> BridgeBolus | None:
        """The bridge bolus (None without one)."""
        if not self.bridge:
            return None
        old, new = self.old_program, self.new_program
        return bridge_bolus(
            dead_space=self.dead_space,
            old_concentration=old.admixture.primary.concentration,
            old_daily_dose=old.basal_daily_dose,
            new_concentration=new.admixture.primary.concentration,
            new_daily_dose=new.basal_daily_dose,
        )

    @property
    def lag(self) -> Duration:
        """How long the old admixture keeps leaving the tip (bridge: at the old flow)."""
        plan = self.bridge_plan
        if plan is not None:
            return plan.duration
        return tip_lag(self.dead_space, self.new_program.basal_flow)

    def tip_doses(self) -> tuple[TipDose, ...]:
        """Every drug of either admixture at the tip until the new admixture arrives."""
        old, new = self.old_program, self.new_program
        flow = old.basal_flow if self.bridge else new.basal_flow
        prescribed = new.admixture.doses_at(new.basal_flow)
        before = old.admixture.doses_at(old.basal_flow)
        drugs = list(old.admixture.drug_ids) + [
            d for d in new.admixture.drug_ids if d not in old.admixture.drug_ids
        ]
        zero = DoseRate(Decimal(0))
        out: list[TipDose] = []
        for drug_id in drugs:
            concentration = old.admixture.concentration_of(drug_id)
            out.append(
                TipDose(
                    drug_id=drug_id,
                    at_tip=zero if concentration is None else flow * concentration,
                    prescribed=prescribed.get(drug_id, zero),
                    before=before.get(drug_id, zero),
                )
            )
        return tuple(out)

    def tip_text(self) -> str:
        """What the tip receives until the new admixture arrives, per drug, in its display unit."""
        drugs = reference_library().drugs
        parts: list[str] = []
        for tip in self.tip_doses():
            drug = drugs[tip.drug_id]
            unit = drug.dose_unit
            text = f"{drug.id} {shown(tip.at_tip, mass=unit)}"
            if self.bridge:
                if tip.at_tip != tip.prescribed:
                    text += f" (old dose; new {shown(tip.prescribed, mass=unit)} after)"
            elif tip.prescribed.value == 0:
                text += " (no longer prescribed)"
            elif tip.at_tip.value == 0:
                text += f" (prescribed {shown(tip.prescribed, mass=unit)}: not yet at the tip)"
            else:
                pct = tip.deviation_pct
                if pct is not None and pct != 0:
                    word = "over" if pct > 0 else "under"
                    text += (
                        f" (prescribed {shown(tip.prescribed, mass=unit)}: "
                        f"{abs(pct).quantize(Decimal(1))} % {word})"
                    )
            parts.append(text)
        return "; ".join(parts) + f" for {shown(self.lag)}"

    def diff_rows(self) -> tuple[tuple[str, str], ...]:
        """The rows this transition adds to the program diff (signed with it, SR-16)."""
        plan = self.bridge_plan
        if plan is None:
            bridge = "none"
        else:
            bridge = (
                f"{shown(plan.volume)} at {shown(plan.flow)} over {shown(plan.duration)} "
                "(the old admixture at the old dose)"
            )
        return (
            ("admixture change", "at the refill that injects the new admixture"),
            ("dead space (pump path + catheter)", shown(self.dead_space)),
            ("bridge bolus", bridge),
            ("at the tip until the new admixture arrives", self.tip_text()),
        )


def plan_transition(
    *,
    old_program: InfusionProgram,
    new_program: InfusionProgram,
    dead_space: Volume,
    bridge: bool,
) -> AdmixtureTransition:
    """The transition of a program change that switches the admixture at a refill.

    Raises:
        RequestInvalid: the admixture does not change (a dose change needs no refill), or a
            program that delivers no basal flow (a stopped pump: prime after a restart instead).
        DosingImpossible: a bridge from or to a program with no dose rate (``bridge_bolus``).
    """
    if old_program.admixture == new_program.admixture:
        raise RequestInvalid(
            where="admixture",
            detail=(
                f"the new admixture is the pump's {old_program.admixture.describe()}: "
                "a dose change needs no refill; propose a program change instead"
            ),
        )
    for name, program in (("current", old_program), ("new", new_program)):
        if program.mode not in _BRIDGEABLE or program.basal_daily_dose.value <= 0:
            raise RequestInvalid(
                where=f"{name} program",
                detail=(
                    f"the {name} program ({program.mode.value}) delivers no basal flow, so no "
                    "fluid carries the old admixture out of the dead space: after an "
                    "interruption a restart primes the catheter instead (thecal calc restart)"
                ),
            )
    if dead_space.value < 0:
        raise DosingImpossible(detail=f"a dead space of {dead_space} is impossible")
    transition = AdmixtureTransition(
        old_program=old_program, new_program=new_program, dead_space=dead_space, bridge=bridge
    )
    transition.bridge_plan  # noqa: B018 - a bridge that cannot be planned is refused now
    return transition
