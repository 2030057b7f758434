"""Composition root: the one place real adapters are chosen and wired.

Nothing here runs at import time; entrypoints call these factories.
"""

from __future__ import annotations

from thecal.adapters.clock import SystemClock

__all__ = ["system_clock"]


def system_clock() -> SystemClock:
    """The wall clock used by the CLI and the servers (tests pass fixed instants instead)."""
    return SystemClock()
