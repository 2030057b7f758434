"""The clinic's record of an event in a pump's life (issue 12 §3): written once, never changed.

A pump replacement, a catheter revision, an explant without replacement, the end of a drug's
delivery, an interruption of delivery and its restart, and a transfer of care each leave one
:class:`DeviceEventRecord` on the pump they concern. Its ``facts`` are the event's numbers and
decisions as the clinician saw them, with their units in the key (``priming_volume_ml``) and the
drug amounts in each drug's own unit, so the record, the audit entry, the FHIR export and the page
all say the same thing. The rules behind the facts live in ``pump_replacement``,
``catheter_revision``, ``therapy_discontinuation`` and ``interruption``.

Errors of the device events: THC-PATH-060 (the new model cannot carry the therapy over), 061 (a
withdrawal plan is required), 062…066 and 068 below, 067 (an event not found).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from thecal.domain.errors import Conflict
from thecal.domain.program import InfusionProgram

__all__ = [
    "CatheterNotPatent",
    "DeliveryAlreadySuspended",
    "DeliveryNotSuspended",
    "DeviceEventKind",
    "DeviceEventRecord",
    "PumpOutOfCare",
    "RestartAwaitingSignatures",
    "RestartOverrideMissing",
    "SamePumpSerial",
]


class DeviceEventKind(Enum):
    PUMP_REPLACEMENT = "pump-replacement"
    CATHETER_REVISION = "catheter-revision"
    EXPLANT = "explant"  # the pump comes out, no pump replaces it
    THERAPY_STOPPED = "therapy-stopped"  # the pump stays, delivery ends for good
    INTERRUPTION = "interruption"  # delivery suspended, to be restarted
    RESTART = "restart"
    TRANSFER_OUT = "transfer-out"  # the patient's care leaves for another clinic
    TRANSFER_IN = "transfer-in"  # the patient's care arrives from another clinic

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    DeviceEventKind.PUMP_REPLACEMENT: "Pump replacement",
    DeviceEventKind.CATHETER_REVISION: "Catheter revision",
    DeviceEventKind.EXPLANT: "Explant without replacement",
    DeviceEventKind.THERAPY_STOPPED: "Therapy discontinued",
    DeviceEventKind.INTERRUPTION: "Delivery interrupted",
    DeviceEventKind.RESTART: "Delivery restarted",
    DeviceEventKind.TRANSFER_OUT: "Care transferred to another clinic",
    DeviceEventKind.TRANSFER_IN: "Care transferred from another clinic",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceEventRecord:
    """One event in the life of ``pump_id`` (the pump that came out, for a replacement)."""

    event_id: str
    patient_id: str
    pump_id: str
    kind: DeviceEventKind
    at: dt.datetime
    recorded_by: str  # user id of the clinician who recorded it
    #: What a clinician reads: ``"the Prometra II 20 mL carries the therapy over at 0.5 mL/day"``.
    summary: str
    #: The event's numbers and decisions, units in the keys, values as text (exact).
    facts: Mapping[str, str]
    #: The other pump of the event: the new pump of a replacement.
    related_pump_id: str | None = None
    #: The program the event is about: the one running before an interruption (a restart returns
    #: to it), the one a restart or a replacement started.
    program: InfusionProgram | None = None


class PumpOutOfCare(Conflict):
    """The pump is no longer in the clinic's care (explanted or transferred); nothing changed."""

    code = "THC-PATH-062"
    template = "pump {ident} is {state}: {action} is not possible"


class DeliveryAlreadySuspended(Conflict):
    code = "THC-PATH-063"
    template = "delivery of pump {ident} is already suspended since {since}: restart it first"


class DeliveryNotSuspended(Conflict):
    code = "THC-PATH-064"
    template = "delivery of pump {ident} is not suspended: there is nothing to restart"


class RestartOverrideMissing(Conflict):
    """A restart reviewed as a new start has findings that need a physician's justification."""

    code = "THC-PATH-065"
    template = (
        "the restart is reviewed as a new start ({why}) and needs a written justification for: "
        "{findings}"
    )


class RestartAwaitingSignatures(Conflict):
    """A restart as a new start is already a program change on its way to the pump."""

    code = "THC-PATH-069"
    template = (
        "the restart of pump {ident} is already program change {change_id} ({state}) on its way"
        " to the pump: a physician signs it, a second clinician co-signs it, it is sent and an"
        " interrogation confirms it; withdraw it (before it is sent) to restart differently"
    )


class CatheterNotPatent(Conflict):
    code = "THC-PATH-068"
    template = (
        "no CSF came back through the catheter access port: the new catheter is not proven"
        " patent, so it is not primed (S54); find the cause, nothing was recorded"
    )


class SamePumpSerial(Conflict):
    code = "THC-PATH-066"
    template = "the new pump's serial {serial} is the serial of the pump it replaces"
