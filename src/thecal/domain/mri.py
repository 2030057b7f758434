"""MRI with an implanted pump: the emptying gate, clearance and the post-MRI interrogation task.

::

    PLANNED ─record_emptying─▶ EMPTIED ─clear─▶ CLEARED ─record_scan─▶ SCANNED
       └──────────────clear (pump need not be emptied)──┘      any but SCANNED ─cancel─▶ CANCELLED

* A valve-gated pump labelled "empty before MRI" (Prometra / Prometra II) can dump its reservoir
  and catheter contents in the field → overdose or death (S58, S59): clearance without a recorded
  emptying raises (safety.md SR-15).
* Clearance is refused above the field strength the clinic accepts for the pump (default 1.5 T:
  SynchroMed II performance not established above 1.5 T, S55, S56; Prometra 1.5 T, S59; newer
  labelling may differ [D]).
* Every cleared MRI yields a post-MRI interrogation task (SR-15): a SynchroMed motor stalls during
  the scan and may take up to 24 h to resume (S55, the model's ``mri_recovery_max``); an emptied
  pump must be refilled and restarted, and a Prometra II flow-activated valve reset (S60).
  Clearance creates the task for the planned time; recording the scan re-dates it to the actual one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from thecal.domain.actors import (
    CLINICIANS,
    IllegalTransition,
    StateMachine,
    Transition,
    require_aware,
    require_role,
    require_text,
)
from thecal.domain.devices import PumpModel
from thecal.domain.errors import Conflict, ValueOutOfRange
from thecal.domain.tasks import Task, TaskKind, TaskPriority
from thecal.domain.units import Duration, Volume
from thecal.domain.users import Actor, Role

__all__ = [
    "DEFAULT_MAX_FIELD_T",
    "DEFAULT_RESTART_WITHIN",
    "MriEmptyingMissing",
    "MriFieldNotCleared",
    "MriPlan",
    "MriState",
    "MriStateError",
]

#: Highest static field the clinic clears a pump for (S55, S56, S59 — all 1.5 T) [D].
DEFAULT_MAX_FIELD_T = Decimal("1.5")
#: When the model gives no recovery time (emptied valve-gated pumps), the interrogation, refill and
#: restart are due this soon after the scan. Clinic choice: an empty pump delivers nothing, and
#: abrupt cessation risks withdrawal (S18).
DEFAULT_RESTART_WITHIN = Duration.hours(2)


class MriStateError(IllegalTransition):
    code = "THC-PATH-050"


class MriEmptyingMissing(Conflict):
    code = "THC-PATH-051"
    template = "{pump} must be emptied before MRI ({source}): no emptying recorded for MRI {ident}; clearance refused"


class MriFieldNotCleared(Conflict):
    code = "THC-PATH-052"
    template = "{field} T is above the {maximum} T accepted for {pump}: clearance refused"


class MriState(StrEnum):
    PLANNED = "planned"
    EMPTIED = "emptied"
    CLEARED = "cleared"
    SCANNED = "scanned"
    CANCELLED = "cancelled"


_M = MriState


class MriPlan(StateMachine[MriState]):
    """One planned MRI for a patient with a pump (identity: ``plan_id``)."""

    _kind = "MRI plan"
    _error = MriStateError

    @property
    def _ident(self) -> str:
        return self.plan_id

    def __init__(
        self,
        *,
        plan_id: str,
        patient_id: str,
        pump: PumpModel,
        pump_serial: str,
        scan_at: dt.datetime,
        field_strength_t: Decimal,
        planned_by: Actor,
        planned_at: dt.datetime,
    ) -> None:
        require_role(planned_by, CLINICIANS, action="plan an MRI")
        require_aware(scan_at, name="scan time")
        require_aware(planned_at, name="planning time")
        if field_strength_t <= 0:
            raise ValueOutOfRange(name="field strength", expected="> 0 T", value=field_strength_t)
        self.plan_id = require_text(plan_id, name="MRI plan id")
        self.patient_id = require_text(patient_id, name="patient id")
        self.pump = pump
        self.pump_serial = require_text(pump_serial, name="pump serial")
        self.scan_at = scan_at
        self.field_strength_t = field_strength_t
        self.state = _M.PLANNED
        self.version = 1
        self.emptied_volume: Volume | None = None
        self.emptied_at: dt.datetime | None = None
        self.scanned_at: dt.datetime | None = None
        self.task: Task | None = None
        self.history: list[Transition] = [
            Transition.first(
                action="plan", to_state=_M.PLANNED.value, user_id=planned_by.user_id, at=planned_at
            )
        ]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MriPlan) and other.plan_id == self.plan_id

    def __hash__(self) -> int:
        return hash(self.plan_id)

    @property
    def emptying_required(self) -> bool:
        return self.pump.must_be_emptied_for_mri

    def record_emptying(self, *, actor: Actor, at: dt.datetime, volume_withdrawn: Volume) -> None:
        """Record the reservoir emptied before the scan: volume withdrawn and time."""
        action = "record the pump emptying"
        self._expect(action, at, _M.PLANNED)
        require_role(actor, CLINICIANS, action=action)
        capacity = self.pump.reservoir.value
        if not Volume(Decimal(0)) <= volume_withdrawn <= capacity:
            raise ValueOutOfRange(
                name="volume withdrawn",
                expected=f"between 0 mL and {capacity}",
                value=volume_withdrawn,
            )
        if at > self.scan_at:
            raise ValueOutOfRange(
                name="emptying time",
                expected=f"before the scan at {self.scan_at.isoformat()}",
                value=at.isoformat(),
            )
        self.emptied_volume, self.emptied_at = volume_withdrawn, at
        self._move("empty", _M.EMPTIED, actor.user_id, at)

    def clear(
        self, *, actor: Actor, at: dt.datetime, max_field_t: Decimal = DEFAULT_MAX_FIELD_T
    ) -> Task:
        """Clear the patient for the scan; returns the post-MRI interrogation task.

        Raises:
            MriEmptyingMissing: the pump must be emptied and no emptying is recorded (SR-15).
            MriFieldNotCleared: the field is stronger than ``max_field_t``.
        """
        action = "clear the patient for MRI"
        self._expect(action, at, _M.PLANNED, _M.EMPTIED)
        require_role(actor, {Role.PHYSICIAN}, action=action)
        if self.emptying_required and self.emptied_at is None:
            raise MriEmptyingMissing(pump=self.pump.name, source="S58, S59", ident=self.plan_id)
        if self.field_strength_t > max_field_t:
            raise MriFieldNotCleared(
                field=self.field_strength_t, maximum=max_field_t, pump=self.pump.name
            )
        self.task = self._post_mri_task(self.scan_at)
        self._move("clear", _M.CLEARED, actor.user_id, at)
        return self.task

    def record_scan(self, *, actor: Actor, at: dt.datetime) -> Task:
        """Record the scan time; the post-MRI task is re-dated from it and returned."""
        action = "record the scan"
        self._expect(action, at, _M.CLEARED)
        require_role(actor, CLINICIANS, action=action)
        self.scanned_at = at
        self.task = self._post_mri_task(at)
        self._move("scan", _M.SCANNED, actor.user_id, at)
        return self.task

    def cancel(self, *, actor: Actor, at: dt.datetime, reason: str) -> None:
        action = "cancel the MRI"
        self._expect(action, at, _M.PLANNED, _M.EMPTIED, _M.CLEARED)
        require_role(actor, CLINICIANS, action=action)
        require_text(reason, name="cancellation reason")
        self.task = (
            None if self.emptied_at is None else self._post_mri_task(at)
        )  # an emptied pump still needs a restart
        self._move("cancel", _M.CANCELLED, actor.user_id, at)

    def _post_mri_task(self, after: dt.datetime) -> Task:
        recovery = self.pump.mri_recovery_max
        window, source = (
            (recovery.value, f"{recovery.cite()}, SR-15")
            if recovery
            else (DEFAULT_RESTART_WITHIN, "S58, S60, SR-15")
        )
        steps = ["interrogate the pump and confirm it runs its program"]
        if self.emptied_at is not None:
            steps.append("refill and restart the emptied pump")
        if self.pump.flow_activated_valve:
            steps.append("reset the flow-activated valve (S60)")
        return Task(
            kind=TaskKind.POST_MRI_INTERROGATION,
            subject=self.patient_id,
            origin=self.plan_id,
            due=after + window.to_timedelta(),
            not_before=after,
            reason=f"after MRI ({self.pump.name}, within {window}): " + "; ".join(steps),
            source=source,
            priority=TaskPriority.URGENT,
        )
