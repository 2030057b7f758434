"""One page of a list that was read whole (already authorized and audited)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

__all__ = [
    "page",
]

_T = TypeVar("_T")


def page(items: Sequence[_T], *, limit: int, offset: int) -> list[_T]:
    """One page of an already authorized, audited result."""
    return list(items[offset : offset + limit])
