"""REST API v1 for the creditors' software: bearer tokens, JSON only, problem+json errors."""

from flask import Blueprint

from app.api import auth, errors
from app.extensions import csrf, limiter

# cli_group=None: `flask create-api-token`, not `flask api create-api-token`.
bp = Blueprint("api", __name__, cli_group=None)
# Bearer tokens, no cookies: there is no session for a cross-site form to ride on.
csrf.exempt(bp)
limiter.limit(auth.rate_limit, key_func=auth.rate_limit_key, exempt_when=auth.is_public)(bp)
bp.before_request(auth.require_token)
bp.teardown_request(auth.forget_token)
errors.register(bp)

from app.api import cli, docs, routes  # noqa: E402, F401  (routes register on bp)
