"""Court procedures on a case and their dated steps."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.i18n import N_
from app.models.base import Base, enum_column, utcnow
from app.models.case import Case
from app.models.org import User

PROCEDURE_KINDS = ("payment_order", "small_claims", "summary", "ordinary")
PROCEDURE_KIND_LABELS = {
    "payment_order": N_("Injonction de payer"),
    "small_claims": N_("Procédure simplifiée (petites créances)"),
    "summary": N_("Référé-provision"),
    "ordinary": N_("Assignation au fond"),
}
STEP_KINDS = (
    "filed",
    "order_obtained",
    "order_refused",
    "served",
    "opposition_lodged",
    "title_obtained",
    "garnishment_bank",
    "garnishment_wages",
    "invitation_sent",
    "accepted",
    "refused",
    "hearing",
    "decision",
    "appeal",
)
STEP_KIND_LABELS = {
    "filed": N_("Requête déposée"),
    "order_obtained": N_("Ordonnance obtenue"),
    "order_refused": N_("Ordonnance refusée"),
    "served": N_("Ordonnance signifiée"),
    "opposition_lodged": N_("Opposition formée"),
    "title_obtained": N_("Titre exécutoire obtenu"),
    "garnishment_bank": N_("Saisie sur compte bancaire"),
    "garnishment_wages": N_("Saisie sur salaire"),
    "invitation_sent": N_("Invitation envoyée par le commissaire de justice"),
    "accepted": N_("Accord du débiteur (titre exécutoire)"),
    "refused": N_("Refus du débiteur"),
    "hearing": N_("Audience"),
    "decision": N_("Décision"),
    "appeal": N_("Appel"),
}


class JudicialProcedure(Base):
    __tablename__ = "judicial_procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = enum_column(PROCEDURE_KINDS, "procedure_kind")
    court_kind: Mapped[str] = mapped_column(sa.String(32))
    court_name: Mapped[str] = mapped_column(sa.String(200))
    closed_on: Mapped[date | None]
    # Interest after a judgment follows the judgment: from this date, at this rate (basis
    # points; none: the legal rate of each semester). Entered from the decision.
    judgment_interest_from: Mapped[date | None]
    judgment_rate_bp: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship()
    steps: Mapped[list[ProcedureStep]] = relationship(
        back_populates="procedure",
        cascade="all, delete-orphan",
        order_by=lambda: [ProcedureStep.occurred_on, ProcedureStep.id],
    )

    def first(self, kind: str) -> date | None:
        return next((s.occurred_on for s in self.steps if s.kind == kind), None)


class ProcedureStep(Base):
    """One dated event of a procedure, with its outcome and, when there is one, its document."""

    __tablename__ = "procedure_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("judicial_procedure.id"), index=True)
    kind: Mapped[str] = enum_column(STEP_KINDS, "procedure_step_kind")
    occurred_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(sa.Text)
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    procedure: Mapped[JudicialProcedure] = relationship(back_populates="steps")
    recorded_by: Mapped[User | None] = relationship()


COST_KINDS = ("court_fee", "commissaire_fee", "other")
COST_KIND_LABELS = {
    "court_fee": N_("Frais de greffe"),
    "commissaire_fee": N_("Frais de commissaire de justice"),
    "other": N_("Autres frais"),
}
COST_ADVANCERS = ("creditor", "agency")
COST_ADVANCER_LABELS = {
    "creditor": N_("Le créancier"),
    "agency": N_("L'agence"),
}


class CaseCost(Base):
    """A cost of the court route: who advanced it, and whether the debtor owes it once a title
    exists (then it enters the balance as costs, settled before interest and principal)."""

    __tablename__ = "case_cost"
    __table_args__ = (sa.CheckConstraint("amount_cents > 0", name="cost_amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    procedure_id: Mapped[int | None] = mapped_column(sa.ForeignKey("judicial_procedure.id"))
    kind: Mapped[str] = enum_column(COST_KINDS, "cost_kind")
    label: Mapped[str] = mapped_column(sa.String(200))
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    incurred_on: Mapped[date]
    advanced_by: Mapped[str] = enum_column(COST_ADVANCERS, "cost_advancer")
    recoverable: Mapped[bool] = mapped_column(default=True)
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document.id"))
    # An agency-advanced cost is charged on the creditor's statement through this transaction.
    ledger_transaction_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ledger_transaction.id")
    )
    cancelled_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship()
    procedure: Mapped[JudicialProcedure | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()
