"""The implant record port: written once (a correction is a new procedure record)."""

from __future__ import annotations

import abc

from thecal.domain.implant import ImplantRecord

__all__ = [
    "ImplantRepository",
]


class ImplantRepository(abc.ABC):
    """Implant records are written once (a correction is a new procedure record)."""

    @abc.abstractmethod
    def add(self, record: ImplantRecord, *, pump_id: str) -> None: ...

    @abc.abstractmethod
    def get(self, implant_id: str) -> ImplantRecord | None: ...
