"""Signatures and the confirmation token behind each (SR-16, SR-02).

Signing and co-signing each need a :class:`ConfirmationToken` from a fresh re-authentication,
bound to one user, one change and the digest of the full old-vs-new diff
(:class:`~thecal.domain.program_change.ProgramDiff`; the SynchroMed "Finish" screen of
safety:S42). :func:`check_confirmation` refuses a token for another diff, another user, another
change, a stale, future-dated or replayed one. Who may sign and co-sign (two different
clinicians, one of them a physician) is the aggregate's rule (:mod:`.lifecycle`);
:func:`check_co_signer` says who may not co-sign: the signer (SR-02) and, by clinic policy
(:class:`CoSigningPolicy`, on by default), the proposer, so the second check is made by someone
who neither wrote nor signed the change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from thecal.domain.actors import require_aware
from thecal.domain.program_change.errors import (
    ConfirmationRejected,
    ProposerMayNotCoSign,
    SameClinicianTwice,
)
from thecal.domain.units import Duration
from thecal.domain.users import Actor, Role

__all__ = [
    "DEFAULT_CO_SIGNING_POLICY",
    "DEFAULT_REAUTH_MAX_AGE",
    "CoSigningPolicy",
    "ConfirmationToken",
    "Signature",
    "check_co_signer",
    "check_confirmation",
]

#: Longest time between the re-authentication behind a token and its use. Clinic choice (no
#: retrieved source gives a number); ASVS 3.7.1 asks for re-authentication before sensitive
#: actions (safety:S105), which a token older than a few minutes no longer proves.
DEFAULT_REAUTH_MAX_AGE = Duration.minutes(5)


@dataclass(frozen=True, slots=True, kw_only=True)
class CoSigningPolicy:
    """Who may co-sign, beyond SR-02's "not the signer" (clinic policy, no retrieved source).

    ``proposer_may_co_sign`` is off by default: the nurse who proposed a change may not co-sign
    it, so the independent double check (safety.md §2.3) is made by a clinician who neither wrote
    nor signed the change. A clinic that works with one nurse and one physician may turn it on
    (``THECAL_PROPOSER_MAY_CO_SIGN``); the signer may never co-sign.
    """

    proposer_may_co_sign: bool = False


#: The default: the proposer may not co-sign.
DEFAULT_CO_SIGNING_POLICY = CoSigningPolicy()


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmationToken:
    """Proof of a fresh re-authentication, bound to one user, one change and one exact diff.

    Issued by the authentication edge after the user re-enters their credentials on the screen
    showing the diff; ``token_id`` is a unique unguessable nonce. The domain checks the bindings,
    freshness and single use; it cannot check the credentials themselves.
    """

    token_id: str
    user_id: str
    change_id: str
    diff_digest: str
    authenticated_at: dt.datetime

    def __post_init__(self) -> None:
        require_aware(self.authenticated_at, name="re-authentication time")


@dataclass(frozen=True, slots=True, kw_only=True)
class Signature:
    user_id: str
    role: Role
    at: dt.datetime
    token_id: str


def check_co_signer(
    actor: Actor,
    *,
    change_id: str,
    proposed_by: str,
    signed_by: str | None,
    policy: CoSigningPolicy,
) -> None:
    """Refuse a co-signer who is the signer, or (unless ``policy`` allows it) the proposer.

    Raises:
        SameClinicianTwice: ``actor`` signed the change.
        ProposerMayNotCoSign: ``actor`` proposed it and the clinic policy forbids that.
    """
    if signed_by is not None and actor.user_id == signed_by:
        raise SameClinicianTwice(user_id=actor.user_id, ident=change_id)
    if actor.user_id == proposed_by and not policy.proposer_may_co_sign:
        raise ProposerMayNotCoSign(user_id=actor.user_id, ident=change_id)


def check_confirmation(
    token: ConfirmationToken,
    *,
    actor: Actor,
    change_id: str,
    diff_digest: str,
    used_token_ids: Collection[str],
    at: dt.datetime,
    max_age: Duration,
    action: str,
) -> None:
    """Refuse a token that does not prove ``actor``'s fresh re-authentication for this exact diff.

    Raises:
        ConfirmationRejected: a replayed token (in ``used_token_ids``), one issued to another
            user, for another change or another diff, dated after ``at``, or older than ``max_age``.
    """
    reason: str | None = None
    if token.token_id in used_token_ids:
        reason = "already used (replay)"
    elif token.user_id != actor.user_id:
        reason = f"issued to {token.user_id}, not {actor.user_id}"
    elif token.change_id != change_id:
        reason = f"issued for program change {token.change_id}"
    elif token.diff_digest != diff_digest:
        reason = "bound to a different diff than this change's"
    elif token.authenticated_at > at:
        reason = "re-authentication dated after its use"
    elif at - token.authenticated_at > max_age.to_timedelta():
        reason = f"re-authentication older than {max_age}"
    if reason is not None:
        raise ConfirmationRejected(token_id=token.token_id, action=action, reason=reason)
