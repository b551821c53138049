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


def start_card_setup() -> tuple[str, str]:
    """A SetupIntent for the card the debtor is about to type: (id, client secret)."""
    intent = _client().v1.setup_intents.create(params={"payment_method_types": ["card"]})
    return intent["id"], intent["client_secret"]


def charge(
    setup_intent_id: str, amount_cents: int, *, case_id: int, idempotency_key: str
) -> tuple[str, str]:
    """Charge the card the SetupIntent collected: (PaymentIntent id, status)."""
    client = _client()
    setup = client.v1.setup_intents.retrieve(setup_intent_id)
    method = setup["payment_method"]
    method_id = method["id"] if isinstance(method, dict | stripe.StripeObject) else method
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
