"""``/program-changes/{change_id}``: read a change; sign, co-sign (each re-authenticated on the
exact diff the client showed, SR-16) and send it to the pump.

Signing and co-signing are for a person at a screen: the request must come with a session
cookie (and its CSRF token) and carry the password and the ``diff_digest`` displayed; the
identity service turns them into a single-use confirmation token bound to the signer, the change
and that digest. A bearer API token cannot sign or co-sign (:class:`SignatureNeedsSession`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from thecal.bootstrap import Thecal
from thecal.domain.errors import PermissionDenied
from thecal.domain.program_change import ConfirmationToken
from thecal.entrypoints.api.deps import AuthDep, CurrentActor, ThecalDep
from thecal.entrypoints.api.openapi_contract import SESSION_ONLY
from thecal.entrypoints.api.presenters.findings import overrides_of
from thecal.entrypoints.api.presenters.program_changes import change_public
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.entrypoints.api.schemas.program_changes import (
    CoSignatureCreate,
    ProgramChangePublic,
    SendingCreate,
    SignatureCreate,
    WithdrawalCreate,
)
from thecal.services.identity import Authenticated, Reauthenticate
from thecal.services.program_changes import (
    CoSignProgramChange,
    GetProgramChange,
    SendProgramChange,
    SignProgramChange,
    WithdrawProgramChange,
    cosign_program_change,
    get_program_change,
    send_program_change,
    sign_program_change,
    withdraw_program_change,
)

__all__ = ["SignatureNeedsSession", "router"]

router = APIRouter(tags=["program-changes"])

ChangeId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Change id.")]
_SIGNING_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem},
    404: {"model": Problem},
    409: {"model": Problem},
}


class SignatureNeedsSession(PermissionDenied):
    code = "THC-API-001"
    template = (
        "an API token cannot {action}: a signature needs a person logged in with a session, "
        "re-entering their password on the diff they were shown (SR-16)"
    )


def _confirmation(
    thecal: Thecal,
    auth: Authenticated,
    change_id: str,
    *,
    password: str,
    one_time_code: str | None,
    digest: str,
    action: str,
) -> ConfirmationToken:
    """Re-authenticate the signer on the digest the client displayed (a session user only);
    a signer with an enrolled authenticator also sends its current code."""
    if auth.session_id is None:
        raise SignatureNeedsSession(action=action)
    return thecal.run(
        thecal.identity.reauthenticate,
        Reauthenticate(
            actor=auth.actor,
            password=password,
            one_time_code=one_time_code,
            change_id=change_id,
            diff_digest=digest,
        ),
    )


@router.get(
    "/program-changes/{change_id}",
    response_model=ProgramChangePublic,
    responses={404: {"model": Problem}},
    summary="One program change: the diff and its digest, findings, signatures, sends",
)
def show(change_id: ChangeId, actor: CurrentActor, thecal: ThecalDep) -> ProgramChangePublic:
    change = thecal.run(get_program_change, GetProgramChange(actor=actor, change_id=change_id))
    return change_public(change)


@router.post(
    "/program-changes/{change_id}/signature",
    response_model=ProgramChangePublic,
    responses=_SIGNING_ERRORS,
    openapi_extra={SESSION_ONLY: True},
    summary=(
        "Sign as the physician: password and the diff digest shown, overrides justified, "
        "warnings acknowledged (session only)"
    ),
)
def sign(
    change_id: ChangeId, body: SignatureCreate, auth: AuthDep, thecal: ThecalDep
) -> ProgramChangePublic:
    token = _confirmation(
        thecal,
        auth,
        change_id,
        password=body.password,
        one_time_code=body.one_time_code,
        digest=body.diff_digest,
        action="sign a program change",
    )
    change = thecal.run(
        sign_program_change,
        SignProgramChange(
            actor=auth.actor,
            change_id=change_id,
            token=token,
            overrides=overrides_of(body.overrides),
            acknowledged_warnings=frozenset(body.acknowledged_warnings),
        ),
    )
    return change_public(change)


@router.post(
    "/program-changes/{change_id}/co-signature",
    response_model=ProgramChangePublic,
    responses=_SIGNING_ERRORS,
    openapi_extra={SESSION_ONLY: True},
    summary="Co-sign as a second, different clinician: password and the diff digest (session only)",
)
def cosign(
    change_id: ChangeId, body: CoSignatureCreate, auth: AuthDep, thecal: ThecalDep
) -> ProgramChangePublic:
    token = _confirmation(
        thecal,
        auth,
        change_id,
        password=body.password,
        one_time_code=body.one_time_code,
        digest=body.diff_digest,
        action="co-sign a program change",
    )
    change = thecal.run(
        cosign_program_change,
        CoSignProgramChange(
            actor=auth.actor,
            change_id=change_id,
            token=token,
            policy=thecal.co_signing_policy,
        ),
    )
    return change_public(change)


@router.post(
    "/program-changes/{change_id}/sending",
    response_model=ProgramChangePublic,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary=(
        "Send the co-signed program to the pump (the pump version you saw): acknowledged or "
        "uncertain, confirmed by the next interrogation"
    ),
)
def send(
    change_id: ChangeId, body: SendingCreate, actor: CurrentActor, thecal: ThecalDep
) -> ProgramChangePublic:
    change = thecal.run_device(
        send_program_change,
        SendProgramChange(
            actor=actor, change_id=change_id, expected_pump_version=body.expected_pump_version
        ),
    )
    return change_public(change)


@router.post(
    "/program-changes/{change_id}/withdrawal",
    response_model=ProgramChangePublic,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Withdraw a pending change (not sent, not confirmed) with the reason",
)
def withdraw(
    change_id: ChangeId, body: WithdrawalCreate, actor: CurrentActor, thecal: ThecalDep
) -> ProgramChangePublic:
    change = thecal.run(
        withdraw_program_change,
        WithdrawProgramChange(actor=actor, change_id=change_id, reason=body.reason),
    )
    return change_public(change)
