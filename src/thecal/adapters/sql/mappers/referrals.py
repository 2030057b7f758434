"""Row ↔ domain for ``referrals``; the form is rebuilt without re-running its checks (they ran
when it arrived), the triage history is JSON (``transitions``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from thecal.adapters.sql.mappers.transitions import history_from_json, history_json
from thecal.domain.candidacy import Indication
from thecal.domain.scheduling import (
    IntakeForm,
    Referral,
    ReferralSource,
    ReferralState,
    TriedTreatment,
)

__all__ = ["referral_from_row", "referral_to_row"]

T = TypeVar("T")
Row = Mapping[Any, Any]


def _blank(cls: type[T]) -> T:
    return cls.__new__(cls)


def referral_to_row(referral: Referral) -> dict[str, Any]:
    f = referral.form
    return {
        "id": referral.id,
        "received_at": referral.received_at,
        "client_key": referral.client_key,
        "state": referral.state.value,
        "source": f.source.value,
        "family_name": f.family_name,
        "given_names": f.given_names,
        "birth_date": f.birth_date,
        "email": f.email,
        "phone": f.phone,
        "condition": f.condition.value,
        "tried": ",".join(sorted(t.value for t in f.tried)),
        "tried_details": f.tried_details,
        "consent_to_contact": f.consent_to_contact,
        "referrer_name": f.referrer_name,
        "referrer_practice": f.referrer_practice,
        "referrer_contact": f.referrer_contact,
        "message": f.message,
        "patient_id": referral.patient_id,
        "note": referral.note,
        "history": history_json(referral.history),
        "version": referral.version,
    }


def referral_from_row(row: Row) -> Referral:
    referral = _blank(Referral)
    form = _blank(IntakeForm)  # stored fields were checked when the form arrived
    values = {
        "source": ReferralSource(row["source"]),
        "family_name": row["family_name"],
        "given_names": row["given_names"],
        "birth_date": row["birth_date"],
        "email": row["email"],
        "phone": row["phone"],
        "condition": Indication(row["condition"]),
        "tried": frozenset(TriedTreatment(t) for t in row["tried"].split(",") if t),
        "tried_details": row["tried_details"],
        "consent_to_contact": bool(row["consent_to_contact"]),
        "referrer_name": row["referrer_name"],
        "referrer_practice": row["referrer_practice"],
        "referrer_contact": row["referrer_contact"],
        "message": row["message"],
    }
    for name, value in values.items():
        object.__setattr__(form, name, value)
    referral.id = row["id"]
    referral.form = form
    referral.received_at = row["received_at"]
    referral.client_key = row["client_key"]
    referral.state = ReferralState(row["state"])
    referral.patient_id = row["patient_id"]
    referral.note = row["note"]
    referral.history = history_from_json(row["history"])
    referral.version = row["version"]
    return referral
