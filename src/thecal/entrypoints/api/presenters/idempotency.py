"""The idempotency key of a retried write (a program-change proposal, a refill)."""

from __future__ import annotations

from thecal.domain.errors import RequestInvalid

__all__ = [
    "idempotency_key",
]


def idempotency_key(header: str | None, body: str | None) -> str:
    """The request's idempotency key: the header or the body field (the same if both).

    Raises:
        RequestInvalid: neither given, or two different keys.
    """
    if header is not None and body is not None and header != body:
        raise RequestInvalid(
            where="Idempotency-Key", detail="differs from the body's idempotency_key"
        )
    key = header if header is not None else body
    if key is None:
        raise RequestInvalid(
            where="Idempotency-Key",
            detail="send an Idempotency-Key header (or idempotency_key) so a retry is safe",
        )
    return key
