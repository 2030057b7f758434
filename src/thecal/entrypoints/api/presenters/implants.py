"""An implant request → the first fill, program and volume; the recorded implant → its API document."""

from __future__ import annotations

from thecal.domain.admixture import Admixture, Component
from thecal.domain.program import InfusionProgram, PatientBolusSettings
from thecal.domain.quantity_text import (
    parse_concentration,
    parse_dose_rate,
    parse_duration,
    parse_mass,
    parse_volume,
)
from thecal.domain.units import Volume, plain
from thecal.entrypoints.api.presenters.quantities import quantity
from thecal.entrypoints.api.schemas.implants import ImplantCreate, ImplantPublic
from thecal.services.pumps import ImplantResult

__all__ = [
    "implant_admixture",
    "implant_fill_volume",
    "implant_program",
    "implant_public",
]


def implant_admixture(body: ImplantCreate) -> Admixture:
    return Admixture(
        components=tuple(
            Component(
                drug_id=c.drug_id,
                concentration=quantity(
                    parse_concentration,
                    c.concentration,
                    where=f"body.admixture.{i}.concentration",
                ),
            )
            for i, c in enumerate(body.admixture)
        )
    )


def implant_program(body: ImplantCreate, admixture: Admixture) -> InfusionProgram:
    bolus = body.patient_bolus
    return InfusionProgram.continuous(
        admixture,
        quantity(parse_dose_rate, body.daily_dose, where="body.daily_dose"),
        patient_bolus=None
        if bolus is None
        else PatientBolusSettings(
            dose=quantity(parse_mass, bolus.dose, where="body.patient_bolus.dose"),
            duration=quantity(parse_duration, bolus.duration, where="body.patient_bolus.duration"),
            lockout=quantity(parse_duration, bolus.lockout, where="body.patient_bolus.lockout"),
            max_per_day=bolus.max_per_day,
        ),
    )


def implant_fill_volume(body: ImplantCreate) -> Volume:
    return quantity(parse_volume, body.fill_volume, where="body.fill_volume")


def implant_public(result: ImplantResult) -> ImplantPublic:
    pump, record = result.pump, result.implant
    return ImplantPublic(
        pump_id=pump.id,
        implant_id=record.implant_id,
        patient_id=pump.patient_id,
        pump_model_id=pump.model_id,
        serial=pump.serial,
        implanted_at=pump.implanted_at,
        catheter_model_id=pump.catheter_model_id,
        catheter_length_cm=plain(pump.catheter_length_cm),
        catheter_tip_level=pump.catheter_tip_level,
        admixture=pump.admixture.describe(),
        fill_volume_ml=plain(pump.reservoir_volume.ml),
        daily_dose_mcg_per_day=plain(pump.program.basal_daily_dose.mcg_per_day),
        priming_volume_ml=plain(result.priming_volume.ml),
        program_ack=result.program_ack.value,
        pump_version=pump.version,
    )
