"""The implant record repository: written once, read back whole (the row conversion is here)."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import insert

from thecal.adapters.program_codec import (
    canonical_json,
    decode_admixture,
    decode_program,
    encode_admixture,
    encode_program,
)
from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.tasks import (
    task_from_dict,
    task_to_dict,
)
from thecal.adapters.sql.repositories.versioned import one_row
from thecal.adapters.sql.tables.implants import implants
from thecal.domain.dosing import PrimingBolus
from thecal.domain.implant import ImplantRecord
from thecal.domain.library import reference_library
from thecal.domain.units import Volume
from thecal.services.repositories.implants import ImplantRepository

__all__ = [
    "SqlAlchemyImplantRepository",
]


class SqlAlchemyImplantRepository(ImplantRepository):
    def __init__(self, session: Executor) -> None:
        self._s = session

    def add(self, record: ImplantRecord, *, pump_id: str) -> None:
        self._s.execute(
            insert(implants).values(
                id=record.implant_id,
                patient_id=record.patient_id,
                pump_id=pump_id,
                performed_at=record.performed_at,
                surgeon_id=record.surgeon_id,
                pump_model_id=record.pump.id,
                pump_serial=record.pump_serial,
                catheter_model_id=record.catheter.id,
                catheter_length_cm=record.catheter_length_cm,
                catheter_tip_level=record.catheter_tip_level,
                initial_fill_json=encode_admixture(record.initial_fill),
                fill_volume_ml=record.fill_volume.value,
                catheter_dead_space_ml=record.priming.catheter_volume.value,
                pump_internal_volume_ml=record.priming.pump_internal_volume.value,
                priming_volume_ml=record.priming.volume.value,
                initial_program_json=encode_program(record.initial_program),
                monitoring_task_json=canonical_json(task_to_dict(record.monitoring_task)),
            )
        )

    def get(self, implant_id: str) -> ImplantRecord | None:
        row = one_row(self._s, implants, implants.c.id == implant_id)
        if row is None:
            return None
        library = reference_library()
        return ImplantRecord(
            implant_id=row["id"],
            patient_id=row["patient_id"],
            performed_at=row["performed_at"],
            surgeon_id=row["surgeon_id"],
            pump=library.pump(row["pump_model_id"]),
            pump_serial=row["pump_serial"],
            catheter=library.catheter(row["catheter_model_id"]),
            catheter_length_cm=Decimal(row["catheter_length_cm"]),
            catheter_tip_level=row["catheter_tip_level"],
            initial_fill=decode_admixture(row["initial_fill_json"]),
            fill_volume=Volume(Decimal(row["fill_volume_ml"])),
            priming=PrimingBolus(
                catheter_volume=Volume(Decimal(row["catheter_dead_space_ml"])),
                pump_internal_volume=Volume(Decimal(row["pump_internal_volume_ml"])),
            ),
            initial_program=decode_program(row["initial_program_json"]),
            monitoring_task=task_from_dict(json.loads(row["monitoring_task_json"])),
        )
