"""Idempotency keys: a retry repeats its request exactly, or it is refused (issue 15 §7).

A client sends an ``Idempotency-Key`` with a state-changing request so that a retry after a lost
answer does not do the work twice: the stored result of the first request answers the retry. A
key sent again with a *different* request is not a retry: replaying the first result would tell
the clinician their second request (another dose, another volume, another lot) was done when it
was not. :func:`require_same_request` compares what the first request asked for with what this
one asks for, field by field, and raises :class:`IdempotencyKeyReused` (422) naming the fields
that differ; nothing is replayed and nothing is changed.
"""

from __future__ import annotations

from collections.abc import Mapping

from thecal.domain.errors import RequestInvalid

__all__ = ["IdempotencyKeyReused", "require_same_request"]


class IdempotencyKeyReused(RequestInvalid):
    code = "THC-INPUT-003"
    template = (
        "the idempotency key {key} was already used for {what} with a different {fields}: "
        "a retry must repeat its request exactly; send a new key for a new request "
        "(nothing was done)"
    )


def require_same_request(
    *, key: str, what: str, first: Mapping[str, object], again: Mapping[str, object]
) -> None:
    """Refuse ``again`` unless every field it names equals the first request's.

    Raises:
        IdempotencyKeyReused: a field differs (all differing fields are named, in order).
    """
    differing = [name for name, value in again.items() if first.get(name) != value]
    if differing:
        raise IdempotencyKeyReused(key=key, what=what, fields=", ".join(differing))
