"""Device-side request bodies → domain values, and domain objects → API DTOs.

Quantities are read with the strict parser; a refusal keeps its own code (``THC-QTY-*``) and
names the field (``fields.where``). Nothing here decides anything clinical.
"""

from __future__ import annotations

from collections.abc import Iterable

from thecal.domain.admixture import Admixture, Component
from thecal.domain.device_events import DeviceEvent
from thecal.domain.errors import RequestInvalid
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import (
    FindingSeverity,
    FindingSummary,
    ProgramChange,
    Signature,
    program_parameters,
)
from thecal.domain.quantity_text import parse_concentration, parse_dose_rate, parse_volume
from thecal.domain.refill import PharmacyLabel, PocketFillChecklist, Refill
from thecal.domain.units import Volume, plain
from thecal.entrypoints.api.presenters import finding_public, quantity
from thecal.entrypoints.api.schemas_device import (
    ComponentPublic,
    DeviceEventPublic,
    DiffEntryPublic,
    FindingPublic,
    InterrogationPublic,
    OverrideIn,
    PatientBolusPublic,
    PharmacyVerificationCreate,
    PharmacyVerificationPublic,
    PocketFillChecklistIn,
    ProgramChangePublic,
    ProgramPublic,
    PumpPublic,
    PumpSummaryPublic,
    RefillPublic,
    ResolvedChangePublic,
    SignaturePublic,
)
from thecal.services.device import Interrogation
from thecal.services.pump_reads import PumpOverview
from thecal.services.pump_record import Pump
from thecal.services.refills import RefillOutcome
from thecal.services.repositories.device_log import LoggedDeviceEvent
from thecal.services.repositories.pharmacy import PharmacyVerification

__all__ = [
    "change_public",
    "checklist_of",
    "continuous_program",
    "idempotency_key",
    "interrogation_public",
    "label_of",
    "program_public",
    "pump_public",
    "pump_summary",
    "refill_public",
    "verification_public",
]

SEVERITY_ORDER = (
    FindingSeverity.BLOCK,
    FindingSeverity.OVERRIDE,
    FindingSeverity.WARN,
    FindingSeverity.INFO,
)


def idempotency_key(header: str | None, body: str | None) -> str:
    """The request's idempotency key: the header or the body field (the same if both).

    Raises:
        RequestInvalid: neither given, or two different keys.
    """
    if header is not None and body is not None and header != body:
        raise RequestInvalid(
            where="Idempotency-Key", detail="differs from the body's idempotency_key"
        )
    key = header if header is not None else body
    if key is None:
        raise RequestInvalid(
            where="Idempotency-Key",
            detail="send an Idempotency-Key header (or idempotency_key) so a retry is safe",
        )
    return key


def continuous_program(current: InfusionProgram, daily_dose_text: str) -> InfusionProgram:
    """The current program with a new continuous daily dose (same admixture, bolus, alarm)."""
    return InfusionProgram.continuous(
        current.admixture,
        quantity(parse_dose_rate, daily_dose_text, where="daily_dose"),
        patient_bolus=current.patient_bolus,
        low_reservoir_alarm=current.low_reservoir_alarm,
    )


def label_of(body: PharmacyVerificationCreate) -> PharmacyLabel:
    components = tuple(
        Component(
            drug_id=c.drug.strip(),
            concentration=quantity(
                parse_concentration, c.concentration, where=f"drugs.{i}.concentration"
            ),
        )
        for i, c in enumerate(body.drugs)
    )
    return PharmacyLabel(
        admixture=Admixture(components=components),
        volume=quantity(parse_volume, body.volume, where="volume"),
        lot=body.lot,
        beyond_use=body.beyond_use,
    )


def checklist_of(body: PocketFillChecklistIn) -> PocketFillChecklist:
    return PocketFillChecklist(
        needle_placement_confirmed=body.needle_placement_confirmed,
        aspiration_positive=body.aspiration_positive,
        no_pocket_swelling_or_pain=body.no_pocket_swelling_or_pain,
        observed_for_overdose_symptoms=body.observed_for_overdose_symptoms,
    )


# ----------------------------------------------------------------------------- answers


def _ml(volume: Volume | None) -> str | None:
    return None if volume is None else plain(volume.ml)


def _components(admixture: Admixture) -> list[ComponentPublic]:
    return [
        ComponentPublic(drug=c.drug_id, concentration=str(c.concentration))
        for c in admixture.components
    ]


def program_public(program: InfusionProgram) -> ProgramPublic:
    bolus = program.patient_bolus
    return ProgramPublic(
        mode=program.mode.value,
        admixture=_components(program.admixture),
        daily_dose=str(program.basal_daily_dose),
        flow=str(program.basal_flow),
        patient_bolus=None
        if bolus is None
        else PatientBolusPublic(
            dose=str(bolus.dose),
            duration=str(bolus.duration),
            lockout=str(bolus.lockout),
            max_per_day=bolus.max_per_day,
        ),
        low_reservoir_alarm_ml=_ml(program.low_reservoir_alarm),
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


def pump_public(overview: PumpOverview) -> PumpPublic:
    pump = overview.pump
    return PumpPublic(
        id=pump.id,
        patient_id=pump.patient_id,
        model_id=pump.model_id,
        serial=pump.serial,
        implanted_at=pump.implanted_at,
        catheter_model_id=pump.catheter_model_id,
        catheter_length_cm=plain(pump.catheter_length_cm),
        catheter_tip_level=pump.catheter_tip_level,
        admixture=_components(pump.admixture),
        program=program_public(pump.program),
        program_since=pump.program_since,
        last_fill_volume_ml=plain(pump.reservoir_volume.ml),
        last_filled_at=pump.last_filled_at,
        reservoir_estimate_ml=plain(overview.reservoir_by_record.ml),
        reservoir_estimate_at=overview.at,
        next_refill_due=pump.next_refill_due,
        alarms=[_event(e) for e in overview.alarms],
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
        reservoir_estimate_ml=plain(snap.reservoir_estimate.ml),
        delivered_since_refill_ml=plain(snap.delivered_since_refill.ml),
        low_reservoir_alarm_ml=plain(snap.low_reservoir_alarm.ml),
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


def _findings(findings: Iterable[FindingSummary]) -> list[FindingPublic]:
    ordered = sorted(findings, key=lambda f: SEVERITY_ORDER.index(f.severity))
    return [finding_public(f) for f in ordered]


def _signature(signature: Signature | None) -> SignaturePublic | None:
    if signature is None:
        return None
    return SignaturePublic(user_id=signature.user_id, role=signature.role.value, at=signature.at)


def change_public(change: ProgramChange) -> ProgramChangePublic:
    return ProgramChangePublic(
        id=change.change_id,
        patient_id=change.patient_id,
        state=change.state.value,
        version=change.version,
        proposed_by=change.proposed_by,
        proposed_at=change.history[0].at,
        rationale=change.rationale,
        diff=[
            DiffEntryPublic(parameter=e.parameter, old=e.old, new=e.new, changed=e.changed)
            for e in change.diff.entries
        ],
        diff_digest=change.diff.digest,
        findings=_findings(change.findings),
        signature=_signature(change.signature),
        co_signature=_signature(change.co_signature),
        overrides=[
            OverrideIn(finding_code=o.finding_code, reason=o.reason, text=o.text)
            for o in change.overrides
        ],
        send_outcomes=[o.value for o in change.send_outcomes],
    )


def verification_public(verification: PharmacyVerification) -> PharmacyVerificationPublic:
    label = verification.label
    return PharmacyVerificationPublic(
        id=verification.id,
        pump_id=verification.pump_id,
        patient_id=verification.patient_id,
        drugs=_components(label.admixture),
        volume_ml=plain(label.volume.ml),
        lot=label.lot,
        beyond_use=label.beyond_use,
        verified_by=verification.verified_by,
        verified_at=verification.verified_at,
        used_by_refill_id=verification.used_by_refill_id,
    )


def refill_public(
    refill: Refill,
    findings: Iterable[FindingSummary],
    *,
    pump_id: str,
    replayed: bool = False,
) -> RefillPublic:
    rec = refill.reconciliation
    return RefillPublic(
        id=refill.refill_id,
        pump_id=pump_id,
        patient_id=refill.patient_id,
        state=refill.state.value,
        replayed=replayed,
        ordered_volume_ml=plain(refill.ordered_volume.ml),
        expected_residual_ml=_ml(rec.expected_residual if rec else refill.expected_residual),
        withdrawn_residual_ml=_ml(rec.measured_residual if rec else None),
        discrepancy_ml=_ml(rec.discrepancy) if rec else None,
        discrepancy_threshold_ml=_ml(rec.threshold) if rec else None,
        verdict=rec.verdict.value if rec else None,
        possible_causes=[c.value for c in rec.possible_causes] if rec else [],
        findings=_findings(findings),
        reservoir_volume_ml=_ml(refill.reservoir_volume),
        next_refill_due=refill.plan.due if refill.plan else None,
        halt_reason=refill.halt_reason,
        version=refill.version,
    )


def refill_outcome_public(outcome: RefillOutcome, *, pump_id: str) -> RefillPublic:
    return refill_public(
        outcome.refill, outcome.findings, pump_id=pump_id, replayed=outcome.replayed
    )
