"""Run every benchmark in bench/ and rewrite docs/benchmarks.md, the whole of it.

Each ``bench/bench_*.py`` module exposes ``run() -> str`` returning a Markdown section with its
measurements, headed by a ``## `` line. Under each heading this script writes when the section
ran, for how long, and the machine's load average before and after it: the machine may be shared,
and a figure means little without the load it was measured under. Benchmarks measure real work
on this machine; tests never assert wall-clock times. ``python bench/run.py bench_cli`` runs one
and prints it without writing the file; ``python bench/run.py --update bench_web bench_twin`` runs
those and replaces their sections in the file in place (each section keeps its own "Ran" stamp, so
the file says which figures are newer).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import sys
import time
from pathlib import Path

from machine_load import load_average, machine  # bench/ is the script's folder: on sys.path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "docs" / "benchmarks.md"


def _stamped(section: str, *, began: dt.datetime, seconds: float, before: str, after: str) -> str:
    """``section`` with when it ran and the load before and after, under its heading."""
    heading, _, body = section.strip().partition("\n")
    stamp = (
        f"*Ran {began:%Y-%m-%d %H:%M} UTC for {seconds:.0f} s on {os.cpu_count()} cores; load "
        f"average (1 / 5 / 15 min) before {before}, after {after}.*"
    )
    return f"{heading}\n\n{stamp}\n{body}"


def _replace_sections(text: str, fresh: list[str]) -> str:
    """``text`` (the whole file) with each section of ``fresh`` put where its heading was."""
    head, *old = text.split("\n## ")
    by_heading = {s.partition("\n")[0]: s for s in ("## " + o for o in old)}
    for section in fresh:
        heading = section.partition("\n")[0]
        if heading not in by_heading:
            missing = f"{heading!r} is not a section of {OUT}: run make bench"
            raise SystemExit(missing)
        by_heading[heading] = section.rstrip("\n") + "\n"
    return head + "\n" + "\n".join(by_heading.values()).rstrip("\n") + "\n"


def main(selected: list[str]) -> int:
    update = "--update" in selected
    selected = [name for name in selected if name != "--update"]
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
        before, began, started = load_average(), dt.datetime.now(dt.UTC), time.perf_counter()
        section = module.run()
        section = _stamped(
            section,
            began=began,
            seconds=time.perf_counter() - started,
            before=before,
            after=load_average(),
        )
        print(section, flush=True)
        sections.append(section)
    if update:
        OUT.write_text(
            _replace_sections(OUT.read_text(encoding="utf-8"), sections), encoding="utf-8"
        )
        print(f"updated {len(sections)} section(s) of {OUT}")
        return 0
    if selected:
        return 0
    header = (
        "# Benchmarks\n\n"
        "Written by `make bench` (`python bench/run.py`); do not edit by hand. A section may be\n"
        "rerun alone (`python bench/run.py --update bench_web`): each says when it ran.\n\n"
        f"- Machine: {machine()}\n"
        f"- Run: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n"
    )
    OUT.write_text(header + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
