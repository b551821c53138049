"""Append-only audit trail: who changed what, when, from where."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64))
    entity: Mapped[str] = mapped_column(sa.String(64))
    entity_id: Mapped[int | None]
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))


# Append-only, enforced by the database itself: no code path (nor a stray UPDATE in a shell)
# can rewrite or remove history. TRUNCATE, an operator's act, is left to the operator.
_PG_CREATE = (
    """
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP;
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
    """
    CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """,
)
_SQLITE_CREATE = tuple(
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_event_no_{op.lower()} BEFORE {op} ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: {op} refused'); END
    """
    for op in ("UPDATE", "DELETE")
)


def append_only_statements(dialect: str) -> tuple[str, ...]:
    """The DDL that makes audit_event append-only (used by create_all and the migration)."""
    return {"postgresql": _PG_CREATE, "sqlite": _SQLITE_CREATE}.get(dialect, ())


def drop_append_only_statements(dialect: str) -> tuple[str, ...]:
    if dialect == "postgresql":
        return (
            "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
            "DROP FUNCTION IF EXISTS audit_event_append_only()",
        )
    if dialect == "sqlite":
        return tuple(f"DROP TRIGGER IF EXISTS audit_event_no_{op}" for op in ("update", "delete"))
    return ()


@sa.event.listens_for(AuditEvent.__table__, "after_create")
def _make_append_only(table, connection, **_kw) -> None:
    for statement in append_only_statements(connection.dialect.name):
        connection.execute(sa.text(statement))
