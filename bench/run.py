"""Run every benchmark in bench/ and rewrite docs/benchmarks.md.

Each ``bench/bench_*.py`` module exposes ``run() -> str`` returning a Markdown section with its
measurements. Benchmarks measure real work on this machine; tests never assert wall-clock times.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "docs" / "benchmarks.md"


def machine() -> str:
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


def main(selected: list[str]) -> int:
    sections: list[str] = []
    for path in sorted(HERE.glob("bench_*.py")):
        if selected and path.stem not in selected:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
        print(f"running {path.name} …", flush=True)
        section = module.run()
        print(section, flush=True)
        sections.append(section.strip())
    if selected:
        return 0
    header = (
        "# Benchmarks\n\n"
        "Written by `make bench` (`python bench/run.py`); do not edit by hand.\n\n"
        f"- Machine: {machine()}\n"
        f"- Run: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n"
    )
    OUT.write_text(header + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
