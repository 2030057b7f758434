"""Reading a JSON-shaped review request into a :class:`ReviewContext`.

The reader is strict: every field is checked for presence, type and meaning; an unknown field is
an error (a typo such as ``aspiration_confirmd`` must never read as "not confirmed" or be
ignored); every quantity is text with its unit read by the strict quantity parser. Each problem
raises its own :mod:`~thecal.domain.safety.errors` leaf naming the JSON path. The format is
documented in ``docs/review-format.md``; every field added since the first version is optional,
so an older request stays valid (or gets the specific error of a section its action needs).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from thecal.domain.library import ReferenceLibrary
from thecal.domain.safety.context import ActionKind, Proposer, ReviewContext, Role
from thecal.domain.safety.errors import (
    InconsistentRequest,
    RequestNotJson,
    UnknownValue,
    UnsupportedFormat,
    WrongType,
)
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.request.node import BareNumber, Node, fields, kind_of
from thecal.domain.safety.request.sections import (
    CURRENT,
    PATIENT,
    PROPOSAL,
    PUMP,
    SectionReader,
)
from thecal.domain.safety.rules import ALL_RULES

__all__ = ["FORMAT", "parse_review_request", "parse_review_request_text"]

FORMAT = "thecal-review/1"

_TOP = fields(
    "format",
    "action",
    "at",
    "proposed_by",
    "acknowledged",
    "patient",
    "pump",
    "current",
    "proposal",
)

#: What each action needs besides the patient (section, where it lives).
_NEEDS: Mapping[ActionKind, tuple[str, ...]] = {
    ActionKind.NEW_START: ("pump", "proposal.prescription"),
    ActionKind.PROGRAM_CHANGE: ("pump", "current", "proposal.prescription"),
    ActionKind.REFILL: ("pump", "current", "proposal.refill"),
    ActionKind.TRIAL: ("proposal.trial",),
    ActionKind.TRIAL_DISCHARGE: ("proposal.trial", "proposal.trial.dosed_at"),
    ActionKind.IMPLANT: (),
    ActionKind.CATHETER_REVISION: ("pump", "pump.catheter", "current", "proposal.priming"),
    ActionKind.MRI: ("pump", "proposal.mri"),
}


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _check_needs(action: ActionKind, data: Mapping[str, Any]) -> None:
    for need in _NEEDS[action]:
        if _lookup(data, need) is None:
            raise InconsistentRequest(
                where=f"$.{need}", detail=f"a {action.value} review needs this section"
            )
    if _lookup(data, "proposal.priming") is not None:
        if _lookup(data, "pump.catheter") is None:
            raise InconsistentRequest(
                where="$.pump.catheter",
                detail="a priming bolus is computed from the catheter: give its model and length",
            )
        if _lookup(data, "proposal.prescription") is None and _lookup(data, "current") is None:
            raise InconsistentRequest(
                where="$.proposal.prescription",
                detail=(
                    "a priming bolus states the drug it holds: give the admixture as "
                    "proposal.prescription (implant) or current.prescription (catheter revision)"
                ),
            )


def _acknowledged(top: Node) -> frozenset[str]:
    if not top.has("acknowledged"):
        return frozenset()
    value = top.raw("acknowledged")
    if not isinstance(value, list):
        raise WrongType(
            where=top.at("acknowledged"), expected="a list of warning codes", got=kind_of(value)
        )
    warnings = {rule.code for rule in ALL_RULES if rule.severity is Severity.WARN}
    for index, code in enumerate(value):
        where = f"{top.at('acknowledged')}[{index}]"
        if not isinstance(code, str) or code not in warnings:
            raise UnknownValue(where=where, value=code, known=", ".join(sorted(warnings)))
    return frozenset(value)


def parse_review_request(data: object, *, library: ReferenceLibrary) -> ReviewContext:
    """Read a JSON-shaped review request (already decoded) into a :class:`ReviewContext`.

    Raises:
        ReviewRequestInvalid: a specific leaf naming the JSON path of the first problem.
    """
    top = Node(data, "$", _TOP)
    fmt = top.text("format")
    if fmt != FORMAT:
        raise UnsupportedFormat(where=top.at("format"), value=fmt, expected=FORMAT)
    action = top.choice("action", ActionKind)
    proposal = top.child("proposal", PROPOSAL)
    _check_needs(action, top.data)
    reader = SectionReader(library)
    by = top.child("proposed_by", fields("user_id", "role"))
    return ReviewContext(
        action=action,
        at=top.timestamp("at"),
        proposer=Proposer(user_id=by.text("user_id"), role=by.choice("role", Role)),
        patient=reader.patient(top.child("patient", PATIENT)),
        pump=reader.pump(top.child("pump", PUMP)) if top.has("pump") else None,
        current=reader.current(top.child("current", CURRENT)) if top.has("current") else None,
        proposal=reader.proposal(proposal),
        acknowledged=_acknowledged(top),
    )


def parse_review_request_text(text: str, *, library: ReferenceLibrary) -> ReviewContext:
    """Decode JSON text and read it as a review request.

    Raises:
        RequestNotJson: the text is not JSON.
        ReviewRequestInvalid: see :func:`parse_review_request`.
    """
    try:
        data = json.loads(text, parse_float=BareNumber, parse_constant=BareNumber)
    except json.JSONDecodeError as error:
        raise RequestNotJson(
            where=f"line {error.lineno} column {error.colno}", detail=error.msg
        ) from None
    return parse_review_request(data, library=library)
