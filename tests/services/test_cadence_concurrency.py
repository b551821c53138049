"""Two daily runs and two worker processes at the same moment: nothing happens twice.

Needs PostgreSQL and Redis: the natural keys are what stop the second run (SQLite has no
concurrent writers), and the workers are real `flask worker --burst` processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import CadenceAction, Letter, Task
from app.services import cadence, cadence_steps

pytestmark = pytest.mark.needs_server

ROOT = Path(__file__).resolve().parents[2]
START = date(2026, 11, 23)


def _runs_at_once(app, day: date, count: int) -> list:
    start = threading.Barrier(count)
    errors: list = []

    def run():
        with app.app_context():
            try:
                start.wait()
                cadence.daily_run(day, force=True)
            except Exception as exc:  # reported by the test
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _two_workers(app, smtp_sink) -> None:
    env = os.environ | {
        "UPLOAD_DIR": app.config["UPLOAD_DIR"],
        "LETTER_TEMPLATES_DIR": app.config["LETTER_TEMPLATES_DIR"],
        "LETTER_PDF": "0",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_sink.port),
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"]
    # A fixed command line of our own: no untrusted input reaches it.
    workers = [subprocess.Popen(command, cwd=ROOT, env=env) for _ in range(2)]  # noqa: S603
    for worker in workers:
        assert worker.wait(timeout=120) == 0


def test_two_runs_and_two_workers_at_once_send_each_step_once(
    app, amicable_case, smtp_sink, mailbox
):
    amicable_case.stage_changed_at = datetime.combine(START, time(9), ZoneInfo("Europe/Paris"))
    db.session.commit()

    assert _runs_at_once(app, START, 3) == []
    # A lost-job safety net may enqueue an action again: do it for every one, then let two
    # worker processes race over the doubled queue.
    cadence_steps.enqueue_actions(
        db.session.execute(
            sa.select(CadenceAction.id, CadenceAction.case_id, CadenceAction.channel)
        ).all()
    )
    _two_workers(app, smtp_sink)
    db.session.expire_all()

    actions = db.session.scalars(sa.select(CadenceAction)).all()
    assert sorted(a.step_key for a in actions) == [
        "email:email_relance",
        "letter:relance_amiable",
    ]
    assert {a.status for a in actions} == {"done"}
    assert db.session.scalar(sa.select(sa.func.count(Letter.id))) == 2
    assert len(mailbox) == 1

    day_three = date(2026, 11, 26)
    assert _runs_at_once(app, day_three, 2) == []
    _two_workers(app, smtp_sink)
    assert db.session.scalar(sa.select(sa.func.count(Task.id)).where(Task.kind == "call")) == 1
