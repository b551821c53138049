"""Request schemas: each one validates a JSON body and describes itself for the OpenAPI document,
so what the docs promise and what the API accepts cannot drift apart.

`parse` returns the cleaned value (cents for amounts, `date` for dates) and appends
(field path, message) pairs to `errors`; messages are French, translated when answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.domain import money
from app.domain.i18n import N_
from app.models.debtor import DEBTOR_KINDS
from app.models.money import PAYMENT_METHODS

MISSING = object()
_AMOUNT = re.compile(r"^\d+(\.\d+)?$")
Errors = list[tuple[str, str]]


def _join(path: str, name: str | int) -> str:
    return f"{path}.{name}" if path else str(name)


@dataclass
class Str:
    max_length: int = 255
    min_length: int = 0
    description: str = ""
    example: str | None = None

    def parse(self, value: Any, path: str, errors: Errors):
        if not isinstance(value, str):
            errors.append((path, N_("Une chaîne de caractères est attendue.")))
            return None
        value = value.strip()
        if len(value) < self.min_length:
            errors.append((path, N_("Ce champ ne peut pas être vide.")))
        elif len(value) > self.max_length:
            errors.append((path, N_("Ce texte est trop long.")))
        return value

    def json_schema(self) -> dict:
        schema: dict = {"type": "string", "maxLength": self.max_length}
        if self.min_length:
            schema["minLength"] = self.min_length
        if self.description:
            schema["description"] = self.description
        if self.example is not None:
            schema["example"] = self.example
        return schema


@dataclass
class Enum:
    choices: tuple[str, ...]
    description: str = ""

    def parse(self, value: Any, path: str, errors: Errors):
        if value not in self.choices:
            errors.append((path, N_("Valeur inconnue.")))
            return None
        return value

    def json_schema(self) -> dict:
        schema: dict = {"type": "string", "enum": list(self.choices)}
        if self.description:
            schema["description"] = self.description
        return schema


@dataclass
class Amount:
    """A decimal string in euros, at most two decimals: "1200.00". Numbers are refused: JSON
    numbers are floats in most clients, and money is never a float."""

    positive: bool = True
    description: str = ""
    example: str = "1200.00"

    def parse(self, value: Any, path: str, errors: Errors):
        if not isinstance(value, str) or not _AMOUNT.match(value.strip()):
            message = N_('Un montant décimal en chaîne est attendu, par ex. "1200.00".')
            errors.append((path, message))
            return None
        try:
            cents = money.to_cents(value.strip())
        except money.InvalidAmount as exc:
            errors.append((path, str(exc)))
            return None
        if self.positive and cents <= 0:
            errors.append((path, N_("Le montant doit être supérieur à zéro.")))
            return None
        return cents

    def json_schema(self) -> dict:
        schema = {
            "type": "string",
            "pattern": r"^\d{1,12}(\.\d{1,2})?$",
            "example": self.example,
        }
        if self.description:
            schema["description"] = self.description
        return schema


@dataclass
class Day:
    description: str = ""
    example: str = "2026-06-01"

    def parse(self, value: Any, path: str, errors: Errors):
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        errors.append((path, N_("Une date AAAA-MM-JJ est attendue.")))
        return None

    def json_schema(self) -> dict:
        schema = {"type": "string", "format": "date", "example": self.example}
        if self.description:
            schema["description"] = self.description
        return schema


@dataclass
class Arr:
    item: Any
    min_items: int = 0
    max_items: int = 100

    def parse(self, value: Any, path: str, errors: Errors):
        if not isinstance(value, list):
            errors.append((path, N_("Une liste est attendue.")))
            return None
        if len(value) < self.min_items:
            errors.append((path, N_("Cette liste ne peut pas être vide.")))
        if len(value) > self.max_items:
            errors.append((path, N_("Cette liste est trop longue.")))
            return None
        return [self.item.parse(v, _join(path, i), errors) for i, v in enumerate(value)]

    def json_schema(self) -> dict:
        schema = {"type": "array", "items": self.item.json_schema(), "maxItems": self.max_items}
        if self.min_items:
            schema["minItems"] = self.min_items
        return schema


@dataclass
class Obj:
    fields: dict[str, Any]
    required: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)
    nullable: tuple[str, ...] = ()

    def parse(self, value: Any, path: str, errors: Errors):
        if not isinstance(value, dict):
            errors.append((path or "body", N_("Un objet JSON est attendu.")))
            return None
        for name in value:
            if name not in self.fields:
                errors.append((_join(path, name), N_("Champ inconnu.")))
        cleaned = {}
        for name, schema in self.fields.items():
            raw = value.get(name, MISSING)
            if raw is MISSING or (raw is None and name in self.nullable):
                if name in self.required:
                    errors.append((_join(path, name), N_("Ce champ est obligatoire.")))
                cleaned[name] = self.defaults.get(name)
                continue
            cleaned[name] = schema.parse(raw, _join(path, name), errors)
        return cleaned

    def json_schema(self) -> dict:
        properties = {}
        for name, schema in self.fields.items():
            prop = schema.json_schema()
            if name in self.nullable:
                prop = {**prop, "nullable": True}
            properties[name] = prop
        schema = {"type": "object", "properties": properties, "additionalProperties": False}
        if self.required:
            schema["required"] = list(self.required)
        return schema


ADDRESS = Obj(
    {
        "line1": Str(200, 1, example="12 avenue des Champs"),
        "line2": Str(200),
        "postal_code": Str(20, 1, example="69001"),
        "city": Str(100, 1, example="Lyon"),
        "country": Str(2, 2, description="ISO 3166-1 alpha-2", example="FR"),
    },
    required=("line1", "postal_code", "city"),
    defaults={"line2": "", "country": "FR"},
    nullable=("line2",),
)

DEBTOR = Obj(
    {
        "kind": Enum(DEBTOR_KINDS),
        "name": Str(200, 1, example="Client Mauvais Payeur SARL"),
        "siren": Str(
            20, description="Required for a company; checked (Luhn key).", example="732829320"
        ),
        "email": Str(254, example="compta@client.example"),
        "phone": Str(30, example="04 72 00 00 00"),
        "address": ADDRESS,
    },
    required=("kind", "name", "address"),
    defaults={"siren": "", "email": "", "phone": ""},
    nullable=("siren", "email", "phone"),
)

INVOICE = Obj(
    {
        "number": Str(50, 1, example="F-2026-001"),
        "issue_date": Day(example="2026-06-01"),
        "due_date": Day(example="2026-07-01"),
        "amount": Amount(description="Amount including VAT, in euros"),
        "paid": Amount(positive=False, description="Already paid before the case", example="0.00"),
    },
    required=("number", "issue_date", "due_date", "amount"),
    defaults={"paid": 0},
)

CASE_CREATE = Obj(
    {
        "external_ref": Str(
            100,
            1,
            description="Your own reference: sending it again returns the first case.",
            example="ERP-2026-0042",
        ),
        "debtor": DEBTOR,
        "invoices": Arr(INVOICE, min_items=1, max_items=200),
        "formal_notice_received_on": Day(
            description="When a consumer debtor received your formal notice", example="2026-07-15"
        ),
    },
    required=("external_ref", "debtor", "invoices"),
    nullable=("formal_notice_received_on",),
)

PAYMENT_CREATE = Obj(
    {
        "amount": Amount(example="250.00"),
        "received_on": Day(example="2026-11-20"),
        "invoice_number": Str(50, 1, description="The invoice the debtor designated, if any"),
        "method": Enum(PAYMENT_METHODS, description="Default: transfer"),
        "reference": Str(100, description="Your reference for this payment"),
    },
    required=("amount", "received_on"),
    defaults={"method": "transfer", "reference": ""},
    nullable=("invoice_number", "reference"),
)


def parse(schema: Obj, body: Any) -> tuple[dict | None, Errors]:
    errors: Errors = []
    cleaned = schema.parse(body, "", errors)
    return cleaned, errors


MESSAGE_CREATE = Obj(
    {"body": Str(5000, 1, example="Le débiteur nous a appelés : il conteste la facture F-12.")},
    required=("body",),
)
