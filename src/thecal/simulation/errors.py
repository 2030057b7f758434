"""Errors of the pump twin, as leaves of thecal's one error tree.

::

    DeviceError (THC-DEV-000)
    ├── TelemetryFailure           THC-DEV-001  the programmer cannot reach the pump
    ├── PumpNotProgrammable        THC-DEV-002  the pump refuses a command in its present state
    ├── ReservoirOverfill          THC-DEV-003  an injection larger than the reservoir's room
    ├── PatientBolusNotAllowed     THC-DEV-004  a drug whose library entry forbids patient boluses
    └── BolusInProgress            THC-DEV-005  a priming or bridge bolus is still running
    RequestInvalid (THC-INPUT-002)
    ├── ScenarioInvalid            THC-SIM-001  a scenario file that does not have the documented shape
    └── TwinStateInvalid           THC-SIM-002  a saved twin state of an unknown version or shape
"""

from __future__ import annotations

from thecal.domain.errors import DeviceError, RequestInvalid

__all__ = [
    "BolusInProgress",
    "PatientBolusNotAllowed",
    "PumpNotProgrammable",
    "ReservoirOverfill",
    "ScenarioInvalid",
    "TelemetryFailure",
    "TwinStateInvalid",
]


class TelemetryFailure(DeviceError):
    code = "THC-DEV-001"
    template = "no telemetry link to pump {serial} at {at}: the command was not confirmed"


class PumpNotProgrammable(DeviceError):
    code = "THC-DEV-002"
    template = "pump {serial} refuses {command}: {reason}"


class ReservoirOverfill(DeviceError):
    code = "THC-DEV-003"
    template = "injecting {volume} into pump {serial} would exceed the {capacity} reservoir (it holds {held})"


class PatientBolusNotAllowed(DeviceError):
    code = "THC-DEV-004"
    template = "{drug}: the drug library forbids patient-activated boluses ({source})"


class BolusInProgress(DeviceError):
    code = "THC-DEV-005"
    template = "pump {serial} is delivering a {label}; wait until it ends at {until}"


class ScenarioInvalid(RequestInvalid):
    code = "THC-SIM-001"
    template = "scenario {where}: {detail}"


class TwinStateInvalid(RequestInvalid):
    code = "THC-SIM-002"
    template = "twin state {where}: {detail}"
