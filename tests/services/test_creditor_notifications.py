"""Emails to the creditor's users: one per agency message or request for "each", one digest a
day for "daily", nothing for "none"; never twice."""

from __future__ import annotations

from datetime import timedelta
from email.header import decode_header, make_header

import pytest

from app.extensions import db
from app.jobs import tasks
from app.models import Message
from app.services import approvals, messages, notifications


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


@pytest.fixture
def choices(people):
    people.creditor_user.notify = "each"
    people.creditor_admin.notify = "daily"
    db.session.commit()


def test_each_agency_message_is_emailed_once_to_users_who_want_each(
    people, amicable_case, mailbox, run_jobs, choices
):
    message = messages.post_message(people.agent, amicable_case, "Le débiteur propose 300 €/mois.")
    run_jobs()
    [email] = mailbox
    assert email["To"] == people.creditor_user.email
    assert subject(email) == f"Nouveau message de l'agence — dossier {amicable_case.reference}"
    assert "Le débiteur propose 300 €/mois." in body(email)
    assert f"/creancier/dossiers/{amicable_case.reference}#messages" in body(email)
    db.session.refresh(message)
    assert message.notified_at is not None
    # A retried job sends nothing more.
    tasks.notify_message(message.id)
    assert len(mailbox) == 1


def test_the_creditors_own_messages_are_not_emailed_to_it(
    people, amicable_case, mailbox, run_jobs, choices
):
    messages.post_message(people.creditor_admin, amicable_case, "Voici la facture.")
    run_jobs()
    assert mailbox == []


def test_a_write_off_request_is_emailed_once(
    people, amicable_case, mailbox, run_jobs, choices, today
):
    request = approvals.request_write_off(
        people.agent, amicable_case, None, "Société radiée", today=today
    )
    run_jobs()
    [email] = mailbox
    assert email["To"] == people.creditor_user.email
    assert "Abandon de créance" in body(email)
    tasks.notify_approval_request(request.id)
    assert len(mailbox) == 1


def test_the_daily_digest_goes_out_once_a_day_with_the_days_items(
    people, amicable_case, mailbox, run_jobs, choices, today
):
    message = messages.post_message(people.agent, amicable_case, "Appel prévu lundi.")
    day = message.created_at.astimezone(notifications.PARIS).date()
    approvals.request_settlement(people.agent, amicable_case, 80_000, "Offre", today=day)
    run_jobs()
    mailbox.clear()  # the "each" emails
    db.session.execute(
        Message.__table__.update().values(notified_at=None)  # as if nobody chose "each"
    )
    db.session.commit()
    assert tasks.send_daily_digests(day.isoformat()) == 1
    [email] = mailbox
    assert email["To"] == people.creditor_admin.email
    assert "Appel prévu lundi." in body(email)
    assert "Transaction avec remise" in body(email)
    db.session.refresh(message)
    assert message.notified_at is not None
    # The scheduler runs it every hour: the same day is not sent again.
    assert tasks.send_daily_digests(day.isoformat()) == 0
    assert len(mailbox) == 1
    # An empty day sends nothing.
    assert tasks.send_daily_digests((day + timedelta(days=1)).isoformat()) == 0


def test_none_means_no_email_at_all(people, amicable_case, mailbox, run_jobs, today):
    for user in (people.creditor_user, people.creditor_admin):
        notifications.set_preference(user, "none")
    message = messages.post_message(people.agent, amicable_case, "Bonjour")
    run_jobs()
    assert (
        tasks.send_daily_digests(
            message.created_at.astimezone(notifications.PARIS).date().isoformat()
        )
        == 0
    )
    assert mailbox == []


def test_the_digest_is_a_periodic_job():
    from app.jobs.scheduler import PERIODIC_JOBS

    assert tasks.send_daily_digests in [job[0] for job in PERIODIC_JOBS]


def test_an_escalation_proposed_by_an_agent_is_emailed_too(
    people, amicable_case, mailbox, run_jobs, choices, today
):
    from app.services import escalation

    escalation.propose_escalation(people.agent, amicable_case, today=today, note="Sans réponse")
    run_jobs()
    [email] = mailbox
    assert "Passage au judiciaire" in body(email)
