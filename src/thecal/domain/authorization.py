"""The one authorization policy: deny by default, an explicit allow table per role.

Every use case calls :func:`authorize` before it reads or writes anything. The table below is the
whole policy (SR-21): an action not listed for a role is refused; a listed action is allowed either
for ``ANY`` subject, for a patient of the actor's care ``TEAM`` (physicians and nurses: the reach
on the actor, :mod:`thecal.domain.care_teams`, including patients opened by break-glass), for a
patient whose pump ``REFILLS`` the actor verifies (pharmacists: a pump in the clinic's care) or only
for the actor's ``OWN`` record (object-level rule: a patient user sees only their own record). Admins manage users and read the audit log but make no clinical writes
(architecture.md §1); a test checks that :data:`CLINICAL_WRITES` never appears in their row.

To add a use case: add its :class:`Action`, then one cell per role that may do it. Nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from types import MappingProxyType

from thecal.domain.errors import PermissionDenied
from thecal.domain.users import Actor, Role

__all__ = [
    "ALLOW",
    "CLINICAL_WRITES",
    "AccessDenied",
    "Action",
    "OutsideCareTeam",
    "OutsideRefills",
    "Scope",
    "Subject",
    "authorize",
    "authorize_function",
    "in_reach",
    "is_allowed",
]


class Action(StrEnum):
    """What a use case does; the value is the code written to the audit log."""

    PATIENT_REGISTER = "patient.register"
    PATIENT_SEARCH = "patient.search"
    PATIENT_READ = "patient.read"
    PATIENT_AMEND = "patient.amend"
    CANDIDACY_RECORD = "candidacy.record"
    CANDIDACY_READ = "candidacy.read"
    AUDIT_VERIFY = "audit.verify"
    AUDIT_READ = "audit.read"
    AUDIT_KEY_ROTATE = "audit.key_rotate"  # a new audit key put in service (admin)
    AUDIT_RESTORE_ACCEPT = "audit.restore_accept"  # a restored backup's shorter chain accepted
    USER_MANAGE = "user.manage"
    PROCEDURE_RECORD = "procedure.record"
    PROCEDURE_READ = "procedure.read"
    ASSESSMENT_RECORD = "assessment.record"
    ASSESSMENT_READ = "assessment.read"
    OUTCOMES_REPORT = "outcomes.report"
    FHIR_EXPORT = "fhir.export"
    # Identity events: written to the audit log, granted to no role (a login is allowed by the
    # credentials themselves, not by the policy table).
    SESSION_LOGIN = "session.login"
    SESSION_LOGIN_FAILED = "session.login_failed"
    SESSION_LOGOUT = "session.logout"
    SESSION_EXPIRED = "session.expired"
    SESSION_REAUTHENTICATE = "session.reauthenticate"
    # the clinical pathway (services/pumps.py, program_changes.py, pharmacy.py, refills.py, …)
    PUMP_IMPLANT = "pump.implant"
    PUMP_READ = "pump.read"
    PUMP_INTERROGATE = "pump.interrogate"
    PROGRAM_PROPOSE = "program.propose"
    PROGRAM_SIGN = "program.sign"
    PROGRAM_COSIGN = "program.cosign"
    PROGRAM_SEND = "program.send"
    PROGRAM_READ = "program.read"
    PROGRAM_WITHDRAW = "program.withdraw"  # a pending change withdrawn, with its reason
    PHARMACY_VERIFY = "pharmacy.verify"
    PHARMACY_LABEL_READ = "pharmacy.label_read"  # the printable syringe label of a verification
    REFILL_PERFORM = "refill.perform"
    PATIENT_BOLUS_REQUEST = "pump.patient_bolus"
    # trials, MRI and the worklist (services/trials.py, mri.py, worklist.py)
    TRIAL_PLAN = "trial.plan"
    TRIAL_ADMINISTER = "trial.administer"
    TRIAL_OBSERVE = "trial.observe"
    TRIAL_DISCHARGE = "trial.discharge"
    TRIAL_DECIDE = "trial.decide"
    TRIAL_READ = "trial.read"
    MRI_PLAN = "mri.plan"
    MRI_EMPTY = "mri.empty"
    MRI_CLEAR = "mri.clear"
    MRI_SCAN = "mri.scan"
    MRI_READ = "mri.read"
    WORKLIST_READ = "worklist.read"
    # the events of a pump's life (services/pump_replacements.py, catheter_revisions.py, …)
    DEVICE_EVENT_RECORD = "device_event.record"  # replacement, revision, explant, stop, restart
    DEVICE_EVENT_SUSPEND = "device_event.suspend"  # suspend delivery (infection, surgery, …)
    DEVICE_EVENT_TRANSFER = "device_event.transfer"  # a transfer of care, in or out
    DEVICE_EVENT_READ = "device_event.read"
    DEMO_CONSOLE = "demo.console"  # the pump console (demo mode only): time travel, faults, MRI
    TASK_READ = "task.read"  # the open tasks (services/tasks.py)
    TASK_COMPLETE = "task.complete"  # mark an open task done
    # scheduling (services/scheduling/): referrals, visits, calendars, reminders, feeds
    REFERRAL_SUBMIT = "referral.submit"  # the public intake page: granted to no role (anonymous)
    REFERRAL_READ = "referral.read"
    REFERRAL_TRIAGE = "referral.triage"  # accept (a patient record), decline, ask for more
    APPOINTMENT_READ = "appointment.read"
    APPOINTMENT_BOOK = "appointment.book"  # book, move, cancel, attended, no-show
    VISIT_PLAN = "visit.plan"  # re-plan the visits the clinic's facts ask for (every patient)
    CALENDAR_READ = "calendar.read"  # rooms, working hours, closures, free times (no PHI)
    CALENDAR_MANAGE = "calendar.manage"  # rooms, working hours, closures: clinic settings
    CALENDAR_FEED = "calendar.feed"  # a clinician's own .ics feed: make, revoke, read by its URL
    REMINDER_SEND = "reminder.send"  # the due-reminders job
    REMINDER_PREFERENCE = "reminder.preference"  # what a patient's reminders may say
    # care teams (SR-21; services/care_teams.py)
    CARE_TEAM_MANAGE = "care_team.manage"  # teams, their clinicians and patients (admin)
    BREAK_GLASS = "patient.break_glass"  # open one patient outside one's teams, for a time
    BREAK_GLASS_REVIEW = "patient.break_glass_review"  # an admin closes the alert, with a note
    # A refused use case (written by bootstrap.Thecal.run in its own transaction); granted to no
    # role: it records the policy saying no (SR-17, SR-21).
    ACCESS_REFUSED = "access.refused"
    # Second factor (SR-19; services/identity.py, accounts.py): audited, granted to no role (a
    # user acts on their own enrolment; an administrator's reset is checked as USER_MANAGE).
    MFA_ENROLMENT_STARTED = "mfa.enrolment_started"  # a new secret shown, not yet confirmed
    MFA_ENROLLED = "mfa.enrolled"  # a first code confirmed the secret (or the operator set it)
    MFA_RESET = "mfa.reset"  # an administrator removed the enrolment (recovery)
    MFA_CODE_ACCEPTED = "mfa.code_accepted"
    MFA_CODE_REFUSED = "mfa.code_refused"  # wrong or replayed: counts as a failed log-in


class Scope(Enum):
    ANY = "any"  # any subject of the action
    TEAM = "team"  # a patient of the actor's care teams (or opened by break-glass), SR-21
    OWN = "own"  # only the actor's own patient record
    REFILLS = "refills"  # a patient whose pump refills the pharmacist verifies (the reach), SR-21


CLINICAL_WRITES: frozenset[Action] = frozenset(
    {
        Action.PATIENT_REGISTER,
        Action.PATIENT_AMEND,
        Action.CANDIDACY_RECORD,
        Action.PROCEDURE_RECORD,
        Action.ASSESSMENT_RECORD,
        Action.PUMP_IMPLANT,
        Action.PUMP_INTERROGATE,
        Action.PROGRAM_PROPOSE,
        Action.PROGRAM_SIGN,
        Action.PROGRAM_COSIGN,
        Action.PROGRAM_SEND,
        Action.PROGRAM_WITHDRAW,
        Action.PHARMACY_VERIFY,
        Action.REFILL_PERFORM,
        Action.PATIENT_BOLUS_REQUEST,
        Action.TRIAL_PLAN,
        Action.TRIAL_ADMINISTER,
        Action.TRIAL_OBSERVE,
        Action.TRIAL_DISCHARGE,
        Action.TRIAL_DECIDE,
        Action.MRI_PLAN,
        Action.MRI_EMPTY,
        Action.MRI_CLEAR,
        Action.MRI_SCAN,
        Action.DEVICE_EVENT_RECORD,
        Action.DEVICE_EVENT_SUSPEND,
        Action.DEVICE_EVENT_TRANSFER,
        Action.TASK_COMPLETE,
        Action.REFERRAL_TRIAGE,
        Action.APPOINTMENT_BOOK,
    }
)

# The pathway: clinicians read pumps and program changes and run the pump; physicians implant
# and sign; either clinician co-signs (a different one, checked by the aggregate); pharmacists
# verify admixtures; a patient reads their own pump and asks it for a bolus.
_PATHWAY_CLINICIAN = {
    Action.PUMP_READ: Scope.ANY,
    Action.PUMP_INTERROGATE: Scope.ANY,
    Action.PROGRAM_READ: Scope.ANY,
    Action.PROGRAM_PROPOSE: Scope.ANY,
    Action.PROGRAM_COSIGN: Scope.ANY,
    Action.PROGRAM_SEND: Scope.ANY,
    Action.PROGRAM_WITHDRAW: Scope.ANY,
    Action.REFILL_PERFORM: Scope.ANY,
    Action.PHARMACY_LABEL_READ: Scope.ANY,  # the syringe label of their patient's refill
    # nurses record trial observations and discharge, plan MRIs, record emptying and the scan
    Action.TRIAL_OBSERVE: Scope.ANY,
    Action.TRIAL_DISCHARGE: Scope.ANY,
    Action.TRIAL_READ: Scope.ANY,
    Action.MRI_PLAN: Scope.ANY,
    Action.MRI_EMPTY: Scope.ANY,
    Action.MRI_SCAN: Scope.ANY,
    Action.MRI_READ: Scope.ANY,
    # nurses suspend delivery and record transfers; a physician does the surgery and restarts
    Action.DEVICE_EVENT_SUSPEND: Scope.ANY,
    Action.DEVICE_EVENT_TRANSFER: Scope.ANY,
    Action.DEVICE_EVENT_READ: Scope.ANY,
    Action.WORKLIST_READ: Scope.ANY,
    Action.DEMO_CONSOLE: Scope.ANY,  # demo mode only (the page refuses otherwise)
    Action.TASK_READ: Scope.ANY,
    Action.TASK_COMPLETE: Scope.ANY,  # physicians and nurses close worklist tasks
    # scheduling: clinicians triage referrals, book and keep visits, read calendars, own a feed
    Action.REFERRAL_READ: Scope.ANY,
    Action.REFERRAL_TRIAGE: Scope.ANY,
    Action.APPOINTMENT_READ: Scope.ANY,
    Action.APPOINTMENT_BOOK: Scope.ANY,
    Action.VISIT_PLAN: Scope.ANY,
    Action.CALENDAR_READ: Scope.ANY,
    Action.CALENDAR_FEED: Scope.ANY,
    Action.REMINDER_PREFERENCE: Scope.ANY,
}

_CLINICIAN_READS = {
    Action.PATIENT_SEARCH: Scope.ANY,
    Action.PATIENT_READ: Scope.ANY,
    Action.CANDIDACY_READ: Scope.ANY,
    Action.PROCEDURE_READ: Scope.ANY,
    Action.ASSESSMENT_READ: Scope.ANY,
    Action.OUTCOMES_REPORT: Scope.ANY,
}


def _on_teams(row: Mapping[Action, Scope]) -> Mapping[Action, Scope]:
    """A clinician's row: every patient's record only within the actor's care teams (SR-21).

    ``TEAM`` on a subject with no patient (a search, the worklist, a new registration) allows
    the action; what it returns is narrowed to the actor's reach by the use case.
    """
    scoped = {a: Scope.TEAM if s is Scope.ANY else s for a, s in row.items()}
    # breaking the glass is for a patient *outside* the actor's teams: any patient
    return MappingProxyType({**scoped, Action.BREAK_GLASS: Scope.ANY})


ALLOW: Mapping[Role, Mapping[Action, Scope]] = MappingProxyType(
    {
        Role.PHYSICIAN: _on_teams(
            {
                **_CLINICIAN_READS,
                Action.PATIENT_REGISTER: Scope.ANY,
                Action.PATIENT_AMEND: Scope.ANY,
                Action.CANDIDACY_RECORD: Scope.ANY,
                Action.PROCEDURE_RECORD: Scope.ANY,
                Action.ASSESSMENT_RECORD: Scope.ANY,
                Action.FHIR_EXPORT: Scope.ANY,
                Action.AUDIT_VERIFY: Scope.ANY,
                **_PATHWAY_CLINICIAN,
                Action.PUMP_IMPLANT: Scope.ANY,
                Action.PROGRAM_SIGN: Scope.ANY,
                # only a physician plans and doses a trial, decides it, and clears for MRI
                Action.TRIAL_PLAN: Scope.ANY,
                Action.TRIAL_ADMINISTER: Scope.ANY,
                Action.TRIAL_DECIDE: Scope.ANY,
                Action.MRI_CLEAR: Scope.ANY,
                Action.DEVICE_EVENT_RECORD: Scope.ANY,
            }
        ),
        Role.NURSE: _on_teams(
            {
                **_CLINICIAN_READS,
                Action.PATIENT_REGISTER: Scope.ANY,
                Action.PATIENT_AMEND: Scope.ANY,
                Action.CANDIDACY_RECORD: Scope.ANY,
                Action.PROCEDURE_RECORD: Scope.ANY,
                Action.ASSESSMENT_RECORD: Scope.ANY,
                **_PATHWAY_CLINICIAN,
            }
        ),
        # pharmacists see the refills they verify (SR-21): the patients with a pump in the
        # clinic's care, not every patient (the reach on the actor: CareReach.refills)
        Role.PHARMACIST: MappingProxyType(
            {
                Action.PUMP_READ: Scope.REFILLS,
                Action.PHARMACY_VERIFY: Scope.REFILLS,
                Action.PHARMACY_LABEL_READ: Scope.REFILLS,  # print the syringe label
                Action.PATIENT_SEARCH: Scope.REFILLS,
                Action.PATIENT_READ: Scope.REFILLS,
                Action.WORKLIST_READ: Scope.REFILLS,  # its refill rows only (services/worklist.py)
            }
        ),
        Role.ADMIN: MappingProxyType(
            {
                Action.AUDIT_VERIFY: Scope.ANY,
                Action.AUDIT_READ: Scope.ANY,
                Action.AUDIT_KEY_ROTATE: Scope.ANY,
                Action.AUDIT_RESTORE_ACCEPT: Scope.ANY,
                Action.USER_MANAGE: Scope.ANY,
                Action.CARE_TEAM_MANAGE: Scope.ANY,
                # the break-glass alerts (its worklist holds only those) and their review
                Action.WORKLIST_READ: Scope.ANY,
                Action.BREAK_GLASS_REVIEW: Scope.ANY,
                Action.OUTCOMES_REPORT: Scope.ANY,  # aggregate figures only, no identifiers
                # the clinic's calendars (no PHI) and the scheduling jobs
                Action.CALENDAR_READ: Scope.ANY,
                Action.CALENDAR_MANAGE: Scope.ANY,
                Action.REMINDER_SEND: Scope.ANY,
                Action.VISIT_PLAN: Scope.ANY,
            }
        ),
        Role.PATIENT: MappingProxyType(
            {
                Action.PATIENT_READ: Scope.OWN,
                Action.CANDIDACY_READ: Scope.OWN,
                Action.PROCEDURE_READ: Scope.OWN,
                Action.ASSESSMENT_RECORD: Scope.OWN,  # pain diary and questionnaires
                Action.ASSESSMENT_READ: Scope.OWN,
                Action.FHIR_EXPORT: Scope.OWN,  # a copy of their own record
                Action.PUMP_READ: Scope.OWN,
                Action.PATIENT_BOLUS_REQUEST: Scope.OWN,  # their own pump's bolus button
                Action.APPOINTMENT_READ: Scope.OWN,  # their upcoming visits in the portal
                Action.REMINDER_PREFERENCE: Scope.OWN,  # what their reminders may say
            }
        ),
        # a non-clinical service account (issue 15 §1): read-only record export, nothing else
        Role.INTEGRATION: MappingProxyType({Action.FHIR_EXPORT: Scope.ANY}),
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    """What an action is about. ``patient_id`` is set for anything inside a patient's record."""

    kind: str
    ident: str | None = None
    patient_id: str | None = None

    @classmethod
    def patient(cls, patient_id: str) -> Subject:
        return cls(kind="patient", ident=patient_id, patient_id=patient_id)

    @classmethod
    def collection(cls, kind: str) -> Subject:
        """A query or creation not (yet) about one record: patients, audit log, users."""
        return cls(kind=kind)

    def __str__(self) -> str:
        return f"{self.kind}:{self.ident}" if self.ident else self.kind


class AccessDenied(PermissionDenied):
    code = "THC-AUTH-001"
    template = "{role} may not {action} {subject}"


class OutsideCareTeam(AccessDenied):
    """Allowed for the role, but the patient is on none of the actor's care teams (SR-21)."""

    code = "THC-TEAM-004"
    template = (
        "{role} may not {action} {subject}: the patient is not on a care team of yours; "
        "break the glass with a reason to open the record for a limited time"
    )


class OutsideRefills(AccessDenied):
    """A pharmacist's action on a patient with no pump in the clinic's care: no refill of theirs
    to verify, so not their record to see (SR-21)."""

    code = "THC-TEAM-005"
    template = (
        "{role} may not {action} {subject}: a pharmacist sees the patients whose pump refills "
        "they verify, and this patient has no pump in the clinic's care"
    )


def is_allowed(actor: Actor, action: Action, subject: Subject) -> bool:
    """True only when the table allows ``action`` on ``subject`` for this actor."""
    if not actor.active:
        return False
    scope = ALLOW.get(actor.role, {}).get(action)
    if scope is Scope.ANY:
        return True
    if scope is Scope.TEAM or scope is Scope.REFILLS:
        return (
            subject.patient_id is None
            or actor.reach is None
            or actor.reach.covers(subject.patient_id)
        )
    if scope is Scope.OWN:
        return actor.patient_id is not None and subject.patient_id == actor.patient_id
    return False


def authorize(actor: Actor, action: Action, subject: Subject) -> None:
    """Raise :class:`AccessDenied` unless the policy allows it; the default answer is no.

    A clinician allowed the action but not on this patient's care team gets
    :class:`~thecal.domain.care_teams.OutsideCareTeam` (403, naming break-the-glass).
    """
    if not is_allowed(actor, action, subject):
        fields = {"role": actor.role.value, "action": action.value, "subject": str(subject)}
        scope = ALLOW.get(actor.role, {}).get(action) if actor.active else None
        if scope is Scope.TEAM:
            # the patient to break the glass for (the subject may be their pump, a change, …)
            raise OutsideCareTeam(**fields, patient_id=subject.patient_id or "")
        if scope is Scope.REFILLS:
            raise OutsideRefills(**fields)
        raise AccessDenied(**fields)


def in_reach(actor: Actor, patient_ids: Iterable[str]) -> list[str]:
    """The patients of ``patient_ids`` the actor may reach (all of them when not team-scoped)."""
    if actor.reach is None:
        return list(patient_ids)
    return [p for p in patient_ids if actor.reach.covers(p)]


def authorize_function(actor: Actor, action: Action) -> None:
    """Function-level check before a lookup: refuse roles that may never do ``action``.

    Use it when the subject's owner is known only after loading (for example a record found by
    its own id); call :func:`authorize` with the loaded subject afterwards.
    """
    if not actor.active or action not in ALLOW.get(actor.role, {}):
        raise AccessDenied(role=actor.role.value, action=action.value, subject="any record")
