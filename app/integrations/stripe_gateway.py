"""Stripe, behind the few calls Recouvra makes. Card data never touches our servers: the page
collects the card with Stripe.js (a SetupIntent), then the server charges that payment method
with a PaymentIntent. The payment itself is recorded only from the verified webhook.

STRIPE_API_BASE points the client at another server (localstripe in tests and demos).
"""

from __future__ import annotations

import stripe
from flask import current_app


def enabled() -> bool:
    config = current_app.config
    return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_PUBLISHABLE_KEY"))


def _client() -> stripe.StripeClient:
    config = current_app.config
    base = config.get("STRIPE_API_BASE")
    options = {"base_addresses": {"api": base}} if base else {}
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], **options)


def start_card_setup(*, keep_card: bool = False) -> tuple[str, str, str | None]:
    """A SetupIntent for the card the debtor is about to type: (id, client secret, customer).
    To charge the card again later (a plan), it is set up for a new Customer."""
    client = _client()
    params: dict = {"payment_method_types": ["card"]}
    customer = None
    if keep_card:
        customer = client.v1.customers.create(params={})["id"]
        params |= {"customer": customer, "usage": "off_session"}
    intent = client.v1.setup_intents.create(params=params)
    return intent["id"], intent["client_secret"], customer


def card_of(setup_intent_id: str, customer: str | None = None) -> str:
    """The payment method a confirmed SetupIntent collected, attached to the customer if any."""
    client = _client()
    method = client.v1.setup_intents.retrieve(setup_intent_id)["payment_method"]
    method_id = method if isinstance(method, str) else method["id"]
    if customer:
        client.v1.payment_methods.attach(method_id, params={"customer": customer})
    return method_id


def charge_saved_card(
    customer: str, payment_method: str, amount_cents: int, *, metadata: dict, idempotency_key: str
) -> tuple[str | None, str]:
    """An off-session charge of a saved card: (PaymentIntent id, status); a decline is a status
    ("declined"), never an exception, so the caller can count it and retry later."""
    try:
        intent = _client().v1.payment_intents.create(
            params={
                "amount": amount_cents,
                "currency": "eur",
                "customer": customer,
                "payment_method": payment_method,
                "payment_method_types": ["card"],
                "off_session": True,
                "confirm": True,
                "metadata": metadata,
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.CardError as exc:
        return _declined_intent(exc), "declined"
    return intent["id"], intent["status"]


def _declined_intent(exc: stripe.CardError) -> str | None:
    """Stripe names the declined PaymentIntent in the error, for the agent to look it up
    (localstripe does not)."""
    intent = getattr(exc.error, "payment_intent", None) if exc.error else None
    if intent is None or isinstance(intent, str):
        return intent
    return intent["id"]


def charge(
    setup_intent_id: str, amount_cents: int, *, case_id: int, idempotency_key: str
) -> tuple[str, str]:
    """Charge the card the SetupIntent collected: (PaymentIntent id, status)."""
    client = _client()
    method_id = card_of(setup_intent_id)
    intent = client.v1.payment_intents.create(
        params={
            "amount": amount_cents,
            "currency": "eur",
            "payment_method": method_id,
            "payment_method_types": ["card"],
            "confirm": True,
            "metadata": {"case_id": str(case_id)},
        },
        options={"idempotency_key": idempotency_key},
    )
    return intent["id"], intent["status"]
