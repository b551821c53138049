"""What the creditors' software does through the API that the portal does not: idempotent intake
by the creditor's own reference."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Case
from app.services import intake


def case_by_external_ref(creditor_id: int, external_ref: str) -> Case | None:
    return db.session.scalars(
        sa.select(Case).where(Case.creditor_id == creditor_id, Case.external_ref == external_ref)
    ).first()


def submit_case_once(actor, *, external_ref: str, **fields) -> tuple[Case, bool]:
    """Submit a case unless this creditor already sent one with this reference.

    Returns (case, created). A retry, or two requests racing, gets the first case: the unique
    constraint on (creditor_id, external_ref) decides the race, never a duplicate.
    """
    existing = case_by_external_ref(actor.organisation_id, external_ref)
    if existing is not None:
        return existing, False
    try:
        return intake.submit_case(actor, external_ref=external_ref, **fields), True
    except IntegrityError:
        db.session.rollback()
        existing = case_by_external_ref(actor.organisation_id, external_ref)
        if existing is None:
            raise
        return existing, False
