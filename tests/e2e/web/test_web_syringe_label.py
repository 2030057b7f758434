"""The printable syringe label (issue 13 §6, "Done when": the label PDF renders, converted to PNG
in the test and checked for the code).

The pharmacist verifies on the pump page, follows "Print the syringe label (PDF)" from the result
page and gets one 100 × 60 mm PDF page. Its text (read through the fonts' ToUnicode maps) names
the patient, pump, drug and concentration in the drug's display unit, volume, lot, beyond-use
date, pharmacist and code; the page drawn as a PNG is not blank and its QR code, read back from
the pixels by the tests' own decoder, is the code. The patient's nurse and physician may print
it; the patient, a clinician of another care team and an unknown code may not. On SQLite and
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
from api_support import (
    Clinic,
    TestClient,
    add_user,
    implant_pump_with_patient_bolus,
    logged_in,
)
from pdf_reader import read_pdf
from qr_reader import read_qr
from test_web_pages import browser_login, form_token

from thecal.domain.users import Role

API = "/api/v1"
LOT = "LOT-LABEL-7"


def _care_teams(clinic: Clinic) -> None:
    """Team Spine (physician, nurse; the own patient) and team Cancer pain (nurse2; the other)."""
    add_user(clinic, "nurse2", Role.NURSE)
    admin = logged_in(clinic, "admin")
    for name, people, patient in (
        ("Spine", ("physician", "nurse"), clinic.own_patient),
        ("Cancer pain", ("nurse2",), clinic.foreign_patient),
    ):
        team = admin.post(f"{API}/care-teams", json={"name": name})
        assert team.status_code == 201, team.text
        for username in people:
            added = admin.post(
                f"{API}/care-teams/{team.json()['id']}/members", json={"username": username}
            )
            assert added.status_code == 200, added.text
        assigned = admin.put(f"{API}/patients/{patient}/care-team", json={"team": name})
        assert assigned.status_code == 200, assigned.text


def _verify(clinic: Clinic, pump_id: str) -> tuple[TestClient, str, dt.datetime]:
    """The pharmacist verifies on the pump page; returns the client, the result page's label
    link and the beyond-use date typed."""
    pharmacist = browser_login(clinic, "pharmacist")
    page = pharmacist.get(f"/pumps/{pump_id}")
    action = f"/pumps/{pump_id}/pharmacy-verifications"
    beyond_use = (clinic.clock.now() + dt.timedelta(days=30)).replace(second=0, microsecond=0)
    posted = pharmacist.post(
        action,
        data={
            "csrf_token": form_token(page.text, action),
            "drug": "morphine",
            "concentration": "25 mg/mL",
            "volume": "20 mL",
            "lot": LOT,
            "beyond_use": beyond_use.strftime("%Y-%m-%dT%H:%M"),
        },
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text[-500:]
    result = pharmacist.get(posted.headers["location"])
    assert result.status_code == 200
    link = re.search(
        r'<a id="syringe-label" href="([^"]+)">Print the syringe label \(PDF\)', result.text
    )
    assert link, result.text[-1500:]
    return pharmacist, link.group(1), beyond_use


def test_the_pharmacist_prints_a_label_whose_text_and_qr_code_carry_the_verification(
    both: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(both)  # morphine 25 mg/mL, patient Owens, Alex
    pharmacist, link, beyond_use = _verify(both, pump_id)
    code = link.split("/")[-2]
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", code), link

    response = pharmacist.get(link)
    assert response.status_code == 200, response.text[-500:]
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'inline; filename="syringe-label-{code}.pdf"'
    assert response.headers["cache-control"] == "no-store"

    (page,) = read_pdf(response.content)
    assert (round(page.width / 72 * 25.4), round(page.height / 72 * 25.4)) == (100, 60)  # mm
    text = page.text
    for expected in (
        "FOR INTRATHECAL USE ONLY",
        "Owens, Alex",
        "MRN OWN-1 · born 17 May 1960",
        "Pump NGP-E2E-001 · SynchroMed II",
        "Morphine sulfate 25 mg/mL",  # the drug's display unit (mg for morphine)
        f"Volume 20 mL · lot {LOT}",
        f"Beyond use {beyond_use.day} {beyond_use:%b %Y %H:%M} UTC",
        "Verified by Pharmacist Tester",
        code,
    ):
        assert expected in text, (expected, text)
    assert "Reprint" not in text  # not yet injected
    assert "mcg" not in text
    assert "25000" not in text

    png = page.png()
    dark = np.asarray(png.convert("L")) < 128
    assert 0.05 < dark.mean() < 0.6, dark.mean()  # drawn, not blank and not a black page
    assert read_qr(png) == code  # the QR code, read back from the pixels, is the code


def test_the_patients_clinicians_may_print_it_others_may_not_and_an_unknown_code_is_named(
    both: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(both)
    _care_teams(both)
    _, link, _ = _verify(both, pump_id)
    code = link.split("/")[-2]
    for username in ("nurse", "physician"):
        printed = browser_login(both, username).get(link)
        assert printed.status_code == 200, (username, printed.text[-500:])
        assert code in read_pdf(printed.content)[0].text
    typed = browser_login(both, "nurse").get(
        f"/pumps/{pump_id}/pharmacy-verifications/{code.lower().replace('-', '')}/label.pdf"
    )
    assert typed.status_code == 200  # as the nurse types it: any case, no hyphen
    assert code in read_pdf(typed.content)[0].text

    other_team = browser_login(both, "nurse2").get(link)
    assert other_team.status_code == 403
    assert "THC-TEAM-004" in other_team.text
    patient = browser_login(both, "patient").get(link)
    assert patient.status_code == 403
    assert "application/pdf" not in patient.headers["content-type"]

    pharmacist = browser_login(both, "pharmacist")
    unknown = pharmacist.get(f"/pumps/{pump_id}/pharmacy-verifications/2222-2222/label.pdf")
    assert unknown.status_code == 404
    assert "THC-PHARM-001" in unknown.text
    assert "pharmacy verification 2222-2222 not found" in unknown.text
    other_pump = pharmacist.get(f"/pumps/not-this-pump/pharmacy-verifications/{code}/label.pdf")
    assert other_pump.status_code == 404  # the code is this pump's only

    audit = logged_in(both, "admin").get(
        f"{API}/audit", params={"action": "pharmacy.label_read", "limit": 50}
    )
    assert audit.status_code == 200, audit.text
    readers = [e for e in audit.json()["items"] if e["action"] == "pharmacy.label_read"]
    assert len(readers) == 3  # nurse, physician and the typed code: refusals read nothing


def test_the_nurses_refill_form_links_the_label_of_the_verified_syringe_until_it_is_used(
    both: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(both)
    nurse = browser_login(both, "nurse")
    assert 'id="syringe-labels"' not in nurse.get(f"/pumps/{pump_id}").text  # none verified yet
    _, link, beyond_use = _verify(both, pump_id)
    code = link.split("/")[-2]

    page = nurse.get(f"/pumps/{pump_id}").text
    form = re.search(
        r'<form method="post" action="[^"]+/refills" id="refill-form">.*?</form>', page, re.DOTALL
    )
    assert form, "no refill form"
    listed = re.search(r'<div id="syringe-labels">.*?</div>', form.group(0), re.DOTALL)
    assert listed, "the refill form links no syringe label"
    anchor = re.search(
        r'<a class="syringe-label" href="([^"]+)">Syringe label ([^ ]+) \(PDF\)</a>(.*?)</li>',
        listed.group(0),
        re.DOTALL,
    )
    assert anchor
    assert anchor.group(1) == link  # the same PDF the pharmacist printed
    assert anchor.group(2) == code
    facts = re.sub(r"<[^>]+>", "", anchor.group(3))
    assert "20 mL" in facts
    assert f"lot {LOT}" in facts
    assert f"{beyond_use:%Y-%m-%d %H:%M} UTC" in facts

    pdf = nurse.get(anchor.group(1))
    assert pdf.status_code == 200, pdf.text[-500:]
    assert pdf.headers["content-type"] == "application/pdf"
    assert code in read_pdf(pdf.content)[0].text

    refill_page = nurse.get(f"/pumps/{pump_id}")
    version = re.search(r'name="pump_version" value="(\d+)"', refill_page.text)
    assert version
    action = f"/pumps/{pump_id}/refills"
    done = nurse.post(
        action,
        data={
            "csrf_token": form_token(refill_page.text, action),
            "pump_version": version.group(1),
            "verification_id": code,
            "lot_at_bedside": LOT,
            "ordered_volume_ml": "20",
            "withdrawn_ml": "17",
            "injected_ml": "20",
            "test_volume_ml": "5",
            "aspiration_returned": "yes",
            "needle_placement_confirmed": "yes",
            "aspiration_positive": "yes",
            "no_pocket_swelling_or_pain": "yes",
            "observed_for_overdose_symptoms": "yes",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[-800:]
    assert f"Syringe label {code}" not in nurse.get(f"/pumps/{pump_id}").text  # used: gone
