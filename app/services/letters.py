"""Letters: build what a template needs from the case, render it, check the law, keep it.

Amounts come from the balance as of the letter's date (services.claims); letters are French
whatever the agent's language, so amounts and dates are formatted the French way here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from babel.numbers import format_currency
from sqlalchemy.exc import IntegrityError

from app.domain import judicial
from app.domain import letters as rules
from app.domain.balance import PARTS
from app.domain.i18n import N_
from app.domain.interest import MissingRate
from app.extensions import db
from app.integrations import docx_render, pdf, storage
from app.models import Case, Document, JudicialProcedure, Letter, Organisation, Payment
from app.services import claims, plans
from app.services.access import require_agency
from app.services.audit import add_timeline, record_audit
from app.services.errors import ValidationFailed

LETTERS_DIR = Path(__file__).resolve().parents[2] / "letters"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMAL_NOTICE_DAYS = 8  # the deadline a formal notice gives, by default
METHOD_WORDS = {
    "transfer": "virement",
    "cheque": "chèque",
    "card": "carte bancaire",
    "sepa_debit": "prélèvement SEPA",
    "cash": "espèces",
    "dividend": "dividende de la procédure collective",
}
PART_WORDS = {
    "costs": "frais",
    "indemnity": "indemnité",
    "interest": "intérêts",
    "principal": "principal",
}


def eur(cents: int) -> str:
    return format_currency(Decimal(cents) / 100, "EUR", locale="fr_FR")


def day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def address(org_or_debtor) -> str:
    parts = [
        org_or_debtor.address_line1,
        org_or_debtor.address_line2,
        f"{org_or_debtor.postal_code or ''} {org_or_debtor.city or ''}".strip(),
    ]
    return ", ".join(p for p in parts if p)


def agency() -> Organisation | None:
    return db.session.scalars(sa.select(Organisation).where(Organisation.kind == "agency")).first()


def _custom_dir() -> Path:
    from flask import current_app

    return Path(current_app.config["LETTER_TEMPLATES_DIR"])


def template_path(name: str) -> Path:
    """The agency's own version of a template if an admin uploaded one, else the shipped one."""
    custom = _custom_dir() / f"{name}.docx"
    return custom if custom.exists() else LETTERS_DIR / f"{name}.docx"


def is_customised(name: str) -> bool:
    return (_custom_dir() / f"{name}.docx").exists()


@dataclass
class Rendered:
    template: rules.Template
    data: bytes
    text: str
    missing: list[str]


def _basis_line(case: Case) -> str:
    if case.debtor.is_company:
        return (
            "pénalités au taux BCE + 10 points, du lendemain de l'échéance (art. L441-10 C. com.)"
        )
    if case.formal_notice_received_on:
        return f"intérêts au taux légal depuis le {day(case.formal_notice_received_on)}"
    return "aucun intérêt avant la mise en demeure"


def build_context(
    case: Case, template: rules.Template, letter_date: date, *, agent, reference: str
) -> tuple[dict, rules.Mentions]:
    """Every variable the templates use (letters/README.md lists them) and the mentions the
    legal check looks for, from the same values."""
    house = agency()
    if house is None:
        raise ValidationFailed({"template": [N_("Aucune agence n'est enregistrée.")]})
    try:
        balance = claims.case_balance(case, letter_date)
    except MissingRate as exc:
        # Chained: the cadence tells a missing rate (the agency's to fix) from a case's problem.
        raise ValidationFailed({"template": [str(exc)]}) from exc
    creditor, debtor = case.creditor, case.debtor
    accessories = balance.indemnity_cents + balance.costs_cents
    invoices = [
        {
            "number": line.number,
            "due_date": day(line.due_date),
            "principal": eur(line.principal_cents),
            "interest": eur(line.interest_cents),
            "indemnity": eur(line.indemnity_cents + line.costs_cents),
            "paid": eur(line.paid_cents),
            "outstanding": eur(line.outstanding_cents),
        }
        for line in balance.invoices
    ]
    iban = house.iban or "(IBAN du compte dédié non renseigné)"
    if template.name == "releve_creancier":
        recipient = {"name": creditor.legal_name, "address": address(creditor)}
        salutation = "Madame, Monsieur"
    else:
        recipient = {"name": debtor.name, "address": address(debtor)}
        salutation = "Madame, Monsieur"
    context = {
        "agency": {
            "logo_path": _logo_path(),
            "name": house.legal_name,
            "address": address(house),
            "city": house.city or "",
            "siren": house.siren or "",
            "contact": "répondez à ce courrier en citant sa référence",
        },
        "creditor": {
            "name": creditor.legal_name,
            "address": address(creditor),
            "siren": creditor.siren or "",
        },
        "debtor": {
            "name": debtor.name,
            "address": address(debtor),
            "identifier": f", SIREN {debtor.siren}" if debtor.siren else "",
        },
        "recipient": {**recipient, "salutation": salutation},
        "case": {"reference": case.reference},
        "letter": {"reference": reference, "date": day(letter_date)},
        "first_letter": {
            "reference": case.first_letter_reference or reference,
            "date": day(case.first_letter_on or letter_date),
        },
        "agent": {"name": getattr(agent, "full_name", "") or "Le service recouvrement"},
        "claim": {"basis": "les factures impayées détaillées ci-dessous"},
        "invoices": invoices,
        "balance": {
            "as_of": day(letter_date),
            "principal": eur(balance.principal_cents),
            "interest": eur(balance.interest_cents),
            "interest_basis": _basis_line(case),
            "accessories": eur(accessories),
            "paid": eur(balance.paid_cents),
            "outstanding": eur(balance.outstanding_cents),
        },
        "payment": {"iban": iban},
        "deadline": day(letter_date + timedelta(days=FORMAL_NOTICE_DAYS)),
        "plan": _plan_context(case),
        "receipt": _receipt_context(case, letter_date),
        "court": {"name": _court(case)},
        "exhibits": [
            {"number": n, "name": d.original_name}
            for n, d in enumerate((d for d in case.documents if d.kind != "letter"), start=1)
        ],
        "payments": _payment_lines(case),
    }
    mentions = rules.Mentions(
        agency_name=house.legal_name,
        agency_address=address(house),
        creditor_name=creditor.legal_name,
        creditor_address=address(creditor),
        principal=eur(balance.principal_cents),
        interest=eur(balance.interest_cents),
        accessories=eur(accessories),
        outstanding=eur(balance.outstanding_cents),
        payment_instructions=iban,
        first_letter_reference=case.first_letter_reference,
        first_letter_date=day(case.first_letter_on),
    )
    return context, mentions


def _logo_path() -> Path | None:
    """AGENCY_LOGO: a PNG or JPEG for the letterhead; unset or missing, letters have none."""
    from flask import current_app

    setting = current_app.config.get("AGENCY_LOGO")
    path = Path(setting) if setting else None
    return path if path and path.is_file() else None


def _plan_context(case: Case) -> dict:
    plan = plans.live_plan(case) or next(iter(plans.plans_of(case)), None)
    if plan is None:
        return {
            "total": "",
            "description": "",
            "installments": [],
            "breach_days": 15,
            "approval_note": "",
        }
    return {
        "total": eur(plan.total_cents),
        "description": f"{plan.installment_count} échéance(s) "
        + ("mensuelle(s)" if plan.frequency == "monthly" else "hebdomadaire(s)"),
        "installments": [
            {
                "label": "Acompte" if i.sequence == 0 else str(i.sequence),
                "due_on": day(i.due_on),
                "amount": eur(i.amount_cents),
            }
            for i in plan.installments
        ],
        "breach_days": plan.breach_days,
        "approval_note": "Cet échéancier est soumis à l'accord de notre client."
        if plan.status == "awaiting_creditor"
        else "",
    }


def _receipt_context(case: Case, letter_date: date) -> dict:
    payment = db.session.scalars(
        sa.select(Payment)
        .where(Payment.case_id == case.id, Payment.reversed_at.is_(None))
        .order_by(Payment.received_on.desc(), Payment.id.desc())
    ).first()
    if payment is None:
        return {
            "number": "",
            "amount": "",
            "date": "",
            "method": "",
            "allocation": "",
            "outstanding_after": "",
        }
    from app.services import payments

    receipt = payments.receipt(payment)
    parts = []
    if receipt.line:
        for number, values in receipt.line.allocations.items():
            detail = ", ".join(f"{PART_WORDS[p]} {eur(values[p])}" for p in PARTS if values[p])
            parts.append(f"facture {number} : {detail}")
    outstanding = receipt.outstanding_after_cents
    return {
        "number": str(payment.id),
        "amount": eur(payment.amount_cents),
        "date": day(payment.received_on),
        "method": METHOD_WORDS.get(payment.method, payment.method),
        "allocation": " ; ".join(parts) or "selon l'ordre légal d'imputation",
        "outstanding_after": eur(outstanding) if outstanding is not None else "à calculer",
    }


def _payment_lines(case: Case) -> list[dict]:
    rows = db.session.scalars(
        sa.select(Payment).where(Payment.case_id == case.id).order_by(Payment.received_on)
    )
    return [
        {
            "date": day(p.received_on),
            "method": METHOD_WORDS.get(p.method, p.method)
            + (" (payé au créancier)" if p.paid_to_creditor else ""),
            "amount": eur(p.amount_cents),
            "state": "annulé" if p.is_reversed else "encaissé",
        }
        for p in rows
    ]


def _court(case: Case) -> str:
    """The court the agent chose when opening the payment order; before that, the one the rule
    points to (LAW.md section 6), in the debtor's city."""
    chosen = db.session.scalar(
        sa.select(JudicialProcedure.court_name)
        .where(JudicialProcedure.case_id == case.id, JudicialProcedure.kind == "payment_order")
        .order_by(JudicialProcedure.id.desc())
        .limit(1)
    )
    if chosen:
        return chosen
    kind = judicial.court_for(case.debtor.is_company, not case.creditor.creditor_is_individual)
    return f"{judicial.COURT_LABELS[kind]} de {case.debtor.city or ''}".strip()


def _template(name: str) -> rules.Template:
    template = rules.TEMPLATES.get(name)
    if template is None or not template_path(name).exists():
        raise ValidationFailed({"template": [N_("Modèle de courrier inconnu.")]})
    return template


def _sequence_errors(case: Case, template: rules.Template) -> list[str]:
    if template.kind == rules.AMICABLE_FIRST and case.first_letter_reference:
        return [N_("Le premier courrier a déjà été envoyé : choisissez une relance.")]
    if template.kind == rules.AMICABLE_LATER and not case.first_letter_reference:
        return [N_("Aucun premier courrier : générez d'abord la première relance amiable.")]
    return []


def render_letter(case: Case, name: str, letter_date: date, *, agent, reference: str) -> Rendered:
    template = _template(name)
    context, mentions = build_context(case, template, letter_date, agent=agent, reference=reference)
    if template.kind == rules.AMICABLE_FIRST:
        # The first letter is its own first letter: later ones quote what it prints here.
        mentions = rules.Mentions(
            **{
                **mentions.__dict__,
                "first_letter_reference": reference,
                "first_letter_date": day(letter_date),
            }
        )
    try:
        data, text = docx_render.render_with_text(template_path(name), context)
    except docx_render.TemplateProblem as exc:
        raise ValidationFailed({"template": [str(exc)]}) from None
    return Rendered(template, data, text, rules.missing_mentions(template.kind, text, mentions))


def preview(actor, case: Case, name: str, *, letter_date: date) -> Rendered:
    """What the letter would say, without keeping anything."""
    require_agency(actor)
    template = _template(name)
    errors = _sequence_errors(case, template)
    if errors:
        raise ValidationFailed({"template": errors})
    return render_letter(case, name, letter_date, agent=actor, reference="(aperçu)")


def generate_letter(actor, case: Case, name: str, *, letter_date: date) -> Letter:
    """Render, check and keep a letter as a document of the case. The same template on the same
    day for the same case gives back the letter already generated."""
    require_agency(actor)
    template = _template(name)
    existing = db.session.scalars(
        sa.select(Letter).where(
            Letter.case_id == case.id, Letter.template == name, Letter.letter_date == letter_date
        )
    ).first()
    if existing is not None:
        return existing
    errors = _sequence_errors(case, template)
    if errors:
        raise ValidationFailed({"template": errors})
    letter = Letter(case_id=case.id, template=name, letter_date=letter_date, created_by_id=actor.id)
    # The reference is printed in the letter: take the id first, inside this transaction.
    db.session.add(letter)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return _same_day_letter(case, name, letter_date)
    letter.reference = f"LET-{letter_date.year}-{letter.id:06d}"
    rendered = render_letter(case, name, letter_date, agent=actor, reference=letter.reference)
    if rendered.missing:
        db.session.rollback()
        raise ValidationFailed(
            {"template": [N_("Mentions obligatoires absentes du courrier :")] + rendered.missing}
        )
    key = storage.save(rendered.data)
    stored = [key]
    try:
        document = Document(
            case_id=case.id,
            kind="letter",
            original_name=f"{letter.reference}-{name}.docx",
            content_type=DOCX_TYPE,
            size_bytes=len(rendered.data),
            sha256=_sha256(rendered.data),
            storage_key=key,
            uploaded_by_id=actor.id,
        )
        db.session.add(document)
        db.session.flush()
        letter.document_id = document.id
        if pdf.enabled():
            pdf_data = pdf.to_pdf(rendered.data)
            pdf_key = storage.save(pdf_data)
            stored.append(pdf_key)
            pdf_document = Document(
                case_id=case.id,
                kind="letter",
                original_name=f"{letter.reference}-{name}.pdf",
                content_type="application/pdf",
                size_bytes=len(pdf_data),
                sha256=_sha256(pdf_data),
                storage_key=pdf_key,
                uploaded_by_id=actor.id,
            )
            db.session.add(pdf_document)
            db.session.flush()
            letter.pdf_document_id = pdf_document.id
        if template.kind == rules.AMICABLE_FIRST:
            case.first_letter_reference, case.first_letter_on = letter.reference, letter_date
        add_timeline(
            case,
            actor,
            "letter_generated",
            data={"letter_id": letter.id, "template": name, "reference": letter.reference},
            visible_to_creditor=True,
        )
        record_audit(
            actor,
            "letter.generated",
            "letter",
            letter.id,
            case_id=case.id,
            changes={"template": name, "reference": letter.reference, "date": letter_date},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        for stored_key in stored:
            storage.delete(stored_key)
        raise
    return letter


def _same_day_letter(case: Case, name: str, letter_date: date) -> Letter:
    return db.session.scalars(
        sa.select(Letter).where(
            Letter.case_id == case.id, Letter.template == name, Letter.letter_date == letter_date
        )
    ).one()


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def letters_of(case: Case) -> list[Letter]:
    query = sa.select(Letter).where(Letter.case_id == case.id).order_by(Letter.id.desc())
    return list(db.session.scalars(query))


def check_templates(case: Case, today: date, agent) -> dict[str, list[str]]:
    """Render every template for `case` and return, per template, what the renderer or the legal
    check refused (empty: all good). Nothing is kept; `flask letters check` and the tests run it.
    """
    saved = case.first_letter_reference, case.first_letter_on
    problems: dict[str, list[str]] = {}
    try:
        for name, template in rules.TEMPLATES.items():
            if template.kind == rules.AMICABLE_LATER:
                case.first_letter_reference = saved[0] or "LET-0000-000001"
                case.first_letter_on = saved[1] or today
            else:
                case.first_letter_reference = case.first_letter_on = None
            try:
                rendered = render_letter(case, name, today, agent=agent, reference="LET-TEST")
            except ValidationFailed as exc:
                problems[name] = [m for messages in exc.errors.values() for m in messages]
                continue
            if rendered.missing:
                problems[name] = rendered.missing
    finally:
        case.first_letter_reference, case.first_letter_on = saved
    return problems


# --- Sending ----------------------------------------------------------------------------------

MAIL_RETRY_INTERVALS = (60, 300, 900)  # seconds between attempts after a failure
EMAIL_LEASE = timedelta(minutes=10)  # longer than any SMTP conversation


def send_by_email(actor, letter: Letter) -> Letter:
    """Queue the letter for the debtor's email address. The letter stays on the case whatever
    happens to the email; a failure is shown and retried."""
    require_agency(actor)
    case = letter.case
    template = rules.TEMPLATES[letter.template]
    if not template.to_debtor:
        raise ValidationFailed({"channel": [N_("Ce courrier ne s'adresse pas au débiteur.")]})
    emails = case.debtor.emails
    if not emails:
        raise ValidationFailed(
            {
                "channel": [
                    N_("Le débiteur n'a pas d'adresse e-mail : envoyez ce courrier par la poste.")
                ]
            }
        )
    if letter.status == "sent":
        raise ValidationFailed({"channel": [N_("Ce courrier a déjà été envoyé.")]})
    letter.status, letter.channel, letter.sent_to = "sending", "email", emails[0]
    record_audit(
        actor,
        "letter.email_queued",
        "letter",
        letter.id,
        case_id=case.id,
        changes={"to": emails[0]},
    )
    db.session.commit()
    from rq import Retry

    from app.jobs import enqueue
    from app.jobs.tasks import send_letter_email

    retry = Retry(max=len(MAIL_RETRY_INTERVALS), interval=list(MAIL_RETRY_INTERVALS))
    enqueue(send_letter_email, letter.id, queue="mail", retry=retry)
    return letter


def deliver_email(letter_id: int) -> bool:
    """The job's work: send once (a sent letter is never sent again). Returns True when sent;
    on failure the letter is marked failed with the reason and the error is raised again."""
    from flask import render_template

    from app.integrations import mail

    letter = db.session.get(Letter, letter_id)
    if letter is None or letter.status == "sent":
        return False
    # Claim the sending: of two jobs for one letter (a retry and a re-enqueue), only one holds
    # the lease, so the email is not sent twice; a sender killed mid-way lets go when it expires.
    now = _now()
    claimed = db.session.execute(
        sa.update(Letter)
        .where(
            Letter.id == letter_id,
            Letter.status.in_(("sending", "failed")),
            sa.or_(Letter.claimed_at.is_(None), Letter.claimed_at < now - EMAIL_LEASE),
        )
        .values(status="sending", attempts=Letter.attempts + 1, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:
        return False
    db.session.refresh(letter)
    case = letter.case
    house = agency()
    template = rules.TEMPLATES.get(letter.template) or rules.EMAIL_TEMPLATES[letter.template]
    context = {
        "letter": letter,
        "case": case,
        "agency_name": house.legal_name if house else "",
        "creditor_name": case.creditor.legal_name,
        "template_label": template.label,
    }
    body = "letter" if letter.document_id else letter.template
    if body != "letter":
        context["values"], _mentions = build_context(
            case, template, letter.letter_date, agent=letter.created_by, reference=letter.reference
        )
    try:
        message = mail.send_mail(
            letter.sent_to,
            f"{case.creditor.legal_name} — {letter.reference}",
            render_template(f"emails/{body}.txt", **context),
            html=render_template(f"emails/{body}.html", **context),
            attachments=[_attachment(letter)] if letter.document_id else [],
        )
    except Exception as exc:
        letter.status, letter.last_error = "failed", f"{type(exc).__name__}: {exc}"[:500]
        letter.claimed_at = None
        add_timeline(
            case,
            None,
            "letter_email_failed",
            data={
                "letter_id": letter.id,
                "reference": letter.reference,
                "error": letter.last_error,
            },
        )
        db.session.commit()
        raise
    letter.status, letter.last_error = "sent", None
    letter.message_id, letter.sent_at = message["Message-ID"], _now()
    add_timeline(
        case,
        None,
        "letter_sent",
        data={
            "letter_id": letter.id,
            "reference": letter.reference,
            "to": letter.sent_to,
            "message_id": letter.message_id,
        },
        visible_to_creditor=True,
    )
    db.session.commit()
    return True


def _attachment(letter: Letter) -> tuple[str, bytes, str]:
    """The PDF when there is one (what a debtor's phone opens), else the DOCX."""
    document = letter.pdf_document or letter.document
    return document.original_name, storage.read(document.storage_key), document.content_type


def _now():
    from app.models.base import utcnow

    return utcnow()


def mark_to_post(actor, letter: Letter, *, registered: bool) -> Letter:
    require_agency(actor)
    case = letter.case
    if rules.TEMPLATES[letter.template].to_debtor and not (
        case.debtor.address_line1 and case.debtor.postal_code and case.debtor.city
    ):
        raise ValidationFailed(
            {
                "channel": [
                    N_("L'adresse postale du débiteur est incomplète : impossible de poster.")
                ]
            }
        )
    if letter.status in ("sent", "posted"):
        raise ValidationFailed({"channel": [N_("Ce courrier a déjà été envoyé.")]})
    letter.status, letter.channel = "to_post", "registered" if registered else "post"
    record_audit(
        actor,
        "letter.to_post",
        "letter",
        letter.id,
        case_id=case.id,
        changes={"registered": registered},
    )
    db.session.commit()
    return letter


def mark_posted(actor, letter: Letter, *, posted_on: date | None, tracking_number: str, today):
    require_agency(actor)
    errors: dict[str, list[str]] = {}
    if letter.status != "to_post":
        errors["posted_on"] = [N_("Ce courrier n'est pas dans le lot à poster.")]
    if posted_on is None or posted_on > today:
        errors["posted_on"] = [N_("Indiquez la date d'envoi (pas dans le futur).")]
    tracking_number = (tracking_number or "").strip()
    if letter.channel == "registered" and not tracking_number:
        errors["tracking_number"] = [N_("Indiquez le numéro de recommandé.")]
    if errors:
        raise ValidationFailed(errors)
    letter.status, letter.posted_on = "posted", posted_on
    letter.tracking_number = tracking_number or None
    add_timeline(
        letter.case,
        actor,
        "letter_posted",
        data={
            "letter_id": letter.id,
            "reference": letter.reference,
            "posted_on": posted_on,
            "registered": letter.channel == "registered",
            "tracking": letter.tracking_number,
        },
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "letter.posted",
        "letter",
        letter.id,
        case_id=letter.case_id,
        changes={"posted_on": posted_on, "tracking_number": letter.tracking_number},
    )
    db.session.commit()
    return letter


def record_receipt(actor, letter: Letter, *, received_on: date | None, today) -> Letter:
    """The acknowledgment of receipt of a registered letter came back; for a formal notice its
    date starts a consumer's legal interest (money issue)."""
    require_agency(actor)
    errors: dict[str, list[str]] = {}
    if letter.channel != "registered" or letter.status != "posted":
        errors["received_on"] = [N_("Seul un recommandé posté a un accusé de réception.")]
    elif received_on is None or received_on > today:
        errors["received_on"] = [
            N_("Indiquez la date de l'accusé de réception (pas dans le futur).")
        ]
    elif letter.posted_on and received_on < letter.posted_on:
        errors["received_on"] = [N_("L'accusé de réception ne peut précéder l'envoi.")]
    if errors:
        raise ValidationFailed(errors)
    letter.received_on = received_on
    record_audit(
        actor,
        "letter.received",
        "letter",
        letter.id,
        case_id=letter.case_id,
        changes={"received_on": received_on},
    )
    if letter.template == "mise_en_demeure" and letter.case.is_open:
        from app.services import casework

        casework.set_formal_notice_received(actor, letter.case, received_on, today=today)
    db.session.commit()
    return letter


def to_post() -> list[Letter]:
    """The print batch: letters marked to post, oldest first."""
    query = sa.select(Letter).where(Letter.status == "to_post").order_by(Letter.id)
    return list(db.session.scalars(query))


# --- Templates the agency uploads ------------------------------------------------------------

SAMPLE_MENTIONS = rules.Mentions(
    agency_name="Agence Exemple SAS",
    agency_address="10 rue de l'Exemple, 75001 Paris",
    creditor_name="Créancier Exemple SARL",
    creditor_address="5 avenue du Test, 69002 Lyon",
    principal="1 200,00 €",
    interest="57,92 €",
    accessories="40,00 €",
    outstanding="1 297,92 €",
    payment_instructions="FR7630006000011234567890189",
    first_letter_reference="LET-2026-000001",
    first_letter_date="02/11/2026",
)


def sample_context() -> dict:
    """Every variable a template may use, with made-up values: what an uploaded template is
    tried against (a debtor named "Smith & <Sons>" proves the escaping)."""
    m = SAMPLE_MENTIONS
    money_row = {
        "number": "F-2026-001",
        "due_date": "01/07/2026",
        "principal": m.principal,
        "interest": m.interest,
        "indemnity": m.accessories,
        "paid": "0,00 €",
        "outstanding": m.outstanding,
    }
    return {
        "agency": {
            "logo_path": None,
            "name": m.agency_name,
            "address": m.agency_address,
            "city": "Paris",
            "siren": "732829320",
            "contact": "répondez à ce courrier en citant sa référence",
        },
        "creditor": {"name": m.creditor_name, "address": m.creditor_address, "siren": "552032534"},
        "debtor": {
            "name": "Smith & <Sons>",
            "address": "8 quai des Chartrons, 33000 Bordeaux",
            "identifier": ", SIREN 542051180",
        },
        "recipient": {
            "name": "Smith & <Sons>",
            "address": "8 quai des Chartrons, 33000 Bordeaux",
            "salutation": "Madame, Monsieur",
        },
        "case": {"reference": "REC-2026-000001"},
        "letter": {"reference": "LET-2026-000002", "date": "23/11/2026"},
        "first_letter": {"reference": m.first_letter_reference, "date": m.first_letter_date},
        "agent": {"name": "Alice Agent"},
        "claim": {"basis": "les factures impayées détaillées ci-dessous"},
        "invoices": [money_row],
        "balance": {
            "as_of": "23/11/2026",
            "principal": m.principal,
            "interest": m.interest,
            "interest_basis": "pénalités au taux BCE + 10 points",
            "accessories": m.accessories,
            "paid": "0,00 €",
            "outstanding": m.outstanding,
        },
        "payment": {"iban": m.payment_instructions},
        "deadline": "01/12/2026",
        "plan": {
            "total": m.outstanding,
            "description": "3 échéance(s) mensuelle(s)",
            "installments": [{"label": "1", "due_on": "15/12/2026", "amount": "432,64 €"}],
            "breach_days": 15,
            "approval_note": "",
        },
        "receipt": {
            "number": "1",
            "amount": "500,00 €",
            "date": "01/10/2026",
            "method": "virement",
            "allocation": "facture F-2026-001 : principal 500,00 €",
            "outstanding_after": "797,92 €",
        },
        "court": {"name": "Tribunal de commerce de Bordeaux"},
        "exhibits": [{"number": 1, "name": "facture-F-2026-001.pdf"}],
        "payments": [
            {"date": "01/10/2026", "method": "virement", "amount": "500,00 €", "state": "encaissé"}
        ],
    }


def check_template_file(name: str, data: bytes) -> list[str]:
    """Why an uploaded template cannot replace `name` (empty: it can): not a Word file, a Jinja
    error with its line, an unknown variable by name, or a mandatory mention missing."""
    import io
    import zipfile

    template = rules.TEMPLATES.get(name)
    if template is None:
        return [N_("Modèle de courrier inconnu.")]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise zipfile.BadZipFile
    except zipfile.BadZipFile:
        return [N_("Ce fichier n'est pas un document Word (.docx).")]
    try:
        _data, text = docx_render.render_with_text(data, sample_context())
    except docx_render.TemplateProblem as exc:
        return [str(exc)]
    except Exception as exc:  # a damaged file docxtpl cannot read
        return [f"Document illisible : {type(exc).__name__}"]
    mentions = SAMPLE_MENTIONS
    if template.kind == rules.AMICABLE_FIRST:
        mentions = rules.Mentions(
            **{**mentions.__dict__, "first_letter_reference": None, "first_letter_date": None}
        )
    return rules.missing_mentions(template.kind, text, mentions)


def replace_template(actor, name: str, data: bytes) -> None:
    """An agency admin's own version of a template, kept only if it passes the check."""
    from app.services.access import require_agency_admin

    require_agency_admin(actor)
    # A Word file is a ZIP: its entries are checked before docxtpl reads any of them.
    archive = storage.archive_problem(data) if data[:4] == b"PK\x03\x04" else None
    problems = [f"Modèle refusé : {archive}."] if archive else check_template_file(name, data)
    if problems:
        raise ValidationFailed({"file": problems})
    folder = _custom_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.docx").write_bytes(data)
    record_audit(
        actor,
        "letter_template.replaced",
        "letter_template",
        None,
        changes={"template": name, "sha256": _sha256(data)},
    )
    db.session.commit()


def restore_template(actor, name: str) -> None:
    from app.services.access import require_agency_admin

    require_agency_admin(actor)
    (_custom_dir() / f"{name}.docx").unlink(missing_ok=True)
    record_audit(
        actor, "letter_template.restored", "letter_template", None, changes={"template": name}
    )
    db.session.commit()


# --- Batches ----------------------------------------------------------------------------------


def batch_candidates(actor, *, only_mine: bool, due_only: bool, today: date) -> list[int]:
    """Open amicable cases the batch would write to (the agent's own, or every one a manager
    sees), optionally only those whose next action is due today or late."""
    require_agency(actor)
    from app.domain import pipeline

    query = sa.select(Case.id).where(Case.stage == pipeline.AMICABLE)
    if only_mine or not actor.is_manager:
        query = query.where(
            sa.or_(Case.assigned_agent_id == actor.id, Case.assigned_agent_id.is_(None))
            if not only_mine
            else Case.assigned_agent_id == actor.id
        )
    if due_only:
        query = query.where(Case.next_action_on <= today)
    return list(db.session.scalars(query.order_by(Case.id)))


@dataclass
class BatchProgress:
    total: int
    done: int = 0
    generated: int = 0
    skipped: list[tuple[str, str]] | None = None  # (case reference, reason)

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "done": self.done,
            "generated": self.generated,
            "skipped": self.skipped or [],
        }


def generate_batch(actor, case_ids: list[int], name: str, *, letter_date: date, report=None):
    """One letter per case, each in its own transaction (a case that cannot have this letter is
    skipped with its reason, the others go on); `report(progress)` after each case."""
    progress = BatchProgress(total=len(case_ids), skipped=[])
    for case_id in case_ids:
        case = db.session.get(Case, case_id)
        try:
            generate_letter(actor, case, name, letter_date=letter_date)
            progress.generated += 1
        except ValidationFailed as exc:
            db.session.rollback()
            reasons = [m for messages in exc.errors.values() for m in messages]
            progress.skipped.append((case.reference, " ".join(reasons)))
        progress.done += 1
        if report is not None:
            report(progress)
    return progress


def send_email_reminder(actor, case: Case, *, today: date) -> Letter:
    """An email reminder written from templates/emails/email_relance.*: checked like a later
    amicable letter (it quotes the first letter), sent once a day at most, retried on failure."""
    from flask import render_template

    require_agency(actor)
    template = rules.EMAIL_TEMPLATES["email_relance"]
    errors = _sequence_errors(case, template)
    if not case.debtor.emails:
        errors.append(
            N_("Le débiteur n'a pas d'adresse e-mail : envoyez ce courrier par la poste.")
        )
    if errors:
        raise ValidationFailed({"channel": errors})
    existing = db.session.scalars(
        sa.select(Letter).where(
            Letter.case_id == case.id, Letter.template == template.name, Letter.letter_date == today
        )
    ).first()
    if existing is not None:
        return existing
    letter = Letter(
        case_id=case.id,
        template=template.name,
        letter_date=today,
        created_by_id=actor.id,
        channel="email",
        sent_to=case.debtor.emails[0],
    )
    db.session.add(letter)
    db.session.flush()
    letter.reference = f"LET-{today.year}-{letter.id:06d}"
    values, mentions = build_context(case, template, today, agent=actor, reference=letter.reference)
    text = render_template(
        "emails/email_relance.txt",
        letter=letter,
        case=case,
        values=values,
        agency_name="",
        creditor_name=case.creditor.legal_name,
        template_label=template.label,
    )
    missing = rules.missing_mentions(template.kind, text, mentions)
    if missing:
        db.session.rollback()
        raise ValidationFailed(
            {"channel": [N_("Mentions obligatoires absentes du courrier :")] + missing}
        )
    letter.status = "sending"
    add_timeline(
        case,
        actor,
        "letter_generated",
        data={"letter_id": letter.id, "template": template.name, "reference": letter.reference},
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "letter.email_queued",
        "letter",
        letter.id,
        case_id=case.id,
        changes={"template": template.name, "to": letter.sent_to},
    )
    db.session.commit()
    from rq import Retry

    from app.jobs import enqueue
    from app.jobs.tasks import send_letter_email

    retry = Retry(max=len(MAIL_RETRY_INTERVALS), interval=list(MAIL_RETRY_INTERVALS))
    enqueue(send_letter_email, letter.id, queue="mail", retry=retry)
    return letter
