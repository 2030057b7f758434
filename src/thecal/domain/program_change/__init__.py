"""The program-change aggregate: from proposal to a program the pump is proven to run.

::

    PROPOSED ──review──▶ REVIEWED ──sign──▶ SIGNED ──co_sign──▶ CO_SIGNED ──record_send──▶ SENT
        │        └─(any block finding)─▶ BLOCKED                     ▲                    │
        │                                                            │ record_send        │ record_interrogation
        │                                                      NOT_DELIVERED ◀────────────┤ (uncertain send, pump
        │                                                                                 │  still runs the old program)
        └── withdraw (from any state before SENT, or NOT_DELIVERED) ──▶ WITHDRAWN          ├──▶ CONFIRMED (pump runs the new program)
                                                                                          └──▶ FAILED (anything else)

Rules (architecture.md §1 and §3, safety.md SR-02, SR-16, clinical.md §11 rule 9, S74):

* physicians and nurses propose; only a physician signs; the co-signer is a different clinician
  (physician or nurse) and, by clinic policy on by default, not the proposer either, so a committed change always carries two distinct clinicians, one of them
  a physician (independent double check, safety.md §2.3);
* signing and co-signing each need a :class:`ConfirmationToken` from a fresh re-authentication,
  bound to this change and to the SHA-256 digest of the full old-vs-new :class:`ProgramDiff`
  (SR-16, the SynchroMed "Finish" screen of safety:S42); a token for another diff, another user,
  another change, a stale one or a replayed one is refused;
* a review with any ``block`` finding ends in ``BLOCKED``: a different proposal is needed;
  each ``override`` finding needs a documented reason code and text from the signer and is
  then carried by both signatures (SR-02); each ``warn`` finding must be acknowledged by the signer;
* a send is ``acknowledged`` or ``uncertain`` (architecture.md §4: the record must say so, never
  guess); only an interrogation confirms: the new program → ``CONFIRMED``; after an uncertain send
  the old program → ``NOT_DELIVERED`` (re-send needed); anything else → ``FAILED``.

``version`` increases by one on every state change (optimistic locking, SR-24).

One concept per module: :mod:`.program_diff` (every parameter old vs new, and its digest),
:mod:`.findings` (the review's findings as kept here, and the signer's override justifications),
:mod:`.signing` (confirmation tokens, signatures, the re-authentication age), :mod:`.lifecycle`
(the ``ProgramChange`` aggregate, its states and sends) and :mod:`.errors` (``THC-PATH-010``…``017``).
Import the public names from this package.
"""

from __future__ import annotations

from thecal.domain.program_change.errors import (
    ConfirmationRejected,
    NothingToChange,
    OverrideNotDocumented,
    ProgramChangeBlocked,
    ProgramChangeStateError,
    ProposerMayNotCoSign,
    SameClinicianTwice,
    WarningsNotAcknowledged,
)
from thecal.domain.program_change.findings import (
    FindingLike,
    FindingSeverity,
    FindingSummary,
    OverrideJustification,
    OverrideReason,
)
from thecal.domain.program_change.lifecycle import (
    ProgramChange,
    ProgramChangeKind,
    ProgramChangeState,
    SendOutcome,
)
from thecal.domain.program_change.program_diff import (
    DiffEntry,
    ProgramDiff,
    diff,
    program_parameters,
)
from thecal.domain.program_change.signing import (
    DEFAULT_CO_SIGNING_POLICY,
    DEFAULT_REAUTH_MAX_AGE,
    ConfirmationToken,
    CoSigningPolicy,
    Signature,
)

__all__ = [
    "DEFAULT_CO_SIGNING_POLICY",
    "DEFAULT_REAUTH_MAX_AGE",
    "CoSigningPolicy",
    "ConfirmationRejected",
    "ConfirmationToken",
    "DiffEntry",
    "FindingLike",
    "FindingSeverity",
    "FindingSummary",
    "NothingToChange",
    "OverrideJustification",
    "OverrideNotDocumented",
    "OverrideReason",
    "ProgramChange",
    "ProgramChangeBlocked",
    "ProgramChangeKind",
    "ProgramChangeState",
    "ProgramChangeStateError",
    "ProgramDiff",
    "ProposerMayNotCoSign",
    "SameClinicianTwice",
    "SendOutcome",
    "Signature",
    "WarningsNotAcknowledged",
    "diff",
    "program_parameters",
]
