"""Referrals → API documents."""

from __future__ import annotations

from thecal.domain.scheduling import Referral
from thecal.entrypoints.api.schemas.referrals import ReferralPublic

__all__ = ["referral_public"]


def referral_public(r: Referral, possible: list[str] | None = None) -> ReferralPublic:
    f = r.form
    return ReferralPublic(
        id=r.id,
        received_at=r.received_at,
        state=r.state.value,
        source=f.source.value,
        family_name=f.family_name,
        given_names=f.given_names,
        birth_date=f.birth_date,
        email=f.email,
        phone=f.phone,
        condition=f.condition.value,
        tried=sorted(t.value for t in f.tried),
        tried_details=f.tried_details,
        referrer_name=f.referrer_name,
        referrer_practice=f.referrer_practice,
        referrer_contact=f.referrer_contact,
        message=f.message,
        patient_id=r.patient_id,
        note=r.note,
        version=r.version,
        possible_patients=possible or [],
    )
