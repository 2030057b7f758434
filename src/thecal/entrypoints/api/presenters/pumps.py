"""Pumps, their programs and interrogations → API documents. Nothing here decides anything clinical."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from thecal.domain.admixture import Admixture
from thecal.domain.device_events import DeviceEvent
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import (
    program_parameters,
)
from thecal.domain.quantity_display import in_drug_unit
from thecal.domain.reservoir import reservoir_gap_exceeds
from thecal.domain.units import DoseRate, plain
from thecal.entrypoints.api.presenters.quantities import estimate_ml_text, flow_text, ml_text
from thecal.entrypoints.api.presenters.refills import plan_fields
from thecal.entrypoints.api.schemas.pumps import (
    ActiveAlarmPublic,
    ComponentPublic,
    DeviceEventPublic,
    DoseAtGlancePublic,
    DosePointPublic,
    InterrogationPublic,
    LastRefillPublic,
    PatientBolusPublic,
    ProgramPublic,
    PumpPublic,
    PumpSummaryPublic,
    ReservoirAnchorPublic,
    ReservoirPointPublic,
    ReservoirReadingPublic,
    ResolvedChangePublic,
)
from thecal.services.device import Interrogation
from thecal.services.pump_glance import LastRefill
from thecal.services.pump_reads import PumpOverview
from thecal.services.pump_record import Pump
from thecal.services.repositories.device_log import LoggedDeviceEvent

__all__ = [
    "components_public",
    "interrogation_public",
    "program_public",
    "pump_public",
    "pump_summary",
]


def components_public(admixture: Admixture) -> list[ComponentPublic]:
    return [
        ComponentPublic(drug=c.drug_id, concentration=in_drug_unit(c.concentration, c.drug_id))
        for c in admixture.components
    ]


def program_public(program: InfusionProgram) -> ProgramPublic:
    bolus = program.patient_bolus
    primary = program.admixture.primary.drug_id
    return ProgramPublic(
        mode=program.mode.value,
        admixture=components_public(program.admixture),
        daily_dose=in_drug_unit(program.basal_daily_dose, primary),
        flow=flow_text(program.basal_flow),
        patient_bolus=None
        if bolus is None
        else PatientBolusPublic(
            dose=in_drug_unit(bolus.dose, primary),
            duration=str(bolus.duration),
            lockout=str(bolus.lockout),
            max_per_day=bolus.max_per_day,
        ),
        low_reservoir_alarm_ml=ml_text(program.low_reservoir_alarm),
        parameters=[[name, text] for name, text in program_parameters(program)],
    )


def _event(event: LoggedDeviceEvent | DeviceEvent) -> DeviceEventPublic:
    return DeviceEventPublic(
        at=event.at,
        code=event.code,
        detail=event.detail,
        priority=event.priority.value if event.priority is not None else None,
    )


def pump_summary(pump: Pump) -> PumpSummaryPublic:
    return PumpSummaryPublic(
        id=pump.id,
        patient_id=pump.patient_id,
        model_id=pump.model_id,
        serial=pump.serial,
        implanted_at=pump.implanted_at,
        state=pump.state.value,
        version=pump.version,
    )


def _reading(pump: Pump) -> ReservoirReadingPublic | None:
    reading = pump.reservoir_reading
    if reading is None:
        return None
    model = reference_library().pump(pump.model_id)
    band = model.accuracy_band_pct.value
    stroke = model.stroke_volume.value if model.stroke_volume is not None else None
    return ReservoirReadingPublic(
        at=reading.at,
        pump_count_ml=estimate_ml_text(reading.pump_count),
        by_record_ml=estimate_ml_text(reading.by_record),
        delivered_ml=estimate_ml_text(reading.delivered),
        gap_ml=estimate_ml_text(reading.gap),
        band_pct=plain(band),
        beyond_band=not pump.emptied and reservoir_gap_exceeds(reading, band, resolution=stroke),
    )


#: An adjuvant's dose is flow × concentration, the flow itself a division: rounded to 1 ng/day.
DOSE_STEP_MCG = Decimal("0.001")


def _dose_text(rate: DoseRate, drug_id: str) -> str:
    """The daily dose of ``drug_id`` rounded to :data:`DOSE_STEP_MCG`, in the drug's unit."""
    rounded = DoseRate(rate.mcg_per_day.quantize(DOSE_STEP_MCG, rounding=ROUND_HALF_EVEN))
    return in_drug_unit(rounded, drug_id)


def _last_refill(last: LastRefill | None) -> LastRefillPublic | None:
    if last is None:
        return None
    rec = last.reconciliation
    return LastRefillPublic(
        id=last.refill_id,
        completed_at=last.completed_at,
        filled_ml=plain(last.filled.ml),
        expected_residual_ml=estimate_ml_text(rec.expected_residual) if rec else None,
        withdrawn_residual_ml=estimate_ml_text(rec.measured_residual) if rec else None,
        discrepancy_ml=estimate_ml_text(rec.discrepancy) if rec else None,
        verdict=rec.verdict.value if rec else None,
    )


def pump_public(overview: PumpOverview) -> PumpPublic:
    pump = overview.pump
    anchor = overview.reservoir.anchor
    glance = overview.glance
    return PumpPublic(
        id=pump.id,
        patient_id=pump.patient_id,
        model_id=pump.model_id,
        serial=pump.serial,
        implanted_at=pump.implanted_at,
        catheter_model_id=pump.catheter_model_id,
        catheter_length_cm=plain(pump.catheter_length_cm),
        catheter_tip_level=pump.catheter_tip_level,
        admixture=components_public(pump.admixture),
        program=program_public(pump.program),
        program_since=pump.program_since,
        program_effective_from=pump.effective_from,
        last_fill_volume_ml=plain(pump.reservoir_volume.ml),
        last_filled_at=pump.last_filled_at,
        reservoir_estimate_ml=estimate_ml_text(overview.reservoir.volume),
        reservoir_estimate_at=overview.reservoir.at,
        reservoir_anchor=ReservoirAnchorPublic(
            source=anchor.source.value, volume_ml=estimate_ml_text(anchor.volume), at=anchor.at
        ),
        reservoir_notes=list(overview.reservoir.notes),
        last_reading=_reading(pump),
        next_refill_due=pump.next_refill_due,
        **plan_fields(overview.plan),
        low_reservoir_alarm_at=overview.plan.alarm_at if overview.plan else None,
        reservoir_empty_at=overview.empty_at,
        alarms=[_event(e) for e in overview.alarms],
        patient_name=glance.patient_name,
        patient_mrn=glance.mrn,
        patient_birth_date=glance.birth_date,
        doses=[
            DoseAtGlancePublic(
                drug=d.drug_id,
                concentration=in_drug_unit(d.concentration, d.drug_id),
                daily_dose=_dose_text(d.daily_dose, d.drug_id),
                worst_case_daily_dose=_dose_text(d.worst_case_daily_dose, d.drug_id),
            )
            for d in glance.doses
        ],
        flow=flow_text(glance.flow),
        worst_case_flow=flow_text(glance.worst_case_flow),
        last_interrogated_at=glance.last_interrogated_at,
        active_alarms=[
            ActiveAlarmPublic(
                code=a.code, priority=a.priority.value, since=a.since, reported_at=a.reported_at
            )
            for a in glance.active_alarms
        ],
        battery=glance.battery.value if glance.battery else None,
        eri_at=glance.eri_at,
        end_of_service_at=glance.end_of_service_at,
        eri_reported_at=glance.eri_reported.reported_at if glance.eri_reported else None,
        end_of_service_reported_at=glance.end_of_service_reported.reported_at
        if glance.end_of_service_reported
        else None,
        catheter_dead_space_ml=plain(glance.catheter_dead_space.ml),
        catheter_dead_space_confirmed=glance.catheter_dead_space_confirmed,
        last_refill=_last_refill(glance.last_refill),
        pending_changes=glance.pending_changes,
        reservoir_history=[
            ReservoirPointPublic(at=p.at, volume_ml=estimate_ml_text(p.volume), kind=p.kind.value)
            for p in glance.reservoir_points
        ],
        dose_history=[
            DosePointPublic(
                at=p.at,
                daily_dose=_dose_text(
                    p.daily_dose, p.by_drug[0][0] if p.by_drug else pump.admixture.primary.drug_id
                ),
            )
            for p in glance.dose_points
        ],
        state=pump.state.value,
        version=pump.version,
    )


def interrogation_public(result: Interrogation) -> InterrogationPublic:
    snap = result.snapshot
    return InterrogationPublic(
        pump_id=result.pump.id,
        serial=snap.serial,
        at=snap.at,
        program=program_public(snap.program) if snap.program is not None else None,
        reservoir_estimate_ml=estimate_ml_text(snap.reservoir_estimate),
        delivered_since_refill_ml=estimate_ml_text(snap.delivered_since_refill),
        low_reservoir_alarm_ml=estimate_ml_text(snap.low_reservoir_alarm),
        delivering=snap.delivering,
        alarms=[[code, priority.value] for code, priority in snap.alarms],
        battery=snap.battery.value,
        eri_at=snap.eri_at,
        end_of_service_at=snap.end_of_service_at,
        events=[_event(e) for e in snap.events],
        patient_boluses=[
            DeviceEventPublic(
                at=b.at,
                code="patient-bolus-granted" if b.granted else "patient-bolus-refused",
                detail=b.reason + (" (uncertain)" if b.uncertain else ""),
                priority=None,
            )
            for b in snap.patient_boluses
        ],
        resolved_changes=[
            ResolvedChangePublic(id=c.change_id, state=c.state.value) for c in result.resolved
        ],
        pump_version=result.pump.version,
    )
