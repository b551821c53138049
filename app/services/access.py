"""Who sees what: every creditor query is scoped here, once, not in each view.

A creditor user sees only rows of its own organisation; agency staff see every case.
Absent and not-yours look the same (NotFound), so references cannot be probed.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.domain.i18n import N_
from app.extensions import db
from app.models import Case, Debtor, Document, Payment, TimelineEntry
from app.services.errors import Forbidden, NotFound


def visible_cases(user) -> sa.Select:
    query = sa.select(Case)
    if user.is_creditor_staff:
        query = query.where(Case.creditor_id == user.organisation_id)
    elif not user.is_agency_staff:
        query = query.where(sa.false())
    return query


def visible_debtors(user) -> sa.Select:
    query = sa.select(Debtor)
    if user.is_creditor_staff:
        query = query.where(Debtor.creditor_id == user.organisation_id)
    elif not user.is_agency_staff:
        query = query.where(sa.false())
    return query


def get_case(user, reference: str) -> Case:
    case = db.session.scalars(visible_cases(user).where(Case.reference == reference)).first()
    if case is None:
        raise NotFound(N_("Dossier introuvable."))
    return case


def get_payment(user, payment_id: int) -> Payment:
    query = (
        sa.select(Payment)
        .where(Payment.id == payment_id)
        .where(Payment.case_id.in_(visible_cases(user).with_only_columns(Case.id)))
    )
    payment = db.session.scalars(query).first()
    if payment is None:
        raise NotFound(N_("Paiement introuvable."))
    return payment


def get_debtor(user, debtor_id: int) -> Debtor:
    debtor = db.session.scalars(visible_debtors(user).where(Debtor.id == debtor_id)).first()
    if debtor is None:
        raise NotFound(N_("Débiteur introuvable."))
    return debtor


def get_document(user, document_id: int) -> Document:
    query = sa.select(Document).join(Case).where(Document.id == document_id)
    if user.is_creditor_staff:
        query = query.where(
            Case.creditor_id == user.organisation_id, Document.visible_to_creditor.is_(True)
        )
    elif not user.is_agency_staff:
        raise NotFound(N_("Document introuvable."))
    document = db.session.scalars(query).first()
    if document is None:
        raise NotFound(N_("Document introuvable."))
    return document


def documents_for(user, case: Case) -> list[Document]:
    """The case's documents this user may list (and download through get_document)."""
    query = sa.select(Document).where(Document.case_id == case.id).order_by(Document.id)
    if not user.is_agency_staff:
        query = query.where(Document.visible_to_creditor.is_(True))
    return list(db.session.scalars(query))


def visible_timeline(user) -> sa.Select:
    """Timeline entries of the cases the user sees; a creditor never gets internal entries."""
    query = sa.select(TimelineEntry).where(
        TimelineEntry.case_id.in_(visible_cases(user).with_only_columns(Case.id))
    )
    if not user.is_agency_staff:
        query = query.where(TimelineEntry.visible_to_creditor.is_(True))
    return query


def timeline_for(user, case: Case) -> list[TimelineEntry]:
    query = (
        sa.select(TimelineEntry)
        .where(TimelineEntry.case_id == case.id)
        # Each entry names who acted: loaded with them, not one query per person.
        .options(joinedload(TimelineEntry.actor))
        .order_by(TimelineEntry.occurred_at.desc(), TimelineEntry.id.desc())
    )
    if not user.is_agency_staff:
        query = query.where(TimelineEntry.visible_to_creditor.is_(True))
    return list(db.session.scalars(query))


def require_agency(user) -> None:
    if not user.is_agency_staff:
        raise Forbidden(N_("Réservé à l'agence."))


def require_manager(user) -> None:
    if not user.is_manager:
        raise Forbidden(N_("Réservé aux superviseurs."))


def require_agency_admin(user) -> None:
    if user.role != "agency_admin":
        raise Forbidden(N_("Réservé à l'administrateur de l'agence."))
