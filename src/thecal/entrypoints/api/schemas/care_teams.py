"""Care teams and break-the-glass (SR-21)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from thecal.entrypoints.api.schemas.fields import In, IsoInstant, Out, Whole, text_rule

__all__ = [
    "BreakGlassCreate",
    "BreakGlassPublic",
    "BreakGlassReview",
    "CareTeamCreate",
    "CareTeamMemberAdd",
    "CareTeamPublic",
    "CareTeamsPublic",
    "PatientTeamSet",
]


class CareTeamCreate(In):
    name: Annotated[str, text_rule(100, 1)]


class CareTeamMemberAdd(In):
    username: Annotated[str, text_rule(100, 1)]


class PatientTeamSet(In):
    team: Annotated[str, text_rule(100, 1)] = Field(description="the team's id or name")


class CareTeamMember(Out):
    username: str
    display_name: str


class CareTeamPublic(Out):
    id: str
    name: str
    members: list[CareTeamMember]
    patients: int = Field(description="how many patients the team has (none named)")


class CareTeamsPublic(Out):
    items: list[CareTeamPublic]


class BreakGlassCreate(In):
    reason: Annotated[str, text_rule(500, 10)] = Field(
        description="why this patient outside your care teams must be opened (a reviewer reads it)"
    )
    hours: Annotated[Whole, Field(ge=1, le=12)] = Field(
        default=4, description="how long the record stays open (clinic policy: 4 h, at most 12)"
    )


class BreakGlassPublic(Out):
    id: str
    patient_id: str
    reason: str
    opened_at: IsoInstant
    expires_at: IsoInstant
    review_task_id: str


class BreakGlassReview(In):
    note: Annotated[str, text_rule(500, 1)]
