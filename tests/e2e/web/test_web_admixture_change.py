"""The admixture-change pages (issue 12 §2, issue 13 §5): a bad entry comes back with what was
typed and the message, nothing stored; a good one redirects (post/redirect/get), so a reload
repeats nothing. Morphine 25 → 20 mg/mL with a bridge, from the proposal to the refill."""

from __future__ import annotations

import datetime as dt
import re

from api_support import PASSWORD, Clinic, implant_pump_with_patient_bolus
from test_web_pages import browser_login, form_token

from thecal.domain.program_change import ProgramChangeState
from thecal.domain.users import Actor, Role
from thecal.services.program_changes import GetProgramChange, get_program_change
from thecal.services.pump_reads import ListProgramChanges, list_program_changes


def _changes(clinic: Clinic, pump_id: str) -> int:
    actor = Actor(user_id=clinic.users[Role.NURSE], role=Role.NURSE)
    return clinic.thecal.run(
        list_program_changes, ListProgramChanges(actor=actor, pump_id=pump_id, limit=50, offset=0)
    ).total


def _post(client, page_url: str, action: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    return client.post(action, data={**fields, **data, "csrf_token": form_token(page.text, action)})


def test_an_admixture_change_through_the_pages_keeps_the_work_and_redirects(
    clinic: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    clinic.clock.advance(days=10)
    nurse, physician = browser_login(clinic, "nurse"), browser_login(clinic, "physician")
    assert "Change the admixture at the next refill" in nurse.get(f"/pumps/{pump_id}").text
    new_url, action = (
        f"/pumps/{pump_id}/admixture-changes/new",
        f"/pumps/{pump_id}/admixture-changes",
    )
    proposal = {
        "drug": "morphine",
        "concentration": "20",  # no unit: refused with its code, the entry kept
        "daily_dose": "5 mg/day",
        "bridge": "yes",
        "rationale": "stock strength",
    }
    refused = _post(physician, new_url, action, proposal)
    assert refused.status_code == 422
    assert "THC-QTY-00" in refused.text
    assert 'value="5 mg/day"' in refused.text
    assert ">stock strength</textarea>" in refused.text
    assert _changes(clinic, pump_id) == 0

    done = _post(physician, new_url, action, {**proposal, "concentration": "20 mg/mL"})
    assert done.status_code == 200  # followed the 303 to the change page
    assert done.history[0].status_code == 303
    assert "bridge bolus" in done.text
    assert "morphine 5 mg/day for 1 day 18 h" in done.text
    change_id = done.url.path.rsplit("/", 1)[-1]
    assert _changes(clinic, pump_id) == 1

    change_url = f"/pumps/{pump_id}/program-changes/{change_id}"
    page = physician.get(change_url)
    digest = re.search(r'name="diff_digest" value="([0-9a-f]{64})"', page.text)
    assert digest
    raw = page.text
    overrides = re.findall(r'name="override" value="([A-Z0-9-]+)"', raw)
    warns = re.findall(r'name="acknowledge" value="([A-Z0-9-]+)"', raw)
    data: dict[str, object] = {
        "csrf_token": form_token(raw, f"{change_url}/sign"),
        "diff_digest": digest.group(1),
        "password": PASSWORD,
        "override": overrides,
        "acknowledge": warns,
        **{f"override_text_{c}": "stock strength" for c in overrides},
    }
    assert physician.post(f"{change_url}/sign", data=data).status_code == 200
    page = nurse.get(change_url)
    nurse.post(
        f"{change_url}/cosign",
        data={
            "csrf_token": form_token(page.text, f"{change_url}/cosign"),
            "diff_digest": digest.group(1),
            "password": PASSWORD,
        },
    )
    page = nurse.get(change_url)
    assert 'id="at-refill"' in page.text  # no "send" button: the refill sends it
    waiting = nurse.get(f"/pumps/{pump_id}").text
    assert 'id="admixture-waiting"' in waiting
    assert f"/pumps/{pump_id}/admixture-changes/{change_id}/refill" in waiting
    assert "/send" not in re.sub(r"<a [^>]*>", "", page.text.split('id="signatures-h"')[1])

    pharmacist = browser_login(clinic, "pharmacist")
    verify_url = f"/pumps/{pump_id}/admixture-verifications/new"
    verify_action = f"/pumps/{pump_id}/admixture-verifications"
    label = {
        "drug": "morphine",
        "concentration": "20 mg/mL",
        "volume": "20 mL",
        "lot": "LOT-20",
        "beyond_use": (clinic.clock.now() + dt.timedelta(days=60)).strftime("%Y-%m-%dT%H:%M"),
    }
    wrong = _post(pharmacist, verify_url, verify_action, {**label, "concentration": "30 mg/mL"})
    assert wrong.status_code == 422
    assert "THC-PATH-025" in wrong.text
    assert "the label says morphine 30 mg/mL, the order is morphine 20 mg/mL" in wrong.text
    assert 'value="LOT-20"' in wrong.text
    verified = _post(pharmacist, verify_url, verify_action, {**label, "concentration": "20 mg/mL"})
    assert verified.history[0].status_code == 303
    number = re.search(r'id="verification-id">([^<]+)<', verified.text)
    assert number

    refill_url = f"/pumps/{pump_id}/admixture-changes/{change_id}/refill"
    nurse_view = browser_login(clinic, "nurse").get(refill_url)
    label_pdf = f"/pumps/{pump_id}/pharmacy-verifications/{number.group(1)}/label.pdf"
    assert f'<a class="syringe-label" href="{label_pdf}">' in nurse_view.text  # its label
    printed = browser_login(clinic, "nurse").get(label_pdf)
    assert printed.status_code == 200
    assert printed.headers["content-type"] == "application/pdf"
    bedside = {
        "verification_id": number.group(1),
        "lot_at_bedside": "LOT-99",  # the wrong lot: refused, the entries kept
        "ordered_volume": "20 mL",
        "withdrawn": "17 mL",
        "injected": "20 mL",
        "test_volume": "5 mL",
        **dict.fromkeys(
            (
                "aspiration_returned",
                "needle_placement_confirmed",
                "aspiration_positive",
                "no_pocket_swelling_or_pain",
                "observed_for_overdose_symptoms",
            ),
            "yes",
        ),
    }
    wrong_lot = _post(nurse, refill_url, refill_url, bedside)
    assert wrong_lot.status_code == 409
    assert "THC-PATH-022" in wrong_lot.text
    assert f'value="{number.group(1)}"' in wrong_lot.text
    filled = _post(nurse, refill_url, refill_url, {**bedside, "lot_at_bedside": "LOT-20"})
    assert filled.history[0].status_code == 303
    assert "Sent." in filled.text
    assert 'id="bridge-ends"' in filled.text
    again = nurse.get(filled.url)  # a reload of the answer is a read: nothing is repeated
    assert again.status_code == 200
    actor = Actor(user_id=clinic.users[Role.NURSE], role=Role.NURSE)
    change = clinic.thecal.run(
        get_program_change, GetProgramChange(actor=actor, change_id=change_id)
    )
    assert change.state is ProgramChangeState.SENT
