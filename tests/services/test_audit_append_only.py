"""The audit log is append-only at the database: neither the ORM nor raw SQL can rewrite or
remove an event, on SQLite and on PostgreSQL; and no route of the app offers to."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.services.audit import record_audit

APP_DIR = Path(__file__).resolve().parents[2] / "app"


@pytest.fixture
def event(people):
    event = record_audit(people.agent, "case.note_added", "case", 1, changes={"text": "appel"})
    db.session.commit()
    return event.id


def _unchanged(event_id: int) -> None:
    db.session.rollback()
    row = db.session.execute(
        sa.text("SELECT action, changes FROM audit_event WHERE id = :id"), {"id": event_id}
    ).one()
    assert row.action == "case.note_added"
    assert "appel" in str(row.changes)


def test_the_orm_cannot_update_an_event(event):
    row = db.session.get(AuditEvent, event)
    row.action = "case.nothing_happened"
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.commit()
    _unchanged(event)


def test_the_orm_cannot_delete_an_event(event):
    db.session.delete(db.session.get(AuditEvent, event))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.commit()
    _unchanged(event)


def test_a_bulk_orm_update_or_delete_is_refused(event):
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.execute(sa.update(AuditEvent).values(ip_address="10.0.0.1"))
    _unchanged(event)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.execute(sa.delete(AuditEvent))
    _unchanged(event)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'rewritten' WHERE id = :id",
        "UPDATE audit_event SET actor_id = NULL",
        "DELETE FROM audit_event WHERE id = :id",
        "DELETE FROM audit_event",
    ],
)
def test_raw_sql_cannot_update_or_delete_an_event(event, statement):
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.execute(sa.text(statement), {"id": event})
    _unchanged(event)


def test_appending_still_works(event, people):
    record_audit(people.admin, "user.created", "user", people.agent.id)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 2


def test_no_code_in_the_app_updates_or_deletes_audit_events():
    pattern = re.compile(
        r"(sa\.)?(update|delete)\(\s*AuditEvent|(UPDATE|DELETE FROM)\s+audit_event", re.I
    )
    offenders = [
        str(path.relative_to(APP_DIR))
        for path in APP_DIR.rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_every_audit_route_only_reads(app):
    audit_rules = [r for r in app.url_map.iter_rules() if "journal" in r.rule]
    assert audit_rules, "the audit log viewer is mounted"
    for rule in audit_rules:
        assert rule.methods - {"HEAD", "OPTIONS"} == {"GET"}
