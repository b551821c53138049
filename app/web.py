"""Small helpers shared by the blueprints' views (no business rules here)."""

from __future__ import annotations

import functools
from datetime import date

from flask import abort, current_app, request, send_file
from flask_babel import gettext
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from app.domain import roles
from app.domain.interest import MissingRate
from app.integrations import storage
from app.services import claims, payments, plans, rates
from app.services.errors import NotFound, ValidationFailed
from app.services.intake import UploadInput


def today() -> date:
    """The business date, in Paris: views pass it to services, which never read the clock."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def balance_date(value: str | None) -> tuple[date, str | None]:
    """The `au=YYYY-MM-DD` of a case page: the balance's date, and a message when it was not a
    date (the balance then falls back to today)."""
    if not value:
        return today(), None
    try:
        return date.fromisoformat(value), None
    except ValueError:
        return today(), gettext("Date invalide : le solde est calculé à la date du jour.")


def balance_context(case) -> dict:
    """What templates/_balance.html shows: the balance as of `?au=`, or the missing rate, and
    the case's payments with their allocation (templates/_payments.html)."""
    as_of, as_of_error = balance_date(request.args.get("au"))
    history = payments.case_payments(case)  # one query for the balance and the list
    book = rates.rate_book()  # and one for the rates, whichever dates are computed
    balance = missing_rate = None
    try:
        balance = claims.case_balance(case, as_of, book=book, payments=history)
    except MissingRate as exc:
        missing_rate = exc
    # Where each payment went is shown as of today, whatever date the balance is asked for.
    allocation_balance = balance
    if as_of != today() or balance is None:
        try:
            allocation_balance = claims.case_balance(case, today(), book=book, payments=history)
        except MissingRate:
            allocation_balance = None
    return {
        "payment_lines": payments.payment_lines(case, allocation_balance, history),
        "balance": balance,
        "missing_rate": missing_rate,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "interest_basis": claims.interest_basis(case),
        "rules": claims.claim_rules(case),
    }


def plans_context(case) -> dict:
    """What templates/_plans.html shows: the latest plan with its installments, the promises."""
    history = plans.plans_of(case)
    plan = history[0] if history else None
    return {
        "plan": plan,
        "plan_views": plans.installment_views(plan, today()) if plan else [],
        "older_plans": history[1:],
        "promises": plans.promises_of(case),
    }


def role_required(allowed: frozenset[str] | set[str]):
    """Login required and role in `allowed`; anyone else gets 403 (unauthenticated: login)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


agency_required = role_required(roles.AGENCY_ROLES)
creditor_required = role_required(roles.CREDITOR_ROLES)


def or_404(getter, *args):
    """Call an access.get_* function; NotFound becomes a 404 page."""
    try:
        return getter(*args)
    except NotFound:
        abort(404)


def send_document(document):
    """Serve a stored file as an attachment: never rendered inline, never sniffed."""
    import io

    try:
        data = storage.read(document.storage_key)
    except (FileNotFoundError, ValueError):
        abort(404)  # erased at the end of its retention period (services.personal_data)
    response = send_file(
        io.BytesIO(data),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.original_name,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def csv_download(text: str, filename: str):
    """A CSV file the browser saves (never shown inline)."""
    from flask import Response

    return Response(
        text.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def uploads_from(files: list[FileStorage], kinds: list[str]) -> list[UploadInput]:
    """Turn the request's files (and the kind chosen for each) into service inputs."""
    uploads = []
    for index, file in enumerate(files):
        if not file or not file.filename:
            continue
        kind = kinds[index] if index < len(kinds) else "other"
        uploads.append(UploadInput(filename=file.filename, data=file.read(), kind=kind))
    return uploads


def apply_errors(form, exc: ValidationFailed) -> list[str]:
    """Put a service's field errors on the matching form fields; return those with no field."""
    leftovers = []
    for key, messages in exc.errors.items():
        # Service messages are French; those in the catalog show in the user's language.
        messages = [gettext(message) if message else message for message in messages]
        field = getattr(form, key.replace(".", "_"), None) if form is not None else None
        if field is not None and hasattr(field, "errors"):
            errors = list(field.errors) if not isinstance(field.errors, list) else field.errors
            errors.extend(messages)
            field.errors = errors
        else:
            leftovers.extend(messages)
    return leftovers
