"""The restart form after a long interruption (issue 12 §3), through TestClient: the restart as a
new start is not sent; the form leads to its program change, marked as a restart, to be signed and
co-signed; the pump page lists it among the pending changes and the pump stays suspended; while it
waits the events page shows no restart form but what the restart waits for, with a link to its
change (on SQLite and PostgreSQL), and a second restart from a tab left open is refused with its
code, nothing changed."""

from __future__ import annotations

import re

from api_support import PASSWORD, Clinic, implant_program
from test_web_pages import browser_login, form_token

from thecal.domain.admixture import Admixture
from thecal.domain.interruption import InterruptionReason
from thecal.domain.program import InfusionProgram, ProgramMode
from thecal.domain.units import Concentration, DoseRate
from thecal.domain.users import Actor, Role
from thecal.services.interruptions import SuspendDelivery, suspend_delivery
from thecal.services.pump_record import Pump
from thecal.services.pumps import GetPump, get_pump


def _physician(clinic: Clinic) -> Actor:
    return Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)


def _pump(clinic: Clinic, pump_id: str) -> Pump:
    found: Pump = clinic.thecal.run(get_pump, GetPump(actor=_physician(clinic), pump_id=pump_id))
    return found


def _suspended_pump(clinic: Clinic) -> str:
    """Morphine 10 mg/mL at 2 mg/day, suspended for an infection."""
    morphine = Admixture.single("morphine", Concentration.from_mg_per_ml(10))
    program = InfusionProgram.continuous(morphine, DoseRate.from_mg_per_day(2))
    pump_id = implant_program(clinic, program, serial="NGP-WEB-RESTART")
    clinic.clock.advance(days=2)
    clinic.thecal.run_device(
        suspend_delivery,
        SuspendDelivery(
            actor=_physician(clinic),
            pump_id=pump_id,
            expected_pump_version=_pump(clinic, pump_id).version,
            reason=InterruptionReason.INFECTION,
        ),
    )
    return pump_id


def _restart(client: object, pump_id: str, *, page_text: str | None = None) -> object:
    """Post the restart form of the events page (or of ``page_text``: a tab left open)."""
    page = f"/pumps/{pump_id}/events"
    action = f"/pumps/{pump_id}/events/restart"
    if page_text is None:
        shown = client.get(page)  # type: ignore[attr-defined]
        assert shown.status_code == 200, shown.text[-800:]
        page_text = shown.text
    form = re.search(rf'action="{re.escape(action)}".*?</form>', page_text, re.DOTALL)
    assert form, action
    version = re.search(r'name="pump_version" value="(\d+)"', form.group(0))
    assert version
    body = {
        "csrf_token": form_token(page_text, action),
        "pump_version": version.group(1),
        "daily_dose": "0.5 mg/day",
        "monitoring_hours": "24",
        "naloxone": "yes",
    }
    return client.post(action, data=body, follow_redirects=False)  # type: ignore[attr-defined]


def test_a_long_interruption_restart_leads_to_its_program_change_to_sign(clinic: Clinic) -> None:
    pump_id = _suspended_pump(clinic)
    clinic.clock.advance(days=4)  # tolerance counted lost after 3 days (clinic policy)
    client = browser_login(clinic, "physician")
    before = client.get(f"/pumps/{pump_id}/events").text
    assert "second clinician co-signs" in before
    assert 'id="restart-pending"' not in before

    restarted = _restart(client, pump_id)
    assert restarted.status_code == 303, restarted.text  # type: ignore[attr-defined]
    target = restarted.headers["location"]  # type: ignore[attr-defined]
    assert target.startswith(f"/pumps/{pump_id}/program-changes/")
    change_page = client.get(target).text
    assert 'id="restart-kind"' in change_page
    assert "Delivery stays suspended until this restart is signed" in change_page
    assert _pump(clinic, pump_id).program.mode is ProgramMode.STOPPED

    pump_page = client.get(f"/pumps/{pump_id}").text
    pending = pump_page[pump_page.index('id="pending-changes"') :]
    assert "restart as a new start" in pending
    assert target in pending

    events_page = client.get(f"/pumps/{pump_id}/events").text
    assert f'action="/pumps/{pump_id}/events/restart"' not in events_page  # no form to refuse
    waiting = events_page[events_page.index('id="restart-pending"') :]
    assert waiting.startswith('id="restart-pending">A restart is waiting for signature: ')
    assert f'href="{target}"' in waiting[: waiting.index("</p>")]

    version = _pump(clinic, pump_id).version
    again = _restart(client, pump_id, page_text=before)  # a tab left open before the restart
    assert again.status_code == 409  # type: ignore[attr-defined]
    assert "THC-PATH-069" in again.text  # type: ignore[attr-defined]
    assert _pump(clinic, pump_id).version == version


def test_a_signed_restart_shows_it_waits_for_co_signature_instead_of_the_form(
    both: Clinic,
) -> None:
    pump_id = _suspended_pump(both)
    both.clock.advance(days=4)
    client = browser_login(both, "physician")
    restarted = _restart(client, pump_id)
    assert restarted.status_code == 303, restarted.text  # type: ignore[attr-defined]
    change_url = restarted.headers["location"]  # type: ignore[attr-defined]
    review = client.get(change_url).text
    digest = re.search(r'name="diff_digest" value="([^"]+)"', review)
    assert digest is not None
    signed = client.post(
        f"{change_url}/sign",
        data={
            "csrf_token": form_token(review, f"{change_url}/sign"),
            "diff_digest": digest.group(1),
            "password": PASSWORD,
            "acknowledge": re.findall(r'name="acknowledge" value="([^"]+)"', review),
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text[-1500:]

    page = client.get(f"/pumps/{pump_id}/events").text
    assert f'action="/pumps/{pump_id}/events/restart"' not in page
    waiting = page[page.index('id="restart-pending"') :]
    waiting = waiting[: waiting.index("</p>")]
    assert waiting.startswith('id="restart-pending">A restart is waiting for co-signature: <a ')
    assert f'href="{change_url}"' in waiting
