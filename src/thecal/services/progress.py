"""How far a long use case has got, for an edge that shows it (a progress bar on the command line).

A use case that walks many items (the audit chain, the demo clinic's days) takes an optional
:data:`Progress` and calls it with how many items it has done and how many there are (``None``
when it cannot know). It only reports: it never waits on the callback, and its result is the
same with or without one. An edge that shows nothing passes ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["Progress", "counted"]

T = TypeVar("T")

#: ``progress(done, total)``: ``done`` items of ``total`` (None when unknown) are finished.
Progress = Callable[[int, int | None], None]


def counted(
    items: Iterable[T], progress: Progress | None, *, total: int | None, every: int = 1000
) -> Iterator[T]:
    """``items`` unchanged, reporting to ``progress`` at the start, every ``every`` items and at the end."""
    if progress is None:
        yield from items
        return
    done = 0
    progress(done, total)
    for item in items:
        yield item
        done += 1
        if done % every == 0:
            progress(done, total)
    progress(done, total)
