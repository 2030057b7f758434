"""Real server processes for the tests: `thecal serve` on a free loopback port, its JSON log
kept in a file, stopped with SIGTERM (as systemd stops it)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

THECAL = Path(sys.executable).with_name("thecal")
START_TIMEOUT_S = 120  # a worker imports the app in a fresh interpreter: seconds on a busy machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def lines(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far (other lines, such as the start banner, skipped)."""
        text = self.log.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                return self.process.wait()
        return self.process.returncode


def start(env: dict[str, str], log: Path, *, workers: int = 1, threads: int = 4) -> Server:
    """`thecal serve` in its own process; returns once /readyz says ready."""
    port = free_port()
    command = [str(THECAL), "serve", "--port", str(port), "--workers", str(workers)]
    command += ["--threads", str(threads)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log=log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            msg = f"the server stopped (exit {process.returncode}):\n{log.read_text()}"
            raise AssertionError(msg)
        try:
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    server.stop()
    msg = f"the server was not ready in {START_TIMEOUT_S} s:\n{log.read_text()}"
    raise AssertionError(msg)


def worker_processes(pid: int) -> list[int]:
    """The worker processes uvicorn's supervisor ``pid`` spawned (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if parent == pid and b"spawn_main" in command:
                found.append(int(entry.name))
    return found
