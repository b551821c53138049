"""The login's second step, the session guard, and the user's own account page: password
change, "log out everywhere", the TOTP second factor (enrol, turn off)."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app import web
from app.auth.forms import ChangePasswordForm, CodeForm, ConfirmForm
from app.auth.routes import _form_status, _safe_next, bp, home_for
from app.domain import roles
from app.extensions import db, limiter
from app.models import User
from app.services import accounts, sessions, two_factor
from app.services.errors import Forbidden, ValidationFailed

PENDING = "pending_second_step"
PENDING_SECONDS = 300  # the code must follow the password within 5 minutes
PENDING_TRIES = 5  # wrong codes before the password must be typed again
ENROL_SECRET = "totp_enrol_secret"  # noqa: S105 - a session key, not a secret
# What a manager without a second factor may still reach.
ENROL_ALLOWED = {
    "auth.totp_enrol",
    "auth.logout",
    "auth.set_language",
    "auth.index",
    "auth.login",
    "static",
}
# Pages that work without a session; an expired session there is ended without a detour.
PUBLIC_AUTH = {
    "auth.login",
    "auth.second_step",
    "auth.forgot_password",
    "auth.reset_password",
    "auth.set_language",
    "auth.index",
}


def _messages(errors: list[str]) -> list[str]:
    return [_(message) for message in errors]


# --- login -----------------------------------------------------------------------------------


def start_session(user: User, *, remember: bool = False) -> None:
    """Log the user in on a fresh session: nothing from before the login is kept but the
    language; the times the guard checks start now."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user)
    session.permanent = bool(remember)
    now = int(time.time())
    session["auth_at"] = now
    session["seen_at"] = now


def after_password(user: User, *, remember: bool, next_url: str | None):
    """The password was right: ask for the code, or log in (a manager then enrols)."""
    if two_factor.needs_second_step(user):
        locale = session.get("locale")
        session.clear()
        if locale:
            session["locale"] = locale
        session[PENDING] = {
            "uid": user.id,
            "v": user.session_version or 0,
            "at": int(time.time()),
            "remember": bool(remember),
            "next": next_url,
            "tries": 0,
        }
        return redirect(url_for("auth.second_step"))
    accounts.record_login(user)
    start_session(user, remember=remember)
    if two_factor.must_enrol(user):
        session["after_enrol"] = next_url
        return redirect(url_for("auth.totp_enrol"))
    return redirect(next_url or home_for(user))


def _pending_user() -> tuple[dict | None, User | None]:
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, None
    user = db.session.get(User, pending.get("uid"))
    if user is None or not user.active or (user.session_version or 0) != pending.get("v"):
        return None, None
    return pending, user


def _pending_key() -> str:
    pending = session.get(PENDING) or {}
    return f"totp-login:{pending.get('uid', request.remote_addr)}"


@bp.route("/connexion/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TOTP_RATE_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["TOTP_RATE_LIMIT"], methods=["POST"], key_func=_pending_key
)
def second_step():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    pending, user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Saisissez à nouveau votre adresse e-mail et votre mot de passe."), "warning")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if two_factor.verify_login_code(user, form.code.data):
            accounts.record_login(user, second_factor="totp")
            start_session(user, remember=pending["remember"])
            return redirect(pending.get("next") or home_for(user))
        pending["tries"] = pending.get("tries", 0) + 1
        session[PENDING] = pending
        if pending["tries"] >= PENDING_TRIES:
            session.pop(PENDING, None)
            flash(_("Trop de codes incorrects. Reconnectez-vous."), "danger")
            return redirect(url_for("auth.login"))
        form.code.errors.append(_(two_factor.BAD_CODE))
    return render_template("auth/second_step.html", form=form), _form_status(form)


# --- the guard on every request ----------------------------------------------------------------


def _back_here() -> str | None:
    if request.method == "GET":
        return _safe_next(request.full_path.rstrip("?"))
    return None


@bp.before_app_request
def session_guard():
    if request.endpoint in (None, "static") or request.blueprint == "api":
        return None
    if "_user_id" not in session:
        return None
    if not current_user.is_authenticated:
        # The session's version is old: logged out everywhere, or the password changed.
        logout_user()
        session.pop("auth_at", None)
        session.pop("seen_at", None)
        flash(_("Votre session a été fermée. Reconnectez-vous."), "warning")
        if request.endpoint in PUBLIC_AUTH:
            return None
        return redirect(url_for("auth.login", next=_back_here()))
    now = time.time()
    session.setdefault("auth_at", int(now))
    limits = sessions.limits_for(current_user, current_app.config)
    reason = sessions.expiry(now, session.get("auth_at"), session.get("seen_at"), limits)
    if reason is not None:
        logout_user()
        session.pop("auth_at", None)
        session.pop("seen_at", None)
        if reason == sessions.IDLE:
            flash(_("Votre session a expiré après une période d'inactivité. Reconnectez-vous."))
        else:
            flash(_("Votre session a atteint sa durée maximale. Reconnectez-vous."), "warning")
        if request.endpoint in PUBLIC_AUTH:
            return None
        return redirect(url_for("auth.login", next=_back_here()))
    session["seen_at"] = int(now)
    if two_factor.must_enrol(current_user) and request.endpoint not in ENROL_ALLOWED:
        flash(
            _("Votre rôle impose la double authentification : configurez-la pour continuer."),
            "warning",
        )
        return redirect(url_for("auth.totp_enrol"))
    return None


# --- the account page --------------------------------------------------------------------------


def _account_page(password_form=None, status=200):
    return (
        render_template(
            "auth/account.html",
            password_form=password_form or ChangePasswordForm(formdata=None),
            confirm_form=ConfirmForm(formdata=None),
            code_form=CodeForm(formdata=None),
            totp_offered=two_factor.is_offered(current_user),
            totp_enrolled=two_factor.is_enrolled(current_user),
            totp_required=two_factor.is_required(current_user),
        ),
        status,
    )


@bp.route("/compte")
@login_required
def account():
    return _account_page()


@bp.route("/compte/mot-de-passe", methods=["POST"])
@login_required
@limiter.limit("10 per minute")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.password.data)
        except ValidationFailed as exc:
            form.current_password.errors = list(form.current_password.errors) + _messages(
                exc.errors.get("current_password", [])
            )
            form.password.errors = list(form.password.errors) + _messages(
                exc.errors.get("password", [])
            )
        else:
            # The other sessions end with the old version; this one carries on with the new.
            start_session(current_user._get_current_object(), remember=session.permanent)
            flash(
                _("Votre mot de passe a été changé. Vos autres sessions ont été fermées."),
                "success",
            )
            return redirect(url_for("auth.account"))
    return _account_page(password_form=form, status=422)


@bp.route("/compte/deconnexion-partout", methods=["POST"])
@login_required
def logout_everywhere():
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("auth.account"))
    accounts.log_out_everywhere(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté de tous vos appareils."), "info")
    return redirect(url_for("auth.login"))


# --- second factor -----------------------------------------------------------------------------


@bp.route("/compte/double-authentification", methods=["GET", "POST"])
@web.role_required(roles.AGENCY_ROLES)
def totp_enrol():
    user = current_user._get_current_object()
    if two_factor.is_enrolled(user):
        flash(_("La double authentification est déjà activée sur votre compte."), "info")
        return redirect(url_for("auth.account"))
    secret = session.get(ENROL_SECRET) or two_factor.new_secret()
    session[ENROL_SECRET] = secret
    form = CodeForm()
    if form.validate_on_submit():
        try:
            two_factor.confirm_enrolment(user, secret, form.code.data)
        except ValidationFailed as exc:
            form.code.errors = list(form.code.errors) + _messages(exc.errors["code"])
        else:
            session.pop(ENROL_SECRET, None)
            flash(_("Double authentification activée."), "success")
            return redirect(_safe_next(session.pop("after_enrol", None)) or home_for(user))
    uri = two_factor.provisioning_uri(user, secret)
    return render_template(
        "auth/totp_enrol.html",
        form=form,
        secret=secret,
        qr_svg=two_factor.qr_svg(uri),
        required=two_factor.is_required(user),
    ), _form_status(form)


@bp.route("/compte/double-authentification/desactiver", methods=["POST"])
@web.role_required(roles.AGENCY_ROLES)
def totp_disable():
    form = CodeForm()
    if form.validate_on_submit():
        try:
            two_factor.disable(current_user._get_current_object(), form.code.data)
        except Forbidden as exc:
            flash(_(str(exc)), "danger")
        except ValidationFailed as exc:
            flash(" ".join(_messages(exc.errors["code"])), "danger")
        else:
            flash(_("Double authentification désactivée."), "info")
    return redirect(url_for("auth.account"))
