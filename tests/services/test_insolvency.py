"""A debtor's collective procedure stops every open case of it, for every creditor, at once,
and prepares each claim declaration with its deadline (LAW.md section 7)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import CadenceAction, Case, ClaimDeclaration, InsolvencyProceeding, Task
from app.services import cadence, casework, insolvency
from app.services.errors import ValidationFailed
from tests import factories

DATA = Path(__file__).resolve().parents[1] / "data"
TODAY = date(2026, 11, 23)


@pytest.fixture
def two_creditors_cases(people, rates_to_date, today):
    """The same company (SIREN 732 829 320) owes both creditors."""
    first = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-1", 120_000, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    second = factories.make_case(
        people.other_creditor_user,
        invoices=[factories.invoice("G-1", 80_000, issued=date(2026, 7, 1), days=30)],
        today=today,
    )
    for case in (first, second):
        casework.accept_case(people.agent, case, today=today)
    return first, second


def test_a_bodacc_liquidation_stops_both_creditors_cases_at_the_same_instant(
    people, two_creditors_cases
):
    first, second = two_creditors_cases
    report = insolvency.import_bodacc(
        people.agent, (DATA / "bodacc_procedures.csv").read_bytes(), "bodacc_procedures.csv"
    )
    assert (report.opened, report.stopped_cases) == (1, 2)
    assert report.unknown_sirens == ["552032534"]
    assert report.ignored == 2  # a plan de cession, and a modification (not a procedure)

    db.session.expire_all()
    cases = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
    assert {c.stage for c in cases} == {"insolvency"}
    assert cases[0].stage_changed_at == cases[1].stage_changed_at
    declarations = db.session.scalars(
        sa.select(ClaimDeclaration).order_by(ClaimDeclaration.case_id)
    ).all()
    # Published 30 November 2026: declare by 30 January 2027, a Saturday -> Monday 1 February.
    assert [(d.case_id, d.deadline_on, d.status) for d in declarations] == [
        (first.id, date(2027, 2, 1), "to_file"),
        (second.id, date(2027, 2, 1), "to_file"),
    ]
    # The amount on the judgment date (26 November), without the 40 EUR indemnity.
    assert declarations[0].amount_cents == 120_000 + _interest_on(first, date(2026, 11, 26))
    tasks = db.session.scalars(sa.select(Task).where(Task.kind == "claim_declaration")).all()
    assert sorted(t.due_on for t in tasks) == [date(2027, 2, 1), date(2027, 2, 1)]


def _interest_on(case, day) -> int:
    from app.services import claims

    return claims.case_balance(case, day).interest_cents


def test_the_cadence_stops_for_both_cases_and_nothing_planned_goes_out(
    people, two_creditors_cases, run_jobs
):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    first, second = two_creditors_cases
    for case in (first, second):
        case.stage_changed_at = datetime.combine(TODAY, time(9), ZoneInfo("Europe/Paris"))
    db.session.commit()
    cadence.daily_run(TODAY)  # decided, not yet performed: the jobs wait in the queue
    insolvency.import_bodacc(
        None, (DATA / "bodacc_procedures.csv").read_bytes(), "bodacc_procedures.csv"
    )
    run_jobs()
    db.session.expire_all()
    assert {a.status for a in db.session.scalars(sa.select(CadenceAction))} == {"skipped"}
    from app.models import Letter

    assert db.session.scalar(sa.select(sa.func.count(Letter.id))) == 0
    later = cadence.daily_run(date(2026, 12, 4))
    assert later.counts["acted"] == 0


def test_importing_the_same_file_twice_changes_nothing_more(people, two_creditors_cases):
    content = (DATA / "bodacc_procedures.csv").read_bytes()
    insolvency.import_bodacc(people.agent, content, "bodacc.csv")
    again = insolvency.import_bodacc(people.agent, content, "bodacc.csv")
    assert (again.opened, again.stopped_cases) == (0, 0)
    assert db.session.scalar(sa.select(sa.func.count(InsolvencyProceeding.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(ClaimDeclaration.id))) == 2


def test_a_file_with_an_unreadable_line_applies_nothing(people, two_creditors_cases):
    content = (DATA / "bodacc_procedures.csv").read_text(encoding="utf-8")
    broken = content.replace("2026-11-26", "26/11/2026 ou vers")
    with pytest.raises(ValidationFailed) as refused:
        insolvency.import_bodacc(people.agent, broken.encode(), "bodacc.csv")
    assert "Ligne 2 : date illisible." in refused.value.errors["file"]
    assert {c.stage for c in db.session.scalars(sa.select(Case))} == {"amicable"}


def test_a_file_that_is_not_a_bodacc_export_says_so(people):
    with pytest.raises(ValidationFailed) as refused:
        insolvency.import_bodacc(people.agent, b"nom;montant\nDupont;12\n", "clients.csv")
    assert "colonne « registre » absente" in refused.value.errors["file"][0]


def test_a_procedure_entered_by_hand_is_checked_and_stops_the_cases(people, two_creditors_cases):
    data = insolvency.ProceedingInput(
        siren="732 829 320",
        kind="redressement",
        court="Tribunal de commerce de Lyon",
        judgment_date=date(2026, 11, 20),
        published_on=date(2026, 11, 18),
        mandataire_name="SELARL MJ Synergie",
    )
    with pytest.raises(ValidationFailed) as refused:
        insolvency.open_proceeding(people.agent, data)
    assert "ne peut pas précéder le jugement" in refused.value.errors["published_on"][0]
    fixed = insolvency.ProceedingInput(**{**data.__dict__, "published_on": date(2026, 11, 27)})
    _proceeding, stopped = insolvency.open_proceeding(people.agent, fixed)
    assert len(stopped) == 2
    assert insolvency.open_proceeding(people.agent, fixed)[1] == []  # entered twice: once


def test_flask_bodacc_import_reports_what_it_did(app, two_creditors_cases):
    result = app.test_cli_runner().invoke(
        args=["bodacc", "import", str(DATA / "bodacc_procedures.csv")]
    )
    assert result.exit_code == 0, result.output
    assert "1 procédure(s) ouverte(s), 2 dossier(s) arrêté(s), 1 SIREN inconnu(s)" in result.output
