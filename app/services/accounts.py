"""Users and organisations: creation, authentication, password reset."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain import identifiers, passwords, roles
from app.domain.i18n import N_
from app.extensions import db
from app.integrations.mail import send_mail
from app.models import Organisation, User
from app.models.base import utcnow
from app.models.org import PasswordHistory
from app.services.audit import record_audit
from app.services.errors import ValidationFailed
from app.urls import public_url

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
# Verified against when the email is unknown, so a miss costs as long as a hit.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def _previous_hashes(user: User | None) -> list[str]:
    """The user's current hash then the history, newest first (the policy keeps the last 5)."""
    if user is None or user.id is None:
        return []
    history = db.session.scalars(
        sa.select(PasswordHistory.password_hash)
        .where(PasswordHistory.user_id == user.id)
        .order_by(PasswordHistory.created_at.desc(), PasswordHistory.id.desc())
        .limit(passwords.HISTORY_DEPTH)
    ).all()
    return list(dict.fromkeys([user.password_hash, *history]))


def password_errors(
    password: str,
    *,
    user: User | None = None,
    email: str | None = None,
    full_name: str | None = None,
) -> list[str]:
    """The password policy (app/domain/passwords.py) for a new password of `user`, or of a user
    about to be created with this email and name."""
    return passwords.password_errors(
        password,
        email=email or (user.email if user else None),
        full_name=full_name or (user.full_name if user else None),
        previous_hashes=_previous_hashes(user),
        matches=check_password_hash,
    )


def _set_password(user: User, password: str) -> None:
    """Store the new hash, keep it in the history, and end every other session of the user."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    if user.id is not None:
        user.session_version = (user.session_version or 0) + 1
    db.session.add(user)
    db.session.flush()
    db.session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationFailed({"email": [N_("Adresse e-mail invalide.")]}) from exc


def find_user_by_email(email: str) -> User | None:
    return db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).first()


def create_organisation(
    *,
    kind: str,
    legal_name: str,
    siren: str | None = None,
    siret: str | None = None,
    vat_number: str | None = None,
    iban: str | None = None,
    mandate_reference: str | None = None,
    mandate_signed_on: date | None = None,
    commission_amicable_bp: int | None = None,
    commission_judicial_bp: int | None = None,
    actor=None,
    **address,
) -> Organisation:
    errors: dict[str, list[str]] = {}
    checks = {
        "siren": (siren, identifiers.normalise_siren),
        "siret": (siret, identifiers.normalise_siret),
        "vat_number": (vat_number, identifiers.normalise_vat_number),
        "iban": (iban, identifiers.normalise_iban),
    }
    clean: dict[str, str | None] = {}
    for field_name, (value, normalise) in checks.items():
        clean[field_name] = None
        if value:
            try:
                clean[field_name] = normalise(value)
            except identifiers.InvalidIdentifier as exc:
                errors[field_name] = [str(exc)]
    if clean["siret"] and clean["siren"] and not clean["siret"].startswith(clean["siren"]):
        errors["siret"] = [N_("Le SIRET ne correspond pas au SIREN.")]
    if not legal_name.strip():
        errors["legal_name"] = [N_("Indiquez la raison sociale.")]
    if errors:
        raise ValidationFailed(errors)
    org = Organisation(
        kind=kind,
        legal_name=legal_name.strip(),
        mandate_reference=mandate_reference,
        mandate_signed_on=mandate_signed_on,
        commission_amicable_bp=commission_amicable_bp,
        commission_judicial_bp=commission_judicial_bp,
        **clean,
        **address,
    )
    db.session.add(org)
    db.session.flush()
    record_audit(
        actor,
        "organisation.created",
        "organisation",
        org.id,
        changes={"legal_name": org.legal_name, "kind": kind},
    )
    db.session.commit()
    return org


def create_user(
    *,
    email: str,
    full_name: str,
    password: str,
    role: str,
    organisation: Organisation,
    locale: str = "fr",
    actor=None,
) -> User:
    email = normalise_email(email)
    errors: dict[str, list[str]] = {}
    if role not in roles.ALL_ROLES:
        errors["role"] = [N_("Rôle inconnu.")]
    elif roles.is_agency(role) != organisation.is_agency:
        errors["role"] = [N_("Ce rôle ne correspond pas au type d'organisation.")]
    if find_user_by_email(email):
        errors["email"] = [N_("Un compte existe déjà avec cette adresse.")]
    refused = password_errors(password, email=email, full_name=full_name)
    if refused:
        errors["password"] = refused
    if errors:
        raise ValidationFailed(errors)
    user = User(
        email=email,
        full_name=full_name.strip() or email,
        password_hash="",
        role=role,
        organisation=organisation,
        locale=locale,
    )
    _set_password(user, password)
    record_audit(actor, "user.created", "user", user.id, changes={"email": email, "role": role})
    db.session.commit()
    return user


def verify_password(email: str, password: str) -> User | None:
    """The active user with this email and password, or None; records nothing."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def record_login(user: User, **changes) -> None:
    user.last_login_at = utcnow()
    record_audit(user, "user.logged_in", "user", user.id, changes=changes or None)
    db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    """Password check and login record in one (a login without a second factor)."""
    user = verify_password(email, password)
    if user is not None:
        record_login(user)
    return user


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_reset_token(user: User) -> str:
    # The token carries a fragment of the current hash: it dies as soon as the password changes.
    return _reset_serializer().dumps({"uid": user.id, "h": user.password_hash[-16:]})


def user_from_reset_token(token: str) -> User | None:
    try:
        payload = _reset_serializer().loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, payload.get("uid"))
    if user is None or not user.active or user.password_hash[-16:] != payload.get("h"):
        return None
    return user


def request_password_reset(email: str) -> None:
    """Send a reset link if the account exists; say nothing either way to the requester."""
    from app.jobs import enqueue
    from app.jobs.tasks import send_password_reset

    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    record_audit(user, "user.password_reset_requested", "user", user.id)
    db.session.commit()
    enqueue(send_password_reset, user.id, queue="mail")


def send_password_reset_email(user_id: int) -> None:
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return
    link = public_url("auth.reset_password", token=make_reset_token(user))
    text = render_template("emails/password_reset.txt", user=user, link=link)
    send_mail(user.email, "Réinitialisation de votre mot de passe Recouvra", text)


def reset_password(user: User, new_password: str) -> None:
    """A new password from a reset link: every open session of the user ends."""
    errors = password_errors(new_password, user=user)
    if errors:
        raise ValidationFailed({"password": errors})
    _set_password(user, new_password)
    record_audit(user, "user.password_reset", "user", user.id)
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """The user changes their own password; their other sessions end (the caller renews the
    current one with the new session version)."""
    if not check_password_hash(user.password_hash, current_password or ""):
        raise ValidationFailed({"current_password": [N_("Mot de passe actuel incorrect.")]})
    errors = password_errors(new_password, user=user)
    if errors:
        raise ValidationFailed({"password": errors})
    _set_password(user, new_password)
    record_audit(user, "user.password_changed", "user", user.id)
    db.session.commit()


def log_out_everywhere(user: User) -> None:
    """Every session of the user, on every device, stops loading (User.get_id carries it)."""
    user.session_version = (user.session_version or 0) + 1
    record_audit(user, "user.logged_out_everywhere", "user", user.id)
    db.session.commit()
