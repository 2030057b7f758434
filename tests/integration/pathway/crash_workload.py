"""The child side of the crash test: run refills and program changes until killed.

:func:`run_until_killed` installs a SQLAlchemy ``before_cursor_execute`` hook that sends SIGKILL
to its own process at statement ``kill_at``; after each use case returns (its commit returned) it
appends an acknowledgement line to ``acks`` and fsyncs it, so the parent knows exactly which
commits were acknowledged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
from pathlib import Path
from typing import Any

from pathway_scenario import NURSE, START, actor, cosign, program, propose, refill, sign, verify
from sqlalchemy import event

from thecal.bootstrap import Thecal
from thecal.domain.program_change import OverrideJustification, OverrideReason
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.pharmacy import verify_admixture
from thecal.services.program_changes import (
    SendProgramChange,
    cosign_program_change,
    propose_program_change,
    send_program_change,
    sign_program_change,
)
from thecal.services.pumps import GetPump, get_pump
from thecal.services.refills import perform_refill


class StepClock:
    """Each reading is one minute after the last, starting after everything already stored."""

    def __init__(self, start: dt.datetime) -> None:
        self.at = start

    def now(self) -> dt.datetime:
        self.at += dt.timedelta(minutes=1)
        return self.at


def _ack(acks: Path, line: str) -> None:
    with acks.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _cycle(app: Thecal, acks: Path, n: int) -> None:
    nurse = actor(NURSE)
    pump = app.run(get_pump, GetPump(actor=nurse, pump_id="pump-1"))
    version = pump.version
    key = f"r{n}-{os.getpid()}"
    # never eight characters once the hyphens go: such an id would be read as a typed code
    syringe = f"verification-{key}"
    app.run(verify_admixture, verify(app.clock.now(), ident=syringe))
    app.run_device(perform_refill, refill(version, key=key, verification_id=syringe))
    _ack(acks, f"refill {key}")
    pump = app.run(get_pump, GetPump(actor=nurse, pump_id="pump-1"))  # the refill may settle a send
    dose = "5" if pump.program == program("5.5") else "5.5"
    change = app.run(propose_program_change, propose(dose, key=f"pc-{key}")).change
    signing = sign(change, app.clock.now())
    overrides = tuple(
        OverrideJustification(
            finding_code=f.code, reason=OverrideReason.CLINICAL_JUDGEMENT, text="crash test"
        )
        for f in change.findings
        if f.severity.value == "override"
    )
    signing = type(signing)(
        actor=signing.actor,
        change_id=signing.change_id,
        token=signing.token,
        overrides=overrides,
        acknowledged_warnings=frozenset(
            f.code for f in change.findings if f.severity.value == "warn"
        ),
    )
    change = app.run(sign_program_change, signing)
    change = app.run(cosign_program_change, cosign(change, app.clock.now()))
    version = app.run(get_pump, GetPump(actor=nurse, pump_id="pump-1")).version
    app.run_device(
        send_program_change,
        SendProgramChange(actor=nurse, change_id=change.change_id, expected_pump_version=version),
    )
    app.run_device(interrogate_pump, InterrogatePump(actor=nurse, pump_id="pump-1"))
    _ack(acks, f"change {change.change_id}")


def run_until_killed(parent: Thecal, acks: Path, *, kill_at: int, start_after: dt.datetime) -> None:
    """Cycle refill + program change; SIGKILL self at SQL statement ``kill_at``.

    Runs in a forked child on the parent's (disposed) engine, so the compiled-statement cache is
    warm and a kill point costs milliseconds.
    """
    app = dataclasses.replace(parent, clock=StepClock(max(start_after, START)))
    count = 0

    def maybe_die(*_: Any) -> None:
        nonlocal count
        count += 1
        if count == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    event.listen(app.engine, "before_cursor_execute", maybe_die)
    for n in range(1_000):
        _cycle(app, acks, n)
