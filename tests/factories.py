"""Test data built through the same services the app uses, with a few shortcuts for speed."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain import roles
from app.domain.intake import InvoiceInput
from app.extensions import db
from app.models import Organisation, User
from app.models.base import utcnow
from app.services import intake

PASSWORD = "correct horse battery staple"
# Managers must have a second factor (app/services/two_factor.py): the factories enrol them with
# this secret, and `second_step` (used by the `login` fixture) types the current code.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# Real Luhn-valid SIRENs (public companies) and a valid French IBAN, for fixtures.
VALID_SIRENS = ("732829320", "552032534", "542051180", "775670417", "632012100")
VALID_IBAN = "FR7630006000011234567890189"


# scrypt still, at a test-only cost (N=1024): the app's own cost (N=32768, ~0.1 s) is paid on
# every check, and the suite logs in about a thousand times. Users made by the app's services
# (accounts.create_user, a password change) get the real cost; test_create_user checks it.
TEST_PASSWORD_METHOD = "scrypt:1024:8:1"


@functools.cache
def _password_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD, method=TEST_PASSWORD_METHOD)


def make_org(kind="creditor", name="Boulangerie Dupont SAS", *, mandate=True, siren=None):
    org = Organisation(
        kind=kind,
        legal_name=name,
        siren=siren,
        address_line1="1 rue de la Paix",
        postal_code="75002",
        city="Paris",
        iban=VALID_IBAN,
    )
    if kind == "creditor" and mandate:
        org.mandate_reference = f"MAN-{name[:3].upper()}-001"
        org.mandate_signed_on = date(2026, 1, 15)
        org.commission_amicable_bp = 1200
        org.commission_judicial_bp = 1800
    db.session.add(org)
    db.session.commit()
    return org


def make_user(org, role, email, name=None, *, totp=None):
    """`totp`: enrol the second factor with TOTP_SECRET (default: managers only, as it is
    mandatory for them)."""
    user = User(
        email=email,
        full_name=name or email.split("@")[0].replace(".", " ").title(),
        password_hash=_password_hash(),
        role=role,
        organisation=org,
    )
    if role in roles.MANAGER_ROLES if totp is None else totp:
        user.totp_secret = TOTP_SECRET
        user.totp_confirmed_at = utcnow()
    db.session.add(user)
    db.session.commit()
    return user


def totp_code(user=None, *, now=None) -> str:
    from app.services.two_factor import code_at

    return code_at(user.totp_secret if user is not None else TOTP_SECRET, now)


def second_step(client, user):
    """Type the current code on the login's second step. The step last used is forgotten first,
    so a test may log the same manager in twice within 30 seconds."""
    user.totp_last_counter = None
    db.session.commit()
    response = client.post("/connexion/code", data={"code": totp_code(user)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@dataclass
class People:
    agency: Organisation
    admin: User
    supervisor: User
    agent: User
    other_agent: User
    creditor: Organisation
    creditor_admin: User
    creditor_user: User
    other_creditor: Organisation
    other_creditor_user: User


def personas() -> People:
    agency = make_org("agency", "Recouvra Agence SAS")
    creditor = make_org("creditor", "Boulangerie Dupont SAS")
    other = make_org("creditor", "Garage Martin SARL")
    return People(
        agency=agency,
        admin=make_user(agency, roles.AGENCY_ADMIN, "admin@agence.example"),
        supervisor=make_user(agency, roles.SUPERVISOR, "superviseur@agence.example"),
        agent=make_user(agency, roles.AGENT, "agent@agence.example", "Alice Agent"),
        other_agent=make_user(agency, roles.AGENT, "agent2@agence.example", "Bruno Agent"),
        creditor=creditor,
        creditor_admin=make_user(creditor, roles.CREDITOR_ADMIN, "admin@dupont.example"),
        creditor_user=make_user(creditor, roles.CREDITOR_USER, "compta@dupont.example"),
        other_creditor=other,
        other_creditor_user=make_user(other, roles.CREDITOR_USER, "compta@martin.example"),
    )


def invoice(
    number="F-2026-001", amount_cents=120_000, *, issued=date(2026, 6, 1), days=30, paid_cents=0
) -> InvoiceInput:
    return InvoiceInput(
        number=number,
        issue_date=issued,
        due_date=issued + timedelta(days=days),
        amount_cents=amount_cents,
        paid_cents=paid_cents,
    )


def debtor_input(name="Client Mauvais Payeur SARL", siren=VALID_SIRENS[0], **extra):
    return intake.DebtorInput(
        kind="company",
        name=name,
        siren=siren,
        address_line1="12 avenue des Champs",
        postal_code="69001",
        city="Lyon",
        emails=["compta@mauvais-payeur.example"],
        phones=["04 72 00 00 00"],
        **extra,
    )


def make_case(user, *, invoices=None, debtor=None, uploads=None, today=date(2026, 11, 23)):
    """A case submitted by a creditor user (in intake)."""
    return intake.submit_case(
        user,
        debtor=debtor or debtor_input(),
        invoices=invoices or [invoice()],
        uploads=uploads,
        today=today,
    )


def minimal_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def minimal_png() -> bytes:
    return bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )


def monthly_plan(case, today: date, installments: int = 3):
    """The whole balance in monthly installments from `today`, as the debtor proposes it on the
    page (inside the default policy, so it starts at once)."""
    from app.services import plans

    return plans.propose_plan(
        None,
        case,
        down_payment_cents=0,
        installment_count=installments,
        frequency="monthly",
        first_due_on=today,
        today=today,
    )
