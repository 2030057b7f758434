"""The machine a benchmark ran on and its load, for every section of docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
from pathlib import Path

__all__ = ["load_average", "machine"]


def machine() -> str:
    """Operating system, architecture, cores, CPU model and Python version."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}"
    )


def load_average() -> str:
    """The load average over 1, 5 and 15 minutes, e.g. ``1.52 / 1.31 / 0.90``."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"
