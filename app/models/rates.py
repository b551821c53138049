"""Published interest rates (ECB refinancing rate, legal interest rates), one row per semester.

Rates are data, not code: LAW.md's tables are inserted by the migration, and each new semester
is added from the back-office or `flask rates add`.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import interest
from app.models.base import Base, enum_column, utcnow
from app.models.org import User


class InterestRate(Base):
    __tablename__ = "interest_rate"
    __table_args__ = (
        sa.UniqueConstraint("kind", "semester_start"),
        sa.CheckConstraint("rate_bp >= 0", name="rate_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = enum_column(interest.RATE_KINDS, "rate_kind")
    # 1 January or 1 July (checked by services.rates.add_rate).
    semester_start: Mapped[date]
    # Basis points: 1215 = 12.15 %.
    rate_bp: Mapped[int]
    source: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<InterestRate {self.kind} {self.semester_start} {self.rate_bp}>"
