"""The debtor's page: a secret link, one check question, then what is owed and why; dispute
and call-back from the phone; anything wrong with a link is the same 404."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import DebtorLink, TimelineEntry
from app.services import casework, debtor_access
from tests import factories
from tests.helpers import page_text as text

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def case(amicable_case):
    return amicable_case


@pytest.fixture
def token(people, case):
    return debtor_access.create_link(people.agent, case)


def test_the_token_is_long_random_and_stored_only_hashed(token):
    assert len(token) >= 22  # 22 random bytes, over 128 bits
    stored = db.session.scalar(sa.select(DebtorLink.token_hash))
    assert token not in stored and len(stored) == 64


def test_after_the_siren_check_the_debtor_sees_what_is_owed_and_why(client, token):
    first = client.get(f"/p/{token}")
    assert "indiquez le numéro SIREN de votre entreprise" in text(first)
    assert "1 297,92" not in text(first)  # nothing shown before the check

    response = client.post(f"/p/{token}", data={"answer": "732 829 320"}, follow_redirects=True)

    page = text(response)
    assert "Recouvra Agence SAS, pour le compte de Boulangerie Dupont SAS" in page
    assert "1 297,92 €" in page and "57,92 €" in page and "40,00 €" in page
    assert "taux de la BCE + 10 points" in page


def test_a_wrong_answer_says_how_many_tries_are_left_and_five_lock_the_link(client, token):
    for tries_left in (4, 3, 2, 1):
        response = client.post(f"/p/{token}", data={"answer": "000000000"})
        assert response.status_code == 422
        assert f"Il vous reste {tries_left} essai" in text(response)

    locked = client.post(f"/p/{token}", data={"answer": "000000000"})
    assert locked.status_code == 429
    assert "Trop d’essais" in text(locked)
    # Even the right answer waits for the lock to end.
    still = client.post(f"/p/{token}", data={"answer": "732829320"})
    assert still.status_code == 429


@pytest.mark.parametrize("kind", ["unknown", "revoked", "closed"])
def test_a_bad_link_is_the_same_404_as_an_unknown_one(people, client, case, token, kind, today):
    if kind == "revoked":
        debtor_access.revoke_links(people.agent, case)
    elif kind == "closed":
        casework.move_stage(
            people.agent, case, "closed", reason="Retrait", outcome="withdrawn", today=today
        )
    url = "/p/not-a-real-token-at-all-xxxxxxx" if kind == "unknown" else f"/p/{token}"

    response = client.get(url)

    assert response.status_code == 404
    assert "SIREN" not in text(response)


def passed(client, token):
    client.post(f"/p/{token}", data={"answer": "732829320"})


def test_a_dispute_puts_the_case_on_hold_and_tells_the_agent_and_creditor(
    client, case, token, today
):
    passed(client, token)

    response = client.post(
        f"/p/{token}/contestation",
        data={
            "dispute-reason": "already_paid",
            "dispute-text": "Payé par virement le 3 juillet",
            "dispute-proof": (io.BytesIO(factories.minimal_pdf()), "virement.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )

    assert "Votre contestation est enregistrée" in text(response)
    db.session.refresh(case)
    assert case.hold_reason == "dispute" and case.next_action_on == today
    entry = db.session.scalar(
        sa.select(TimelineEntry).where(TimelineEntry.kind == "debtor_dispute")
    )
    assert entry.visible_to_creditor and entry.data["reason"] == "already_paid"
    assert any(d.original_name == "virement.pdf" for d in case.documents)


def test_a_dispute_without_an_explanation_is_refused_in_french(client, token):
    passed(client, token)

    response = client.post(f"/p/{token}/contestation", data={"dispute-reason": "other"})

    assert response.status_code == 422
    assert "Expliquez en quelques mots ce que vous contestez." in text(response)


def test_a_call_back_request_lands_in_the_agents_queue(client, case, token):
    passed(client, token)

    client.post(
        f"/p/{token}/rappel",
        data={
            "callback-on": "2026-11-26",
            "callback-slot": "morning",
            "callback-phone": "06 12 34 56 78",
        },
    )

    db.session.refresh(case)
    assert case.next_action_on == date(2026, 11, 26)
    entry = db.session.scalar(
        sa.select(TimelineEntry).where(TimelineEntry.kind == "callback_requested")
    )
    assert entry.data["phone"] == "+33612345678" and not entry.visible_to_creditor


def test_the_actions_need_the_check_first(client, token):
    response = client.post(
        f"/p/{token}/contestation", data={"dispute-reason": "other", "dispute-text": "x"}
    )

    assert response.status_code == 302 and response.headers["Location"].endswith(f"/p/{token}")


def test_the_agent_creates_a_link_shown_once(people, login, client, case):
    login(people.agent)

    page = text(client.post(f"/agence/dossiers/{case.reference}/lien"))

    url = re.search(r"http://recouvra\.test/p/([A-Za-z0-9_-]+)", page)
    assert url is not None
    assert debtor_access.find_link(url.group(1)).case_id == case.id
    assert url.group(1) not in text(client.get(f"/agence/dossiers/{case.reference}"))


def test_the_debtor_proposes_monthly_installments_inside_the_policy(client, case, token):
    passed(client, token)

    response = client.post(
        f"/p/{token}/echeancier",
        data={"plan-installment_count": "4", "plan-first_due_on": "2026-12-01"},
        follow_redirects=True,
    )

    page = text(response)
    assert "Votre échéancier est accepté" in page
    assert page.count("01/12/2026") >= 1 and "01/03/2027" in page
    db.session.refresh(case)
    assert case.hold_reason == "payment_plan"


def test_a_plan_past_the_creditors_longest_duration_becomes_a_request(people, client, case, token):
    people.creditor.plan_max_months = 3
    db.session.commit()
    passed(client, token)

    response = client.post(
        f"/p/{token}/echeancier",
        data={"plan-installment_count": "6", "plan-first_due_on": "2026-12-01"},
        follow_redirects=True,
    )

    assert "Votre proposition est transmise" in text(response)
    entry = db.session.scalar(sa.select(TimelineEntry).where(TimelineEntry.kind == "plan_proposed"))
    assert entry.visible_to_creditor and entry.data["by_debtor"] is True


def test_the_debtor_downloads_the_receipt_of_a_payment(people, client, case, token, today):
    from app.services import payments

    payment = payments.record_payment(
        people.agent,
        case,
        amount_cents=50_000,
        received_on=date(2026, 10, 1),
        method="transfer",
        today=today,
    )
    passed(client, token)

    page = text(client.get(f"/p/{token}/recu/{payment.id}"))

    assert "la somme de 500,00 € le 01/10/2026" in page
    assert "Reste dû au 01/10/2026 : 776,75 €" in page


def test_the_debtor_says_how_to_be_contacted(client, case, token):
    passed(client, token)

    response = client.post(
        f"/p/{token}/preferences", data={"contact-preference": "sms"}, follow_redirects=True
    )

    assert "Votre préférence de contact est enregistrée." in text(response)
    db.session.refresh(case.debtor)
    assert case.debtor.contact_preference == "sms"


def test_the_other_actions_each_have_their_own_screen_behind_the_check(client, token):
    screens = {
        "echeancier": "Proposer cet échéancier",
        "rappel": "Demander à être rappelé",
        "preferences": "Comment préférez-vous être contacté ?",
        "contestation": "Envoyer ma contestation",
    }
    for path in screens:
        before = client.get(f"/p/{token}/{path}")
        assert before.status_code == 302  # the check comes first
    passed(client, token)

    page = client.get(f"/p/{token}").get_data(as_text=True)
    for path, button in screens.items():
        assert f'href="/p/{token}/{path}"' in page
        screen = client.get(f"/p/{token}/{path}")
        assert screen.status_code == 200 and button in text(screen)
        assert "Boulangerie Dupont SAS" in text(screen)  # who is asking, on every screen


def test_a_refused_call_back_keeps_what_the_debtor_typed(client, token):
    passed(client, token)

    response = client.post(
        f"/p/{token}/rappel",
        data={"callback-on": "2027-03-01", "callback-slot": "morning", "callback-phone": "0612"},
    )

    assert response.status_code == 422
    assert "Choisissez un jour dans les 30 prochains jours." in text(response)
    assert 'value="0612"' in response.get_data(as_text=True)


def test_an_active_plan_shows_what_is_paid_and_what_is_to_come(people, client, case, token, today):
    from app.services import payments

    passed(client, token)
    client.post(
        f"/p/{token}/echeancier",
        data={"plan-installment_count": "4", "plan-first_due_on": "2026-11-23"},
    )
    payments.record_payment(
        people.agent,
        case,
        amount_cents=32_448,  # the first of four installments of 1,297.92
        received_on=today,
        method="transfer",
        today=today,
    )

    items = [
        " ".join(li.split())
        for li in re.findall(
            r'<li data-testid="debtor-installment">(.*?)</li>',
            client.get(f"/p/{token}").get_data(as_text=True),
            re.S,
        )
    ]
    assert items[0] == '23/11/2026 : 324,48 € — <span class="text-success">payée</span>'
    assert items[1].startswith("23/12/2026 : 324,48 € —") and items[1].endswith("à venir")
