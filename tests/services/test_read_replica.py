"""DATABASE_REPLICA_URL: the creditor dashboards read from a read replica when one is set."""

from __future__ import annotations

import sqlalchemy as sa

from app import create_app
from app.config import load_config
from app.extensions import db
from app.models import Organisation
from app.services import dashboard
from tests import factories


def test_the_setting_adds_a_replica_bind(monkeypatch):
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgresql://reader@replica.internal/recouvra")
    config = load_config()
    assert config["SQLALCHEMY_BINDS"] == {
        "replica": "postgresql+psycopg://reader@replica.internal/recouvra"
    }
    monkeypatch.delenv("DATABASE_REPLICA_URL")
    assert load_config()["SQLALCHEMY_BINDS"] == {}


def test_without_a_replica_the_dashboard_reads_the_primary(people, today):
    factories.make_case(people.creditor_user, today=today)
    figures = dashboard.build(people.creditor, today)
    assert figures.total_cases == 1


def test_with_a_replica_the_dashboard_queries_go_to_it(app, people, today):
    factories.make_case(people.creditor_user, today=today)
    creditor_id = people.creditor.id
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    # The replica is a copy of the primary: here, the same database through a second engine.
    with_replica = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_BINDS": {"replica": url},
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    seen: dict[str, list[str]] = {"primary": [], "replica": []}
    with with_replica.app_context():
        engines = {"primary": db.engines[None], "replica": db.engines["replica"]}
        listeners = {}
        for name, engine in engines.items():

            def count(_conn, _cursor, statement, *_args, _name=name):
                seen[_name].append(statement)

            listeners[name] = count
            sa.event.listen(engine, "before_cursor_execute", count)
        try:
            creditor = db.session.get(Organisation, creditor_id)
            seen["primary"].clear()
            figures = dashboard.build(creditor, today)
        finally:
            for name, engine in engines.items():
                sa.event.remove(engine, "before_cursor_execute", listeners[name])
            db.session.remove()
            for engine in engines.values():
                engine.dispose()
            # Flask-SQLAlchemy keeps one metadata per bind key on the extension: this test's
            # second app must not leave its key to the suite's app (which has no replica).
            db.metadatas.pop("replica", None)
    assert figures.total_cases == 1
    # The case count, the grouped invoices, what was recovered, by month, the closed cases.
    assert len(seen["replica"]) >= 5
    # Only the money figures (the books, read where they are written) stay on the primary.
    assert all("ledger_entry" in statement for statement in seen["primary"]), seen["primary"]
