"""A worker killed (SIGKILL) in the middle of a letter step: after recovery the letter exists
once and the step is done once.

Needs PostgreSQL, Redis and LibreOffice: the letter's PDF conversion (about 1.5 s) is the
window in which the real worker process is killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.integrations import pdf
from app.models import CadenceAction, Document, Letter
from app.models.base import utcnow
from app.services import cadence

pytestmark = [
    pytest.mark.needs_server,
    pytest.mark.skipif(
        not pdf.soffice(), reason="LibreOffice (soffice) is not installed; CI has it"
    ),
]

ROOT = Path(__file__).resolve().parents[2]
START = date(2026, 11, 23)


def _worker(app, smtp_sink, *, burst: bool) -> subprocess.Popen:
    env = os.environ | {
        "UPLOAD_DIR": app.config["UPLOAD_DIR"],
        "LETTER_TEMPLATES_DIR": app.config["LETTER_TEMPLATES_DIR"],
        "LETTER_PDF": "1",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_sink.port),
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]
    if burst:
        command.append("--burst")
    # Its own process group, so that the kill reaches the job's work horse too.
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603


def _converting(session_id: int) -> bool:
    """Whether LibreOffice runs in the worker's session: the job is inside the PDF conversion."""
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except (OSError, ValueError):
            continue  # not a process, or it ended meanwhile
        name, fields = stat[stat.find("(") + 1 : stat.rfind(")")], stat[stat.rfind(")") + 2 :]
        if "soffice" in name and int(fields.split()[3]) == session_id:
            return True
    return False


def _letter_step() -> CadenceAction:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(CadenceAction).where(CadenceAction.template == "relance_amiable")
    ).one()


def test_a_worker_killed_during_a_letter_leaves_it_to_be_done_once(
    app, amicable_case, smtp_sink, mailbox
):
    amicable_case.stage_changed_at = datetime.combine(
        START, clock_time(9), ZoneInfo("Europe/Paris")
    )
    db.session.commit()
    cadence.daily_run(START)  # decided and queued; no worker yet

    worker = _worker(app, smtp_sink, burst=False)
    deadline = time.monotonic() + 60
    while _letter_step().claimed_at is None:  # the job has started on the letter
        assert time.monotonic() < deadline, "the worker never started the letter"
        time.sleep(0.05)
    while not _converting(worker.pid):  # inside the letter's PDF conversion
        assert time.monotonic() < deadline, "the worker never converted the letter"
        assert _letter_step().status == "pending", "the letter was done before the kill"
        time.sleep(0.02)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    assert _letter_step().status == "pending"  # not half-marked: the step is still to do

    # Later: the lease has run out and the 15-minute check finds the step without a job.
    an_hour_ago = utcnow() - timedelta(hours=1)
    db.session.execute(
        sa.update(CadenceAction).values(created_at=an_hour_ago, claimed_at=an_hour_ago)
    )
    db.session.commit()
    cadence.run_if_due(datetime.combine(START, clock_time(15), ZoneInfo("Europe/Paris")))
    assert _worker(app, smtp_sink, burst=True).wait(timeout=120) == 0

    step = _letter_step()
    assert step.status == "done"
    letters = db.session.scalars(
        sa.select(Letter).where(Letter.template == "relance_amiable")
    ).all()
    assert len(letters) == 1 and step.letter_id == letters[0].id
    documents = db.session.scalars(sa.select(Document).where(Document.kind == "letter")).all()
    # The relance's DOCX and PDF, and the email's: nothing left over from the killed attempt.
    assert sorted(d.original_name.rsplit("-", 1)[-1] for d in documents) == [
        "relance_amiable.docx",
        "relance_amiable.pdf",
    ]
    assert len(mailbox) == 1
