"""``/users``: accounts and API tokens (administrators only; the policy decides)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.users import user_public
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.entrypoints.api.schemas.users import (
    ApiTokenCreate,
    ApiTokenIssued,
    UserCreate,
    UserPublic,
    UsersPublic,
)
from thecal.services.accounts import MAX_USER_PAGE, CreateUser, IssueApiToken, ListUsers

__all__ = ["router"]

router = APIRouter(prefix="/users", tags=["users"])

UserId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


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
    summary="Issue an API token acting as this user (shown once)",
)
def issue_token(
    user_id: UserId, body: ApiTokenCreate, actor: CurrentActor, thecal: ThecalDep
) -> ApiTokenIssued:
    issued = thecal.run(
        thecal.accounts.issue_api_token,
        IssueApiToken(actor=actor, user_id=user_id, label=body.label, expires_at=body.expires_at),
    )
    record = issued.record
    return ApiTokenIssued(
        id=record.id,
        user_id=record.user_id,
        label=record.label,
        token=issued.token,
        expires_at=record.expires_at,
    )
