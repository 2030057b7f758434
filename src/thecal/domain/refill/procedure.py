"""The refill procedure: the ``Refill`` aggregate, one pump's refill as a state machine.

::

    OPENED ─interrogate─▶ INTERROGATED ─withdraw─▶ WITHDRAWN ─verify_admixture─▶ ADMIXTURE_VERIFIED
      ─inject_test_volume─▶ INJECTED ─record_aspiration(returned)─▶ ASPIRATION_CONFIRMED
      ─complete_pocket_fill_checklist─▶ POCKET_FILL_CHECKED ─complete─▶ COMPLETED
    any open step ─halt─▶ HALTED;  record_aspiration(not returned) ─▶ HALTED (pocket-fill watch)

The withdrawn residual is reconciled (:mod:`.reconciliation`); the pharmacist verifies the label,
and the bedside lot and the final program must match it (:mod:`.dispensing`); a negative
aspiration halts the refill, and the pocket-fill checklist (:mod:`.pocket_fill`) must be all "yes"
before completion. ``version`` increases on every state change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from thecal.domain.actors import (
    CLINICIANS,
    StateMachine,
    Transition,
    require_aware,
    require_role,
    require_text,
)
from thecal.domain.admixture import Admixture
from thecal.domain.devices import PumpModel
from thecal.domain.drugs import Drug
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.forecast import RefillPlan, plan_next_refill
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program import InfusionProgram
from thecal.domain.refill.bedside import BedsideReadings
from thecal.domain.refill.dispensing import (
    PharmacyLabel,
    check_against_order,
    check_bedside_lot,
    check_beyond_use,
    check_program_admixture,
)
from thecal.domain.refill.errors import (
    AboveReservoirCapacity,
    PocketFillChecklistIncomplete,
    RefillStateError,
)
from thecal.domain.refill.pocket_fill import PocketFillChecklist
from thecal.domain.refill.reconciliation import Reconciliation, reconcile
from thecal.domain.tasks import Task, TaskKind, TaskPriority
from thecal.domain.units import Volume
from thecal.domain.users import Actor, Role

__all__ = ["Refill", "RefillState"]

_ZERO = Volume(Decimal(0))
_T = TypeVar("_T")


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
        #: the co-signed admixture change this refill injects and sends (issue 12 §2), if any
        self.program_change_id: str | None = None
        #: the volumes the nurse read off the syringes, kept beside the pump's own figures
        self.bedside = BedsideReadings()
        self.tasks: tuple[Task, ...] = ()
        self.history: list[Transition] = [
            Transition.first(
                action="open", to_state=_R.OPENED.value, user_id=opened_by.user_id, at=opened_at
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
        check_against_order(label, admixture=self.ordered_admixture, volume=self.ordered_volume)
        check_beyond_use(label, at)
        self.label, self.verified_by = label, actor.user_id
        self._move("verify admixture", _R.ADMIXTURE_VERIFIED, actor.user_id, at)

    def inject_test_volume(
        self, *, actor: Actor, at: dt.datetime, volume: Volume, lot: str
    ) -> None:
        """Inject the test volume (~5 mL, S74) from the verified lot, to be aspirated back."""
        self._step("inject the test volume", actor, at, _R.ADMIXTURE_VERIFIED)
        label = _known(self.label)
        check_bedside_lot(label, lot)
        check_beyond_use(label, at)
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
        check_program_admixture(label, program.admixture)
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

    def record_bedside_readings(self, readings: BedsideReadings) -> None:
        """Keep what the nurse read off the syringes (checked against the reservoir's capacity);
        a reading never replaces the pump's figure: a gap is a finding (ITS-REFILL-013)."""
        if readings.withdrawn is not None:
            self._check_capacity("withdrawn volume as read", readings.withdrawn)
        if readings.injected is not None:
            self._check_capacity("injected volume as read", readings.injected)
        self.bedside = readings

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
