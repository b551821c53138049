"""Collective procedures (sauvegarde, redressement, liquidation) and the claims declared in them."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.i18n import N_
from app.models.base import Base, enum_column, utcnow
from app.models.case import Case

PROCEEDING_KINDS = ("sauvegarde", "redressement", "liquidation")
PROCEEDING_KIND_LABELS = {
    "sauvegarde": N_("Sauvegarde"),
    "redressement": N_("Redressement judiciaire"),
    "liquidation": N_("Liquidation judiciaire"),
}


class InsolvencyProceeding(Base):
    """A debtor company's collective procedure, entered by the agency or read from BODACC."""

    __tablename__ = "insolvency_proceeding"

    id: Mapped[int] = mapped_column(primary_key=True)
    siren: Mapped[str] = mapped_column(sa.String(9), index=True)
    kind: Mapped[str] = enum_column(PROCEEDING_KINDS, "proceeding_kind")
    court: Mapped[str] = mapped_column(sa.String(200))
    judgment_date: Mapped[date]
    bodacc_published_on: Mapped[date]
    mandataire_name: Mapped[str | None] = mapped_column(sa.String(200))
    mandataire_address: Mapped[str | None] = mapped_column(sa.Text)
    # The BODACC announcement it came from: importing the same file twice adds nothing.
    bodacc_ref: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


DECLARATION_STATUSES = ("to_file", "filed", "admitted", "rejected")
DECLARATION_STATUS_LABELS = {
    "to_file": N_("À déclarer"),
    "filed": N_("Déclarée"),
    "admitted": N_("Admise"),
    "rejected": N_("Rejetée"),
}


class ClaimDeclaration(Base):
    """One case's claim in a proceeding: the amount as of the judgment date, its deadline."""

    __tablename__ = "claim_declaration"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "proceeding_id", name="uq_claim_declaration_case_proc"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    proceeding_id: Mapped[int] = mapped_column(sa.ForeignKey("insolvency_proceeding.id"))
    status: Mapped[str] = enum_column(DECLARATION_STATUSES, "declaration_status", default="to_file")
    # None when the balance could not be computed (a missing rate): the agent completes it.
    amount_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    deadline_on: Mapped[date]
    filed_on: Mapped[date | None]
    decided_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship()
    proceeding: Mapped[InsolvencyProceeding] = relationship()
