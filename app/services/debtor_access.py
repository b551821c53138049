"""The debtor's way in: a secret link per case, one check question, and what the debtor may do
there (see what is owed, dispute, ask to be called back).

A token is at least 128 random bits, stored hashed, valid while the case is open and until the
agency revokes it. Any failure (unknown, revoked, closed case) looks the same from outside. Five
wrong answers lock the link for 15 minutes (the route also limits answers per address).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.domain import cadence
from app.domain.i18n import N_
from app.extensions import db
from app.models import Case, DebtorLink
from app.models.base import utcnow
from app.models.debtor_link import CALLBACK_SLOTS, DISPUTE_REASONS
from app.services.access import require_agency
from app.services.audit import add_timeline, record_audit
from app.services.errors import NotFound, ValidationFailed

TOKEN_BYTES = 22  # 176 bits, 30 URL-safe characters
MAX_FAILED_CHECKS = 5
LOCK_MINUTES = 15


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(actor, case: Case) -> str:
    """A new link for the case; returns the token, which is never stored in clear."""
    if actor is not None:
        require_agency(actor)
    if not case.is_open:
        raise ValidationFailed({"link": [N_("Le dossier n'est plus ouvert.")]})
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = DebtorLink(
        case_id=case.id, token_hash=_hash(token), created_by_id=getattr(actor, "id", None)
    )
    db.session.add(link)
    db.session.flush()
    record_audit(actor, "debtor_link.created", "debtor_link", link.id, case_id=case.id)
    db.session.commit()
    return token


def revoke_links(actor, case: Case) -> int:
    require_agency(actor)
    count = db.session.execute(
        sa.update(DebtorLink)
        .where(DebtorLink.case_id == case.id, DebtorLink.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    record_audit(
        actor, "debtor_link.revoked", "case", case.id, case_id=case.id, changes={"links": count}
    )
    db.session.commit()
    return count


def find_link(token: str) -> DebtorLink:
    """The live link for a token, or NotFound (the same for unknown, revoked or closed)."""
    if not token or len(token) > 100:
        raise NotFound(N_("Lien introuvable."))
    # The case, its debtor and creditor come in the same query: every debtor screen needs them.
    case = joinedload(DebtorLink.case)
    link = db.session.scalar(
        sa.select(DebtorLink)
        .where(DebtorLink.token_hash == _hash(token))
        .options(case.joinedload(Case.debtor), case.joinedload(Case.creditor))
    )
    if link is None or link.revoked_at is not None or not link.case.is_open:
        raise NotFound(N_("Lien introuvable."))
    return link


def question(link: DebtorLink) -> str:
    """What the check asks: the SIREN for a company, else the postal code on file."""
    return "siren" if link.case.debtor.is_company and link.case.debtor.siren else "postal_code"


def _expected(link: DebtorLink) -> str:
    debtor = link.case.debtor
    return debtor.siren if question(link) == "siren" else (debtor.postal_code or "")


def _clean(answer: str) -> str:
    return re.sub(r"\s+", "", answer or "").upper()


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    locked_until: datetime | None = None
    tries_left: int = MAX_FAILED_CHECKS


def check_answer(link: DebtorLink, answer: str, *, now: datetime | None = None) -> CheckResult:
    """Compare the answer in constant time; count failures and lock the link after five."""
    now = now or utcnow()
    if link.locked_until is not None and link.locked_until > now:
        return CheckResult(False, link.locked_until, 0)
    expected = _expected(link)
    if expected and hmac.compare_digest(_clean(answer), _clean(expected)):
        link.failed_checks, link.locked_until, link.last_opened_at = 0, None, now
        db.session.commit()
        return CheckResult(True)
    link.failed_checks += 1
    if link.failed_checks >= MAX_FAILED_CHECKS:
        link.failed_checks, link.locked_until = 0, now + timedelta(minutes=LOCK_MINUTES)
        record_audit(None, "debtor_link.locked", "debtor_link", link.id, case_id=link.case_id)
        db.session.commit()
        return CheckResult(False, link.locked_until, 0)
    db.session.commit()
    return CheckResult(False, None, MAX_FAILED_CHECKS - link.failed_checks)


def dispute(link: DebtorLink, *, reason: str | None, text: str, uploads=(), today: date) -> None:
    """The debtor contests the debt: the case goes on hold (reminders stop), the agent has it
    in the queue today and the creditor sees it in the timeline."""
    from app.services import intake

    errors: dict[str, list[str]] = {}
    if reason not in DISPUTE_REASONS:
        errors["reason"] = [N_("Choisissez la raison de votre contestation.")]
    if not (text or "").strip():
        errors["text"] = [N_("Expliquez en quelques mots ce que vous contestez.")]
    if errors:
        raise ValidationFailed(errors)
    case = link.case
    if uploads:
        intake.add_documents(None, case, list(uploads))  # None: the debtor, not a user
    case.hold_reason = "dispute"
    case.next_action_on = today
    add_timeline(
        case,
        None,
        "debtor_dispute",
        text.strip(),
        data={"reason": reason, "documents": len(uploads)},
        visible_to_creditor=True,
    )
    record_audit(
        None,
        "case.disputed_by_debtor",
        "case",
        case.id,
        case_id=case.id,
        changes={"reason": reason},
    )
    db.session.commit()


def request_callback(link: DebtorLink, *, on: date | None, slot: str | None, phone: str, today):
    """ "Call me back": the request lands in the agent's queue on the day asked for."""
    from app.domain import identifiers

    case = link.case
    errors: dict[str, list[str]] = {}
    if on is None or on < today or on > today + timedelta(days=30):
        errors["on"] = [N_("Choisissez un jour dans les 30 prochains jours.")]
    if slot not in CALLBACK_SLOTS:
        errors["slot"] = [N_("Choisissez un créneau.")]
    number = ""
    try:
        number = identifiers.normalise_phone(phone, case.debtor.country or "FR")
    except identifiers.InvalidIdentifier as exc:
        errors["phone"] = [str(exc)]
    if errors:
        raise ValidationFailed(errors)
    case.next_action_on = on
    entry = add_timeline(
        case,
        None,
        "callback_requested",
        data={"on": on, "slot": slot, "phone": number},
        visible_to_creditor=False,
    )
    db.session.flush()
    from app.services import tasks

    # A request made on a weekend or a holiday is called back on the next business day.
    tasks.raise_task(
        case,
        "callback",
        due_on=cadence.next_business_day(on),
        source_key=f"callback:{entry.id}",
        data={"on": on, "slot": slot, "phone": number},
    )
    record_audit(
        None,
        "case.callback_requested",
        "case",
        case.id,
        case_id=case.id,
        changes={"on": on, "slot": slot},
    )
    db.session.commit()


def set_contact_preference(link: DebtorLink, preference: str | None) -> None:
    from app.models.debtor import CONTACT_PREFERENCES

    if preference not in CONTACT_PREFERENCES:
        raise ValidationFailed({"preference": [N_("Choisissez comment être contacté.")]})
    debtor = link.case.debtor
    previous = debtor.contact_preference
    debtor.contact_preference = preference
    record_audit(
        None,
        "debtor.contact_preference",
        "debtor",
        debtor.id,
        case_id=link.case_id,
        changes={"contact_preference": [previous, preference]},
    )
    db.session.commit()
