"""What happened on a case: the timeline and the call log."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, enum_column, utcnow
from app.models.org import User

CALL_DIRECTIONS = ("outbound", "inbound")
CALL_OUTCOMES = (
    "reached",
    "promise_to_pay",
    "dispute",
    "no_answer",
    "voicemail",
    "wrong_number",
    "refused",
)


class TimelineEntry(Base):
    __tablename__ = "timeline_entry"
    __table_args__ = (
        sa.Index("ix_timeline_entry_case_time", "case_id", "occurred_at"),
        # A portal's "recent activity": the latest entries first, whatever the case.
        sa.Index("ix_timeline_entry_occurred_at", "occurred_at"),
        # A creditor's latest entries: a few index entries per case, no row read to filter out
        # the agency's internal ones (see reporting.recent_activity).
        sa.Index(
            "ix_timeline_entry_creditor_visible",
            "case_id",
            "occurred_at",
            "id",
            postgresql_where=sa.text("visible_to_creditor IS true"),
            sqlite_where=sa.text("visible_to_creditor IS true"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(32))
    text: Mapped[str] = mapped_column(sa.Text)
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    visible_to_creditor: Mapped[bool] = mapped_column(default=False)

    actor: Mapped[User | None] = relationship()


class CallLog(Base):
    __tablename__ = "call_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    called_at: Mapped[datetime] = mapped_column(default=utcnow)
    direction: Mapped[str] = enum_column(CALL_DIRECTIONS, "call_direction")
    phone_number: Mapped[str] = mapped_column(sa.String(20))
    outcome: Mapped[str] = enum_column(CALL_OUTCOMES, "call_outcome")
    duration_seconds: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    follow_up_on: Mapped[date | None]
    promised_amount_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    promised_on: Mapped[date | None]

    agent: Mapped[User] = relationship()
