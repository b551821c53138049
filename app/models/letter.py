"""Letters the agency generated for a case, and what became of each (email, post, registered)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.i18n import N_
from app.models.base import Base, enum_column, utcnow
from app.models.case import Case, Document
from app.models.org import User

CHANNELS = ("email", "post", "registered")
LETTER_STATUSES = ("generated", "sending", "sent", "failed", "to_post", "posted")
LETTER_STATUS_LABELS = {
    "generated": N_("Généré"),
    "sending": N_("Envoi en cours"),
    "sent": N_("Envoyé par e-mail"),
    "failed": N_("Échec de l'envoi"),
    "to_post": N_("À poster"),
    "posted": N_("Posté"),
}


class Letter(Base):
    __tablename__ = "letter"
    __table_args__ = (
        # Generating the same letter twice the same day gives the first one back.
        sa.UniqueConstraint("case_id", "template", "letter_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    template: Mapped[str] = mapped_column(sa.String(40))
    # LET-<year>-<id, 6 digits>, set right after insert.
    reference: Mapped[str | None] = mapped_column(sa.String(30), unique=True)
    letter_date: Mapped[date]
    # Set in the same transaction as the letter (the reference printed in it needs the id first).
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document.id"))
    pdf_document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document.id"))
    status: Mapped[str] = enum_column(LETTER_STATUSES, "letter_status", default="generated")
    channel: Mapped[str | None] = enum_column(CHANNELS, "letter_channel")
    sent_to: Mapped[str | None] = mapped_column(sa.String(254))
    message_id: Mapped[str | None] = mapped_column(sa.String(255))
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    # Set while a job is sending the email: another job waits for the lease to expire.
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    tracking_number: Mapped[str | None] = mapped_column(sa.String(50))
    posted_on: Mapped[date | None]
    received_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship()
    document: Mapped[Document | None] = relationship(foreign_keys=[document_id])
    pdf_document: Mapped[Document | None] = relationship(foreign_keys=[pdf_document_id])
    created_by: Mapped[User | None] = relationship()
