"""Progress bars for the long commands (demo seed, audit verify, FHIR export, outcome reports).

A bar is drawn on standard error, and only for a person watching: never with ``--json``, and
never when standard output is not a terminal (piped to a file or another program, or in a test),
so machine output stays exactly what it was. The bar is cleared when the work ends; the
command's own output follows. ``rich`` is imported only when a bar is drawn.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from thecal.services.progress import Progress

__all__ = ["progress_bar", "shows_progress"]


def shows_progress(*, as_json: bool) -> bool:
    """Whether to draw a bar: not for JSON, and only when standard output is a terminal."""
    return not as_json and sys.stdout.isatty()


@contextmanager
def progress_bar(description: str, *, as_json: bool) -> Iterator[Progress | None]:
    """A :data:`Progress` that draws a bar described by ``description``, or None for no bar."""
    if not shows_progress(as_json=as_json):
        yield None
        return
    from rich.console import Console  # noqa: PLC0415 - only when a bar is drawn
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as Bar  # noqa: PLC0415

    with Bar(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def report(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield report
