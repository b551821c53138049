"""Security headers on every response: a Content-Security-Policy that lets a page run only our
own static files (and Stripe.js on the debtor's payment pages), no framing, no sniffing.

A small after_request hook rather than Flask-Talisman: the policy depends on the request (the
Stripe sources only where a card is taken) and on STRIPE_JS_URL (localstripe in tests), and we
need none of Talisman's HTTPS redirects (the reverse proxy terminates TLS).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request

# Blueprints whose pages may load Stripe.js: the debtor's payment page only.
STRIPE_BLUEPRINTS = frozenset({"pay"})
REAL_STRIPE_JS = "https://js.stripe.com"
HSTS = "max-age=31536000; includeSubDomains"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), usb=()"
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def stripe_sources(js_url: str) -> dict[str, list[str]]:
    """The origins Stripe.js needs, per directive.

    Real Stripe.js (https://js.stripe.com/v3/) talks to api.stripe.com and opens its card and
    3-D Secure frames from js.stripe.com and hooks.stripe.com (Stripe's published CSP list).
    A stand-in such as localstripe serves the script, its API and its frames from one origin.
    """
    origin = _origin(js_url)
    if not origin:
        return {}
    if origin == REAL_STRIPE_JS:
        return {
            "script-src": [REAL_STRIPE_JS],
            "frame-src": [REAL_STRIPE_JS, "https://hooks.stripe.com"],
            "connect-src": ["https://api.stripe.com"],
        }
    return {"script-src": [origin], "frame-src": [origin], "connect-src": [origin]}


def content_security_policy(with_stripe: bool, stripe_js_url: str) -> str:
    directives: dict[str, list[str]] = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Bootstrap's CSS draws its icons (menu, close, select arrow) with data: SVGs.
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    if with_stripe:
        for directive, sources in stripe_sources(stripe_js_url).items():
            kept = [s for s in directives[directive] if s != "'none'"]
            directives[directive] = kept + sources
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def _wants_hsts(app: Flask) -> bool:
    return not (app.debug or app.testing) or bool(app.config.get("FORCE_HSTS"))


def apply(response):
    """Add the headers a response lacks (a view that set its own keeps it)."""
    app = current_app
    with_stripe = request.blueprint in STRIPE_BLUEPRINTS
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        content_security_policy(with_stripe, app.config.get("STRIPE_JS_URL") or ""),
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # Debtor links carry their secret in the path: never send it to another site.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if _wants_hsts(app):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    app.after_request(apply)
