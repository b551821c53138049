"""Debtors. Each belongs to the creditor that submitted it; a shared SIREN links records to one
identity that only the agency sees across creditors."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.i18n import N_
from app.models.base import Base, TimestampMixin, enum_column, trigram_index

DEBTOR_KINDS = ("company", "individual")
CONTACT_KINDS = ("email", "phone")


class DebtorIdentity(Base):
    """One legal person known by SIREN, whatever creditor submitted it."""

    __tablename__ = "debtor_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    siren: Mapped[str] = mapped_column(sa.String(9), unique=True)

    debtors: Mapped[list[Debtor]] = relationship(back_populates="identity")


CONTACT_PREFERENCES = ("email", "sms", "phone", "post")
CONTACT_PREFERENCE_LABELS = {
    "email": N_("Par e-mail"),
    "sms": N_("Par SMS"),
    "phone": N_("Par téléphone"),
    "post": N_("Par courrier"),
}


class Debtor(TimestampMixin, Base):
    __tablename__ = "debtor"
    __table_args__ = (
        trigram_index("ix_debtor_name_trgm", "name"),
        trigram_index("ix_debtor_siren_trgm", "siren"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    identity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("debtor_identity.id"), index=True)
    kind: Mapped[str] = enum_column(DEBTOR_KINDS, "debtor_kind")
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    siren: Mapped[str | None] = mapped_column(sa.String(9), index=True)
    address_line1: Mapped[str | None] = mapped_column(sa.String(200))
    address_line2: Mapped[str | None] = mapped_column(sa.String(200))
    postal_code: Mapped[str | None] = mapped_column(sa.String(10))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    country: Mapped[str] = mapped_column(sa.String(2), default="FR")
    # How the debtor asked to be contacted (from the payment page); None: not said.
    contact_preference: Mapped[str | None] = enum_column(CONTACT_PREFERENCES, "contact_preference")
    # Personal data erased after the retention period (LAW.md section 8); the books keep the rest.
    anonymised_at: Mapped[datetime | None]

    identity: Mapped[DebtorIdentity | None] = relationship(back_populates="debtors")
    contacts: Mapped[list[DebtorContact]] = relationship(
        back_populates="debtor", cascade="all, delete-orphan", order_by="DebtorContact.id"
    )

    @property
    def emails(self) -> list[str]:
        return [c.value for c in self.contacts if c.kind == "email"]

    @property
    def phones(self) -> list[str]:
        return [c.value for c in self.contacts if c.kind == "phone"]

    @property
    def is_company(self) -> bool:
        return self.kind == "company"

    def __repr__(self) -> str:
        return f"<Debtor {self.id} {self.name!r}>"


class DebtorContact(Base):
    """An email address or a phone number (E.164) of a debtor."""

    __tablename__ = "debtor_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(sa.ForeignKey("debtor.id"), index=True)
    kind: Mapped[str] = enum_column(CONTACT_KINDS, "contact_kind")
    value: Mapped[str] = mapped_column(sa.String(254))
    label: Mapped[str | None] = mapped_column(sa.String(50))

    debtor: Mapped[Debtor] = relationship(back_populates="contacts")
