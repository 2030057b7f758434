"""The pump implant: a procedure record with devices, initial fill, priming bolus and program.

The priming bolus fills the pump's internal path and the catheter dead space after an implant
(:func:`thecal.domain.dosing.priming_bolus`, S53); the catheter's dead space is its implanted length
× volume per cm (Prometra: 0.0026 mL/cm, S64). Both are required before any priming bolus
(clinical.md §4.3). A priming bolus can bring drug early and then a dilute period, so it is done
under supervision (S53): every implant creates an urgent post-implant monitoring task (SR-14).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from thecal.domain.actors import require_aware, require_role, require_text
from thecal.domain.admixture import Admixture
from thecal.domain.devices import CatheterModel, PumpModel
from thecal.domain.dosing import PrimingBolus, priming_bolus
from thecal.domain.errors import Conflict, ValueOutOfRange
from thecal.domain.program import InfusionProgram
from thecal.domain.quantity_display import shown
from thecal.domain.tasks import Task, TaskKind, TaskPriority
from thecal.domain.trial.plan import spinal_level
from thecal.domain.units import Duration, Volume
from thecal.domain.users import Actor, Role

__all__ = ["DEFAULT_PRIMING_MONITORING", "ImplantInvalid", "ImplantRecord", "record_implant"]

#: How soon after the implant the supervised priming check is due. Clinic choice: S53 requires
#: supervision but gives no duration; respiratory monitoring 24–72 h after a start (clinical.md §11
#: rule 4, S3) is the upper bound a clinic might choose.
DEFAULT_PRIMING_MONITORING = Duration.hours(24)


class ImplantInvalid(Conflict):
    code = "THC-PATH-040"
    template = "implant record refused: {detail}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ImplantRecord:
    """One pump implant (identity: ``implant_id``). Build it with :func:`record_implant`."""

    implant_id: str
    patient_id: str
    performed_at: dt.datetime
    surgeon_id: str
    pump: PumpModel
    pump_serial: str
    catheter: CatheterModel
    catheter_length_cm: Decimal
    catheter_tip_level: str
    initial_fill: Admixture
    fill_volume: Volume
    priming: PrimingBolus
    initial_program: InfusionProgram
    monitoring_task: Task

    @property
    def catheter_dead_space(self) -> Volume:
        return self.priming.catheter_volume


def record_implant(
    *,
    implant_id: str,
    patient_id: str,
    surgeon: Actor,
    performed_at: dt.datetime,
    pump: PumpModel,
    pump_serial: str,
    catheter: CatheterModel,
    catheter_length_cm: Decimal,
    catheter_tip_level: str,
    initial_fill: Admixture,
    fill_volume: Volume,
    initial_program: InfusionProgram,
    monitoring_within: Duration = DEFAULT_PRIMING_MONITORING,
) -> ImplantRecord:
    """Record an implant, computing the priming bolus from the devices.

    Raises:
        ActorNotAllowed: the surgeon is not a physician.
        ValueOutOfRange: a non-positive catheter length or fill volume, a fill above the reservoir
            capacity, an implanted length above the catheter's supplied length, an invalid tip level.
        ImplantInvalid: the program is for another admixture than the fill.
    """
    require_role(surgeon, {Role.PHYSICIAN}, action="record a pump implant")
    require_aware(performed_at, name="implant time")
    if catheter_length_cm <= 0:
        raise ValueOutOfRange(
            name="implanted catheter length", expected="> 0 cm", value=catheter_length_cm
        )
    supplied = catheter.supplied_length_cm
    if supplied is not None and catheter_length_cm > supplied.value:
        raise ValueOutOfRange(
            name="implanted catheter length",
            expected=f"at most the supplied {supplied.value} cm ({supplied.cite()})",
            value=catheter_length_cm,
        )
    capacity = pump.reservoir.value
    if not Volume(Decimal(0)) < fill_volume <= capacity:
        raise ValueOutOfRange(
            name="initial fill volume",
            expected=f"> 0 mL and at most the {pump.name} reservoir {capacity} ({pump.reservoir.cite()})",
            value=fill_volume,
        )
    if initial_program.admixture != initial_fill:
        raise ImplantInvalid(
            detail=f"the program is for {initial_program.admixture.describe()} but the pump is filled with {initial_fill.describe()}"
        )
    priming = priming_bolus(
        catheter_volume=catheter.dead_space(catheter_length_cm),
        pump_internal_volume=pump.internal_volume.value,
    )
    task = Task(
        kind=TaskKind.POST_IMPLANT_MONITORING,
        subject=require_text(patient_id, name="patient id"),
        origin=require_text(implant_id, name="implant id"),
        due=performed_at + monitoring_within.to_timedelta(),
        not_before=performed_at,
        reason=(
            f"supervise the priming bolus of {shown(priming.volume)} (catheter "
            f"{shown(priming.catheter_volume)} + pump {shown(priming.pump_internal_volume)}) "
            "and monitor respiration"
        ),
        source="S53, S3, SR-14",
        priority=TaskPriority.URGENT,
    )
    return ImplantRecord(
        implant_id=implant_id.strip(),
        patient_id=patient_id.strip(),
        performed_at=performed_at,
        surgeon_id=surgeon.user_id,
        pump=pump,
        pump_serial=require_text(pump_serial, name="pump serial"),
        catheter=catheter,
        catheter_length_cm=catheter_length_cm,
        catheter_tip_level=spinal_level(catheter_tip_level),
        initial_fill=initial_fill,
        fill_volume=fill_volume,
        priming=priming,
        initial_program=initial_program,
        monitoring_task=task,
    )
