"""In-memory fakes of the scheduling ports the pathway use cases reach (``replan_visits`` runs in
every use case that changes what visits a patient needs): appointments, referrals, visit needs.
Deep-copied with ``FakeUnitOfWork``, like the other fakes."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from thecal.domain.scheduling import (
    Appointment,
    Referral,
    ReferralState,
    VisitNeed,
    VisitPurpose,
)
from thecal.services.repositories.appointments import AppointmentRepository
from thecal.services.repositories.referrals import ReferralRepository
from thecal.services.repositories.visit_needs import VisitNeedRepository


@dataclass
class SchedulingData:
    appointments: dict[str, Appointment] = field(default_factory=dict)
    referrals: dict[str, Referral] = field(default_factory=dict)
    needs: dict[str, VisitNeed] = field(default_factory=dict)


class FakeAppointments(AppointmentRepository):
    def __init__(self, d: SchedulingData) -> None:
        super().__init__()
        self.d = d

    def _add(self, aggregate: Appointment) -> None:
        self.d.appointments[aggregate.id] = copy.deepcopy(aggregate)

    def _get(self, ident: str) -> Appointment | None:
        return copy.deepcopy(self.d.appointments.get(ident))

    def _update(self, aggregate: Appointment, *, expected_version: int) -> bool:
        stored = self.d.appointments.get(aggregate.id)
        if stored is None or stored.version != expected_version:
            return False
        self.d.appointments[aggregate.id] = copy.deepcopy(aggregate)
        return True

    def _for_patient(self, patient_id: str) -> Sequence[Appointment]:
        found = [a for a in self.d.appointments.values() if a.patient_id == patient_id]
        return [copy.deepcopy(a) for a in sorted(found, key=lambda a: (a.starts_at, a.id))]

    def _between(
        self, start: dt.datetime, end: dt.datetime, *, clinician_id: str | None
    ) -> Sequence[Appointment]:
        return [
            copy.deepcopy(a)
            for a in self.d.appointments.values()
            if start <= a.starts_at < end and clinician_id in {None, a.clinician_id}
        ]

    def busy(
        self, resources: Sequence[str], start: dt.datetime, end: dt.datetime
    ) -> Mapping[tuple[str, dt.datetime], str]:
        return {
            (resource, at): a.id
            for a in self.d.appointments.values()
            if a.holds_slots
            for resource, at in a.slots()
            if resource in resources and start <= at < end
        }

    def for_purposes(self, purposes: Sequence[VisitPurpose]) -> Sequence[Appointment]:
        return [copy.deepcopy(a) for a in self.d.appointments.values() if a.purpose in purposes]


class FakeReferrals(ReferralRepository):
    def __init__(self, d: SchedulingData) -> None:
        super().__init__()
        self.d = d

    def _add(self, aggregate: Referral) -> None:
        self.d.referrals[aggregate.id] = copy.deepcopy(aggregate)

    def _get(self, ident: str) -> Referral | None:
        return copy.deepcopy(self.d.referrals.get(ident))

    def _update(self, aggregate: Referral, *, expected_version: int) -> bool:
        stored = self.d.referrals.get(aggregate.id)
        if stored is None or stored.version != expected_version:
            return False
        self.d.referrals[aggregate.id] = copy.deepcopy(aggregate)
        return True

    def _page(
        self, *, states: frozenset[ReferralState] | None, limit: int, offset: int
    ) -> Sequence[Referral]:
        found = [r for r in self.d.referrals.values() if states is None or r.state in states]
        return sorted(found, key=lambda r: (r.received_at, r.id))[offset : offset + limit]

    def _for_patient(self, patient_id: str) -> Sequence[Referral]:
        return [copy.deepcopy(r) for r in self.d.referrals.values() if r.patient_id == patient_id]

    def count_from(self, client_key: str, *, since: dt.datetime) -> int:
        return sum(
            1
            for r in self.d.referrals.values()
            if r.client_key == client_key and r.received_at >= since
        )


class FakeVisitNeeds(VisitNeedRepository):
    def __init__(self, d: SchedulingData) -> None:
        self.d = d

    def for_patient(self, patient_id: str) -> Sequence[VisitNeed]:
        return sorted(
            (n for n in self.d.needs.values() if n.patient_id == patient_id),
            key=lambda n: (n.latest, n.id),
        )

    def patients(self) -> Sequence[str]:
        return sorted({n.patient_id for n in self.d.needs.values()})

    def replace_for_patient(self, patient_id: str, needs: Sequence[VisitNeed]) -> None:
        for ident in [i for i, n in self.d.needs.items() if n.patient_id == patient_id]:
            del self.d.needs[ident]
        self.d.needs.update({n.id: n for n in needs})

    def get(self, need_id: str) -> VisitNeed | None:
        return self.d.needs.get(need_id)


def install(uow: Any, d: SchedulingData) -> None:
    """Set the scheduling repositories the pathway use cases reach."""
    uow.appointments = FakeAppointments(d)
    uow.referrals = FakeReferrals(d)
    uow.visit_needs = FakeVisitNeeds(d)
