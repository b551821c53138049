"""Every route x every persona: who gets in, who gets 403, who gets 404, who is sent to login.

The table below is the access policy. It is checked against the app's URL map, so a new route
without a rule fails `test_every_route_has_an_access_rule` until someone decides who may use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.domain import cadence, pipeline
from app.extensions import db
from app.jobs import enqueue
from app.jobs.tasks import generate_letter_batch
from app.models import ApprovalRequest
from app.services import (
    api_tokens,
    debtor_access,
    imports,
    intake,
    letters,
    payments,
    plans,
    remittance,
    scenarios,
)
from tests import factories

DATA = Path(__file__).resolve().parents[1] / "data"

# audience: who may use the route.
PUBLIC = "public"  # anyone, logged in or not
USER = "user"  # any logged-in user
CREDITOR = "creditor"  # creditor staff; objects of their own organisation only
AGENCY = "agency"  # agency staff
MANAGER = "manager"  # supervisors and agency admins
AGENCY_ADMIN = "agency_admin"  # the agency's administrator only
# The debtor's card endpoints: nothing without the link's check, whoever is logged in.
DEBTOR_CHECKED = "debtor_checked"
CREDITOR_ADMIN = "creditor_admin"  # the creditor's administrator only
# The REST API: a bearer token or 401, whatever session cookie comes along (tests/api/).
API_TOKEN = "api_token"


@dataclass(frozen=True)
class Rule:
    audience: str
    # True when the route shows one object (a case, a document): another creditor gets 404.
    scoped: bool = False


POLICY: dict[str, Rule] = {
    "static": Rule(PUBLIC),
    "auth.index": Rule(PUBLIC),
    "auth.login": Rule(PUBLIC),
    "auth.forgot_password": Rule(PUBLIC),
    "auth.reset_password": Rule(PUBLIC),
    "auth.set_language": Rule(PUBLIC),
    "auth.logout": Rule(USER),
    "creditor.home": Rule(CREDITOR),
    "creditor.cases": Rule(CREDITOR),
    "creditor.new_case": Rule(CREDITOR),
    "creditor.case": Rule(CREDITOR, scoped=True),
    "creditor.add_documents": Rule(CREDITOR, scoped=True),
    "creditor.document": Rule(CREDITOR, scoped=True),
    "creditor.direct_payment": Rule(CREDITOR, scoped=True),
    "agent.queue": Rule(AGENCY),
    "agent.cases": Rule(AGENCY),
    "agent.creditor_suggestions": Rule(AGENCY),
    "agent.case": Rule(AGENCY),
    "agent.document": Rule(AGENCY),
    "agent.add_note": Rule(AGENCY),
    "agent.task_done": Rule(AGENCY),
    "agent.deadline_board": Rule(MANAGER),
    "agent.start_procedure": Rule(AGENCY),
    "agent.record_procedure_step": Rule(AGENCY),
    "agent.insolvency_page": Rule(MANAGER),
    "agent.open_proceeding": Rule(MANAGER),
    "agent.import_bodacc": Rule(MANAGER),
    "agent.move_declaration": Rule(MANAGER),
    "agent.record_dividend": Rule(MANAGER),
    "agent.record_cost": Rule(AGENCY),
    "agent.cancel_cost": Rule(AGENCY),
    "agent.set_judgment_interest": Rule(AGENCY),
    "agent.record_acknowledgment": Rule(AGENCY),
    "agent.log_call": Rule(AGENCY),
    "agent.assign": Rule(AGENCY),
    "agent.accept": Rule(AGENCY),
    "agent.return_case": Rule(AGENCY),
    "agent.move": Rule(AGENCY),
    "agent.hold": Rule(AGENCY),
    "agent.judicial_approval": Rule(MANAGER),
    "agent.formal_notice": Rule(AGENCY),
    "agent.rates": Rule(AGENCY),
    "agent.add_rate": Rule(MANAGER),
    "agent.record_payment": Rule(AGENCY),
    "agent.remittances": Rule(AGENCY),
    "agent.letter_preview": Rule(AGENCY),
    "agent.generate_letter": Rule(AGENCY),
    "agent.email_letter": Rule(AGENCY),
    "agent.email_reminder": Rule(AGENCY),
    "agent.debtor_link": Rule(AGENCY),
    "agent.revoke_debtor_links": Rule(AGENCY),
    # The debtor's page: no account, a secret link and a check (tests/web/test_debtor_page.py).
    "pay.page": Rule(PUBLIC),
    "pay.dispute": Rule(PUBLIC),
    "pay.callback": Rule(PUBLIC),
    "pay.document": Rule(PUBLIC),
    "pay.stripe_webhook": Rule(PUBLIC),
    "pay.card_setup": Rule(DEBTOR_CHECKED),
    "pay.card_charge": Rule(DEBTOR_CHECKED),
    "pay.card_done": Rule(PUBLIC),
    "pay.propose_plan": Rule(PUBLIC),
    "pay.receipt": Rule(PUBLIC),
    "pay.contact_preference": Rule(PUBLIC),
    "agent.letter_to_post": Rule(AGENCY),
    "agent.letter_posted": Rule(AGENCY),
    "agent.letter_receipt": Rule(AGENCY),
    "agent.print_batch": Rule(AGENCY),
    "agent.print_batch_zip": Rule(AGENCY),
    "agent.letter_batch": Rule(AGENCY),
    "agent.letter_batch_progress": Rule(AGENCY),
    "agent.letter_templates": Rule(AGENCY_ADMIN),
    "agent.download_template": Rule(AGENCY_ADMIN),
    "agent.upload_template": Rule(AGENCY_ADMIN),
    "agent.restore_template": Rule(AGENCY_ADMIN),
    "agent.payment_receipt": Rule(AGENCY),
    "creditor.payment_receipt": Rule(CREDITOR, scoped=True),
    "agent.record_promise": Rule(AGENCY),
    "agent.propose_plan": Rule(AGENCY),
    "agent.cancel_plan": Rule(AGENCY),
    "creditor.decide_plan": Rule(CREDITOR, scoped=True),
    "agent.run_remittance": Rule(MANAGER),
    "agent.statement": Rule(AGENCY),
    "agent.statement_csv": Rule(AGENCY),
    "creditor.statements": Rule(CREDITOR),
    "creditor.statement": Rule(CREDITOR, scoped=True),
    "creditor.statement_csv": Rule(CREDITOR, scoped=True),
    "agent.reverse_payment": Rule(AGENCY),
    "agent.scenarios": Rule(MANAGER),
    "agent.new_scenario": Rule(MANAGER),
    "agent.edit_scenario": Rule(MANAGER),
    "agent.deactivate_scenario": Rule(MANAGER),
    "agent.propose_escalation": Rule(AGENCY),
    "creditor.decide_escalation": Rule(CREDITOR, scoped=True),
    # The automation page; retrying a job that is not in a failed registry flashes and redirects.
    "agent.operations_page": Rule(MANAGER),
    "agent.retry_failed_job": Rule(MANAGER),
    "agent.flush_pending_jobs": Rule(MANAGER),
    # Dashboards (issue 7): the portal's exports are of the user's own creditor (no id in the
    # URL); the back-office page and its exports, of any creditor, for agents and managers.
    "creditor.dashboard_export": Rule(CREDITOR),
    "agent.creditor_dashboard": Rule(AGENCY),
    "agent.creditor_dashboard_export": Rule(AGENCY),
    # Messages and approvals between creditor and agency (app/creditor/messages.py,
    # app/agent/messages.py): the thread, the unread lists, the creditor's answers, preferences.
    "creditor.post_message": Rule(CREDITOR, scoped=True),
    "creditor.unread_messages": Rule(CREDITOR),
    "creditor.preferences": Rule(CREDITOR),
    "creditor.decide_request": Rule(CREDITOR, scoped=True),
    "agent.post_message": Rule(AGENCY),
    "agent.unread_messages": Rule(AGENCY),
    "agent.request_approval": Rule(AGENCY),
    # REST API v1 and its tokens (issue 7): the portal page is the creditor admin's; the API
    # answers 401 to a session without a token (token scoping: tests/api/test_scoping.py).
    "creditor.api_tokens_page": Rule(CREDITOR_ADMIN),
    "creditor.revoke_api_token": Rule(CREDITOR_ADMIN, scoped=True),
    "api.openapi": Rule(PUBLIC),
    "api.docs": Rule(PUBLIC),
    "api.create_case": Rule(API_TOKEN),
    "api.list_cases": Rule(API_TOKEN),
    "api.get_case": Rule(API_TOKEN),
    "api.case_balance": Rule(API_TOKEN),
    "api.record_payment": Rule(API_TOKEN),
    "api.case_timeline": Rule(API_TOKEN),
    "api.add_documents": Rule(API_TOKEN),
    "api.post_message": Rule(API_TOKEN),
    "api.list_statements": Rule(API_TOKEN),
    "api.get_statement": Rule(API_TOKEN),
    # Bulk import of invoices by the creditor (issue 7): a batch is its creditor's only.
    "creditor.import_upload": Rule(CREDITOR),
    "creditor.import_template": Rule(CREDITOR),
    "creditor.import_mapping": Rule(CREDITOR, scoped=True),
    "creditor.import_report": Rule(CREDITOR, scoped=True),
    "creditor.import_start": Rule(CREDITOR, scoped=True),
    "creditor.import_progress": Rule(CREDITOR, scoped=True),
    # A debtor's personal data (LAW.md section 8): the export is for supervisors and admins.
    "agent.export_debtor_data": Rule(MANAGER),
    # The audit log viewer (app/agent/audit_log.py): read only, the agency admin's.
    "agent.audit_log_page": Rule(AGENCY_ADMIN),
    # Authentication (issue 10): the login's code step, the account page, the second factor
    # (agency staff), the admin's team page and reset; empty posts do nothing.
    "auth.second_step": Rule(PUBLIC),
    "auth.account": Rule(USER),
    "auth.change_password": Rule(USER),
    "auth.logout_everywhere": Rule(USER),
    "auth.totp_enrol": Rule(AGENCY),
    "auth.totp_disable": Rule(AGENCY),
    "agent.team": Rule(AGENCY_ADMIN),
    "agent.reset_second_factor": Rule(AGENCY_ADMIN),
}

PERSONAS = (
    "anonymous",
    "creditor_user",
    "creditor_admin",
    "other_creditor_user",
    "agent",
    "supervisor",
    "admin",
)
AGENCY_PERSONAS = {"agent", "supervisor", "admin"}
CREDITOR_PERSONAS = {"creditor_user", "creditor_admin", "other_creditor_user"}


def _expected(rule: Rule, persona: str) -> str:
    """'ok', 'login', 'forbidden' or 'not_found'."""
    if rule.audience == PUBLIC:
        return "ok"
    if rule.audience == DEBTOR_CHECKED:
        return "not_found"
    if rule.audience == API_TOKEN:
        return "unauthorized"
    if persona == "anonymous":
        return "login"
    if rule.audience == USER:
        return "ok"
    if rule.audience == CREDITOR:
        if persona in AGENCY_PERSONAS:
            return "forbidden"
        if rule.scoped and persona == "other_creditor_user":
            return "not_found"
        return "ok"
    if rule.audience == AGENCY:
        return "ok" if persona in AGENCY_PERSONAS else "forbidden"
    if rule.audience == MANAGER:
        return "ok" if persona in {"supervisor", "admin"} else "forbidden"
    if rule.audience == AGENCY_ADMIN:
        return "ok" if persona == "admin" else "forbidden"
    if rule.audience == CREDITOR_ADMIN:
        return "ok" if persona == "creditor_admin" else "forbidden"
    raise AssertionError(f"unknown audience {rule.audience}")


def _route_cases(app):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_an_access_rule(app):
    missing = sorted({r.endpoint for r, _ in _route_cases(app)} - POLICY.keys())
    assert not missing, f"routes without an access rule in POLICY: {missing}"


@pytest.fixture
def world(app, people, today, rates_to_date, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", "whsec_matrix")
    # Revoking links would turn the debtor routes tried after it into 404s: who may revoke is
    # what this test checks, what revoking does is tested in test_debtor_page.py.
    monkeypatch.setattr(debtor_access, "revoke_links", lambda actor, case: 0)
    case = factories.make_case(
        people.creditor_user,
        uploads=[intake.UploadInput("facture.pdf", factories.minimal_pdf(), "invoice")],
        today=today,
    )
    payment = payments.record_payment(
        people.agent,
        case,
        amount_cents=10_000,
        received_on=today,
        method="transfer",
        today=today,
    )
    issued = remittance.run_remittance(people.supervisor, people.creditor, today=today)
    plan = plans.propose_plan(
        people.agent,
        case,
        down_payment_cents=0,
        installment_count=24,
        frequency="monthly",
        first_due_on=today,
        today=today,
    )
    letter = letters.generate_letter(people.agent, case, "relance_amiable", letter_date=today)
    from app.services import tasks

    task = tasks.raise_task(case, "call", due_on=today, source_key="matrix:call")
    db.session.commit()
    batch_job = enqueue(
        generate_letter_batch, people.agent.id, [], "relance_2", today.isoformat(), queue="letters"
    )
    scenario = scenarios.save_scenario(
        people.admin,
        None,
        name="Générale",
        stage=pipeline.AMICABLE,
        profile=None,
        creditor_id=None,
        steps=[cadence.Step(0, cadence.CALL)],
    )
    # Written directly: the world's case is still in intake, where nothing is asked.
    request = ApprovalRequest(case_id=case.id, requested_on=today, source_key="matrix")
    db.session.add(request)
    write_off = ApprovalRequest(
        case_id=case.id,
        kind="write_off",
        amount_cents=10_000,
        requested_on=today,
        source_key="matrix:write_off",
    )
    db.session.add(write_off)
    db.session.commit()
    api_token, _plain = api_tokens.create_token(people.creditor_admin, "Matrix ERP")
    from app.models import ClaimDeclaration, InsolvencyProceeding

    proceeding = InsolvencyProceeding(
        siren="732829320",
        kind="liquidation",
        court="TC Lyon",
        judgment_date=today,
        bodacc_published_on=today,
    )
    db.session.add(proceeding)
    db.session.flush()
    declaration = ClaimDeclaration(
        case_id=case.id, proceeding_id=proceeding.id, amount_cents=10_000, deadline_on=today
    )
    db.session.add(declaration)
    from app.models import CaseCost, JudicialProcedure

    procedure = JudicialProcedure(
        case_id=case.id, kind="payment_order", court_kind="tribunal_de_commerce", court_name="TC"
    )
    db.session.add(procedure)
    cost = CaseCost(
        case_id=case.id,
        kind="court_fee",
        label="Greffe",
        amount_cents=3_343,
        incurred_on=today,
        advanced_by="creditor",
    )
    db.session.add(cost)
    db.session.commit()
    import_batch = imports.upload(
        people.creditor_user, "factures.csv", (DATA / "invoices_utf8_commas.csv").read_bytes()
    )
    return {
        "approval_id": write_off.id,
        "kind": "abandon",
        "token_id": api_token.id,
        "declaration_id": declaration.id,
        "procedure_id": procedure.id,
        "cost_id": cost.id,
        "scenario_id": scenario.id,
        "request_id": request.id,
        "name": "relance_2",
        "job_id": batch_job.id,
        "letter_id": letter.id,
        "task_id": task.id,
        "plan_id": plan.id,
        "remittance_id": issued.id,
        "creditor_id": people.other_creditor.id,
        "payment_id": payment.id,
        "reference": case.reference,
        "document_id": case.documents[0].id,
        "debtor_id": case.debtor_id,
        "token": debtor_access.create_link(people.agent, case),
        "code": "fr",
        "filename": "app.css",
        "table": "synthese",
        "fmt": "xlsx",
        "batch_id": import_batch.id,
        "extension": "csv",
        "user_id": people.agent.id,
    }


def _url(rule, values) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(values[name]), path)
    return path


def _outcome(response) -> str:
    if response.status_code == 401:
        return "unauthorized"
    if response.status_code == 403:
        return "forbidden"
    if response.status_code == 404:
        return "not_found"
    if response.status_code == 302 and "/connexion" in response.headers.get("Location", ""):
        return "login"
    if response.status_code >= 500:
        return f"error {response.status_code}"
    return "ok"


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_what_the_policy_says_on_every_route(
    app, client, people, world, login, persona
):
    if persona != "anonymous":
        login(getattr(people, persona))
    surprises = []
    for rule, method in _route_cases(app):
        if rule.endpoint == "auth.logout":
            continue  # would end this persona's session mid-loop; covered in the auth tests
        expected = _expected(POLICY[rule.endpoint], persona)
        response = client.open(_url(rule, world), method=method, data={})
        actual = _outcome(response)
        if POLICY[rule.endpoint].audience == PUBLIC and actual == "login":
            actual = "ok"  # a public page may send a visitor on to the login page
        if actual != expected:
            surprises.append(f"{method} {rule.rule}: expected {expected}, got {actual}")
    assert not surprises, "\n".join(surprises)


def test_an_id_past_the_databases_largest_integer_is_not_found(login, people):
    client = login(people.creditor_user)
    assert client.get("/creancier/releves/99999999999999999999").status_code == 404
    assert login(people.agent).get("/agence/paiements/99999999999999999999/recu").status_code == 404
