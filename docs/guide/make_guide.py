# ruff: noqa: INP001 - a script beside the guide it illustrates, not a package
"""Regenerate the screenshots of the user guide (docs/guide/README.md) from the demo clinic.

``make guide`` runs it. It seeds the demo clinic (``thecal demo seed``: seed 20260101, a fixed
"today" of 2026-11-24) into a temp SQLite database, serves the web app on a free loopback port
with the clinical clock fixed at 09:00 UTC of that day (demo mode for the twin), drives Debian's
Chromium (/usr/bin/chromium) through Playwright as the demo users and writes one PNG per shot
into the output directory (default: this directory) under the stable names of ``SHOTS``.

    python docs/guide/make_guide.py [--out DIR] [--patients N] [--only NAME,NAME]

The same seed and day give the same clinic, so the pictures change only when the pages do, except
the pharmacy verification code (random by design) on the two pictures that show it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
SEED = 20260101
TODAY = dt.date(2026, 11, 24)
NOW = dt.datetime.combine(TODAY, dt.time(9, 0), tzinfo=dt.UTC)
PATIENTS = 40
#: The syringe label of the portal patient's morphine pump (its admixture, a full 20 mL reservoir).
LABEL = {
    "concentration": "10 mg/mL",
    "volume": "20 mL",
    "lot": "GUIDE-0426",
    "beyond_use": "2026-12-01T12:00",
}
WITHDRAWN_ML = "15.8"  # what the nurse reads off the syringe: the record expects about 15.9 mL
PROPOSED_DOSE = "1.25 mg/day"  # the portal patient's morphine pump runs 1.15 mg/day
AUDIT_KEY = "guide-audit-key-" + "g" * 32
CLINICIAN = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
PASSWORDS = {  # the public demo accounts (docs/demo.md, `thecal demo users`)
    "physician": "Paula-demo-2026",
    "physician2": "Peter-demo-2026",
    "nurse": "Nick-demo-2026!",
    "pharmacist": "Phil-demo-2026",
    "admin": "Ada-demo-2026!",
    "patient": "Pat-demo-2026",
}


class FixedClock:
    """The clinical clock of the guide: 09:00 UTC on the seed's day, always."""

    def now(self) -> dt.datetime:
        return NOW


@dataclass(frozen=True)
class Ids:
    """The records the shots open, found in the seeded database."""

    patient: str  # the portal patient (`patient`), a morphine pump with patient boluses
    pump: str
    trial: str
    trial_patient: str


def _ids(database: Path) -> Ids:
    with sqlite3.connect(database) as db:

        def one(sql: str, *parameters: str) -> str:
            row = db.execute(sql, parameters).fetchone()
            if row is None:
                msg = f"the demo clinic has nothing for: {sql}"
                raise RuntimeError(msg)
            return str(row[0])

        patient = one("SELECT patient_id FROM users WHERE username = 'patient'")
        pump = one("SELECT id FROM pumps WHERE patient_id = ? AND state = 'active'", patient)
        trial = one(
            "SELECT t.id FROM trials t JOIN trial_observations o ON o.trial_id = t.id "
            "GROUP BY t.id ORDER BY count(*) DESC, t.id LIMIT 1"
        )
        return Ids(
            patient=patient,
            pump=pump,
            trial=trial,
            trial_patient=one("SELECT patient_id FROM trials WHERE id = ?", trial),
        )


def seed(database: Path, patients: int) -> None:
    from pydantic import SecretStr  # noqa: PLC0415

    from thecal.config import Settings  # noqa: PLC0415 - after the path is set
    from thecal.entrypoints.cli.demo import run_seed  # noqa: PLC0415

    settings = Settings(
        database_url=f"sqlite:///{database}", audit_key=SecretStr(AUDIT_KEY), env="test"
    )
    run_seed(patients=patients, seed=SEED, today=TODAY, settings=settings, only_if_empty=False)


@contextmanager
def serving(database: Path) -> Iterator[str]:
    """The web app over the seeded database on a free loopback port, in a thread."""
    import socket  # noqa: PLC0415

    import uvicorn  # noqa: PLC0415
    from pydantic import SecretStr  # noqa: PLC0415

    from thecal.bootstrap import bootstrap  # noqa: PLC0415
    from thecal.config import Settings  # noqa: PLC0415
    from thecal.entrypoints.api.app import create_app  # noqa: PLC0415

    settings = Settings(
        database_url=f"sqlite:///{database}",
        audit_key=SecretStr(AUDIT_KEY),
        env="test",
        demo_mode=True,
    )
    thecal = bootstrap(settings, clock=FixedClock())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn.Config(
        create_app(thecal), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            msg = "the guide's server did not start within 30 s"
            raise RuntimeError(msg)
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        thecal.close()


class Shooter:
    """One browser; a context per user (kept for the next shot of the same user)."""

    def __init__(self, browser: Any, base: str, out: Path) -> None:
        self.browser = browser
        self.base = base
        self.out = out
        self._pages: dict[str, Any] = {}
        self.verification_code = ""

    def page(self, user: str | None, *, phone: bool = False) -> Any:
        key = f"{user}:{phone}"
        if key not in self._pages:
            context = self.browser.new_context(
                viewport=PHONE if phone else CLINICIAN, device_scale_factor=1, locale="en-GB"
            )
            page = context.new_page()
            if user is not None:
                page.goto(f"{self.base}/login")
                page.get_by_label("Username").fill(user)
                page.get_by_label("Password").fill(PASSWORDS[user])
                page.get_by_role("button", name="Log in").click()
                page.wait_for_load_state()
            self._pages[key] = page
        return self._pages[key]

    def close(self) -> None:
        for page in self._pages.values():
            page.context.close()

    def open(self, user: str | None, path: str, *, phone: bool = False) -> Any:
        page = self.page(user, phone=phone)
        page.goto(self.base + path)
        page.wait_for_load_state()
        return page

    def shot(self, page: Any, name: str, *, at: str | None = None) -> None:
        """A viewport screenshot; ``at`` scrolls that element to the top of the screen first."""
        if at is not None:
            page.locator(at).first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(self.out / name), animations="disabled", caret="hide")


Shot = Callable[[Shooter, Ids], None]


def _login(s: Shooter, _: Ids) -> None:
    page = s.open(None, "/login")
    page.get_by_label("Username").fill("nurse")
    s.shot(page, "login.png")


def _worklist(s: Shooter, _: Ids) -> None:
    s.shot(s.open("nurse", "/"), "worklist.png")


def _patient(s: Shooter, ids: Ids) -> None:
    s.shot(s.open("physician", f"/patients/{ids.patient}"), "patient.png")


def _candidacy(s: Shooter, ids: Ids) -> None:
    s.shot(s.open("physician", f"/patients/{ids.trial_patient}/candidacy/new"), "candidacy.png")


def _trial(s: Shooter, ids: Ids) -> None:
    page = s.open("physician", f"/trials/{ids.trial}")
    s.shot(page, "trial.png")
    s.shot(page, "trial-observations.png", at="#obs-h")


def _implant(s: Shooter, ids: Ids) -> None:
    s.shot(s.open("physician", f"/patients/{ids.trial_patient}/implants/new"), "implant.png")


def _pump(s: Shooter, ids: Ids) -> None:
    page = s.open("physician", f"/pumps/{ids.pump}")
    s.shot(page, "pump.png")
    page.get_by_role("button", name="Interrogate the pump").click()
    page.wait_for_load_state()
    s.shot(page, "pump-interrogated.png", at="#interrogate-h")
    s.shot(page, "program-editor.png", at="#program-editor")


def _program_change(s: Shooter, ids: Ids) -> None:
    """Propose a higher dose, sign as the physician, co-sign as the second physician, send."""
    page = s.open("physician", f"/pumps/{ids.pump}")
    page.locator("#daily_dose").fill(PROPOSED_DOSE)
    page.locator("#program-editor #rationale").fill("pain not yet controlled; titrate by protocol")
    page.get_by_role("button", name="Propose and review").click()
    page.wait_for_load_state()
    s.shot(page, "program-change.png")
    for warning in page.locator("input[name=acknowledge]").all():
        warning.check()
    page.locator("#sign-password").fill(PASSWORDS["physician"])
    s.shot(page, "program-sign.png", at="#findings-h")
    page.get_by_role("button", name="Sign", exact=True).click()
    page.wait_for_load_state()
    second = s.open("physician2", page.url.removeprefix(s.base))
    second.locator("#cosign-password").fill(PASSWORDS["physician2"])
    s.shot(second, "program-cosign.png", at="#signatures-h")
    second.get_by_role("button", name="Co-sign").click()
    second.wait_for_load_state()
    second.get_by_role("button", name="Send to pump").click()
    second.wait_for_load_state()
    if "Sent." not in second.locator("main").inner_text():
        msg = "the guide's program change was not sent"
        raise RuntimeError(msg)


def _pharmacy(s: Shooter, ids: Ids) -> None:
    """The pharmacist types the label of the portal patient's next syringe and gets its code."""
    page = s.open("pharmacist", f"/pumps/{ids.pump}")
    form = page.locator("#pharmacy-form")
    form.locator("#concentration").fill(LABEL["concentration"])
    form.locator("#volume").fill(LABEL["volume"])
    form.locator("#lot").fill(LABEL["lot"])
    form.locator("#beyond_use").fill(LABEL["beyond_use"])
    s.shot(page, "pharmacy-label.png", at="#pharmacy-h")
    form.get_by_role("button", name="Verify").click()
    page.wait_for_load_state()
    s.verification_code = page.locator("#verification-id").inner_text()
    s.shot(page, "pharmacy-code.png")


def _refill(s: Shooter, ids: Ids) -> None:
    """The nurse refills with the pharmacist's code (made by the pharmacy shot, which runs first)."""
    if not s.verification_code:
        msg = "the refill shot needs the pharmacy shot before it (--only pharmacy,refill)"
        raise RuntimeError(msg)
    page = s.open("nurse", f"/pumps/{ids.pump}")
    form = page.locator("#refill-form")
    form.locator("#verification_id").fill(s.verification_code)
    form.locator("#lot_at_bedside").fill(LABEL["lot"])
    form.locator("#ordered_volume_ml").fill(LABEL["volume"].removesuffix(" mL"))
    form.locator("#withdrawn_ml").fill(WITHDRAWN_ML)
    form.locator("#injected_ml").fill(LABEL["volume"].removesuffix(" mL"))
    for check in form.locator("input[type=checkbox]").all():
        check.check()
    s.shot(page, "refill-form.png", at="#refill-h")
    form.get_by_role("button", name="Perform the refill").click()
    page.wait_for_load_state()
    if "completed" not in page.locator("h1").inner_text():
        msg = "the guide's refill was not completed"
        raise RuntimeError(msg)
    s.shot(page, "refill-result.png")


def _admixture(s: Shooter, ids: Ids) -> None:
    page = s.open("physician", f"/pumps/{ids.pump}/admixture-changes/new")
    s.shot(page, "admixture-change.png")


def _device_events(s: Shooter, ids: Ids) -> None:
    s.shot(s.open("physician", f"/pumps/{ids.pump}/events"), "device-events.png")


def _portal(s: Shooter, _: Ids) -> None:
    page = s.open("patient", "/portal", phone=True)
    s.shot(page, "portal-phone.png")
    s.shot(page, "portal-diary-phone.png", at="#diary-h")


def _outcomes(s: Shooter, _: Ids) -> None:
    s.shot(s.open("physician", "/outcomes"), "outcomes.png")


def _audit(s: Shooter, _: Ids) -> None:
    s.shot(s.open("admin", "/audit"), "audit.png")


#: Every shot by name (``--only``), in the guide's order, with the PNGs it writes.
SHOTS: dict[str, tuple[Shot, tuple[str, ...]]] = {
    "login": (_login, ("login.png",)),
    "worklist": (_worklist, ("worklist.png",)),
    "patient": (_patient, ("patient.png",)),
    "candidacy": (_candidacy, ("candidacy.png",)),
    "trial": (_trial, ("trial.png", "trial-observations.png")),
    "implant": (_implant, ("implant.png",)),
    "pump": (_pump, ("pump.png", "pump-interrogated.png", "program-editor.png")),
    "program-change": (
        _program_change,
        ("program-change.png", "program-sign.png", "program-cosign.png"),
    ),
    "pharmacy": (_pharmacy, ("pharmacy-label.png", "pharmacy-code.png")),
    "refill": (_refill, ("refill-form.png", "refill-result.png")),  # after "pharmacy"
    "admixture": (_admixture, ("admixture-change.png",)),
    "device-events": (_device_events, ("device-events.png",)),
    "portal": (_portal, ("portal-phone.png", "portal-diary-phone.png")),
    "outcomes": (_outcomes, ("outcomes.png",)),
    "audit": (_audit, ("audit.png",)),
}


def _shoot(shooter: Shooter, ids: Ids, chosen: tuple[str, ...]) -> None:
    try:
        for name in chosen:
            SHOTS[name][0](shooter, ids)
    finally:
        shooter.close()


def generate(
    out: Path,
    *,
    patients: int = PATIENTS,
    only: tuple[str, ...] = (),
    seeded: Path | None = None,
    browser: Any = None,
) -> list[Path]:
    """Seed (or copy ``seeded``, a database this script seeded), serve and shoot with
    ``browser`` (a Playwright Chromium; launched here when None); the PNGs written, in order."""
    unknown = [name for name in only if name not in SHOTS]
    if unknown:
        msg = f"unknown shot(s) {', '.join(unknown)}; known: {', '.join(SHOTS)}"
        raise ValueError(msg)
    if not CHROMIUM.exists():
        msg = f"{CHROMIUM} is missing: apt-get install -y chromium"
        raise RuntimeError(msg)
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    out.mkdir(parents=True, exist_ok=True)
    chosen = only or tuple(SHOTS)
    with tempfile.TemporaryDirectory(prefix="thecal-guide-") as work:
        database = Path(work) / "guide.db"
        if seeded is not None:
            shutil.copyfile(seeded, database)
        else:
            seed(database, patients)
        ids = _ids(database)
        with serving(database) as base:
            if browser is not None:
                _shoot(Shooter(browser, base, out), ids, chosen)
            else:
                with sync_playwright() as playwright:
                    launched = playwright.chromium.launch(
                        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                    )
                    try:
                        _shoot(Shooter(launched, base, out), ids, chosen)
                    finally:
                        launched.close()
    return [out / png for name in chosen for png in SHOTS[name][1]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="where the PNGs go")
    parser.add_argument("--patients", type=int, default=PATIENTS, help="demo clinic size")
    parser.add_argument("--only", default="", help="comma-separated shot names")
    parser.add_argument("--seeded", type=Path, help="a copy of this demo database, not a new seed")
    arguments = parser.parse_args(argv)
    only = tuple(name for name in arguments.only.split(",") if name)
    for written in generate(
        arguments.out, patients=arguments.patients, only=only, seeded=arguments.seeded
    ):
        sys.stdout.write(f"{written} ({written.stat().st_size // 1024} KiB)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
