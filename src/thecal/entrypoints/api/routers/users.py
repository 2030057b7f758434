"""``/users``: accounts and API tokens (the policy and :mod:`thecal.domain.api_tokens` decide).

Administrators create, list, deactivate and reactivate accounts (service accounts included);
anyone issues a token for themselves with their password again; an administrator issues tokens
to service accounts; a token is listed and revoked by its holder or an administrator.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.users import token_public, user_public
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.entrypoints.api.schemas.users import (
    AccountActivity,
    ApiTokenCreate,
    ApiTokenIssued,
    ApiTokenPublic,
    ApiTokensPublic,
    UserCreate,
    UserPublic,
    UsersPublic,
)
from thecal.services.accounts import (
    MAX_USER_PAGE,
    CreateUser,
    IssueApiToken,
    ListApiTokens,
    ListUsers,
    RevokeApiToken,
    SetAccountActive,
)

__all__ = ["router"]

router = APIRouter(prefix="/users", tags=["users"])

UserId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
TokenId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


@router.get("", response_model=UsersPublic, summary="Accounts by username")
def list_users(
    actor: CurrentActor,
    thecal: ThecalDep,
    limit: Annotated[int, Query(ge=1, le=MAX_USER_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> UsersPublic:
    found = thecal.run(
        thecal.accounts.list_users, ListUsers(actor=actor, limit=limit, offset=offset)
    )
    return UsersPublic(items=[user_public(u) for u in found], limit=limit, offset=offset)


@router.post(
    "",
    response_model=UserPublic,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Create an account",
)
def create_user(body: UserCreate, actor: CurrentActor, thecal: ThecalDep) -> UserPublic:
    user = thecal.run(
        thecal.accounts.create_user,
        CreateUser(
            actor=actor,
            username=body.username,
            role=body.role,
            display_name=body.display_name,
            password=body.password,
            patient_id=body.patient_id,
        ),
    )
    return user_public(user)


@router.post(
    "/{user_id}/tokens",
    response_model=ApiTokenIssued,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"model": Problem}},
    summary="Issue an API token: your own (password again) or a service account's (shown once)",
)
def issue_token(
    user_id: UserId, body: ApiTokenCreate, actor: CurrentActor, thecal: ThecalDep
) -> ApiTokenIssued:
    issued = thecal.run(
        thecal.accounts.issue_api_token,
        IssueApiToken(
            actor=actor,
            user_id=user_id,
            label=body.label,
            expires_at=body.expires_at,
            password=body.password,
            one_time_code=body.one_time_code,
        ),
    )
    record = issued.record
    return ApiTokenIssued(
        id=record.id,
        user_id=record.user_id,
        label=record.label,
        token=issued.token,
        expires_at=record.expires_at,
    )


@router.get(
    "/{user_id}/tokens",
    response_model=ApiTokensPublic,
    summary="This account's API tokens, newest first (its holder or an administrator)",
)
def list_tokens(user_id: UserId, actor: CurrentActor, thecal: ThecalDep) -> ApiTokensPublic:
    found = thecal.run(thecal.accounts.list_api_tokens, ListApiTokens(actor=actor, user_id=user_id))
    now = thecal.clock.now()
    return ApiTokensPublic(items=[token_public(t, now=now) for t in found])


@router.post(
    "/{user_id}/tokens/{token_id}/revoke",
    response_model=ApiTokenPublic,
    responses={404: {"model": Problem}},
    summary="Revoke an API token: it stops working at once (its holder or an administrator)",
)
def revoke_token(
    user_id: UserId, token_id: TokenId, actor: CurrentActor, thecal: ThecalDep
) -> ApiTokenPublic:
    revoked = thecal.run(
        thecal.accounts.revoke_api_token,
        RevokeApiToken(actor=actor, token_id=token_id, user_id=user_id),
    )
    return token_public(revoked, now=thecal.clock.now())


def _set_active(
    thecal: ThecalDep, actor: CurrentActor, user_id: str, *, active: bool, reason: str
) -> UserPublic:
    user = thecal.run(
        thecal.accounts.set_account_active,
        SetAccountActive(actor=actor, user_id=user_id, active=active, reason=reason),
    )
    return user_public(user)


@router.post(
    "/{user_id}/deactivate",
    response_model=UserPublic,
    responses={404: {"model": Problem}},
    summary="Deactivate an account: its sessions end and its tokens are revoked at once",
)
def deactivate_user(
    user_id: UserId, body: AccountActivity, actor: CurrentActor, thecal: ThecalDep
) -> UserPublic:
    return _set_active(thecal, actor, user_id, active=False, reason=body.reason)


@router.post(
    "/{user_id}/reactivate",
    response_model=UserPublic,
    responses={404: {"model": Problem}},
    summary="Reactivate an account: it may log in again (old sessions and tokens stay ended)",
)
def reactivate_user(
    user_id: UserId, body: AccountActivity, actor: CurrentActor, thecal: ThecalDep
) -> UserPublic:
    return _set_active(thecal, actor, user_id, active=True, reason=body.reason)
