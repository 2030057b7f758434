"""Who may act in the pathway workflows, and when: shared by the pathway aggregates.

The actor itself is :class:`thecal.domain.users.Actor` (user id, role, active flag). This module adds
what the workflow aggregates (program change, refill, trial, MRI plan) need in common:

* the role sets of architecture.md §1 (``CLINICIANS`` = physician or nurse);
* :func:`require_role`, the per-step role gate a workflow applies on top of the services'
  deny-by-default authorization (defence in depth: a workflow never trusts its caller);
* :func:`require_aware`, because time is always passed in and must be timezone-aware;
* :class:`Transition`, the record every aggregate keeps of each state change;
* the errors these raise (``THC-PATH-001`` … ``THC-PATH-004``).

Error leaves of the pathway (``THC-PATH-*``)::

    ValueOutOfRange
    └── NaiveTimestamp                THC-PATH-001  a naive datetime reached the domain
    PermissionDenied
    ├── ActorNotAllowed               THC-PATH-002  this role may not do this step
    └── InactiveActor                 THC-PATH-003  a deactivated account tried to act
    RequestInvalid
    └── TimeOutOfOrder                THC-PATH-004  a step dated before the previous one
    Conflict
    └── IllegalTransition             THC-PATH-005  action not allowed in the current state
        (one subclass per aggregate, THC-PATH-010, -020, -030, -040, -050)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Generic, TypeVar

from thecal.domain.errors import Conflict, PermissionDenied, RequestInvalid, ValueOutOfRange
from thecal.domain.users import Actor, Role

__all__ = [
    "CLINICIANS",
    "ActorNotAllowed",
    "IllegalTransition",
    "InactiveActor",
    "NaiveTimestamp",
    "TimeOutOfOrder",
    "Transition",
    "require_aware",
    "require_not_before",
    "require_role",
    "require_text",
]

#: Clinicians in the sense of architecture.md §1: the roles that may make clinical records and
#: take part in the two-person check ("two different authenticated clinicians, one a physician").
CLINICIANS: frozenset[Role] = frozenset({Role.PHYSICIAN, Role.NURSE})


class NaiveTimestamp(ValueOutOfRange):
    """A datetime without a timezone reached the domain: the instant it means is unknowable."""

    code = "THC-PATH-001"
    template = "{name} must be a timezone-aware datetime, got naive {value}"


class ActorNotAllowed(PermissionDenied):
    """The actor's role may not perform this workflow step."""

    code = "THC-PATH-002"
    template = "{role} {user_id} may not {action}: only {allowed} may"


class InactiveActor(PermissionDenied):
    code = "THC-PATH-003"
    template = "user {user_id} is deactivated and may not {action}"


class TimeOutOfOrder(RequestInvalid):
    code = "THC-PATH-004"
    template = "{action} at {at} is before {previous} ({what}); steps are recorded in time order"


class IllegalTransition(Conflict):
    """An action that the aggregate's current state does not allow. Names both."""

    code = "THC-PATH-005"
    template = "{kind} {ident} is {state}: cannot {action} (allowed from {allowed})"


def require_aware(at: dt.datetime, *, name: str = "time") -> dt.datetime:
    """Return ``at`` unchanged if it is timezone-aware.

    Raises:
        NaiveTimestamp: for a naive datetime.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveTimestamp(name=name, value=at.isoformat())
    return at


def require_not_before(
    at: dt.datetime, previous: dt.datetime | None, *, action: str, what: str
) -> None:
    """Refuse a step dated before the previous record of the same aggregate.

    Raises:
        NaiveTimestamp: for a naive ``at``.
        TimeOutOfOrder: when ``at`` < ``previous``.
    """
    require_aware(at, name=f"{action} time")
    if previous is not None and at < previous:
        raise TimeOutOfOrder(
            action=action, at=at.isoformat(), previous=previous.isoformat(), what=what
        )


def require_role(actor: Actor, allowed: Collection[Role], *, action: str) -> None:
    """Refuse an inactive actor or one whose role is not in ``allowed``.

    Raises:
        InactiveActor, ActorNotAllowed: naming the user, the role and the action.
    """
    if not actor.active:
        raise InactiveActor(user_id=actor.user_id, action=action)
    if actor.role not in allowed:
        raise ActorNotAllowed(
            role=actor.role.value,
            user_id=actor.user_id,
            action=action,
            allowed=" or ".join(sorted(role.value for role in allowed)),
        )


def require_text(value: str, *, name: str) -> str:
    """Return ``value`` stripped; refuse blank text for a field the record needs.

    Raises:
        ValueOutOfRange: for empty or whitespace-only text.
    """
    stripped = value.strip()
    if not stripped:
        raise ValueOutOfRange(name=name, expected="non-blank text", value=repr(value))
    return stripped


@dataclass(frozen=True, slots=True, kw_only=True)
class Transition:
    """One state change of a pathway aggregate: who did what, when, from which state to which."""

    action: str
    from_state: str
    to_state: str
    user_id: str
    at: dt.datetime
    version: int

    @classmethod
    def first(cls, *, action: str, to_state: str, user_id: str, at: dt.datetime) -> Transition:
        """The step that creates an aggregate (from no state, at version 1)."""
        return cls(
            action=action, from_state="", to_state=to_state, user_id=user_id, at=at, version=1
        )


def expect_state(
    *,
    state: StrEnum,
    allowed: tuple[StrEnum, ...],
    action: str,
    at: dt.datetime,
    last_at: dt.datetime | None,
    error: type[IllegalTransition],
    kind: str,
    ident: str,
    previous: str = "the previous record",
) -> None:
    """The guard every pathway state machine runs before a step.

    Raises:
        NaiveTimestamp: for a naive ``at``.
        IllegalTransition: (the aggregate's own subclass ``error``) when ``state`` is not allowed.
        TimeOutOfOrder: when ``at`` is before ``last_at``.
    """
    require_aware(at, name=f"{action} time")
    if state not in allowed:
        raise error(
            kind=kind,
            ident=ident,
            state=state.value,
            action=action,
            allowed=", ".join(s.value for s in allowed),
        )
    require_not_before(at, last_at, action=action, what=previous)


def transition(
    *, action: str, previous: StrEnum, to: StrEnum, user_id: str, at: dt.datetime, version: int
) -> Transition:
    """The history record of one state change."""
    return Transition(
        action=action,
        from_state=previous.value,
        to_state=to.value,
        user_id=user_id,
        at=at,
        version=version,
    )


S = TypeVar("S", bound=StrEnum)


class StateMachine(Generic[S]):
    """What every pathway aggregate shares: its state, ``version`` and ``history``, the guard run
    before each step, and the record of each state change.

    Subclasses set ``_kind`` (used in messages), ``_error`` (their IllegalTransition subclass),
    ``_previous`` (how messages name the prior record) and ``_ident`` (the aggregate's id).
    """

    state: S
    version: int
    history: list[Transition]
    _kind: ClassVar[str]
    _error: ClassVar[type[IllegalTransition]]
    _previous: ClassVar[str] = "the previous record"

    @property
    def _ident(self) -> str:
        raise NotImplementedError

    def _expect(self, action: str, at: dt.datetime, *allowed: S) -> None:
        expect_state(
            state=self.state,
            allowed=allowed,
            action=action,
            at=at,
            last_at=self.history[-1].at,
            error=self._error,
            kind=self._kind,
            ident=self._ident,
            previous=self._previous,
        )

    def _move(self, action: str, to: S, user_id: str, at: dt.datetime) -> None:
        previous, self.state = self.state, to
        self.version += 1
        self.history.append(
            transition(
                action=action,
                previous=previous,
                to=to,
                user_id=user_id,
                at=at,
                version=self.version,
            )
        )
