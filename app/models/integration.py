"""The creditor's integration with the agency: API tokens, bulk imports, and the message thread
of each case."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.i18n import N_
from app.models.base import Base, enum_column, utcnow
from app.models.case import Case
from app.models.org import Organisation, User


class ApiToken(Base):
    """A bearer token a creditor admin created: shown once, stored as its SHA-256."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters, shown in the list so that the admin knows which token is which.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    creditor: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None


IMPORT_KINDS = ("csv", "xlsx", "fec")
IMPORT_STATUSES = ("uploaded", "validated", "importing", "done", "failed")
IMPORT_STATUS_LABELS = {
    "uploaded": N_("Fichier reçu"),
    "validated": N_("Vérifié"),
    "importing": N_("Import en cours"),
    "done": N_("Importé"),
    "failed": N_("Échec"),
}


class ImportBatch(Base):
    """One uploaded file of invoices: its column mapping, the validation report (every bad row
    and why), and what the import created. Nothing is saved from it until the creditor imports
    the valid rows, in one transaction."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    storage_key: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = enum_column(IMPORT_KINDS, "import_kind")
    status: Mapped[str] = enum_column(IMPORT_STATUSES, "import_status", default="uploaded")
    # Our field -> the file's column name.
    mapping: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # {"rows": n, "valid": n, "cases": n, "errors": [{"row": 3, "field": ..., "message": ...}]}
    report: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    job_id: Mapped[str | None] = mapped_column(sa.String(64))
    imported_cases: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(sa.Text)

    uploaded_by: Mapped[User | None] = relationship()


class ImportMapping(Base):
    """The column names a creditor's files use, remembered from its last import."""

    __tablename__ = "import_mapping"

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), unique=True)
    mapping: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Message(Base):
    """One message of a case's thread between the creditor and the agency."""

    __tablename__ = "message"
    __table_args__ = (sa.Index("ix_message_case_time", "case_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # Which side wrote it: "agency" or "creditor" (the author may be deactivated later).
    side: Mapped[str] = enum_column(("agency", "creditor"), "message_side")
    body: Mapped[str] = mapped_column(sa.Text)
    # Attachments are documents of the case; their ids, in order.
    document_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the creditor's email notification (or digest) included it.
    notified_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship()
    author: Mapped[User | None] = relationship()


class MessageRead(Base):
    """How far a user has read a case's thread: unread = messages of the other side after it."""

    __tablename__ = "message_read"
    __table_args__ = (sa.UniqueConstraint("user_id", "case_id", name="uq_message_read_user_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"))
    last_read_message_id: Mapped[int] = mapped_column(default=0)
