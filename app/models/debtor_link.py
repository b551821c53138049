"""The secret links that open a case's payment page for its debtor (/p/<token>).

Only a hash of the token is stored: the link is shown once (printed in a letter or given to the
agent) and a database leak does not open anyone's page.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.i18n import N_
from app.models.base import Base, utcnow
from app.models.case import Case
from app.models.org import User

DISPUTE_REASONS = ("already_paid", "not_received", "amount_wrong", "other")
DISPUTE_REASON_LABELS = {
    "already_paid": N_("J'ai déjà payé"),
    "not_received": N_("Je n'ai pas reçu la marchandise ou la prestation"),
    "amount_wrong": N_("Le montant est faux"),
    "other": N_("Autre raison"),
}
CALLBACK_SLOTS = ("morning", "afternoon", "evening")
CALLBACK_SLOT_LABELS = {
    "morning": N_("Matin (9 h – 12 h)"),
    "afternoon": N_("Après-midi (14 h – 17 h)"),
    "evening": N_("Fin de journée (17 h – 19 h)"),
}


class DebtorLink(Base):
    __tablename__ = "debtor_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    # sha256 of the token, hex.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # Wrong answers to the check in a row; 5 lock the link for 15 minutes.
    failed_checks: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_opened_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship()
    created_by: Mapped[User | None] = relationship()
