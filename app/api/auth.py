"""Bearer-token authentication and the per-token rate limit of the API."""

from __future__ import annotations

from flask import current_app, g, request

from app.api.errors import unauthorized
from app.domain.i18n import N_
from app.services import api_tokens
from app.services.audit import current_api_token_id

_UNSET = object()


def current_token():
    """The request's valid token, or None; authenticated once per request (the limiter's key
    function runs before the blueprint's hooks and asks first)."""
    token = g.get("api_token", _UNSET)
    if token is _UNSET:
        header = request.headers.get("Authorization", "")
        scheme, _, credentials = header.partition(" ")
        plain = credentials.strip() if scheme.lower() == "bearer" else None
        token = api_tokens.authenticate(plain)
        g.api_token = token
    return token


def rate_limit_key() -> str:
    token = current_token()
    # Without a valid token, the caller's address: guessing tokens is throttled too.
    return f"api-token:{token.id}" if token else f"api-anon:{request.remote_addr}"


def rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT") or "120 per minute"


def is_public() -> bool:
    return request.endpoint in PUBLIC_ENDPOINTS


def require_token() -> None:
    """before_request of the blueprint: 401 unless a valid token; the actor is its creator."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    token = current_token()
    if token is None:
        if "Authorization" not in request.headers:
            raise unauthorized(N_("Envoyez un jeton : en-tête Authorization: Bearer <jeton>."))
        raise unauthorized(N_("Jeton invalide ou révoqué."))
    g.api_actor = token.created_by
    current_api_token_id.set(token.id)


def forget_token(_exc=None) -> None:
    current_api_token_id.set(None)


PUBLIC_ENDPOINTS = {"api.openapi", "api.docs"}
