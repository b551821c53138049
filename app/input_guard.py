"""Refuse the NUL character in what a request submits, before any view sees it.

PostgreSQL cannot store U+0000 in a text column: a form field, query parameter, file name or
JSON string holding one would end in a database error (a 500) after part of the work was done.
No browser or honest client sends it, so the request is refused whole with a 400: a French page
for the site, a problem document for the API. File contents are not checked (binary files hold
NUL bytes by nature; they are stored as bytes). The Stripe webhook is left to its signature.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext

from app.domain.i18n import N_

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
TITLE = N_("Requête invalide")
MESSAGE = N_(
    "Le formulaire contient un caractère invalide (caractère nul). Corrigez-le et recommencez."
)
API_MESSAGE = N_("La requête contient un caractère nul (U+0000) : elle est refusée.")


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def submitted_nul() -> bool:
    """True when the query string, the form fields, an uploaded file's name or the JSON body
    holds a NUL character. The API's query parameters are left to its own checks (each is
    parsed, none is stored), so that its answers stay those its OpenAPI document declares."""
    api = request.path.startswith("/api/")
    for key, value in request.args.items(multi=True) if not api else ():
        if "\x00" in key or "\x00" in value:
            return True
    if request.mimetype in FORM_TYPES:
        for key, value in request.form.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return True
        for key, upload in request.files.items(multi=True):
            if "\x00" in key or "\x00" in (upload.filename or ""):
                return True
    if request.is_json and api:
        try:
            return _has_nul(request.get_json(silent=True))
        except RecursionError:
            return False  # refused as unreadable by the API itself
    return False


def register(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        if request.endpoint == "pay.stripe_webhook" or not submitted_nul():
            return None
        if request.path.startswith("/api/"):
            from app.api.errors import problem

            return problem(400, API_MESSAGE)
        return render_template(
            "errors.html", code=400, title=gettext(TITLE), message=gettext(MESSAGE)
        ), 400
