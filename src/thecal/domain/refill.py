"""Refills: volume reconciliation and the refill procedure as a state machine.

Reconciliation (clinical.md §5.2, §11 rule 8, safety.md SR-09). The pump's own count at
interrogation gives the *expected* residual; the nurse empties the reservoir and measures the
*withdrawn* residual (S73, S74). Then:

* discrepancy = expected − measured (a signed Volume);
* since the last fill, programmed = last fill − expected and delivered = last fill − measured;
* flagged when |discrepancy| > the pump model's threshold (> 1 mL for 20 mL pumps, > 2 mL for
  40 mL pumps, S75) or delivered/programmed lies outside 100 ± the model's accuracy band %
  (Prometra 85–115 %, S62; SynchroMed II ±14.5 % [U], with +2.5 % mean per-refill bias, S46);
* less withdrawn than expected → over-delivery, a leak, or a pocket fill at the previous refill
  (S77); more withdrawn than expected → under-delivery, a stall or an occlusion (S73, S74, S51);
  an entry error is possible either way (S73).

Procedure::

    OPENED ─interrogate─▶ INTERROGATED ─withdraw─▶ WITHDRAWN ─verify_admixture─▶ ADMIXTURE_VERIFIED
      ─inject_test_volume─▶ INJECTED ─record_aspiration(returned)─▶ ASPIRATION_CONFIRMED
      ─complete_pocket_fill_checklist─▶ POCKET_FILL_CHECKED ─complete─▶ COMPLETED
    any open step ─halt─▶ HALTED;  record_aspiration(not returned) ─▶ HALTED (pocket-fill watch)

The ~5 mL of new drug is injected and aspirated back before the rest is instilled (S74); a negative
aspiration stops the refill. The pocket-fill checklist (S74, S77, S84) must be all "yes" before
completion; anything else is a reason to ``halt``. ``version`` increases on every state change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from thecal.domain.actors import (
    CLINICIANS,
    IllegalTransition,
    StateMachine,
    Transition,
    require_aware,
    require_role,
    require_text,
)
from thecal.domain.admixture import Admixture
from thecal.domain.devices import PumpModel
from thecal.domain.drugs import Drug
from thecal.domain.errors import Conflict, RequestInvalid, ValueOutOfRange
from thecal.domain.forecast import RefillPlan, plan_next_refill
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program import InfusionProgram
from thecal.domain.tasks import Task, TaskKind, TaskPriority
from thecal.domain.units import Volume
from thecal.domain.users import Actor, Role

__all__ = [
    "AboveReservoirCapacity",
    "AdmixtureMismatch",
    "BeyondUseDatePassed",
    "DiscrepancyCause",
    "PharmacyLabel",
    "PocketFillChecklist",
    "PocketFillChecklistIncomplete",
    "Reconciliation",
    "ReconciliationVerdict",
    "Refill",
    "RefillState",
    "RefillStateError",
    "reconcile",
]

_ZERO = Volume(Decimal(0))
_T = TypeVar("_T")
_HUNDRED = Decimal(100)


class RefillStateError(IllegalTransition):
    code = "THC-PATH-020"


class AboveReservoirCapacity(ValueOutOfRange):
    code = "THC-PATH-021"
    template = "{what} of {volume} is above the {pump} reservoir capacity of {capacity} ({source})"


class AdmixtureMismatch(Conflict):
    code = "THC-PATH-022"
    template = "{what}: expected {expected}, got {got}"


class BeyondUseDatePassed(Conflict):
    code = "THC-PATH-023"
    template = "lot {lot} is past its beyond-use date {beyond_use} at {at}: do not fill"


class PocketFillChecklistIncomplete(RequestInvalid):
    code = "THC-PATH-024"
    template = "pocket-fill checklist not complete: {items} not confirmed; halt the refill if they cannot be"


# ----------------------------------------------------------------------------- reconciliation


class ReconciliationVerdict(StrEnum):
    WITHIN = "within"
    LESS_WITHDRAWN_THAN_EXPECTED = "less-withdrawn-than-expected"
    MORE_WITHDRAWN_THAN_EXPECTED = "more-withdrawn-than-expected"


class DiscrepancyCause(StrEnum):
    OVER_DELIVERY = "over-delivery"
    LEAK = "leak"
    POCKET_FILL_AT_PREVIOUS_REFILL = "pocket fill at the previous refill"
    UNDER_DELIVERY = "under-delivery"
    STALL = "stall"
    OCCLUSION = "occlusion"
    ENTRY_ERROR = "entry error"


_LESS_CAUSES = (
    DiscrepancyCause.OVER_DELIVERY,
    DiscrepancyCause.LEAK,
    DiscrepancyCause.POCKET_FILL_AT_PREVIOUS_REFILL,
    DiscrepancyCause.ENTRY_ERROR,
)
_MORE_CAUSES = (
    DiscrepancyCause.UNDER_DELIVERY,
    DiscrepancyCause.STALL,
    DiscrepancyCause.OCCLUSION,
    DiscrepancyCause.ENTRY_ERROR,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconciliation:
    """Expected vs withdrawn residual, judged against the pump model's threshold and band."""

    expected_residual: Volume
    measured_residual: Volume
    discrepancy: Volume  # expected − measured; > 0 means less came back than the pump counted
    threshold: Volume
    programmed: Volume  # since the last fill, by the pump's count
    delivered: Volume  # since the last fill, by the measured residual
    delivered_pct: Decimal | None  # delivered ÷ programmed × 100; None when nothing was programmed
    band_pct: Decimal
    exceeds_threshold: bool
    outside_band: bool
    verdict: ReconciliationVerdict
    possible_causes: tuple[DiscrepancyCause, ...]

    @property
    def flagged(self) -> bool:
        return self.verdict is not ReconciliationVerdict.WITHIN

    @property
    def reservoir_was_empty(self) -> bool:
        """A dry reservoir makes needle-placement confirmation unreliable (S84)."""
        return self.measured_residual.value == 0

    def describe(self) -> str:
        pct = "n/a" if self.delivered_pct is None else f"{self.delivered_pct:.1f} %"
        return (
            f"expected {self.expected_residual}, withdrawn {self.measured_residual}: discrepancy "
            f"{self.discrepancy} (threshold {self.threshold}); delivered {pct} of programmed "
            f"(band ±{self.band_pct} %): {self.verdict.value}"
        )


def reconcile(
    *,
    pump: PumpModel,
    last_fill_volume: Volume,
    expected_residual: Volume,
    measured_residual: Volume,
    threshold: Volume | None = None,
    band_pct: Decimal | None = None,
) -> Reconciliation:
    """Compare the pump's expected residual with the residual actually withdrawn.

    Args:
        pump: the pump model; gives the default threshold (S75) and accuracy band (S62, [U]).
        last_fill_volume: reservoir volume right after the previous refill.
        expected_residual: the pump's own count at this interrogation.
        measured_residual: the volume withdrawn from the reservoir now.
        threshold: clinic override of the model's discrepancy threshold (ClinicPolicy
            ``refill_discrepancy_threshold``); None uses the model's value.
        band_pct: clinic override of the model's accuracy band; None uses the model's value.

    A discrepancy equal to the threshold, or a delivered share exactly on the band edge, is within.

    Raises:
        ValueOutOfRange: a negative volume, an expected or measured residual above the last fill,
            or a last fill above the reservoir capacity.
    """
    capacity = pump.reservoir.value
    for name, volume in (
        ("last fill volume", last_fill_volume),
        ("expected residual", expected_residual),
        ("measured residual", measured_residual),
    ):
        if not _ZERO <= volume <= capacity:
            raise ValueOutOfRange(name=name, expected=f"between 0 mL and {capacity}", value=volume)
    if expected_residual > last_fill_volume or measured_residual > last_fill_volume:
        raise ValueOutOfRange(
            name="residual",
            expected=f"at most the last fill {last_fill_volume}",
            value=max(expected_residual, measured_residual),
        )
    limit = threshold if threshold is not None else pump.discrepancy_threshold.value
    band = band_pct if band_pct is not None else pump.accuracy_band_pct.value
    discrepancy = expected_residual - measured_residual
    programmed = last_fill_volume - expected_residual
    delivered = last_fill_volume - measured_residual
    pct = None if programmed.value == 0 else delivered.value / programmed.value * _HUNDRED
    exceeds = abs(discrepancy) > limit
    outside = pct is not None and abs(pct - _HUNDRED) > band
    verdict = ReconciliationVerdict.WITHIN
    causes: tuple[DiscrepancyCause, ...] = ()
    if exceeds or outside:
        if discrepancy.value > 0:
            verdict, causes = ReconciliationVerdict.LESS_WITHDRAWN_THAN_EXPECTED, _LESS_CAUSES
        else:
            verdict, causes = ReconciliationVerdict.MORE_WITHDRAWN_THAN_EXPECTED, _MORE_CAUSES
    return Reconciliation(
        expected_residual=expected_residual,
        measured_residual=measured_residual,
        discrepancy=discrepancy,
        threshold=limit,
        programmed=programmed,
        delivered=delivered,
        delivered_pct=pct,
        band_pct=band,
        exceeds_threshold=exceeds,
        outside_band=outside,
        verdict=verdict,
        possible_causes=causes,
    )


# ----------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True, kw_only=True)
class PharmacyLabel:
    """What the pharmacy dispensed: admixture, volume, lot and beyond-use date."""

    admixture: Admixture
    volume: Volume
    lot: str
    beyond_use: dt.datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "lot", require_text(self.lot, name="lot"))
        require_aware(self.beyond_use, name="beyond-use date")


@dataclass(frozen=True, slots=True, kw_only=True)
class PocketFillChecklist:
    """The nurse's post-injection checks (S74 aspiration, S77 pocket fill, S84 needle placement)."""

    needle_placement_confirmed: bool
    aspiration_positive: bool
    no_pocket_swelling_or_pain: bool
    observed_for_overdose_symptoms: bool

    @property
    def unconfirmed(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self) if getattr(self, f.name) is not True)


class RefillState(StrEnum):
    OPENED = "opened"
    INTERROGATED = "interrogated"
    WITHDRAWN = "withdrawn"
    ADMIXTURE_VERIFIED = "admixture-verified"
    INJECTED = "injected"
    ASPIRATION_CONFIRMED = "aspiration-confirmed"
    POCKET_FILL_CHECKED = "pocket-fill-checked"
    COMPLETED = "completed"
    HALTED = "halted"


_R = RefillState
_OPEN_STATES = tuple(s for s in RefillState if s not in (_R.COMPLETED, _R.HALTED))


# ----------------------------------------------------------------------------- the aggregate


def _known(value: _T | None) -> _T:
    """A field the state machine has set by the current state (its absence is a bug, not input)."""
    if value is None:  # pragma: no cover - unreachable through the state machine
        msg = "refill field missing for its state"
        raise RuntimeError(msg)
    return value


class Refill(StateMachine[RefillState]):
    """One refill of one pump (identity: ``refill_id``; ``idempotency_key`` dedupes requests)."""

    _kind = "refill"
    _error = RefillStateError
    _previous = "the previous step"

    @property
    def _ident(self) -> str:
        return self.refill_id

    def __init__(
        self,
        *,
        refill_id: str,
        idempotency_key: str,
        patient_id: str,
        pump: PumpModel,
        pump_serial: str,
        ordered_admixture: Admixture,
        ordered_volume: Volume,
        opened_by: Actor,
        opened_at: dt.datetime,
    ) -> None:
        require_role(opened_by, CLINICIANS, action="open a refill")
        require_aware(opened_at, name="refill open time")
        self.refill_id = require_text(refill_id, name="refill id")
        self.idempotency_key = require_text(idempotency_key, name="idempotency key")
        self.patient_id = require_text(patient_id, name="patient id")
        self.pump = pump
        self.pump_serial = require_text(pump_serial, name="pump serial")
        self._check_capacity("ordered volume", ordered_volume)
        if ordered_volume.value <= 0:
            raise ValueOutOfRange(name="ordered volume", expected="> 0 mL", value=ordered_volume)
        self.ordered_admixture = ordered_admixture
        self.ordered_volume = ordered_volume
        self.state = _R.OPENED
        self.version = 1
        self.last_fill_volume: Volume | None = None
        self.expected_residual: Volume | None = None
        self.reconciliation: Reconciliation | None = None
        self.label: PharmacyLabel | None = None
        self.verified_by: str | None = None
        self.test_volume: Volume | None = None
        self.checklist: PocketFillChecklist | None = None
        self.reservoir_volume: Volume | None = None
        self.plan: RefillPlan | None = None
        self.halt_reason: str | None = None
        self.tasks: tuple[Task, ...] = ()
        self.history: list[Transition] = [
            Transition(
                action="open",
                from_state="",
                to_state=_R.OPENED.value,
                user_id=opened_by.user_id,
                at=opened_at,
                version=1,
            )
        ]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Refill) and other.refill_id == self.refill_id

    def __hash__(self) -> int:
        return hash(self.refill_id)

    def __repr__(self) -> str:
        return f"<Refill {self.refill_id} {self.state.value} v{self.version}>"

    # ------------------------------------------------------------------------- steps

    def record_interrogation(
        self, *, actor: Actor, at: dt.datetime, expected_residual: Volume, last_fill_volume: Volume
    ) -> None:
        """Record the pump's count: expected residual now and the volume of the last fill."""
        self._step("record the interrogation", actor, at, _R.OPENED)
        self._check_capacity("last fill volume", last_fill_volume)
        if not _ZERO <= expected_residual <= last_fill_volume:
            raise ValueOutOfRange(
                name="expected residual",
                expected=f"between 0 mL and {last_fill_volume}",
                value=expected_residual,
            )
        self.expected_residual, self.last_fill_volume = expected_residual, last_fill_volume
        self._move("interrogate", _R.INTERROGATED, actor.user_id, at)

    def record_withdrawal(
        self,
        *,
        actor: Actor,
        at: dt.datetime,
        measured_residual: Volume,
        threshold: Volume | None = None,
        band_pct: Decimal | None = None,
    ) -> Reconciliation:
        """Record the residual withdrawn from the reservoir and reconcile it (see :func:`reconcile`).

        A flagged result adds an urgent reconciliation-review task; the refill may go on.
        """
        self._step("record the withdrawn residual", actor, at, _R.INTERROGATED)
        result = reconcile(
            pump=self.pump,
            last_fill_volume=_known(self.last_fill_volume),
            expected_residual=_known(self.expected_residual),
            measured_residual=measured_residual,
            threshold=threshold,
            band_pct=band_pct,
        )
        self.reconciliation = result
        if result.flagged:
            causes = ", ".join(c.value for c in result.possible_causes)
            self._task(
                TaskKind.RECONCILIATION_REVIEW,
                at,
                f"{result.describe()}; possible: {causes}",
                "S73, S74, S75, S62",
            )
        self._move("withdraw", _R.WITHDRAWN, actor.user_id, at)
        return result

    def verify_admixture(self, *, actor: Actor, at: dt.datetime, label: PharmacyLabel) -> None:
        """The pharmacist checks the dispensed label against the order (SR-08, clinical.md §11 rule 9).

        Raises:
            AdmixtureMismatch: drug, concentration or volume differ from the order.
            BeyondUseDatePassed: the lot is past its beyond-use date at ``at``.
        """
        action = "verify the admixture"
        self._expect(action, at, _R.WITHDRAWN)
        require_role(actor, {Role.PHARMACIST}, action=action)
        if label.admixture != self.ordered_admixture:
            raise AdmixtureMismatch(
                what="dispensed drug/concentration",
                expected=self.ordered_admixture.describe(),
                got=label.admixture.describe(),
            )
        if label.volume != self.ordered_volume:
            raise AdmixtureMismatch(
                what="dispensed volume", expected=self.ordered_volume, got=label.volume
            )
        self._check_beyond_use(label, at)
        self.label, self.verified_by = label, actor.user_id
        self._move("verify admixture", _R.ADMIXTURE_VERIFIED, actor.user_id, at)

    def inject_test_volume(
        self, *, actor: Actor, at: dt.datetime, volume: Volume, lot: str
    ) -> None:
        """Inject the test volume (~5 mL, S74) from the verified lot, to be aspirated back."""
        self._step("inject the test volume", actor, at, _R.ADMIXTURE_VERIFIED)
        label = _known(self.label)
        if lot.strip() != label.lot:
            raise AdmixtureMismatch(what="lot at the bedside", expected=label.lot, got=lot.strip())
        self._check_beyond_use(label, at)
        if not _ZERO < volume <= label.volume:
            raise ValueOutOfRange(
                name="test volume", expected=f"> 0 mL and at most {label.volume}", value=volume
            )
        self.test_volume = volume
        self._move("inject test volume", _R.INJECTED, actor.user_id, at)

    def record_aspiration(self, *, actor: Actor, at: dt.datetime, returned: bool) -> RefillState:
        """Record whether the test volume came back on aspiration (S74).

        Not returned → ``HALTED`` with an urgent pocket-fill watch task: the drug may be in the
        pocket (S77). Returns the new state.
        """
        self._step("record the aspiration check", actor, at, _R.INJECTED)
        if returned:
            self._move("aspiration confirmed", _R.ASPIRATION_CONFIRMED, actor.user_id, at)
        else:
            self._halt(
                actor,
                at,
                f"test volume {self.test_volume} not aspirated back: possible pocket fill",
            )
        return self.state

    def complete_pocket_fill_checklist(
        self, *, actor: Actor, at: dt.datetime, checklist: PocketFillChecklist
    ) -> None:
        """Record the post-injection checklist; every item must be confirmed.

        Raises:
            PocketFillChecklistIncomplete: naming the items not confirmed (state unchanged).
        """
        self._step("complete the pocket-fill checklist", actor, at, _R.ASPIRATION_CONFIRMED)
        if checklist.unconfirmed:
            raise PocketFillChecklistIncomplete(items=", ".join(checklist.unconfirmed))
        self.checklist = checklist
        self._move("pocket-fill checklist", _R.POCKET_FILL_CHECKED, actor.user_id, at)

    def complete(
        self,
        *,
        actor: Actor,
        at: dt.datetime,
        reservoir_volume: Volume,
        program: InfusionProgram,
        drugs: Mapping[str, Drug],
        policy: ClinicPolicy,
        naive_pump_first_fill: bool = False,
    ) -> RefillPlan:
        """Close the refill with the new reservoir volume and plan the next refill.

        ``program`` is the program the pump runs after the refill; its admixture must be the one
        verified (three-way match, SR-08). Adds a routine refill-due task.

        Raises:
            AboveReservoirCapacity: the new reservoir volume exceeds the model's capacity.
            ValueOutOfRange: more than the dispensed volume.
            AdmixtureMismatch: the program's admixture is not the verified one.
        """
        self._step("complete the refill", actor, at, _R.POCKET_FILL_CHECKED)
        label = _known(self.label)
        self._check_capacity("new reservoir volume", reservoir_volume)
        if not _ZERO < reservoir_volume <= label.volume:
            raise ValueOutOfRange(
                name="new reservoir volume",
                expected=f"> 0 mL and at most the dispensed {label.volume}",
                value=reservoir_volume,
            )
        if program.admixture != label.admixture:
            raise AdmixtureMismatch(
                what="program admixture",
                expected=label.admixture.describe(),
                got=program.admixture.describe(),
            )
        alarm = program.low_reservoir_alarm or self.pump.low_reservoir_alarm.value
        plan = plan_next_refill(
            filled_at=at,
            reservoir=reservoir_volume,
            alarm=alarm,
            basal_flow=program.basal_flow,
            worst_case_flow=program.worst_case_flow,
            admixture=program.admixture,
            drugs=dict(drugs),
            policy=policy,
            naive_pump_first_fill=naive_pump_first_fill,
        )
        self.reservoir_volume, self.plan = reservoir_volume, plan
        self._task(
            TaskKind.REFILL_DUE,
            plan.due,
            f"next refill ({plan.binding.value}); {reservoir_volume} filled",
            "clinical.md §11 rule 7",
            urgent=False,
        )
        self._move("complete", _R.COMPLETED, actor.user_id, at)
        return plan

    def halt(self, *, actor: Actor, at: dt.datetime, reason: str) -> None:
        """Stop the refill at any open step (swelling, pain, doubtful needle placement …)."""
        self._step("halt the refill", actor, at, *_OPEN_STATES)
        self._halt(actor, at, require_text(reason, name="halt reason"))

    # ------------------------------------------------------------------------- internals

    def _halt(self, actor: Actor, at: dt.datetime, reason: str) -> None:
        self.halt_reason = reason
        self._task(
            TaskKind.POCKET_FILL_WATCH,
            at,
            f"refill halted: {reason}; observe for overdose symptoms",
            "S77, S74",
        )
        self._move("halt", _R.HALTED, actor.user_id, at)

    def _step(self, action: str, actor: Actor, at: dt.datetime, *allowed: RefillState) -> None:
        self._expect(action, at, *allowed)
        require_role(actor, CLINICIANS, action=action)

    def _task(
        self, kind: TaskKind, due: dt.datetime, reason: str, source: str, *, urgent: bool = True
    ) -> None:
        priority = TaskPriority.URGENT if urgent else TaskPriority.ROUTINE
        task = Task(
            kind=kind,
            subject=self.patient_id,
            origin=self.refill_id,
            due=due,
            reason=reason,
            source=source,
            priority=priority,
        )
        self.tasks = (*self.tasks, task)

    def _check_capacity(self, what: str, volume: Volume) -> None:
        capacity = self.pump.reservoir
        if volume > capacity.value:
            raise AboveReservoirCapacity(
                what=what,
                volume=volume,
                pump=self.pump.name,
                capacity=capacity.value,
                source=capacity.cite(),
            )
        if volume.value < 0:
            raise ValueOutOfRange(name=what, expected="≥ 0 mL", value=volume)

    @staticmethod
    def _check_beyond_use(label: PharmacyLabel, at: dt.datetime) -> None:
        if at > label.beyond_use:
            raise BeyondUseDatePassed(
                lot=label.lot, beyond_use=label.beyond_use.isoformat(), at=at.isoformat()
            )
