"""RFC 9457 problem details: every API error is application/problem+json, naming the fields."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from app.domain.i18n import N_
from app.services.errors import Forbidden, NotFound, ServiceError, ValidationFailed

PROBLEM_BASE = "https://recouvra.fr/problems/"
TITLES = {
    400: N_("Requête mal formée"),
    401: N_("Authentification requise"),
    403: N_("Action non permise"),
    404: N_("Introuvable"),
    405: N_("Méthode non permise"),
    409: N_("Conflit"),
    413: N_("Envoi trop volumineux"),
    415: N_("Type de contenu non pris en charge"),
    422: N_("Données invalides"),
    429: N_("Trop de requêtes"),
    500: N_("Erreur interne"),
}
SLUGS = {
    400: "malformed",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "invalid",
    429: "rate-limited",
    500: "internal",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        detail: str = "",
        errors: list[tuple[str, str]] | None = None,
        *,
        slug: str | None = None,
        headers: dict | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.slug = slug
        self.headers = headers or {}


def problem(status, detail="", errors=None, *, slug=None, headers=None):
    body = {
        "type": PROBLEM_BASE + (slug or SLUGS.get(status, "error")),
        "title": gettext(TITLES.get(status, TITLES[500])),
        "status": status,
        "detail": gettext(detail) if detail else "",
    }
    if errors:
        body["errors"] = [{"field": name, "message": gettext(message)} for name, message in errors]
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def unauthorized(detail: str) -> ApiError:
    return ApiError(401, detail, headers={"WWW-Authenticate": 'Bearer realm="recouvra-api"'})


def from_service_error(exc: ServiceError) -> ApiError:
    if isinstance(exc, ValidationFailed):
        errors = [(name, message) for name, messages in exc.errors.items() for message in messages]
        return ApiError(422, N_("Certains champs sont invalides."), errors)
    if isinstance(exc, NotFound):
        return ApiError(404, str(exc))
    if isinstance(exc, Forbidden):
        return ApiError(403, str(exc))
    return ApiError(409, str(exc))


def register(bp) -> None:
    @bp.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return problem(exc.status, exc.detail, exc.errors, slug=exc.slug, headers=exc.headers)

    @bp.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        return api_error(from_service_error(exc))

    def http_error(exc: HTTPException):
        headers = {}
        if exc.code == 429:
            detail = N_("Trop de requêtes pour ce jeton : réessayez dans une minute.")
            headers["Retry-After"] = "60"
        else:
            detail = exc.description if exc.code not in TITLES else ""
        return problem(exc.code or 500, detail, headers=headers)

    # By code too: the app's HTML pages for 404, 429... are code handlers, which Flask prefers
    # to a class handler; the blueprint's own code handlers come first.
    bp.register_error_handler(HTTPException, http_error)
    for code in TITLES:
        if code != 500:
            bp.register_error_handler(code, http_error)
