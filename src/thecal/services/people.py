"""Who someone is, for a screen: a staff account's display name from its id.

Screens name people ("Proposed by Dr Paula Physician"), never ids. Any signed-in member of staff
may read the names of accounts (they sign each other's work); a patient user reads no one's. A
name is not clinical data and its read is not audited; an unknown or removed account is named as
such.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from thecal.domain.authorization import AccessDenied
from thecal.domain.users import Actor, Role
from thecal.services.clock import Clock
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["StaffNames", "staff_names"]

UNKNOWN = "an unknown account"


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffNames:
    actor: Actor
    user_ids: Iterable[str]


def staff_names(cmd: StaffNames, *, uow: AbstractUnitOfWork, clock: Clock) -> Mapping[str, str]:
    """Each id's display name (its role beside it for a patient's own account).

    Raises:
        AccessDenied: the reader is a patient user.
    """
    del clock
    if cmd.actor.role is Role.PATIENT:
        raise AccessDenied(role=cmd.actor.role.value, action="read", subject="staff names")
    names: dict[str, str] = {}
    with uow.reading():
        for ident in set(cmd.user_ids):
            user = uow.users.get(ident)
            names[ident] = UNKNOWN if user is None else user.display_name
    return names
