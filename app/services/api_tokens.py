"""API tokens: a creditor admin creates them (shown once), revokes them; requests present them.

Only the SHA-256 of a token is stored: a database leak gives no usable token. Tokens carry 256
bits of randomness, so an unsalted fast hash is enough (nothing to brute-force).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import sqlalchemy as sa

from app.domain import roles
from app.domain.i18n import N_
from app.extensions import db
from app.models import ApiToken, Organisation, User
from app.models.base import utcnow
from app.services.audit import record_audit
from app.services.errors import Forbidden, NotFound, ValidationFailed

# Recognisable in logs and secret scanners; the prefix shown in lists includes it.
TOKEN_MARK = "rcv_"  # noqa: S105 (a public prefix, not a secret)
PREFIX_LENGTH = 12


def _hash(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def _require_creditor_admin(actor) -> None:
    if actor is None or actor.role != roles.CREDITOR_ADMIN:
        raise Forbidden(N_("Réservé à l'administrateur du créancier."))


def tokens_of(actor) -> list[ApiToken]:
    _require_creditor_admin(actor)
    query = (
        sa.select(ApiToken)
        .where(ApiToken.creditor_id == actor.organisation_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(db.session.scalars(query))


def create_token(actor, name: str, *, creditor_id: int | None = None) -> tuple[ApiToken, str]:
    """A new token for the actor's organisation (actor None: the CLI, naming the creditor).

    Returns the row and the plain token, which is never stored nor shown again.
    """
    if actor is not None:
        _require_creditor_admin(actor)
        creditor_id = actor.organisation_id
    creditor = db.session.get(Organisation, creditor_id) if creditor_id else None
    if creditor is None or creditor.kind != "creditor":
        raise NotFound(N_("Créancier introuvable."))
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"name": [N_("Donnez un nom au jeton (l'outil qui l'utilise).")]})
    if len(name) > 100:
        raise ValidationFailed({"name": [N_("Le nom du jeton a au plus 100 caractères.")]})
    creator = actor
    if creator is None:
        # The API acts as the token's creator: without a creditor admin, no one can act.
        creator = db.session.scalars(
            sa.select(User)
            .where(
                User.organisation_id == creditor_id,
                User.role == roles.CREDITOR_ADMIN,
                User.active.is_(True),
            )
            .order_by(User.id)
        ).first()
        if creator is None:
            raise ValidationFailed(
                {"creditor_id": [N_("Ce créancier n'a pas d'administrateur actif.")]}
            )
    plain = TOKEN_MARK + secrets.token_urlsafe(32)
    token = ApiToken(
        creditor_id=creditor_id,
        name=name,
        token_hash=_hash(plain),
        prefix=plain[:PREFIX_LENGTH],
        created_by_id=creator.id,
    )
    db.session.add(token)
    db.session.flush()
    record_audit(
        actor,
        "api_token.created",
        "api_token",
        token.id,
        changes={"name": name, "prefix": token.prefix, "creditor_id": creditor_id},
    )
    db.session.commit()
    return token, plain


def get_token(actor, token_id: int) -> ApiToken:
    _require_creditor_admin(actor)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.creditor_id != actor.organisation_id:
        raise NotFound(N_("Jeton introuvable."))
    return token


def revoke_token(actor, token: ApiToken) -> ApiToken:
    """Revoke a token: requests presenting it get 401 from now on. Revoking twice is a no-op."""
    _require_creditor_admin(actor)
    if token.creditor_id != actor.organisation_id:
        raise NotFound(N_("Jeton introuvable."))
    if token.revoked_at is not None:
        return token
    token.revoked_at = utcnow()
    record_audit(
        actor, "api_token.revoked", "api_token", token.id, changes={"prefix": token.prefix}
    )
    db.session.commit()
    return token


def authenticate(plain: str | None) -> ApiToken | None:
    """The active token matching `plain`, its last use stamped; None for anything else.

    The lookup is by hash (indexed); the final comparison is constant-time anyway, so timing
    reveals nothing about how much of a guess matched.
    """
    if not plain or not plain.startswith(TOKEN_MARK) or len(plain) > 200:
        return None
    digest = _hash(plain)
    token = db.session.scalars(sa.select(ApiToken).where(ApiToken.token_hash == digest)).first()
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    if token.revoked_at is not None:
        return None
    # The API acts as the token's creator: one who left, or moved, takes the token's rights along.
    creator = token.created_by
    if (
        creator is None
        or not creator.active
        or creator.role not in roles.CREDITOR_ROLES
        or creator.organisation_id != token.creditor_id
    ):
        return None
    token.last_used_at = utcnow()
    db.session.commit()
    return token
