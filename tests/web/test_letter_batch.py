"""Letters for many cases at once: a job with a progress page; cases that cannot take the letter
are skipped with their reason; running the batch twice generates nothing twice."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Letter
from app.services import casework, letters
from tests import factories
from tests.helpers import page_text as text

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def cases(people, today, rates_to_date):
    made = []
    for n in range(3):
        case = factories.make_case(
            people.creditor_user,
            invoices=[factories.invoice(f"F-{n}", 100_000, issued=date(2026, 6, 1), days=30)],
            today=today,
        )
        casework.accept_case(people.agent, case, today=today)
        made.append(case)
    # Only the first case has had its first letter: the second reminder skips the others.
    letters.generate_letter(people.agent, made[0], "relance_amiable", letter_date=date(2026, 11, 2))
    return made


def test_a_batch_runs_as_a_job_with_progress_and_skips_what_cannot_be_sent(
    people, login, client, cases, run_jobs
):
    login(people.supervisor)

    response = client.post(
        "/agence/courriers/lot",
        data={"template": "relance_2", "letter_date": "2026-11-23", "due_only": "y"},
    )

    assert response.status_code == 302
    progress_url = response.headers["Location"]
    waiting = text(client.get(progress_url))
    assert "0 dossier(s) traité(s) sur 3" in waiting
    assert 'hx-trigger="every 2s"' in waiting
    run_jobs()
    done = text(client.get(progress_url, headers={"HX-Request": "true"}))
    assert "1 courrier(s) généré(s) sur 3 dossier(s)." in done
    assert "2 dossier(s) passé(s)" in done
    assert f"{cases[1].reference} : Aucun premier courrier" in done
    assert "hx-trigger" not in done  # finished: the page stops polling
    assert (
        db.session.scalar(sa.select(sa.func.count(Letter.id)).where(Letter.template == "relance_2"))
        == 1
    )


def test_the_same_batch_twice_generates_each_letter_once(people, cases):
    ids = [case.id for case in cases]
    first = letters.generate_batch(
        people.supervisor, ids, "relance_amiable", letter_date=date(2026, 11, 23)
    )
    again = letters.generate_batch(
        people.supervisor, ids, "relance_amiable", letter_date=date(2026, 11, 23)
    )

    assert first.generated == 2 and len(first.skipped) == 1  # the first case had its letter
    assert again.generated == 2  # the same letters given back, none generated anew
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Letter.id)).where(Letter.template == "relance_amiable")
        )
        == 3
    )
