"""Behind a load balancer: the client's address comes from X-Forwarded-For only when the
operator says how many proxies to trust (TRUSTED_PROXIES), never from a client's own header."""

from __future__ import annotations

import sqlalchemy as sa

from app import behind_proxies
from app.extensions import db
from app.models import AuditEvent
from tests import factories


def _login_ip(client, user) -> str | None:
    client.post(
        "/connexion",
        data={"email": user.email, "password": factories.PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.7"},
    )
    return db.session.scalar(
        sa.select(AuditEvent.ip_address)
        .where(AuditEvent.action == "user.logged_in")
        .order_by(AuditEvent.id.desc())
    )


def test_a_forged_forwarded_header_is_ignored_by_default(client, people):
    assert _login_ip(client, people.agent) == "127.0.0.1"


def test_behind_one_trusted_proxy_the_audit_log_records_the_clients_address(
    app, client, people, monkeypatch
):
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)  # restored after the test
    behind_proxies(app)
    assert _login_ip(client, people.agent) == "203.0.113.7"
