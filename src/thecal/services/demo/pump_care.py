"""One implanted demo pump and the care it gets, each act a real use case on the seed clock.

``refill`` and ``titrate`` keep the pump version the nurse's screen would show (taken from the
last result; a refill or a send moves it by one); if another act moved it, the stale-version
conflict is answered the way a clinician would: read the pump again and retry once.

A patient whose program has a bolus button gets a portal account (``open_portal``: the
administrator creates it, username the MRN in lower case, password ``portal-<the MRN's digits>-demo``; public
demo accounts) and presses the button as themself. ``refill_epoch`` counts the refill chains: a
refill made outside the chain (after a pump was emptied for an MRI) starts a new chain, and a
refill planned by the old one is then skipped.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram, ProgramMode
from thecal.domain.program_change import (
    ConfirmationToken,
    OverrideJustification,
    OverrideReason,
    ProgramChange,
    ProgramChangeBlocked,
    ProgramChangeState,
)
from thecal.domain.refill import PharmacyLabel, PocketFillChecklist
from thecal.domain.tasks import TaskKind
from thecal.domain.units import Volume
from thecal.domain.users import Actor, Role
from thecal.services.accounts import CreateUser
from thecal.services.demo.clinic import ConfigureTwin, configure_twin
from thecal.services.demo.cohort import PatientPlan
from thecal.services.demo.context import SeedContext
from thecal.services.demo.therapy import flex_titrated, periodic_of, titrated
from thecal.services.device import InterrogatePump, Interrogation, interrogate_pump
from thecal.services.identity import Reauthenticate
from thecal.services.mri import (
    ClearMri,
    EmptyPumpForMri,
    PlanMri,
    RecordMriScan,
    clear_mri,
    empty_pump_for_mri,
    plan_mri,
    record_mri_scan,
)
from thecal.services.patient_bolus import RequestPatientBolus, request_patient_bolus
from thecal.services.pharmacy import VerifyAdmixture, verify_admixture
from thecal.services.program_changes import (
    CoSignProgramChange,
    ProposeProgramChange,
    SendProgramChange,
    SignProgramChange,
    cosign_program_change,
    propose_program_change,
    send_program_change,
    sign_program_change,
)
from thecal.services.pump_record import StalePumpVersion
from thecal.services.pumps import GetPump, ImplantPump, get_pump, implant_pump
from thecal.services.refills import PerformRefill, perform_refill
from thecal.services.tasks import CompleteTask, ListTasks, complete_task, list_tasks
from thecal.simulation.faults import Fault

__all__ = ["PumpCare", "portal_password"]

T = TypeVar("T")
_CATHETERS = {"synchromed": "indura-1p-8709sc", "prometra": "prometra-catheter"}
_CHECKED = PocketFillChecklist(
    needle_placement_confirmed=True,
    aspiration_positive=True,
    no_pocket_swelling_or_pain=True,
    observed_for_overdose_symptoms=True,
)
CHECKED = _CHECKED  # every item confirmed (the demo's refills; services/demo/admixture_changes.py)
_POCKET_PERCENT = Decimal(30)  # a third of the refill volume into the pocket (S75, S77)
_LATE_PERCENT = 12  # refills a few days late: the low-reservoir alarm shows
_AT_REFILL = 2  # the pocket fill happens at the pump's second refill
_MRI_FIELD_T = Decimal("1.5")  # 1.5 T: the field every pump model is cleared for (S55, S56, S59)


def portal_password(username: str) -> str:
    """The public demo password of a seeded patient's portal account: ``portal-`` and the
    username's digits, then ``-demo`` (``demo-p00002`` → ``portal-00002-demo``; a password may
    not contain its username)."""
    return f"portal-{''.join(c for c in username if c.isdigit())}-demo"


@dataclass(slots=True, kw_only=True)
class PumpCare:
    ctx: SeedContext
    plan: PatientPlan
    patient_id: str
    pump_id: str
    implant_id: str
    serial: str
    program: InfusionProgram
    volume: Volume  # the reservoir volume filled each time
    version: int
    next_due: dt.datetime | None
    rng: random.Random
    refills: int = 0
    changes: int = 0
    #: Delivery suspended (an interruption): no titration until the restart.
    suspended: bool = False
    refill_epoch: int = 0
    mri_plan_id: str | None = None

    @classmethod
    def implant(
        cls,
        ctx: SeedContext,
        plan: PatientPlan,
        *,
        patient_id: str,
        program: InfusionProgram,
        rng: random.Random,
    ) -> PumpCare:
        """Implant the pump: fill, initial program, priming bolus (``implant_pump``)."""
        model_id = plan.pump_model_id or "synchromed-ii-20"
        model = reference_library().pump(model_id)
        catheter = _CATHETERS["prometra" if model_id.startswith("prometra") else "synchromed"]
        serial = f"{'NGP' if catheter.startswith('indura') else 'PRM'}-{plan.number:06d}"
        result = ctx.clinic.run_device(
            implant_pump,
            ImplantPump(
                actor=ctx.staff.physician,
                patient_id=patient_id,
                pump_model_id=model_id,
                pump_serial=serial,
                catheter_model_id=catheter,
                catheter_length_cm=Decimal(rng.randint(45, 75)),
                catheter_tip_level=rng.choice(("T8", "T9", "T10", "T11")),
                initial_fill=program.admixture,
                fill_volume=model.reservoir.value,
                initial_program=program,
                pump_id=ctx.ident("pump", plan.number),
                implant_id=ctx.ident("implant", plan.number),
            ),
        )
        ctx.tally.add("implants")
        ctx.serials.append(result.pump.serial)
        ctx.tally.pumps_by_model[model_id] += 1
        return cls(
            ctx=ctx,
            plan=plan,
            patient_id=patient_id,
            pump_id=result.pump.id,
            implant_id=result.implant.implant_id,
            serial=result.pump.serial,
            program=program,
            volume=model.reservoir.value,
            version=result.pump.version,
            next_due=result.pump.next_refill_due,
            rng=rng,
        )

    # ------------------------------------------------------------------ acts

    def interrogate(self) -> None:
        self.read()

    def read(self) -> Interrogation:
        """Interrogate the pump (the nurse) and return what it reports."""
        reading = self.ctx.clinic.run_device(
            interrogate_pump, InterrogatePump(actor=self.ctx.staff.nurse, pump_id=self.pump_id)
        )
        self.version = reading.pump.version
        self.ctx.tally.add("interrogations")
        return reading

    def open_portal(self) -> Actor | None:
        """The patient's portal account (created if missing); None without a bolus button."""
        ctx = self.ctx
        if self.program.patient_bolus is None:
            return None
        known = ctx.patient_actors.get(self.patient_id)
        if known is not None:
            return known
        username = self.plan.mrn.lower()
        user = ctx.clinic.run(
            ctx.clinic.accounts.create_user,
            CreateUser(
                actor=ctx.staff.administrator,
                username=username,
                role=Role.PATIENT,
                display_name=f"{self.plan.given_names} {self.plan.family_name}",
                password=portal_password(username),
                patient_id=self.patient_id,
                user_id=ctx.ident("user", self.plan.number),
            ),
        )
        actor = user.as_actor()
        ctx.patient_actors[self.patient_id] = actor
        ctx.tally.add("portal accounts")
        return actor

    def patient_bolus(self, actor: Actor) -> None:
        """The patient presses the PTM button; the pump decides (lockout, daily maximum)."""
        answer = self.ctx.clinic.run_device(
            request_patient_bolus, RequestPatientBolus(actor=actor, pump_id=self.pump_id)
        )
        self.ctx.tally.add("patient bolus requests")
        if answer.granted:
            self.ctx.tally.add("patient bolus requests granted")
        else:
            self.ctx.tally.add(f"patient bolus requests refused: {answer.reason}")

    def knob(self, *, fault: Fault | None = None, pocket: Decimal | None = None) -> None:
        self.ctx.clinic.run_device(
            configure_twin,
            ConfigureTwin(serial=self.serial, fault=fault, pocket_fill_percent=pocket),
        )
        self.ctx.tally.add("twin faults" if fault is not None else "pocket fills")

    def field(self, *, on: bool) -> None:
        """The patient enters (``on``) or leaves the scanner's field (a twin input)."""
        self.ctx.clinic.run_device(configure_twin, ConfigureTwin(serial=self.serial, mri=on))

    # ------------------------------------------------------------------ MRI

    def mri_plan(self, *, scan_at: dt.datetime) -> None:
        ctx = self.ctx
        plan = ctx.clinic.run(
            plan_mri,
            PlanMri(
                actor=ctx.staff.physician,
                pump_id=self.pump_id,
                scan_at=scan_at,
                field_strength_t=_MRI_FIELD_T,
                plan_id=ctx.ident("mri", self.plan.number),
            ),
        )
        self.mri_plan_id = plan.plan_id
        ctx.tally.add("MRI plans")

    def mri_empty(self) -> None:
        """Withdraw the reservoir before the scan (a valve-gated Prometra, S58, S59)."""
        ctx, plan_id = self.ctx, self._mri()
        self._with_fresh_version(
            lambda version: ctx.clinic.run_device(
                empty_pump_for_mri,
                EmptyPumpForMri(
                    actor=ctx.staff.physician, plan_id=plan_id, expected_pump_version=version
                ),
            )
        )
        self.version += 1
        ctx.tally.add("MRI pump emptyings")

    def mri_clear(self) -> None:
        self.ctx.clinic.run(
            clear_mri, ClearMri(actor=self.ctx.staff.physician, plan_id=self._mri())
        )

    def mri_scan(self) -> None:
        self.ctx.clinic.run(
            record_mri_scan, RecordMriScan(actor=self.ctx.staff.nurse, plan_id=self._mri())
        )
        self.ctx.tally.add("MRI scans")

    def close_mri_task(self, note: str) -> None:
        """The nurse ticks the post-MRI task on the pump's task list, with what was done."""
        ctx, plan_id = self.ctx, self._mri()
        tasks = ctx.clinic.run(list_tasks, ListTasks(actor=ctx.staff.nurse, pump_id=self.pump_id))
        for stored in tasks:
            if (
                stored.task.kind is TaskKind.POST_MRI_INTERROGATION
                and stored.task.origin == plan_id
            ):
                ctx.clinic.run(
                    complete_task,
                    CompleteTask(
                        actor=ctx.staff.nurse,
                        task_id=stored.id,
                        expected_version=stored.version,
                        note=note,
                    ),
                )
                ctx.tally.add("post-MRI tasks closed")

    def _mri(self) -> str:
        if self.mri_plan_id is None:
            msg = f"pump {self.serial} has no MRI planned"
            raise RuntimeError(msg)
        return self.mri_plan_id

    # ------------------------------------------------------------------ refills

    def planned_refill(self) -> Callable[[], dt.datetime | None]:
        """The next refill of the current chain (skipped if a later chain replaced it)."""
        epoch = self.refill_epoch

        def act() -> dt.datetime | None:
            return self.refill() if epoch == self.refill_epoch else None

        return act

    def refill_out_of_chain(self) -> dt.datetime | None:
        """A refill the chain did not plan (an emptied pump): it starts a new chain."""
        self.refill_epoch += 1
        return self.refill()

    def titrate(self) -> None:
        """Propose a higher dose, sign and co-sign it (re-authenticated), send, confirm."""
        ctx, staff = self.ctx, self.ctx.staff
        if self.suspended:
            ctx.tally.add("titrations deferred: delivery suspended")
            return
        new_program, kind = self._next_program()
        self.changes += 1
        key = ctx.ident("program-change", self.plan.number, self.changes)
        try:
            outcome = ctx.clinic.run(
                propose_program_change,
                ProposeProgramChange(
                    actor=staff.nurse,
                    pump_id=self.pump_id,
                    new_program=new_program,
                    idempotency_key=key,
                    rationale="pain not yet controlled; titrate by protocol",
                    change_id=key,
                ),
            )
        except ProgramChangeBlocked:
            ctx.tally.add("program changes blocked")
            return
        change = outcome.change
        if change.state is ProgramChangeState.BLOCKED:
            ctx.tally.add("program changes blocked")
            return
        signer = staff.physician
        cosigner = self.rng.choice((staff.nurse, staff.second_physician))
        if cosigner == staff.nurse:  # the proposer may not co-sign (clinic policy, default on)
            cosigner = staff.second_physician
        self.sign_cosign_send(change, signer=signer, cosigner=cosigner)
        self.program = new_program
        ctx.tally.add("program changes")
        if kind:
            ctx.tally.add(kind)

    def sign_cosign_send(self, change: ProgramChange, *, signer: Actor, cosigner: Actor) -> None:
        """The physician signs (every warning acknowledged, every override justified), a second
        clinician co-signs (each re-authenticated on the diff), the program is sent and an
        interrogation confirms it."""
        ctx = self.ctx
        warnings = frozenset(f.code for f in change.findings if f.severity.value == "warn")
        overrides = tuple(
            OverrideJustification(
                finding_code=f.code,
                reason=OverrideReason.CLINICAL_JUDGEMENT,
                text="reviewed with the patient; dose step within the clinic protocol",
            )
            for f in change.findings
            if f.severity.value == "override"
        )
        token = self._token(signer, change.change_id, change.diff.digest)
        change = ctx.clinic.run(
            sign_program_change,
            SignProgramChange(
                actor=signer,
                change_id=change.change_id,
                token=token,
                overrides=overrides,
                acknowledged_warnings=warnings,
            ),
        )
        token = self._token(cosigner, change.change_id, change.diff.digest)
        ctx.clinic.run(
            cosign_program_change,
            CoSignProgramChange(actor=cosigner, change_id=change.change_id, token=token),
        )
        self._with_fresh_version(
            lambda version: ctx.clinic.run_device(
                send_program_change,
                SendProgramChange(
                    actor=signer, change_id=change.change_id, expected_pump_version=version
                ),
            )
        )
        self.version += 1
        self.interrogate()

    def _next_program(self) -> tuple[InfusionProgram, str]:
        """The clinic's first titration on a pump that runs periodic boluses turns the daily dose
        into periodic boluses; its first titration on a pump with flex over the day is a flex
        schedule (a higher day rate); every other is a continuous dose 10–25 % higher. Returns
        the program and the tally it adds to (empty: a plain titration)."""
        counts = self.ctx.tally.counts
        model = reference_library().pump(self.plan.pump_model_id or "synchromed-ii-20")
        continuous = self.program.mode is ProgramMode.CONTINUOUS
        runs_periodic = model.periodic_bolus is not None and model.periodic_bolus.value
        if continuous and runs_periodic and not counts.get("periodic boluses"):
            return periodic_of(self.program), "periodic boluses"
        if continuous and model.max_flex_steps is not None and not counts.get("flex titrations"):
            return flex_titrated(self.program, self.rng), "flex titrations"
        return titrated(self.program, self.rng), ""

    def _token(self, actor: Actor, change_id: str, digest: str) -> ConfirmationToken:
        """The signer types their password again on the diff screen (SR-16)."""
        return self.ctx.clinic.run(
            self.ctx.clinic.identity.reauthenticate,
            Reauthenticate(
                actor=actor,
                password=self.ctx.staff.passwords[actor.user_id],
                change_id=change_id,
                diff_digest=digest,
            ),
        )

    def refill_time(self, rng: random.Random) -> dt.datetime:
        """When the next refill happens: near the planned date; now and then a few days late."""
        now = self.ctx.clock.now()
        due = self.next_due or (now + dt.timedelta(days=60))
        if rng.randrange(100) < _LATE_PERCENT:
            return due + dt.timedelta(days=rng.randint(2, 6))
        early = due - dt.timedelta(days=rng.randint(1, 7), minutes=rng.randrange(0, 300))
        return max(early, now + dt.timedelta(days=1))

    def refill(self) -> dt.datetime | None:
        """Verify the syringe (pharmacist), refill (nurse); return when the next one is due."""
        ctx = self.ctx
        self.refills += 1
        now = ctx.clock.now()
        verification = ctx.clinic.run(
            verify_admixture,
            VerifyAdmixture(
                actor=ctx.staff.pharmacist,
                pump_id=self.pump_id,
                label=PharmacyLabel(
                    admixture=self.program.admixture,
                    volume=self.volume,
                    lot=f"LOT-{self.plan.number:05d}-{self.refills:02d}",
                    beyond_use=now + dt.timedelta(days=30),
                ),
                verification_id=ctx.ident("verification", self.plan.number, self.refills),
            ),
        )
        ctx.tally.add("pharmacy verifications")
        if self.plan.pocket_fill and self.refills == _AT_REFILL:
            self.knob(pocket=_POCKET_PERCENT)
        outcome = self._with_fresh_version(
            lambda version: ctx.clinic.run_device(
                perform_refill,
                PerformRefill(
                    actor=ctx.staff.nurse,
                    pump_id=self.pump_id,
                    idempotency_key=ctx.ident("refill", self.plan.number, self.refills),
                    expected_pump_version=version,
                    verification_id=verification.id,
                    ordered_volume=self.volume,
                    lot_at_bedside=verification.label.lot,
                    test_volume=Volume.from_ml(5),
                    aspiration_returned=True,
                    checklist=_CHECKED,
                    refill_id=ctx.ident("refill-record", self.plan.number, self.refills),
                ),
            )
        )
        self.version += 1
        ctx.tally.add("refills")
        if outcome.reconciliation is not None and outcome.reconciliation.flagged:
            ctx.tally.add("refill discrepancies")
        if outcome.plan is None:
            return None
        self.next_due = outcome.plan.due
        return self.refill_time(self.rng)

    def _with_fresh_version(self, act: Callable[[int], T]) -> T:
        try:
            return act(self.version)
        except StalePumpVersion:
            pump = self.ctx.clinic.run(
                get_pump, GetPump(actor=self.ctx.staff.nurse, pump_id=self.pump_id)
            )
            self.version = pump.version
            return act(self.version)
