"""Organisations (the agency and its creditor clients) and their users."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.domain import roles
from app.models.base import Base, TimestampMixin, enum_column, utcnow

ORG_KINDS = ("agency", "creditor")


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = enum_column(ORG_KINDS, "org_kind")
    legal_name: Mapped[str] = mapped_column(sa.String(200))
    siren: Mapped[str | None] = mapped_column(sa.String(9), index=True)
    siret: Mapped[str | None] = mapped_column(sa.String(14))
    vat_number: Mapped[str | None] = mapped_column(sa.String(20))
    address_line1: Mapped[str | None] = mapped_column(sa.String(200))
    address_line2: Mapped[str | None] = mapped_column(sa.String(200))
    postal_code: Mapped[str | None] = mapped_column(sa.String(10))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    country: Mapped[str] = mapped_column(sa.String(2), default="FR")
    iban: Mapped[str | None] = mapped_column(sa.String(34))
    # Creditor only: the written mandate (CPCE R124-3) and the agency's commission.
    mandate_reference: Mapped[str | None] = mapped_column(sa.String(50))
    mandate_signed_on: Mapped[date | None]
    # Basis points: 1500 = 15.00 %.
    commission_amicable_bp: Mapped[int | None]
    commission_judicial_bp: Mapped[int | None]
    # Late interest: a private-individual creditor takes the higher legal-rate column against a
    # consumer; a B2B creditor's terms of sale may set its own penalty rate (basis points).
    creditor_is_individual: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    contractual_rate_bp: Mapped[int | None]
    # The mandate's smallest commission per case (excluding VAT), charged when a case is paid.
    commission_minimum_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Payment-plan policy: a plan longer or with smaller installments needs the creditor's yes.
    plan_max_months: Mapped[int | None]
    plan_min_installment_cents: Mapped[int | None] = mapped_column(sa.BigInteger)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    @property
    def is_agency(self) -> bool:
        return self.kind == "agency"

    @property
    def has_mandate(self) -> bool:
        return bool(self.mandate_reference and self.mandate_signed_on)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.legal_name!r}>"


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "user_account"
    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lowercase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = enum_column(roles.ALL_ROLES, "user_role")
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    # New messages and approval requests by email: "each", "daily" (a digest) or "none".
    notify: Mapped[str] = enum_column(
        ("each", "daily", "none"), "notify_choice", default="each", server_default="each"
    )

    # Second factor (RFC 6238): the base32 secret, set when enrolment is confirmed; the last
    # time step accepted, so a code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_confirmed_at: Mapped[datetime | None]
    totp_last_counter: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Bumped by "log out everywhere" and by a password change: older sessions no longer load.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    password_changed_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return value.strip().lower()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users.
        return self.active

    def get_id(self) -> str:
        # Flask-Login keeps this in the session: "log out everywhere" bumps the version, and
        # the user_loader then refuses every session made before.
        return f"{self.id}:{self.session_version or 0}"

    @property
    def is_agency_staff(self) -> bool:
        return roles.is_agency(self.role)

    @property
    def is_creditor_staff(self) -> bool:
        return roles.is_creditor(self.role)

    @property
    def is_manager(self) -> bool:
        return self.role in roles.MANAGER_ROLES

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class PasswordHistory(Base):
    """The hashes of a user's previous passwords: a new password may not reuse the last ones."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
