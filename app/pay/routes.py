"""The debtor's payment page: /p/<token>, one check question, then what is owed and why.

No account and no login: a session mark records that this browser answered the check for this
link. Anything wrong with a link gives the same 404 page as an unknown one.
"""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from app import formatting, web
from app.domain.money import InvalidAmount, to_cents
from app.extensions import csrf, db, limiter
from app.integrations import stripe_gateway
from app.models import Document, Payment
from app.pay import forms
from app.services import claims, debtor_access, letters, payments, plans, stripe_events
from app.services.errors import NotFound, ValidationFailed

bp = Blueprint("pay", __name__)

SESSION_KEY = "debtor_links"


def _link(token: str):
    try:
        return debtor_access.find_link(token)
    except NotFound:
        abort(404)


def _checked(link) -> bool:
    return link.id in session.get(SESSION_KEY, [])


def _remember(link) -> None:
    opened = [i for i in session.get(SESSION_KEY, []) if i != link.id][-9:]
    session[SESSION_KEY] = [*opened, link.id]


def _checked_link(token: str):
    """The link of a debtor who answered its check in this browser; anyone else goes back to
    the check question."""
    link = _link(token)
    if not _checked(link):
        abort(redirect(url_for("pay.page", token=token)))
    return link


def _page(link):
    """What is owed and how to pay it. The other actions (plan, dispute, call-back, contact)
    have their own screens: this page stays short on a phone and cheap to serve."""
    case = link.case
    today = web.today()
    context = web.balance_context(case)
    # The debtor reads letters as PDF when there are PDF copies, else as they are.
    received = [d for d in case.documents if d.kind == "letter"]
    received = [d for d in received if d.content_type == "application/pdf"] or received
    plan = plans.live_plan(case)
    return render_template(
        "pay/page.html",
        token=request.view_args["token"],
        case=case,
        letters=received,
        plan=plan,
        plan_views=plans.installment_views(plan, today) if plan and plan.status == "active" else [],
        max_months=plans.policy_of(case).max_months,
        basis=claims.interest_basis(case),
        agency=letters.agency(),
        card_enabled=stripe_gateway.enabled(),
        **context,
    )


def _form_page(link, template: str, form, status: int = 200):
    """One of the debtor's secondary screens: its form, the case named, a way back."""
    return (
        render_template(
            template,
            token=request.view_args["token"],
            case=link.case,
            agency=letters.agency(),
            form=form,
        ),
        status,
    )


@bp.route("/p/<token>", methods=["GET", "POST"])
@limiter.limit("20 per 15 minutes", methods=["POST"])
def page(token: str):
    link = _link(token)
    if _checked(link):
        return _page(link)
    form = forms.CheckForm()
    status, result = 200, None
    if request.method == "POST" and form.validate():
        result = debtor_access.check_answer(link, form.answer.data or "")
        if result.ok:
            _remember(link)
            return redirect(url_for("pay.page", token=token))
        status = 429 if result.locked_until else 422
    return (
        render_template(
            "pay/check.html",
            form=form,
            question=debtor_access.question(link),
            result=result,
            agency=letters.agency(),
            creditor=link.case.creditor,
        ),
        status,
    )


@bp.route("/p/<token>/contestation", methods=["GET", "POST"])
def dispute(token: str):
    link = _checked_link(token)
    form = forms.DisputeForm(prefix="dispute")
    if request.method == "POST" and form.validate():
        uploads = web.uploads_from([form.proof.data], ["correspondence"]) if form.proof.data else []
        try:
            debtor_access.dispute(
                link,
                reason=form.reason.data or None,
                text=form.text.data or "",
                uploads=uploads,
                today=web.today(),
            )
        except ValidationFailed as exc:
            form.form_errors.extend(web.apply_errors(form, exc))
        else:
            flash(
                _(
                    "Votre contestation est enregistrée : les relances sont suspendues le temps "
                    "de l'examiner, nous revenons vers vous."
                ),
                "success",
            )
            return redirect(url_for("pay.page", token=token))
    status = 422 if request.method == "POST" else 200
    return _form_page(link, "pay/dispute.html", form, status)


@bp.route("/p/<token>/echeancier", methods=["GET", "POST"])
def propose_plan(token: str):
    """The debtor proposes to pay in monthly installments (by transfer): inside the creditor's
    policy the plan starts at once, outside it is a request the agency and the creditor see."""
    link = _checked_link(token)
    case = link.case
    today = web.today()
    form = forms.PlanForm(
        prefix="plan",
        max_months=plans.policy_of(case).max_months,
        first_due_on=today + timedelta(days=7),
    )
    if request.method == "POST" and form.validate():
        try:
            plan = plans.propose_plan(
                None,
                case,
                down_payment_cents=0,
                installment_count=form.installment_count.data,
                frequency="monthly",
                first_due_on=form.first_due_on.data,
                note="Proposé par le débiteur depuis sa page de paiement.",
                today=today,
            )
        except ValidationFailed as exc:
            form.form_errors.extend(web.apply_errors(form, exc))
        else:
            if plan.status == "active":
                flash(_("Votre échéancier est accepté : il commence à la date choisie."), "success")
            else:
                flash(_("Votre proposition est transmise : nous revenons vers vous."), "success")
            return redirect(url_for("pay.page", token=token))
    status = 422 if request.method == "POST" else 200
    return _form_page(link, "pay/plan.html", form, status)


@bp.route("/p/<token>/recu/<int:payment_id>")
def receipt(token: str, payment_id: int):
    link = _checked_link(token)
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.case_id != link.case_id:
        abort(404)
    return render_template(
        "receipt.html",
        receipt=payments.receipt(payment),
        back_url=url_for("pay.page", token=token),
    )


@bp.route("/p/<token>/preferences", methods=["GET", "POST"])
def contact_preference(token: str):
    link = _checked_link(token)
    form = forms.PreferenceForm(prefix="contact", preference=link.case.debtor.contact_preference)
    if request.method == "POST" and form.validate():
        try:
            debtor_access.set_contact_preference(link, form.preference.data)
        except ValidationFailed as exc:
            form.form_errors.extend(web.apply_errors(form, exc))
        else:
            flash(_("Votre préférence de contact est enregistrée."), "success")
            return redirect(url_for("pay.page", token=token))
    status = 422 if request.method == "POST" else 200
    return _form_page(link, "pay/preferences.html", form, status)


@bp.route("/p/<token>/rappel", methods=["GET", "POST"])
def callback(token: str):
    link = _checked_link(token)
    form = forms.CallbackForm(prefix="callback", on=web.today())
    if request.method == "POST" and form.validate():
        try:
            debtor_access.request_callback(
                link,
                on=form.on.data,
                slot=form.slot.data,
                phone=form.phone.data or "",
                today=web.today(),
            )
        except ValidationFailed as exc:
            form.form_errors.extend(web.apply_errors(form, exc))
        else:
            flash(_("C'est noté : un conseiller vous appellera au créneau choisi."), "success")
            return redirect(url_for("pay.page", token=token))
    status = 422 if request.method == "POST" else 200
    return _form_page(link, "pay/callback.html", form, status)


@bp.route("/p/<token>/documents/<int:document_id>")
def document(token: str, document_id: int):
    link = _checked_link(token)
    document = next(
        (d for d in link.case.documents if d.id == document_id and d.kind == "letter"), None
    )
    if not isinstance(document, Document):
        abort(404)
    return web.send_document(document)


@bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
def stripe_webhook():
    """Verify the signature on the raw body, store the event once, queue it, answer 200."""
    import stripe

    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        abort(503)  # never fall back to unverified JSON
    payload = request.get_data()
    try:
        event = stripe.Webhook.construct_event(
            payload, request.headers.get("Stripe-Signature", ""), secret
        )
    except (ValueError, stripe.SignatureVerificationError):
        return {"error": "invalid signature"}, 400
    row = stripe_events.store(event.to_dict())
    if row is None:
        return {"received": True, "duplicate": True}
    from app.jobs import enqueue
    from app.jobs.tasks import process_stripe_event

    enqueue(process_stripe_event, row.id)
    return {"received": True}


# --- Card payment ----------------------------------------------------------------------------

CARD_KEY = "card_payment"
MIN_CARD_CENTS = 100  # below 1 EUR a card payment costs more than it brings


def _card_refusal(link, amount_cents: int | None) -> str | None:
    """Why this amount cannot be paid by card now (checked before any call to Stripe)."""
    from app.domain.interest import MissingRate

    if amount_cents is None or amount_cents <= 0:
        return _("Indiquez un montant supérieur à zéro.")
    if amount_cents < MIN_CARD_CENTS:
        return _("Le paiement par carte commence à 1,00 €.")
    try:
        outstanding = claims.case_balance(link.case, web.today()).outstanding_cents
    except MissingRate:
        return _("Le montant dû ne peut pas être calculé pour le moment : réessayez plus tard.")
    if amount_cents > outstanding:
        return _(
            "Le montant dépasse ce que vous devez (%(amount)s).",
            amount=formatting.money(outstanding),
        )
    return None


@bp.route("/p/<token>/carte/intention", methods=["POST"])
@limiter.limit("10 per minute")
def card_setup(token: str):
    link = _link(token)
    if not _checked(link) or not stripe_gateway.enabled():
        abort(404)
    installments = request.form.get("installments", type=int) or 1
    if installments > 1:
        # The whole balance in monthly installments, the first taken now: checked by the plan.
        refusal = None
        if installments > plans.policy_of(link.case).max_months:
            refusal = _(
                "Au-delà de %(n)s mensualités, proposez l'échéancier sans carte.",
                n=plans.policy_of(link.case).max_months,
            )
        amount = None
    else:
        try:
            amount = to_cents(request.form.get("amount", ""))
        except InvalidAmount:
            amount = None
        refusal = _card_refusal(link, amount)
    if refusal:
        return {"error": refusal}, 422
    setup_id, secret, customer = stripe_gateway.start_card_setup(keep_card=installments > 1)
    # Kept here, not trusted from the browser on the next call.
    session[CARD_KEY] = {
        "link": link.id,
        "setup": setup_id,
        "amount": amount,
        "installments": installments,
        "customer": customer,
    }
    return {"client_secret": secret}


@bp.route("/p/<token>/carte/paiement", methods=["POST"])
@limiter.limit("10 per minute")
def card_charge(token: str):
    link = _link(token)
    pending = session.get(CARD_KEY) or {}
    if not _checked(link) or pending.get("link") != link.id or not stripe_gateway.enabled():
        abort(404)
    if pending.get("installments", 1) > 1:
        return _card_plan(token, link, pending)
    refusal = _card_refusal(link, pending["amount"])
    if refusal:
        return {"error": refusal}, 422
    intent, status = stripe_gateway.charge(
        pending["setup"],
        pending["amount"],
        case_id=link.case_id,
        idempotency_key=f"recouvra-{pending['setup']}",
    )
    session.pop(CARD_KEY, None)
    if status not in ("succeeded", "processing", "requires_capture"):
        # Declined (or needing a step this page does not offer): nothing was taken.
        return {
            "error": _("Votre banque a refusé le paiement : aucune somme n'a été prélevée.")
        }, 402
    return {"status": status, "next": url_for("pay.card_done", token=token, pi=intent)}


def _card_plan(token: str, link, pending: dict):
    """Monthly installments by card: the plan starts now (inside the creditor's policy), the
    card is kept for the next ones and the first installment is charged at once."""
    card = stripe_gateway.card_of(pending["setup"], pending["customer"])
    try:
        plan = plans.propose_plan(
            None,
            link.case,
            down_payment_cents=0,
            installment_count=pending["installments"],
            frequency="monthly",
            first_due_on=web.today(),
            note="Échéancier par carte, proposé par le débiteur.",
            today=web.today(),
        )
    except ValidationFailed as exc:
        return {"error": " ".join(web.apply_errors(None, exc))}, 422
    session.pop(CARD_KEY, None)
    if plan.status != "active":
        return {"status": "requested", "next": url_for("pay.page", token=token)}
    plans.keep_card(plan, pending["customer"], card)
    intent, status = plans.charge_installment(plan, plan.installments[0], web.today())
    if status not in plans.CARD_TAKEN_STATUSES:
        return {
            "error": _("Votre banque a refusé le paiement : aucune somme n'a été prélevée.")
        }, 402
    return {"status": status, "next": url_for("pay.card_done", token=token, pi=intent)}


@bp.route("/p/<token>/carte/merci")
def card_done(token: str):
    link = _checked_link(token)
    intent = request.args.get("pi", "")
    payment = stripe_events.card_payment(intent, link.case_id)
    failed = payment is None and stripe_events.intent_failed(intent, link.case_id)
    return render_template(
        "pay/done.html", token=token, case=link.case, payment=payment, failed=failed
    )
