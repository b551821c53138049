"""One code sent by several requests at the same moment is accepted once (PostgreSQL: the
conditional UPDATE on totp_last_counter; SQLite has no concurrent writers)."""

from __future__ import annotations

import threading

import pytest

from app.extensions import db
from app.models import User
from app.services import two_factor
from tests import factories

pytestmark = pytest.mark.needs_server


def test_ten_concurrent_uses_of_one_code_log_in_once(app, people):
    user_id = people.supervisor.id
    code = factories.totp_code(people.supervisor)
    db.session.commit()
    start = threading.Barrier(10)
    results: list[bool] = []

    def attempt():
        with app.app_context():
            user = db.session.get(User, user_id)
            start.wait()
            results.append(two_factor.verify_login_code(user, code))
            db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False] * 9 + [True]
