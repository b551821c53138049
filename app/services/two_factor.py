"""TOTP second factor (RFC 6238) for agency staff: enrolment, the login step, admin reset.

Mandatory for agency admins and supervisors (they enrol right after their first password login),
optional for agents, not offered to creditor users. Codes are 6 digits, 30 s steps, accepted one
step either side of now; a time step once accepted is never accepted again
(User.totp_last_counter), so a code seen over a shoulder cannot be replayed.
"""

from __future__ import annotations

import time

import pyotp
import segno
import sqlalchemy as sa
from pyotp.utils import strings_equal

from app.domain import roles
from app.domain.i18n import N_
from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.services.audit import record_audit
from app.services.errors import Forbidden, ValidationFailed

ISSUER = "Recouvra"
STEP_SECONDS = 30
VALID_WINDOW = 1  # steps either side of now: a phone's clock may be 30 s off

BAD_CODE = N_("Code incorrect ou expiré. Saisissez le code à 6 chiffres affiché par l'application.")


def is_required(user: User) -> bool:
    return user.role in roles.MANAGER_ROLES


def is_offered(user: User) -> bool:
    return user.is_agency_staff


def is_enrolled(user: User) -> bool:
    return bool(user.totp_secret and user.totp_confirmed_at)


def needs_second_step(user: User) -> bool:
    """After the password: ask for a code (enrolled agency staff)."""
    return user.is_agency_staff and is_enrolled(user)


def must_enrol(user: User) -> bool:
    """A manager without a second factor reaches no page but the enrolment page."""
    return is_required(user) and not is_enrolled(user)


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, RFC 4226's recommendation


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG QR code, drawn here (no outside service sees it)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2)


def _clean(code: str | None) -> str:
    return "".join((code or "").split())


def matching_counter(secret: str, code: str | None, now: float | None = None) -> int | None:
    """The time step whose code is `code`, within the valid window, or None."""
    code = _clean(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    found = None
    for counter in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if strings_equal(totp.generate_otp(counter), code):
            found = counter  # no early exit: the same work whichever step matches
    return found


def code_at(secret: str, now: float | None = None) -> str:
    """The code an authenticator shows now (tests, and the demo's `flask users totp-code`)."""
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    return pyotp.TOTP(secret).generate_otp(current)


def confirm_enrolment(user: User, secret: str, code: str, *, now: float | None = None) -> None:
    """The first code proves the authenticator holds the secret: only then is it saved."""
    if not is_offered(user):
        raise Forbidden(N_("La double authentification est réservée au personnel de l'agence."))
    counter = matching_counter(secret, code, now)
    if counter is None:
        raise ValidationFailed({"code": [BAD_CODE]})
    user.totp_secret = secret
    user.totp_confirmed_at = utcnow()
    user.totp_last_counter = counter
    record_audit(user, "user.totp_enrolled", "user", user.id)
    db.session.commit()


def verify_login_code(user: User, code: str, *, now: float | None = None) -> bool:
    """The login's second step. A code of a step already used (or older) is refused: the
    conditional UPDATE makes two concurrent requests with one code accept it once."""
    counter = matching_counter(user.totp_secret or "", code, now) if is_enrolled(user) else None
    accepted = False
    if counter is not None:
        result = db.session.execute(
            sa.update(User)
            .where(User.id == user.id)
            .where(sa.or_(User.totp_last_counter.is_(None), User.totp_last_counter < counter))
            .values(totp_last_counter=counter)
            .execution_options(synchronize_session=False)
        )
        accepted = result.rowcount == 1
    if not accepted:
        record_audit(user, "user.totp_refused", "user", user.id)
    db.session.commit()
    db.session.refresh(user)
    return accepted


def disable(user: User, code: str) -> None:
    """An agent turns their optional second factor off (with a current code)."""
    if is_required(user):
        raise Forbidden(N_("La double authentification est obligatoire pour votre rôle."))
    if not is_enrolled(user) or not verify_login_code(user, code):
        raise ValidationFailed({"code": [BAD_CODE]})
    _clear(user)
    record_audit(user, "user.totp_disabled", "user", user.id)
    db.session.commit()


def reset(admin: User, user: User) -> None:
    """The agency admin removes a user's second factor (a lost phone). The user's sessions end;
    a manager enrols again at the next login."""
    if admin.role != roles.AGENCY_ADMIN:
        raise Forbidden(N_("Seul l'administrateur de l'agence peut faire cela."))
    if not user.is_agency_staff or user.organisation_id != admin.organisation_id:
        raise Forbidden(N_("Ce compte n'appartient pas à l'agence."))
    had_one = is_enrolled(user)
    _clear(user)
    user.session_version = (user.session_version or 0) + 1
    record_audit(
        admin, "user.totp_reset", "user", user.id, changes={"email": user.email, "had": had_one}
    )
    db.session.commit()


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_counter = None


def agency_staff(admin: User) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.organisation_id == admin.organisation_id)
            .where(User.role.in_(roles.AGENCY_ROLES))
            .order_by(User.full_name)
        )
    )
