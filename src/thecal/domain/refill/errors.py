"""Errors of the refill, each with its stable code::

Conflict (THC-FLOW-409)
├── IllegalTransition (THC-PATH-005)
│   └── RefillStateError              THC-PATH-020  the refill's state does not allow the step
├── AdmixtureMismatch                 THC-PATH-022  label, order, bedside lot or program disagree
└── BeyondUseDatePassed               THC-PATH-023  the lot is past its beyond-use date
ValueOutOfRange (THC-INPUT-001)
└── AboveReservoirCapacity            THC-PATH-021  a volume above the pump model's reservoir
RequestInvalid (THC-INPUT-002)
├── PocketFillChecklistIncomplete     THC-PATH-024  a checklist item not confirmed
└── LabelNotTheOrder                  THC-PATH-025  the typed label is not the order (pharmacist)
"""

from __future__ import annotations

from thecal.domain.actors import IllegalTransition
from thecal.domain.errors import Conflict, RequestInvalid, ValueOutOfRange

__all__ = [
    "AboveReservoirCapacity",
    "AdmixtureMismatch",
    "BeyondUseDatePassed",
    "LabelNotTheOrder",
    "PocketFillChecklistIncomplete",
    "RefillStateError",
]


class RefillStateError(IllegalTransition):
    code = "THC-PATH-020"


class AboveReservoirCapacity(ValueOutOfRange):
    code = "THC-PATH-021"
    template = "{what} of {volume} is above the {pump} reservoir capacity of {capacity} ({source})"


class AdmixtureMismatch(Conflict):
    code = "THC-PATH-022"
    template = "{what}: expected {expected}, got {got}"


class BeyondUseDatePassed(Conflict):
    code = "THC-PATH-023"
    template = "lot {lot} is past its beyond-use date {beyond_use} at {at}: do not fill"


class PocketFillChecklistIncomplete(RequestInvalid):
    code = "THC-PATH-024"
    template = "pocket-fill checklist not complete: {items} not confirmed; halt the refill if they cannot be"


class LabelNotTheOrder(RequestInvalid):
    """The pharmacist typed the label and it is not the order: the first difference, by field."""

    code = "THC-PATH-025"
    template = "{field}: the label says {label}, the order is {order}; do not dispense"
