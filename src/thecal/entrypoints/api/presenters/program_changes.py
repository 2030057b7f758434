"""A proposed daily dose → the new program, and a program change → its API document."""

from __future__ import annotations

from collections.abc import Iterable

from thecal.domain.actors import Transition
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import (
    ProgramChange,
    Signature,
)
from thecal.domain.program_entry import BolusEntry, PatientBolusEntry, ProgramEntry
from thecal.domain.quantity_text import (
    parse_dose_rate,
    parse_volume,
)
from thecal.entrypoints.api.presenters.findings import findings_public
from thecal.entrypoints.api.presenters.quantities import quantity
from thecal.entrypoints.api.schemas.findings import OverrideIn
from thecal.entrypoints.api.schemas.program_changes import (
    ClinicianBolusIn,
    DiffEntryPublic,
    ProgramChangeCreate,
    ProgramChangePublic,
    SignaturePublic,
    TransitionPublic,
)

__all__ = [
    "change_public",
    "continuous_program",
    "history_public",
    "program_entry",
]


def continuous_program(current: InfusionProgram, daily_dose_text: str) -> InfusionProgram:
    """The current program with a new continuous daily dose (same admixture, bolus, alarm)."""
    return InfusionProgram.continuous(
        current.admixture,
        quantity(parse_dose_rate, daily_dose_text, where="daily_dose"),
        patient_bolus=current.patient_bolus,
        low_reservoir_alarm=current.low_reservoir_alarm,
    )


def _clinician_bolus(bolus: ClinicianBolusIn | None) -> BolusEntry | None:
    if bolus is None:
        return None
    return BolusEntry(
        dose=bolus.dose,
        duration=bolus.duration,
        every=bolus.every or "",
        first_after=bolus.first_after or "",
    )


def program_entry(body: ProgramChangeCreate) -> ProgramEntry:
    """The proposal body as the program editor's fields (read by ``program_from_entry``); a
    daily dose or alarm the strict parser refuses names its field in ``where``."""
    if body.daily_dose:
        quantity(parse_dose_rate, body.daily_dose, where="daily_dose")
    if body.low_reservoir_alarm:
        quantity(parse_volume, body.low_reservoir_alarm, where="low_reservoir_alarm")
    bolus = body.patient_bolus
    return ProgramEntry(
        daily_dose=body.daily_dose or "",
        steps=tuple(body.steps),
        periodic_bolus=_clinician_bolus(body.periodic_bolus),
        single_bolus=_clinician_bolus(body.single_bolus),
        patient_bolus=PatientBolusEntry(
            dose=bolus.dose,
            duration=bolus.duration,
            lockout=bolus.lockout,
            max_per_day=str(bolus.max_per_day),
        )
        if bolus is not None
        else None,
        patient_bolus_off=body.patient_bolus_off,
        low_reservoir_alarm=body.low_reservoir_alarm or "",
    )


def history_public(history: Iterable[Transition]) -> list[TransitionPublic]:
    return [
        TransitionPublic(
            action=t.action,
            from_state=t.from_state,
            to_state=t.to_state,
            user_id=t.user_id,
            at=t.at,
            version=t.version,
        )
        for t in history
    ]


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
        proposed_at=change.proposed_at,
        signed_at=change.signed_at,
        co_signed_at=change.co_signed_at,
        sent_at=change.sent_at,
        acknowledged_at=change.acknowledged_at,
        confirmed_at=change.confirmed_at,
        effective_from=change.sent_at if change.confirmed_at is not None else None,
        history=history_public(change.history),
        rationale=change.rationale,
        kind=change.kind.value,
        diff=[
            DiffEntryPublic(parameter=e.parameter, old=e.old, new=e.new, changed=e.changed)
            for e in change.diff.entries
        ],
        diff_digest=change.diff.digest,
        findings=findings_public(change.findings),
        signature=_signature(change.signature),
        co_signature=_signature(change.co_signature),
        overrides=[
            OverrideIn(finding_code=o.finding_code, reason=o.reason, text=o.text)
            for o in change.overrides
        ],
        send_outcomes=[o.value for o in change.send_outcomes],
    )
