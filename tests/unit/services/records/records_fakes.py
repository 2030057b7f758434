"""Fakes for the records use cases: an in-memory unit of work and a fixed clock (no mocks).

``FakeDatabase`` holds committed state; each ``with uow:`` works on a deep copy that replaces the
committed state only on ``commit()``, so rollback behaves like the real thing.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from care_team_fakes import CareTeamData, FakeCareTeams
from pathway_fakes import PathwayData
from pathway_fakes import install as install_pathway
from plan_fakes import PlanData
from plan_fakes import install as install_plans
from scheduling_fakes import SchedulingData
from scheduling_fakes import install as install_scheduling

from thecal.domain.assessment import Assessment
from thecal.domain.audit import AuditEntry, ChainHead
from thecal.domain.candidacy import CandidacyAssessment
from thecal.domain.patient import Patient
from thecal.domain.person_names import search_key
from thecal.domain.procedure import ProcedureRecord
from thecal.domain.sessions import ApiToken, AuthSession
from thecal.domain.users import User
from thecal.services.audit_checkpoints import MemoryCheckpointStore
from thecal.services.pump_record import PumpState
from thecal.services.repositories.assessments import AssessmentRepository
from thecal.services.repositories.audit import AuditRepository
from thecal.services.repositories.candidacy import CandidacyRepository
from thecal.services.repositories.patients import PatientQuery, PatientRepository
from thecal.services.repositories.procedures import ProcedureRepository
from thecal.services.repositories.sessions import (
    ApiTokenRepository,
    LoginFailureRepository,
    SessionRepository,
)
from thecal.services.repositories.users import UserRepository
from thecal.services.unit_of_work import AbstractUnitOfWork

AUDIT_KEY = b"fake-unit-of-work-audit-key-0123456789"
NOW = dt.datetime(2025, 6, 2, 14, 0, tzinfo=dt.UTC)


@dataclass
class FakeDatabase:
    patients: dict[str, Patient] = field(default_factory=dict)
    candidacy: dict[str, CandidacyAssessment] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    procedures: dict[str, ProcedureRecord] = field(default_factory=dict)
    assessments: dict[str, Assessment] = field(default_factory=dict)
    auth_sessions: dict[str, AuthSession] = field(default_factory=dict)
    login_failures: list[tuple[str, dt.datetime]] = field(default_factory=list)
    api_tokens: dict[str, ApiToken] = field(default_factory=dict)
    pathway: PathwayData = field(default_factory=PathwayData)
    plans: PlanData = field(default_factory=PlanData)
    scheduling: SchedulingData = field(default_factory=SchedulingData)
    care_teams: CareTeamData = field(default_factory=CareTeamData)
    commits: int = 0


class FakePatientRepository(PatientRepository):
    def __init__(self, data: FakeDatabase) -> None:
        super().__init__()
        self._data = data

    def _add(self, aggregate: Patient) -> None:
        self._data.patients[aggregate.id] = copy.deepcopy(aggregate)

    def _get(self, ident: str) -> Patient | None:
        return copy.deepcopy(self._data.patients.get(ident))

    def _get_by_mrn(self, mrn: str) -> Patient | None:
        found = [p for p in self._data.patients.values() if p.mrn == mrn]
        return copy.deepcopy(found[0]) if found else None

    def _search(self, query: PatientQuery) -> Sequence[Patient]:
        def matches(p: Patient) -> bool:
            d = p.demographics
            prefix = search_key(query.family_name_prefix or "")
            return (
                (query.mrn is None or p.mrn == query.mrn)
                and search_key(d.family_name).startswith(prefix)
                and (query.birth_date is None or d.birth_date == query.birth_date)
                and (query.within is None or p.id in query.within)
            )

        found = sorted(
            (p for p in self._data.patients.values() if matches(p)),
            key=lambda p: (p.demographics.family_name.casefold(), p.demographics.given_names, p.id),
        )
        return copy.deepcopy(found[: query.limit])

    def _update(self, aggregate: Patient, *, expected_version: int) -> bool:
        if self._data.patients[aggregate.id].version != expected_version:
            return False
        self._data.patients[aggregate.id] = copy.deepcopy(aggregate)
        return True


class FakeCandidacyRepository(CandidacyRepository):
    def __init__(self, data: FakeDatabase) -> None:
        super().__init__()
        self._data = data

    def _add(self, aggregate: CandidacyAssessment) -> None:
        self._data.candidacy[aggregate.id] = copy.deepcopy(aggregate)

    def _get(self, ident: str) -> CandidacyAssessment | None:
        return copy.deepcopy(self._data.candidacy.get(ident))

    def _for_patient(self, patient_id: str) -> Sequence[CandidacyAssessment]:
        found = [a for a in self._data.candidacy.values() if a.patient_id == patient_id]
        return copy.deepcopy(sorted(found, key=lambda a: a.assessed_at, reverse=True))

    def _update(self, aggregate: CandidacyAssessment, *, expected_version: int) -> bool:
        if self._data.candidacy[aggregate.id].version != expected_version:
            return False
        self._data.candidacy[aggregate.id] = copy.deepcopy(aggregate)
        return True


class FakeUserRepository(UserRepository):
    def __init__(self, data: FakeDatabase) -> None:
        super().__init__()
        self._data = data

    def _add(self, aggregate: User) -> None:
        self._data.users[aggregate.id] = copy.deepcopy(aggregate)

    def _get(self, ident: str) -> User | None:
        return copy.deepcopy(self._data.users.get(ident))

    def _get_by_username(self, username: str) -> User | None:
        found = [u for u in self._data.users.values() if u.username == username]
        return copy.deepcopy(found[0]) if found else None

    def _update(self, aggregate: User, *, expected_version: int) -> bool:
        if self._data.users[aggregate.id].version != expected_version:
            return False
        self._data.users[aggregate.id] = copy.deepcopy(aggregate)
        return True

    def _page(self, *, limit: int, offset: int) -> Sequence[User]:
        ordered = sorted(self._data.users.values(), key=lambda u: u.username)
        return copy.deepcopy(ordered[offset : offset + limit])


class FakeSessionRepository(SessionRepository):
    def __init__(self, data: FakeDatabase) -> None:
        self._data = data

    def add(self, session: AuthSession) -> None:
        self._data.auth_sessions[session.id] = copy.deepcopy(session)

    def get(self, digest: str) -> AuthSession | None:
        return copy.deepcopy(self._data.auth_sessions.get(digest))

    def save(self, session: AuthSession) -> None:
        self._data.auth_sessions[session.id] = copy.deepcopy(session)

    def open_for_user(self, user_id: str) -> Sequence[AuthSession]:
        return [
            copy.deepcopy(s)
            for s in self._data.auth_sessions.values()
            if s.user_id == user_id and s.ended_at is None
        ]


class FakeLoginFailureRepository(LoginFailureRepository):
    def __init__(self, data: FakeDatabase) -> None:
        self._data = data

    def record(self, username: str, at: dt.datetime) -> None:
        self._data.login_failures.append((username, at))

    def since(self, username: str, after: dt.datetime) -> Sequence[dt.datetime]:
        return [at for name, at in self._data.login_failures if name == username and at > after]


class FakeApiTokenRepository(ApiTokenRepository):
    def __init__(self, data: FakeDatabase) -> None:
        self._data = data

    def add(self, token: ApiToken) -> None:
        self._data.api_tokens[token.id] = copy.deepcopy(token)

    def get_by_digest(self, digest: str) -> ApiToken | None:
        found = [t for t in self._data.api_tokens.values() if t.digest == digest]
        return copy.deepcopy(found[0]) if found else None

    def get(self, ident: str) -> ApiToken | None:
        return copy.deepcopy(self._data.api_tokens.get(ident))

    def save(self, token: ApiToken) -> None:
        self._data.api_tokens[token.id] = copy.deepcopy(token)

    def listed(self, *, user_id: str | None, limit: int) -> Sequence[ApiToken]:
        found = [t for t in self._data.api_tokens.values() if user_id in (None, t.user_id)]
        found.sort(key=lambda t: (-t.created_at.timestamp(), t.id))
        return copy.deepcopy(found[:limit])


class FakeProcedureRepository(ProcedureRepository):
    def __init__(self, data: FakeDatabase) -> None:
        super().__init__()
        self._data = data

    def _add(self, aggregate: ProcedureRecord) -> None:
        self._data.procedures[aggregate.id] = copy.deepcopy(aggregate)

    def _get(self, ident: str) -> ProcedureRecord | None:
        return copy.deepcopy(self._data.procedures.get(ident))

    def _for_patient(self, patient_id: str) -> Sequence[ProcedureRecord]:
        found = [p for p in self._data.procedures.values() if p.patient_id == patient_id]
        found.sort(key=lambda p: p.id)
        found.sort(key=lambda p: p.performed_on, reverse=True)
        return copy.deepcopy(found)

    def _update(self, aggregate: ProcedureRecord, *, expected_version: int) -> bool:
        if self._data.procedures[aggregate.id].version != expected_version:
            return False
        self._data.procedures[aggregate.id] = copy.deepcopy(aggregate)
        return True


class FakeAssessmentRepository(AssessmentRepository):
    def __init__(self, data: FakeDatabase) -> None:
        super().__init__()
        self._data = data

    def _add(self, aggregate: Assessment) -> None:
        self._data.assessments[aggregate.id] = copy.deepcopy(aggregate)

    def _get(self, ident: str) -> Assessment | None:
        return copy.deepcopy(self._data.assessments.get(ident))

    def _for_patient(self, patient_id: str) -> Sequence[Assessment]:
        found = [a for a in self._data.assessments.values() if a.patient_id == patient_id]
        return copy.deepcopy(sorted(found, key=lambda a: (a.assessed_on, a.recorded_at, a.id)))

    def _update(self, aggregate: Assessment, *, expected_version: int) -> bool:
        if self._data.assessments[aggregate.id].version != expected_version:
            return False
        self._data.assessments[aggregate.id] = copy.deepcopy(aggregate)
        return True


class FakeAuditRepository(AuditRepository):
    def __init__(self, data: FakeDatabase) -> None:
        self._data = data

    def head(self) -> ChainHead | None:
        return self._data.audit[-1].head if self._data.audit else None

    def recorded_head(self) -> ChainHead | None:
        return self.head()

    def append(self, entry: AuditEntry) -> None:
        self._data.audit.append(entry)

    def entries(self, *, after_sequence: int = 0) -> Iterator[AuditEntry]:
        return iter([e for e in self._data.audit if e.sequence > after_sequence])


class FakeUnitOfWork(AbstractUnitOfWork):
    def __init__(self, database: FakeDatabase | None = None) -> None:
        super().__init__(audit_key=AUDIT_KEY, checkpoints=MemoryCheckpointStore(FixedClock()))
        self.database = database or FakeDatabase()
        self._working: FakeDatabase | None = None

    def _begin(self) -> None:
        self._working = copy.deepcopy(self.database)
        self.patients = FakePatientRepository(self._working)
        self.candidacy = FakeCandidacyRepository(self._working)
        self.users = FakeUserRepository(self._working)
        self.procedures = FakeProcedureRepository(self._working)
        self.assessments = FakeAssessmentRepository(self._working)
        self.audit_log = FakeAuditRepository(self._working)
        self.sessions = FakeSessionRepository(self._working)
        self.login_failures = FakeLoginFailureRepository(self._working)
        self.api_tokens = FakeApiTokenRepository(self._working)
        pathway = self._working.pathway
        self.care_teams = FakeCareTeams(
            self._working.care_teams,
            lambda: {p.patient_id for p in pathway.pumps.values() if p.state is PumpState.ACTIVE},
        )
        install_pathway(self, self._working.pathway)
        install_plans(self, self._working.plans)
        install_scheduling(self, self._working.scheduling)

    def _commit(self) -> None:
        assert self._working is not None
        self._working.commits += 1
        self.database = copy.deepcopy(self._working)

    @property
    def working(self) -> FakeDatabase:
        """The state inside the open transaction (tests use it to play a concurrent writer)."""
        assert self._working is not None
        return self._working

    def rollback(self) -> None:
        self._working = None


class FixedClock:
    def __init__(self, at: dt.datetime = NOW) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at
