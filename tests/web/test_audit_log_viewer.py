"""The agency admin reads the audit log at /agence/journal: newest first, filtered by user, by
case reference and by Paris dates, paginated; nobody else may, and nothing there writes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.services import audit_log
from app.services.errors import Forbidden
from tests import factories
from tests.helpers import page_text as text


def _event(actor, action, at, case=None):
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        entity="case",
        entity_id=case.id if case else None,
        case_id=case.id if case else None,
        changes={"note": action},
        occurred_at=at,
        ip_address="127.0.0.1",
    )
    db.session.add(event)
    db.session.commit()
    return event


@pytest.fixture
def trail(people):
    case = factories.make_case(people.creditor_user)
    other = factories.make_case(people.creditor_user)
    # 23:30 UTC on 1 Nov is already 2 Nov in Paris (UTC+1 in November).
    _event(people.agent, "call.logged", datetime(2026, 11, 1, 23, 30, tzinfo=UTC), case)
    _event(people.supervisor, "case.assigned", datetime(2026, 11, 5, 9, 0, tzinfo=UTC), other)
    _event(None, "cadence.ran", datetime(2026, 11, 10, 5, 0, tzinfo=UTC))
    _event(people.agent, "payment.recorded", datetime(2026, 11, 20, 14, 0, tzinfo=UTC), case)
    return case, other


def _actions(response) -> list[str]:
    return re.findall(r"<code>([a-z0-9_.]+)</code>", response.get_data(as_text=True))


def _only_mine(actions):
    # make_case and the logins record their own events (at the real time): keep the fixture's.
    return [a for a in actions if a not in {"case.submitted", "user.logged_in"}]


def test_the_admin_sees_the_log_newest_first_in_paris_time(login, people, trail):
    response = login(people.admin).get("/agence/journal")
    assert response.status_code == 200
    assert _only_mine(_actions(response)) == [
        "payment.recorded",
        "cadence.ran",
        "case.assigned",
        "call.logged",
    ]
    page = text(response)
    assert "Journal d'audit" in page
    assert "02/11/2026 00:30" in page  # shown in Paris time
    assert "Système" in page  # an event with no actor


def test_it_filters_by_user(login, people, trail):
    response = login(people.admin).get(f"/agence/journal?user={people.agent.id}")
    assert _only_mine(_actions(response)) == ["payment.recorded", "call.logged"]


def test_it_filters_by_case_reference_whatever_the_case(login, people, trail):
    case, _other = trail
    response = login(people.admin).get(f"/agence/journal?reference={case.reference.lower()}")
    assert _only_mine(_actions(response)) == ["payment.recorded", "call.logged"]
    unknown = login(people.admin).get("/agence/journal?reference=NOPE-1")
    assert "Aucun événement ne correspond à ces filtres." in text(unknown)


def test_it_filters_by_paris_dates_both_included(login, people, trail):
    client = login(people.admin)
    response = client.get("/agence/journal?date_from=2026-11-02&date_to=2026-11-10")
    assert _only_mine(_actions(response)) == ["cadence.ran", "case.assigned", "call.logged"]
    french = client.get("/agence/journal?date_from=05/11/2026&date_to=05/11/2026")
    assert _only_mine(_actions(french)) == ["case.assigned"]


def test_a_bad_date_range_says_why_in_french(login, people, trail):
    client = login(people.admin)
    response = client.get("/agence/journal?date_from=2026-11-10&date_to=2026-11-01")
    assert response.status_code == 422
    assert "La date de fin précède la date de début." in text(response)
    garbled = client.get("/agence/journal?date_from=31/02/2026")
    assert garbled.status_code == 422
    assert "Date invalide : utilisez le format jj/mm/aaaa." in text(garbled)


def test_it_pages_fifty_events_at_a_time(login, people):
    for minute in range(55):
        db.session.add(
            AuditEvent(
                actor_id=people.agent.id,
                action=f"test.event_{minute:02d}",
                entity="case",
                occurred_at=datetime(2026, 11, 3, 10, minute, tzinfo=UTC),
            )
        )
    db.session.commit()
    client = login(people.admin)
    first = client.get(f"/agence/journal?user={people.agent.id}")
    assert _actions(first) == [f"test.event_{m:02d}" for m in range(54, 4, -1)]
    assert "Page 1 sur 2" in text(first)
    second = client.get(f"/agence/journal?user={people.agent.id}&page=2")
    assert _actions(second) == [f"test.event_{m:02d}" for m in range(4, -1, -1)]


def test_the_service_is_for_the_agency_admin_only(people):
    for user in (people.supervisor, people.agent, people.creditor_admin):
        with pytest.raises(Forbidden):
            audit_log.search(user, audit_log.AuditFilters())


def test_only_the_admin_has_the_menu_link(login, people):
    assert 'data-testid="nav-audit-log"' in login(people.admin).get("/agence/").get_data(
        as_text=True
    )
    login(people.admin).post("/deconnexion")
    supervisor_page = login(people.supervisor).get("/agence/").get_data(as_text=True)
    assert 'data-testid="nav-audit-log"' not in supervisor_page


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nothing_can_be_written_through_the_viewer(login, people, trail, method):
    client = login(people.admin)
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    response = getattr(client, method)("/agence/journal", data={"id": "1"})
    assert response.status_code == 405
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == before


def test_the_page_speaks_english(login, people, trail):
    client = login(people.admin)
    client.post("/langue/en", data={"next": "/agence/journal"})
    page = text(client.get("/agence/journal"))
    assert "Audit log" in page and "All users" in page


def test_paris_days_start_at_paris_midnight():
    assert audit_log.paris_day_start(date(2026, 11, 2)) == datetime(2026, 11, 1, 23, 0, tzinfo=UTC)
    assert audit_log.paris_day_start(date(2026, 7, 2)) == datetime(2026, 7, 1, 22, 0, tzinfo=UTC)
