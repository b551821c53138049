"""PostgreSQL restarted while the app runs: the next requests succeed (the engine's
pool_pre_ping replaces the pooled connections that died), and a request caught by the crash in
the middle of writing a case leaves nothing of it.

The shared server is never touched: tests/pg_restart_scenario.py starts a private cluster
(initdb in a temp folder, a free port) and runs the app against it in its own process.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.config import ROOT
from tests.servers import PrivatePostgres

pytestmark = [
    pytest.mark.needs_server,
    pytest.mark.skipif(
        PrivatePostgres.bindir is None, reason="PostgreSQL's initdb/pg_ctl are not installed"
    ),
]


@pytest.fixture(scope="module")
def scenario() -> dict:
    done = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "tests.pg_restart_scenario"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_pages_load_again_right_after_a_restart(scenario):
    assert scenario["pre_ping"] is True
    assert scenario["login"] == 302
    assert scenario["before"] == [200, 200]
    assert scenario["after"] == [200, 200]
    # Without pre-ping, the pooled connection the restart killed fails the first use.
    assert scenario["control"] == "OperationalError"


def test_a_case_caught_half_written_by_a_crash_leaves_nothing_and_can_be_sent_again(scenario):
    assert scenario["waiting_on"].startswith("INSERT INTO")  # caught inside the transaction
    assert scenario["in_flight"] not in (200, 302)  # the request failed...
    assert scenario["next_page"] == 200  # ...and the next one did not
    nothing = {"case": 0, "debtor": 0, "invoice": 0, "document": 0, "timeline": 0, "audit": 0}
    assert scenario["after_crash"] == nothing | {"files": 0}
    assert scenario["again"] == 302
    one = {"case": 1, "debtor": 1, "invoice": 1, "document": 1, "timeline": 1, "audit": 1}
    assert scenario["after_again"] == one | {"files": 1}
