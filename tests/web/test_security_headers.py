"""Every response carries the security headers; the CSP lets a page run only our static files,
and Stripe.js only on the debtor's payment pages; the session cookie is HttpOnly, SameSite and,
in production, Secure and host-only (__Host-)."""

from __future__ import annotations

import pytest

from app import security_headers
from app.config import load_config
from app.services import debtor_access
from tests import factories

pytestmark = pytest.mark.usefixtures("frozen_today")


def _directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def _assert_hardened(response) -> dict[str, list[str]]:
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]
    directives = _directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        # Nothing inline, nothing evaluated: only files from known origins.
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(directives[directive])
    return directives


def test_the_login_page_is_hardened_and_loads_no_stripe(client):
    response = client.get("/connexion")
    directives = _assert_hardened(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-src"] == ["'none'"]
    assert directives["connect-src"] == ["'self'"]


def test_an_agent_page_and_an_error_page_are_hardened(login, people):
    client = login(people.agent)
    assert client.get("/agence/").status_code == 200
    _assert_hardened(client.get("/agence/"))
    missing = client.get("/agence/dossiers/NO-SUCH-CASE")
    assert missing.status_code == 404
    _assert_hardened(missing)


def test_the_api_answers_are_hardened(client):
    unauthorised = client.get("/api/v1/cases")
    assert unauthorised.status_code == 401
    _assert_hardened(unauthorised)
    _assert_hardened(client.get("/api/v1/openapi.json"))


def test_the_debtor_page_allows_stripe_js_and_nothing_else(app, client, people, amicable_case):
    token = debtor_access.create_link(people.agent, amicable_case)
    response = client.get(f"/p/{token}")
    assert response.status_code == 200
    directives = _assert_hardened(response)
    assert directives["script-src"] == ["'self'", "https://js.stripe.com"]
    assert directives["frame-src"] == ["https://js.stripe.com", "https://hooks.stripe.com"]
    assert directives["connect-src"] == ["'self'", "https://api.stripe.com"]


def test_a_stand_in_stripe_js_is_allowed_from_its_own_origin_only():
    policy = security_headers.content_security_policy(
        True, "http://127.0.0.1:8420/js.stripe.com/v3/"
    )
    assert "script-src 'self' http://127.0.0.1:8420;" in policy
    assert "frame-src http://127.0.0.1:8420;" in policy
    assert "connect-src 'self' http://127.0.0.1:8420;" in policy


def test_hsts_is_sent_outside_debug_and_testing_only(app, client):
    assert "Strict-Transport-Security" not in client.get("/connexion").headers
    app.config["FORCE_HSTS"] = True
    try:
        hsts = client.get("/connexion").headers["Strict-Transport-Security"]
    finally:
        app.config.pop("FORCE_HSTS")
    assert hsts.startswith("max-age=31536000")


def test_the_session_cookie_is_httponly_and_samesite(client, people):
    response = client.post(
        "/connexion", data={"email": people.agent.email, "password": factories.PASSWORD}
    )
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie


def test_production_cookies_are_secure_and_host_only(monkeypatch):
    monkeypatch.setenv("RECOUVRA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    config = load_config()
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
