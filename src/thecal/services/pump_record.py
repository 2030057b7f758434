"""The implanted pump as the clinic records it: the ``Pump`` aggregate (identity ``id``, ``version``).

It holds what the clinic knows about one implanted pump: the patient, model, serial, implant
date, catheter (model, implanted length, tip level), the admixture in the reservoir and the volume
of the last fill, the program the pump was last confirmed to run, the next refill date and a
status. Physical truth lives behind the pump driver (the twin); this record is the clinic's side.

Every change goes through a method that checks the caller's ``expected_version`` (what the screen
showed) and bumps ``version`` (optimistic locking, SR-24), so two refills or program changes that
both started from version *n* cannot both land.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from thecal.domain.admixture import Admixture
from thecal.domain.errors import Conflict, NotFound
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram
from thecal.domain.reservoir import (
    AnchorSource,
    ProgramSpan,
    ReservoirAnchor,
    ReservoirReading,
    SpanBasis,
)
from thecal.domain.units import Volume

__all__ = ["Pump", "PumpNotFound", "PumpState", "StalePumpVersion"]


class PumpNotFound(NotFound):
    code = "THC-PUMP-001"
    template = "pump {ident} not found"


class StalePumpVersion(Conflict):
    code = "THC-PUMP-002"
    template = (
        "pump {ident} is at version {current}, not {expected}: someone else changed it "
        "(another refill or program change); reload and start again"
    )


NO_VOLUME = Volume(Decimal(0))


class PumpState(StrEnum):
    ACTIVE = "active"
    EXPLANTED = "explanted"
    TRANSFERRED = "transferred"  # in another clinic's care (a transfer of care out)
    DISCONTINUED = "discontinued"  # implanted, delivery ended for good: emptied, never refilled


@dataclass(eq=False, kw_only=True)
class Pump:
    """One implanted pump. Compare by ``id``."""

    id: str
    patient_id: str
    model_id: str
    serial: str
    implant_id: str
    implanted_at: dt.datetime
    catheter_model_id: str
    catheter_length_cm: Decimal
    catheter_tip_level: str
    admixture: Admixture
    reservoir_volume: Volume  # the volume put in at the last fill (implant or refill)
    last_filled_at: dt.datetime
    program: InfusionProgram  # the program last confirmed on the pump
    program_since: dt.datetime  # when it was confirmed (the last dose change, for titration)
    next_refill_due: dt.datetime | None = None
    state: PumpState = PumpState.ACTIVE
    rng_seed: int = 0  # the twin's seed (deterministic replay of the pump's physics)
    version: int = 1
    #: When the pump started running ``program`` (its send), distinct from ``program_since``
    #: (the interrogation that confirmed it); None on records from before revision 0019.
    program_effective_from: dt.datetime | None = None
    #: Programs written to the pump since the last interrogation, not yet confirmed (issue 18).
    sent_programs: tuple[ProgramSpan, ...] = ()
    #: The last interrogation's count beside the record's estimate just before it.
    reservoir_reading: ReservoirReading | None = None
    #: A one-off volume the pump delivered from the reservoir right after the last fill (the
    #: implant's priming bolus of the pump path and catheter dead space, S53); 0 mL after a refill.
    fill_bolus: Volume = NO_VOLUME

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pump) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def check_version(self, expected_version: int) -> None:
        """Raise :class:`StalePumpVersion` unless the caller saw the current version."""
        if expected_version != self.version:
            raise StalePumpVersion(ident=self.id, current=self.version, expected=expected_version)

    @property
    def effective_from(self) -> dt.datetime:
        """When the pump started running the recorded program (its send; else its confirmation)."""
        return self.program_effective_from or self.program_since

    @property
    def emptied(self) -> bool:
        """The reservoir was emptied through the port and nothing put back (0 mL on the record)."""
        return self.reservoir_volume.value <= 0

    @property
    def reservoir_anchor(self) -> ReservoirAnchor:
        """The last fill, or the pump's own count at the last interrogation after it."""
        reading = self.reservoir_reading
        # a refill reads, then fills (same instant): the fill is the anchor. After an emptying
        # (0 mL on the record) the pump's count is its belief from before the withdrawal — not
        # reset until the next fill — so it never re-anchors an emptied reservoir.
        if reading is not None and reading.at > self.last_filled_at and not self.emptied:
            return ReservoirAnchor(
                volume=reading.pump_count, at=reading.at, source=AnchorSource.INTERROGATION
            )
        return ReservoirAnchor(
            volume=self.reservoir_volume,
            at=self.last_filled_at,
            source=AnchorSource.FILL,
            priming=min(self.fill_bolus, self.reservoir_volume),
            priming_flow=reference_library().pump(self.model_id).max_flow.value,  # S53
        )

    @property
    def program_spans(self) -> tuple[ProgramSpan, ...]:
        """The recorded program from its start, then every program sent and not yet settled."""
        confirmed = ProgramSpan(
            since=self.effective_from, program=self.program, basis=SpanBasis.CONFIRMED
        )
        return (confirmed, *self.sent_programs)

    def record_program(
        self,
        program: InfusionProgram,
        *,
        at: dt.datetime,
        effective_from: dt.datetime | None = None,
    ) -> None:
        """The pump is now proven (by interrogation at ``at``) to run ``program``, which it has
        run since ``effective_from`` (its send)."""
        self.program, self.program_since = program, at
        self.program_effective_from = effective_from or at
        self.version += 1

    def record_send(self, program: InfusionProgram, *, at: dt.datetime, acknowledged: bool) -> None:
        """``program`` was written to the pump at ``at`` (acknowledged, or with an uncertain result)."""
        basis = SpanBasis.SENT_ACKNOWLEDGED if acknowledged else SpanBasis.SENT_UNCERTAIN
        self.sent_programs = (
            *self.sent_programs,
            ProgramSpan(since=at, program=program, basis=basis),
        )
        self.version += 1

    def record_reading(self, reading: ReservoirReading) -> None:
        """An interrogation read the pump's count: the estimate re-anchors to it, and every send
        before it is settled (confirmed onto ``program`` or known not to have run)."""
        self.reservoir_reading = reading
        self.sent_programs = ()
        self.version += 1

    def record_fill(
        self,
        *,
        admixture: Admixture,
        volume: Volume,
        at: dt.datetime,
        next_refill_due: dt.datetime | None,
    ) -> None:
        """A refill put ``volume`` of ``admixture`` in the reservoir at ``at``."""
        self.admixture, self.reservoir_volume, self.last_filled_at = admixture, volume, at
        self.fill_bolus = Volume(Decimal(0))
        self.next_refill_due = next_refill_due
        self.version += 1

    def record_emptied(self, *, at: dt.datetime) -> None:
        """The reservoir was emptied through the port at ``at`` and nothing was put back.

        From now on the record holds 0 mL (so the next refill expects no residual and the worklist
        shows the pump as due for a refill at once), not the last fill minus what was pumped.
        """
        self.reservoir_volume, self.last_filled_at = Volume.from_ml(0), at
        self.fill_bolus = Volume(Decimal(0))
        self.next_refill_due = at
        self.version += 1

    def record_explanted(self, *, at: dt.datetime) -> None:
        """The pump came out at ``at`` (emptied first): no refill is due, nothing is projected."""
        self.reservoir_volume, self.last_filled_at = Volume.from_ml(0), at
        self.fill_bolus = Volume(Decimal(0))
        self.next_refill_due = None
        self.sent_programs = ()
        self.state = PumpState.EXPLANTED
        self.version += 1

    def record_catheter(self, *, model_id: str, length_cm: Decimal, tip_level: str) -> None:
        """A catheter revision put ``model_id`` in, ``length_cm`` implanted, tip at ``tip_level``."""
        self.catheter_model_id, self.catheter_length_cm = model_id, length_cm
        self.catheter_tip_level = tip_level
        self.version += 1

    def record_care(self, state: PumpState) -> None:
        """The pump's care changed (a transfer out: ``TRANSFERRED``; back: ``ACTIVE``; therapy
        ended: ``DISCONTINUED``). Only an active pump has a refill due."""
        self.state = state
        if state is not PumpState.ACTIVE:
            self.next_refill_due = None
        self.version += 1

    def touch(self) -> None:
        """A state change of the pump's procedures that changes no field (a refill started)."""
        self.version += 1
