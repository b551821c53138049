"""Login, logout, password reset, language switch."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.auth.forms import LoginForm, ResetPasswordForm, ResetRequestForm
from app.extensions import limiter
from app.services import accounts
from app.services.errors import ValidationFailed

bp = Blueprint("auth", __name__)


def home_for(user) -> str:
    if user.is_agency_staff:
        return url_for("agent.queue")
    return url_for("creditor.home")


def _safe_next(target: str | None) -> str | None:
    # Only local paths: an attacker's ?next=https://evil.example must not redirect off-site.
    # Browsers read "\" as "/" and drop tabs and newlines, so "/\evil.example" and
    # "/<tab>/evil.example" would leave the site as "//evil.example" does.
    if not target or any(ch == "\\" or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    if target.startswith("/") and not target.startswith("//"):
        return target
    return None


def _form_status(form) -> int:
    """422 for a submitted form that failed, so clients and tests can tell it from a GET."""
    return 422 if form.is_submitted() else 200


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.verify_password(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Adresse e-mail ou mot de passe incorrect."))
        else:
            # The second factor, the session's clock and a manager's enrolment: app/auth/account.py
            from app.auth.account import after_password

            return after_password(
                user,
                remember=form.remember.data,
                next_url=_safe_next(request.args.get("next")),
            )
    return render_template("auth/login.html", form=form), _form_status(form)


@bp.route("/deconnexion", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.pop("auth_at", None)
    session.pop("seen_at", None)
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def forgot_password():
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        flash(
            _(
                "Si un compte existe pour cette adresse, "
                "un lien de réinitialisation vient d'être envoyé."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), _form_status(form)


@bp.route("/reinitialiser/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str):
    user = accounts.user_from_reset_token(token)
    if user is None:
        flash(_("Ce lien de réinitialisation est invalide ou a expiré."), "danger")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(user, form.password.data)
        except ValidationFailed as exc:
            form.password.errors.extend(_(m) for m in exc.errors.get("password", []))
        else:
            flash(_("Votre mot de passe a été changé. Connectez-vous."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), _form_status(form)


@bp.route("/langue/<code>", methods=["POST"])
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
    return redirect(_safe_next(request.form.get("next")) or url_for("auth.index"))
