"""The OpenAPI 3 document of API v1, built from the same request schemas the routes parse."""

from __future__ import annotations

from app.api import schemas
from app.domain import pipeline
from app.models.case import UPLOAD_KINDS

AMOUNT = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "1200.00"}
DAY = {"type": "string", "format": "date"}
MOMENT = {"type": "string", "format": "date-time"}


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict) -> dict:
    return {"type": "object", "properties": properties}


STR = {"type": "string"}
NSTR = _nullable(STR)

COMPONENTS = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details (application/problem+json).",
        "required": ["type", "title", "status"],
        "properties": {
            "type": STR,
            "title": STR,
            "status": {"type": "integer"},
            "detail": STR,
            "errors": {
                "type": "array",
                "items": _obj({"field": STR, "message": STR}),
            },
        },
    },
    "CaseCreate": schemas.CASE_CREATE.json_schema(),
    "PaymentCreate": schemas.PAYMENT_CREATE.json_schema(),
    "MessageCreate": schemas.MESSAGE_CREATE.json_schema(),
    "Case": _obj(
        {
            "reference": {"type": "string", "example": "REC-2026-000042"},
            "external_ref": NSTR,
            "stage": STR,
            "hold_reason": NSTR,
            "outcome": NSTR,
            "opened_on": DAY,
            "closed_on": _nullable(DAY),
            "formal_notice_received_on": _nullable(DAY),
            "currency": STR,
            "claim": AMOUNT,
            "debtor": _obj(
                {
                    "kind": STR,
                    "name": STR,
                    "siren": NSTR,
                    "city": NSTR,
                    "postal_code": NSTR,
                    "country": STR,
                }
            ),
            "invoices": {
                "type": "array",
                "items": _obj(
                    {
                        "number": STR,
                        "issue_date": DAY,
                        "due_date": DAY,
                        "amount": AMOUNT,
                        "paid": AMOUNT,
                    }
                ),
            },
            "created_at": MOMENT,
            "updated_at": MOMENT,
            "links": _obj({"self": STR, "balance": STR, "timeline": STR}),
        }
    ),
    "CaseList": _obj({"items": {"type": "array", "items": _ref("Case")}, "next": NSTR}),
    "Balance": _obj(
        {
            "reference": STR,
            "as_of": DAY,
            "currency": STR,
            "principal": AMOUNT,
            "interest": AMOUNT,
            "indemnity": AMOUNT,
            "costs": AMOUNT,
            "paid": AMOUNT,
            "outstanding": AMOUNT,
            "invoices": {
                "type": "array",
                "items": _obj(
                    {
                        "number": STR,
                        "principal": AMOUNT,
                        "interest": AMOUNT,
                        "indemnity": AMOUNT,
                        "paid": AMOUNT,
                        "outstanding": AMOUNT,
                    }
                ),
            },
        }
    ),
    "Payment": _obj(
        {
            "id": {"type": "integer"},
            "amount": AMOUNT,
            "currency": STR,
            "received_on": DAY,
            "method": STR,
            "paid_to_creditor": {"type": "boolean"},
            "reference": NSTR,
            "reversed": {"type": "boolean"},
        }
    ),
    "Timeline": _obj(
        {
            "items": {
                "type": "array",
                "items": _obj(
                    {"occurred_at": MOMENT, "kind": STR, "text": STR, "data": {"type": "object"}}
                ),
            }
        }
    ),
    "Message": _obj(
        {
            "id": {"type": "integer"},
            "case": STR,
            "body": STR,
            "created_at": MOMENT,
            "document_ids": {"type": "array", "items": {"type": "integer"}},
        }
    ),
    "DocumentList": _obj(
        {
            "items": {
                "type": "array",
                "items": _obj(
                    {
                        "id": {"type": "integer"},
                        "kind": STR,
                        "name": STR,
                        "content_type": STR,
                        "size_bytes": {"type": "integer"},
                        "sha256": STR,
                        "uploaded_at": MOMENT,
                    }
                ),
            }
        }
    ),
    "Statement": _obj(
        {
            "id": {"type": "integer"},
            "reference": NSTR,
            "created_at": MOMENT,
            "currency": STR,
            "gross": AMOUNT,
            "direct": AMOUNT,
            "commission": AMOUNT,
            "vat": AMOUNT,
            "brought_forward": AMOUNT,
            "transferred": AMOUNT,
            "links": _obj({"self": STR}),
            "lines": {
                "type": "array",
                "description": "Only on GET /statements/{id}.",
                "items": _obj(
                    {
                        "received_on": _nullable(DAY),
                        "case_reference": NSTR,
                        "debtor_name": NSTR,
                        "method": NSTR,
                        "paid_to_creditor": {"type": "boolean"},
                        "reversal": {"type": "boolean"},
                        "label": STR,
                        "gross": AMOUNT,
                        "commission": AMOUNT,
                        "vat": AMOUNT,
                        "credit": AMOUNT,
                        "net": AMOUNT,
                    }
                ),
            },
        }
    ),
    "StatementList": _obj({"items": {"type": "array", "items": _ref("Statement")}, "next": NSTR}),
}

REFERENCE = {
    "name": "reference",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 20},
    "description": "The case's reference, REC-YYYY-NNNNNN",
}
PAGING = [
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
    },
    {
        "name": "cursor",
        "in": "query",
        "schema": {"type": "string"},
        "description": "Opaque: copy it from the previous page's `next` link.",
    },
]


def _problem(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    }


def _ok(schema: str, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


COMMON = {
    "401": _problem("Missing, invalid or revoked token"),
    "429": _problem("Too many requests for this token"),
}


def _op(summary: str, responses: dict, **extra) -> dict:
    return {"summary": summary, "responses": {**responses, **COMMON}, **extra}


def _json_body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


PATHS = {
    "/cases": {
        "post": _op(
            "Submit a case (idempotent by external_ref)",
            {
                "201": _ok("Case", "Created"),
                "200": _ok("Case", "Already submitted with this external_ref: the first case"),
                "400": _problem("Malformed JSON"),
                "415": _problem("Not JSON"),
                "422": _problem("Invalid fields, each named"),
            },
            requestBody=_json_body("CaseCreate"),
        ),
        "get": _op(
            "List your cases, oldest change first",
            {"200": _ok("CaseList"), "422": _problem("Bad filter or cursor")},
            parameters=[
                {
                    "name": "stage",
                    "in": "query",
                    "schema": {
                        "type": "string",
                        "enum": list(pipeline.STAGES),
                    },
                },
                {
                    "name": "updated_since",
                    "in": "query",
                    "schema": {"type": "string", "format": "date-time"},
                },
                *PAGING,
            ],
        ),
    },
    "/cases/{reference}": {
        "get": _op(
            "One case",
            {"200": _ok("Case"), "404": _problem("No such case among yours")},
            parameters=[REFERENCE],
        )
    },
    "/cases/{reference}/balance": {
        "get": _op(
            "What the debtor owes on a date",
            {
                "200": _ok("Balance"),
                "404": _problem("No such case among yours"),
                "409": _problem("A rate the computation needs is not entered yet"),
                "422": _problem("as_of is not a date"),
            },
            parameters=[
                REFERENCE,
                {"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"}},
            ],
        )
    },
    "/cases/{reference}/payments": {
        "post": _op(
            "Declare a payment the debtor made to you directly",
            {
                "201": _ok("Payment", "Recorded"),
                "200": _ok("Payment", "Same Idempotency-Key: the payment first recorded"),
                "400": _problem("Malformed JSON"),
                "404": _problem("No such case among yours"),
                "409": _problem("The case is closed"),
                "415": _problem("Not JSON"),
                "422": _problem("Invalid fields, each named"),
            },
            parameters=[
                REFERENCE,
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "schema": {"type": "string", "maxLength": 100},
                    "description": "Send the same key on a retry: the payment is booked once.",
                },
            ],
            requestBody=_json_body("PaymentCreate"),
        )
    },
    "/cases/{reference}/timeline": {
        "get": _op(
            "The case's history as the creditor sees it, newest first",
            {"200": _ok("Timeline"), "404": _problem("No such case among yours")},
            parameters=[REFERENCE],
        )
    },
    "/cases/{reference}/messages": {
        "post": _op(
            "Write to the agency in the case's thread (JSON, or multipart with files)",
            {
                "201": _ok("Message", "Posted"),
                "400": _problem("Malformed JSON"),
                "404": _problem("No such case among yours"),
                "415": _problem("Not JSON nor multipart/form-data"),
                "422": _problem("An empty or too long message, or a file refused"),
            },
            parameters=[REFERENCE],
            requestBody=_json_body("MessageCreate"),
        )
    },
    "/cases/{reference}/documents": {
        "post": _op(
            "Attach supporting documents (PDF, images, office files; 10 MB each)",
            {
                "201": _ok("DocumentList", "Attached"),
                "404": _problem("No such case among yours"),
                "413": _problem("Too large"),
                "415": _problem("Not multipart/form-data"),
                "422": _problem("A file refused (type, size, content), or none sent"),
            },
            parameters=[REFERENCE],
            requestBody={
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["files"],
                            "properties": {
                                "files": {
                                    "type": "array",
                                    "items": {"type": "string", "format": "binary"},
                                },
                                "kind": {
                                    "type": "array",
                                    "description": "One per file, in order (default: other)",
                                    "items": {
                                        "type": "string",
                                        "enum": list(UPLOAD_KINDS),
                                    },
                                },
                            },
                        }
                    }
                },
            },
        )
    },
    "/statements": {
        "get": _op(
            "Your remittance statements, newest first",
            {"200": _ok("StatementList"), "422": _problem("Bad cursor")},
            parameters=PAGING,
        )
    },
    "/statements/{remittance_id}": {
        "get": _op(
            "One statement with its lines",
            {"200": _ok("Statement"), "404": _problem("No such statement among yours")},
            parameters=[
                {
                    "name": "remittance_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "format": "int64"},
                }
            ],
        )
    },
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "OpenAPI 3 document"}},
        }
    },
    "/docs": {
        "get": {
            "summary": "The readable documentation",
            "security": [],
            "responses": {"200": {"description": "HTML page"}},
        }
    },
}


def document(server_url: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Recouvra API",
            "version": "1",
            "description": (
                "Hand overdue invoices to the agency and follow them from your own software. "
                'Amounts are decimal strings in euros ("1200.00"), dates ISO 8601. Errors are '
                "RFC 9457 problem details naming each bad field."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "schemas": COMPONENTS,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token created by your admin under Portal > API.",
                }
            },
        },
    }
