"""Application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, render_template, request, session
from flask_babel import get_locale, gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from app import formatting
from app.config import ROOT, load_config
from app.domain.i18n import N_
from app.extensions import babel, csrf, db, limiter, login_manager, migrate


def select_locale() -> str | None:
    if not has_request_context():
        return None  # A job or a CLI command (emails, letters): Babel's default locale.
    languages = ["fr", "en"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages) or "fr"


class Int64Converter(IntegerConverter):
    """`<int:...>` stops at the databases' largest id: a longer number in a URL is a page that
    does not exist (404), not a database overflow (500, as the API's fuzzing found)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def behind_proxies(app: Flask) -> None:
    """Behind N load balancers (TRUSTED_PROXIES): the client's address (audit log, per-address
    rate limits), scheme and host come from the headers they add, and only from the last N."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(Path(ROOT / "instance")),
    )
    app.url_map.converters["int"] = Int64Converter  # before any blueprint adds its rules
    app.config.update(load_config(config))
    behind_proxies(app)

    db.init_app(app)
    # Batch mode lets later migrations alter SQLite tables too.
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Connectez-vous pour accéder à cette page.")
    login_manager.localize_callback = gettext
    login_manager.login_message_category = "warning"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    formatting.register(app)

    @login_manager.user_loader
    def load_user(user_id: str):
        # "id:session_version" (User.get_id): a session from before "log out everywhere" or a
        # password change carries an old version and no longer loads.
        from app.services.sessions import load_session_user

        return load_session_user(user_id)

    from app.agent.routes import bp as agent_bp
    from app.api import bp as api_bp
    from app.auth.routes import bp as auth_bp
    from app.creditor.routes import bp as creditor_bp
    from app.pay.routes import bp as pay_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(creditor_bp, url_prefix="/creancier")
    app.register_blueprint(agent_bp, url_prefix="/agence")
    app.register_blueprint(pay_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")

    _register_request_hooks(app)
    from app import input_guard

    input_guard.register(app)
    _register_error_pages(app)

    from app.cli import register_cli

    register_cli(app)
    return app


def _register_request_hooks(app: Flask) -> None:
    from app.services.audit import current_ip

    @app.before_request
    def remember_client_ip():
        current_ip.set(request.remote_addr)

    from app import security_headers

    security_headers.init_app(app)

    @app.context_processor
    def inject_locale():
        return {"current_locale": str(get_locale())}


def _register_error_pages(app: Flask) -> None:
    def page(code: int, title: str, message: str):
        # Titles and messages are marked with N_ and translated here, in the request's locale.
        return render_template(
            "errors.html", code=code, title=gettext(title), message=gettext(message)
        ), code

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return page(
            400,
            N_("Formulaire expiré"),
            N_(
                "Le formulaire a expiré ou n'a pas été envoyé depuis Recouvra. "
                "Rechargez la page et recommencez."
            ),
        )

    @app.errorhandler(403)
    def forbidden(_error):
        return page(403, N_("Accès refusé"), N_("Vous n'avez pas accès à cette page."))

    @app.errorhandler(404)
    def not_found(_error):
        # No route matched, so the API blueprint's handlers did not run: answer its clients in
        # its own format rather than with an HTML page.
        if request.path.startswith("/api/"):
            from app.api.errors import problem

            return problem(404, "")
        return page(
            404,
            N_("Page introuvable"),
            N_("Cette page n'existe pas ou ne vous est pas accessible."),
        )

    @app.errorhandler(413)
    def too_large(_error):
        return page(
            413,
            N_("Envoi trop volumineux"),
            N_("Les fichiers envoyés dépassent la taille permise."),
        )

    @app.errorhandler(429)
    def too_many(_error):
        return page(
            429, N_("Trop de tentatives"), N_("Trop de tentatives. Réessayez dans une minute.")
        )
