"""Errors of the program change, each with its stable code::

Conflict (THC-FLOW-409)
└── IllegalTransition (THC-PATH-005)
    └── ProgramChangeStateError     THC-PATH-010  the change's state does not allow the action
SafetyBlocked (THC-FLOW-422)
└── ProgramChangeBlocked            THC-PATH-011  signing after a review with a block finding
RequestInvalid (THC-INPUT-002)
├── NothingToChange                 THC-PATH-012  the new program equals the old one
├── OverrideNotDocumented           THC-PATH-014  an override finding without reason code and text
└── WarningsNotAcknowledged         THC-PATH-015  a warn finding not acknowledged by the signer
PermissionDenied (THC-FLOW-403)
├── ConfirmationRejected            THC-PATH-013  token not bound to this user/change/diff, replayed or stale
├── SameClinicianTwice              THC-PATH-016  the signer tries to co-sign
└── ProposerMayNotCoSign            THC-PATH-017  the proposer tries to co-sign (clinic policy)
"""

from __future__ import annotations

from thecal.domain.actors import IllegalTransition
from thecal.domain.errors import PermissionDenied, RequestInvalid, SafetyBlocked

__all__ = [
    "ConfirmationRejected",
    "NothingToChange",
    "OverrideNotDocumented",
    "ProgramChangeBlocked",
    "ProgramChangeStateError",
    "ProposerMayNotCoSign",
    "SameClinicianTwice",
    "WarningsNotAcknowledged",
]


class ProgramChangeStateError(IllegalTransition):
    code = "THC-PATH-010"


class ProgramChangeBlocked(SafetyBlocked):
    code = "THC-PATH-011"
    # ``what`` names a stored change (signing after a blocking review) or, for a proposal the
    # review blocked, the pump: such a proposal is never stored, so no change id is given
    template = "{what} is blocked by safety review: {summary}; propose a different change"


class NothingToChange(RequestInvalid):
    code = "THC-PATH-012"
    template = "the proposed program is identical to the current one: nothing to change"


class ConfirmationRejected(PermissionDenied):
    code = "THC-PATH-013"
    template = "confirmation token {token_id} rejected for {action}: {reason}"


class OverrideNotDocumented(RequestInvalid):
    code = "THC-PATH-014"
    template = "override finding(s) {codes}: {detail}"


class WarningsNotAcknowledged(RequestInvalid):
    code = "THC-PATH-015"
    template = "warning finding(s) {codes} must be acknowledged before signing"


class SameClinicianTwice(PermissionDenied):
    code = "THC-PATH-016"
    template = "{user_id} signed program change {ident} and may not also co-sign it: a second, different clinician must"


class ProposerMayNotCoSign(PermissionDenied):
    code = "THC-PATH-017"
    template = (
        "{user_id} proposed program change {ident} and may not also co-sign it (clinic policy: "
        "the co-signer checks a change they did not propose): a clinician other than the "
        "proposer and the signer must co-sign"
    )
