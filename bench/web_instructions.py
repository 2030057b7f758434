"""Instructions per web request, counted by callgrind: a repeatable measure of the hot path.

Wall-clock benchmarks on a shared 2-core machine move with whatever else runs (``bench_web.py``
measures them in rounds for that reason). This counts the instructions one worklist request costs
in process (the ASGI app called directly: no socket, no HTTP parser, no client), which is the
same to the instruction from run to run whatever the machine is doing, so a change to the hot
path can be judged by itself:

    python bench/web_instructions.py                 # GET /api/v1/worklist and GET /
    python bench/web_instructions.py /patients       # any GET path, as the demo nurse

Each path runs in its own ``valgrind --tool=callgrind --instr-atstart=no`` process over a copy of
the cached bench clinic (``bench_web.demo_database()``): log in, 30 warm-up requests, then
counting is switched on for ``REQUESTS`` requests only (``callgrind_control -i on/off``). Needs
valgrind (``apt-get install valgrind``). Not part of ``make bench``: it takes about a minute per
path. Results for this round are quoted in docs/benchmarks.md (web section).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REQUESTS = 100
WARMUP = 30
NURSE = ("nurse", "Nick-demo-2026!")  # the public demo account (docs/demo.md)
HERE = Path(__file__).resolve().parent


def _inner(path: str, requests: int, database: str) -> None:
    """Runs under callgrind: the requests, with counting on only around the measured ones."""
    os.environ.update(
        THECAL_DATABASE_URL=f"sqlite:///{database}",
        THECAL_AUDIT_KEY="bench-" + "k" * 40,
        THECAL_ENV="test",
        THECAL_DEMO_MODE="true",
    )
    from thecal.bootstrap import bootstrap  # noqa: PLC0415 - after the environment is set
    from thecal.entrypoints.api import create_app  # noqa: PLC0415
    from thecal.entrypoints.api.csrf import session_cookie  # noqa: PLC0415
    from thecal.services.identity import LogIn, LoginResult  # noqa: PLC0415

    thecal = bootstrap()
    app = create_app(thecal)
    result = thecal.run(thecal.identity.begin_log_in, LogIn(username=NURSE[0], password=NURSE[1]))
    assert isinstance(result, LoginResult)  # noqa: S101 - the demo nurse has no authenticator
    cookie = f"{session_cookie(thecal.settings)}={result.session_token}".encode()

    async def one() -> None:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": b"", "root_path": "", "client": ("127.0.0.1", 50000),
            "headers": [(b"host", b"127.0.0.1"), (b"cookie", cookie)],
            "server": ("127.0.0.1", 8000),
        }  # fmt: skip
        sent: list[dict[str, object]] = []

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        if sent[0].get("status") != 200:
            msg = f"GET {path} answered {sent[0].get('status')}"
            raise RuntimeError(msg)

    def control(switch: str) -> None:
        subprocess.run(
            ["callgrind_control", "-i", switch, str(os.getpid())],
            check=False,
            capture_output=True,
        )

    async def main() -> None:
        for _ in range(WARMUP):
            await one()
        control("on")
        for _ in range(requests):
            await one()
        control("off")

    asyncio.run(main())


def count(path: str, requests: int = REQUESTS) -> float:
    """Instructions per request for ``GET path`` (millions)."""
    sys.path.insert(0, str(HERE))
    from bench_web import demo_database  # noqa: PLC0415 - the cached bench clinic

    cached, _ = demo_database()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "clinic.db"
        shutil.copy(cached, database)
        out = Path(folder) / "callgrind.out"
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                "--inner",
                path,
                str(requests),
                str(database),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        msg = f"callgrind run failed ({done.returncode}): {done.stderr[-2000:]}"
        raise RuntimeError(msg)
    return int(found.group(1)) / requests / 1e6


if __name__ == "__main__":
    if sys.argv[1:2] == ["--inner"]:
        _inner(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        for target in sys.argv[1:] or ["/api/v1/worklist", "/"]:
            millions = count(target)
            sys.stdout.write(f"GET {target}: {millions:.2f} M instructions per request\n")
