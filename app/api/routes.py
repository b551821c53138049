"""API v1 endpoints: parse, call one service as the token's creator, answer JSON."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import g, jsonify, request, url_for

from app import web
from app.api import bp, schemas
from app.api.errors import ApiError
from app.domain import pipeline
from app.domain.i18n import N_
from app.domain.interest import MissingRate
from app.domain.money import cents_to_decimal
from app.extensions import db
from app.models import Case, Payment
from app.services import access, claims, intake, integration, payments, remittance
from app.services.errors import ValidationFailed
from app.services.intake import DebtorInput

MAX_PAGE = 100
MAX_ID = 2**63 - 1
DEFAULT_PAGE = 50


def _amount(cents: int | None) -> str | None:
    return None if cents is None else str(cents_to_decimal(cents))


def _moment(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _actor():
    return g.api_actor


def _json_body() -> dict:
    if not request.is_json:
        raise ApiError(415, N_("Envoyez un corps JSON (Content-Type: application/json)."))
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested past the parser's depth: not a body anyone sends
        body = None
    if body is None:
        raise ApiError(400, N_("Le corps de la requête n'est pas du JSON valide."))
    return body


def _parse(schema, body) -> dict:
    cleaned, errors = schemas.parse(schema, body)
    if errors:
        raise ApiError(422, N_("Certains champs sont invalides."), errors)
    return cleaned


def _case(reference: str) -> Case:
    return access.get_case(_actor(), reference)  # NotFound -> 404 problem


def case_json(case: Case) -> dict:
    debtor = case.debtor
    return {
        "reference": case.reference,
        "external_ref": case.external_ref,
        "stage": case.stage,
        "hold_reason": case.hold_reason,
        "outcome": case.outcome,
        "opened_on": _day(case.opened_on),
        "closed_on": _day(case.closed_on),
        "formal_notice_received_on": _day(case.formal_notice_received_on),
        "currency": case.currency,
        "claim": _amount(case.claim_cents),
        "debtor": {
            "kind": debtor.kind,
            "name": debtor.name,
            "siren": debtor.siren,
            "city": debtor.city,
            "postal_code": debtor.postal_code,
            "country": debtor.country,
        },
        "invoices": [
            {
                "number": invoice.number,
                "issue_date": _day(invoice.issue_date),
                "due_date": _day(invoice.due_date),
                "amount": _amount(invoice.amount_cents),
                "paid": _amount(invoice.paid_cents),
            }
            for invoice in case.invoices
        ],
        "created_at": _moment(case.created_at),
        "updated_at": _moment(case.updated_at),
        "links": {
            "self": url_for("api.get_case", reference=case.reference),
            "balance": url_for("api.case_balance", reference=case.reference),
            "timeline": url_for("api.case_timeline", reference=case.reference),
        },
    }


# The service's field names where the API's JSON names them differently.
_CASE_FIELDS = {"debtor.emails": "debtor.email", "debtor.phones": "debtor.phone"}


@bp.post("/cases")
def create_case():
    data = _parse(schemas.CASE_CREATE, _json_body())
    try:
        case, created = _submit(data)
    except ValidationFailed as exc:
        raise ValidationFailed(
            {_CASE_FIELDS.get(name, name): messages for name, messages in exc.errors.items()}
        ) from exc
    response = jsonify(case_json(case))
    response.status_code = 201 if created else 200
    response.headers["Location"] = url_for("api.get_case", reference=case.reference)
    return response


def _submit(data: dict):
    debtor = data["debtor"]
    address = debtor["address"]
    return integration.submit_case_once(
        _actor(),
        external_ref=data["external_ref"],
        debtor=DebtorInput(
            kind=debtor["kind"],
            name=debtor["name"],
            siren=debtor["siren"] or "",
            address_line1=address["line1"],
            address_line2=address["line2"] or "",
            postal_code=address["postal_code"],
            city=address["city"],
            country=address["country"] or "FR",
            emails=[debtor["email"]] if debtor["email"] else [],
            phones=[debtor["phone"]] if debtor["phone"] else [],
        ),
        invoices=[
            intake.InvoiceInput(
                number=row["number"],
                issue_date=row["issue_date"],
                due_date=row["due_date"],
                amount_cents=row["amount"],
                paid_cents=row["paid"] or 0,
            )
            for row in data["invoices"]
        ],
        formal_notice_received_on=data["formal_notice_received_on"],
        today=web.today(),
    )


def _encode_cursor(values: dict) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> dict:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, dict):
            raise ValueError
        return values
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(422, "", [("cursor", N_("Curseur invalide."))]) from exc


def _limit() -> int:
    raw = request.args.get("limit", str(DEFAULT_PAGE))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise ApiError(422, "", [("limit", N_("Un nombre entier de 1 à 100 est attendu."))])
    return int(raw)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _since(raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        message = N_("Une date ou un horodatage ISO 8601 est attendu.")
        raise ApiError(422, "", [("updated_since", message)]) from exc
    return _utc(value)


def _page(items: list, limit: int, cursor_of, endpoint: str, **args) -> dict:
    has_more = len(items) > limit
    items = items[:limit]
    next_url = None
    if has_more:
        args = {**args, "cursor": _encode_cursor(cursor_of(items[-1])), "limit": limit}
        next_url = url_for(endpoint, **{k: v for k, v in args.items() if v is not None})
    return {"items": items, "next": next_url}


@bp.get("/cases")
def list_cases():
    limit = _limit()
    stage = request.args.get("stage") or None
    if stage is not None and stage not in pipeline.STAGES:
        raise ApiError(422, "", [("stage", N_("Valeur inconnue."))])
    since_raw = request.args.get("updated_since") or None
    # Oldest change first: a client syncs by keeping the last page's cursor.
    query = access.visible_cases(_actor()).order_by(Case.updated_at, Case.id)
    if stage:
        query = query.where(Case.stage == stage)
    if since_raw:
        query = query.where(Case.updated_at >= _since(since_raw))
    cursor = request.args.get("cursor")
    if cursor:
        values = _decode_cursor(cursor)
        try:
            after_time = _utc(datetime.fromisoformat(values["u"]))
            after_id = int(values["i"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ApiError(422, "", [("cursor", N_("Curseur invalide."))]) from exc
        query = query.where(
            sa.or_(
                Case.updated_at > after_time,
                sa.and_(Case.updated_at == after_time, Case.id > after_id),
            )
        )
    cases = list(db.session.scalars(query.limit(limit + 1)))
    page = _page(
        cases,
        limit,
        lambda case: {"u": _utc(case.updated_at).isoformat(), "i": case.id},
        "api.list_cases",
        stage=stage,
        updated_since=since_raw,
    )
    response = jsonify({"items": [case_json(c) for c in page["items"]], "next": page["next"]})
    if page["next"]:
        response.headers["Link"] = f'<{page["next"]}>; rel="next"'
    return response


@bp.get("/cases/<reference>")
def get_case(reference: str):
    return jsonify(case_json(_case(reference)))


@bp.get("/cases/<reference>/balance")
def case_balance(reference: str):
    case = _case(reference)
    as_of = web.today()
    if request.args.get("as_of"):
        errors: schemas.Errors = []
        as_of = schemas.Day().parse(request.args["as_of"], "as_of", errors)
        if errors:
            raise ApiError(422, "", errors)
    try:
        balance = claims.case_balance(case, as_of)
    except MissingRate as exc:
        raise ApiError(409, str(exc), slug="missing-rate") from exc
    numbers = {invoice.id: invoice.number for invoice in case.invoices}
    return jsonify(
        {
            "reference": case.reference,
            "as_of": as_of.isoformat(),
            "currency": case.currency,
            "principal": _amount(balance.principal_cents),
            "interest": _amount(balance.interest_cents),
            "indemnity": _amount(balance.indemnity_cents),
            "costs": _amount(balance.costs_cents),
            "paid": _amount(balance.paid_cents),
            "outstanding": _amount(balance.outstanding_cents),
            "invoices": [
                {
                    "number": numbers.get(line.key, line.number),
                    "principal": _amount(line.principal_cents),
                    "interest": _amount(line.interest_cents),
                    "indemnity": _amount(line.indemnity_cents),
                    "paid": _amount(line.paid_cents),
                    "outstanding": _amount(line.outstanding_cents),
                }
                for line in balance.invoices
            ],
        }
    )


def payment_json(payment: Payment) -> dict:
    return {
        "id": payment.id,
        "amount": _amount(payment.amount_cents),
        "currency": payment.currency,
        "received_on": _day(payment.received_on),
        "method": payment.method,
        "paid_to_creditor": payment.paid_to_creditor,
        "reference": payment.reference,
        "reversed": payment.reversed_at is not None,
    }


@bp.post("/cases/<reference>/payments")
def record_payment(reference: str):
    case = _case(reference)
    data = _parse(schemas.PAYMENT_CREATE, _json_body())
    invoice_id = None
    if data["invoice_number"]:
        wanted = data["invoice_number"].strip().lower()
        matches = [i.id for i in case.invoices if i.number.strip().lower() == wanted]
        if not matches:
            raise ApiError(
                422, "", [("invoice_number", N_("Cette facture n'appartient pas au dossier."))]
            )
        invoice_id = matches[0]
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > 100:
        raise ApiError(422, "", [("Idempotency-Key", N_("Ce texte est trop long."))])
    # Namespaced by creditor: two creditors' software may well pick the same keys.
    scoped_key = f"api:{case.creditor_id}:{key}" if key else None
    replay = scoped_key is not None and db.session.scalar(
        sa.select(Payment.id).where(Payment.idempotency_key == scoped_key)
    )
    try:
        payment = payments.record_payment(
            _actor(),
            case,
            amount_cents=data["amount"],
            received_on=data["received_on"],
            method=data["method"],
            paid_to_creditor=True,
            designated_invoice_id=invoice_id,
            reference=data["reference"] or "",
            idempotency_key=scoped_key,
            today=web.today(),
        )
    except ValidationFailed as exc:
        renamed = {
            ("invoice_number" if name == "designated_invoice_id" else name): messages
            for name, messages in exc.errors.items()
        }
        if "amount" in renamed and not case.is_open:
            raise ApiError(409, renamed["amount"][0]) from exc
        raise ValidationFailed(renamed) from exc
    response = jsonify(payment_json(payment))
    response.status_code = 200 if replay else 201
    return response


@bp.get("/cases/<reference>/timeline")
def case_timeline(reference: str):
    case = _case(reference)
    entries = access.timeline_for(_actor(), case)
    return jsonify(
        {
            "items": [
                {
                    "occurred_at": _moment(entry.occurred_at),
                    "kind": entry.kind,
                    "text": entry.text,
                    "data": entry.data,
                }
                for entry in entries
            ]
        }
    )


@bp.post("/cases/<reference>/documents")
def add_documents(reference: str):
    case = _case(reference)
    if not request.mimetype == "multipart/form-data":
        raise ApiError(415, N_("Envoyez les fichiers en multipart/form-data (champ files)."))
    uploads = web.uploads_from(request.files.getlist("files"), request.form.getlist("kind"))
    documents = intake.add_documents(_actor(), case, uploads)
    response = jsonify(
        {
            "items": [
                {
                    "id": document.id,
                    "kind": document.kind,
                    "name": document.original_name,
                    "content_type": document.content_type,
                    "size_bytes": document.size_bytes,
                    "sha256": document.sha256,
                    "uploaded_at": _moment(document.uploaded_at),
                }
                for document in documents
            ]
        }
    )
    response.status_code = 201
    return response


@bp.post("/cases/<reference>/messages")
def post_message(reference: str):
    """A message to the agency in the case's thread: JSON {"body"}, or multipart with a body
    field and files attached."""
    from app.services import messages

    case = _case(reference)
    if request.mimetype == "multipart/form-data":
        data = _parse(schemas.MESSAGE_CREATE, {"body": request.form.get("body", "")})
        uploads = web.uploads_from(
            request.files.getlist("files"), ["correspondence"] * len(request.files.getlist("files"))
        )
    else:
        data, uploads = _parse(schemas.MESSAGE_CREATE, _json_body()), []
    message = messages.post_message(_actor(), case, data["body"], uploads)
    response = jsonify(
        {
            "id": message.id,
            "case": case.reference,
            "body": message.body,
            "created_at": _moment(message.created_at),
            "document_ids": message.document_ids,
        }
    )
    response.status_code = 201
    return response


def statement_json(remittance_row, statement=None) -> dict:
    body = {
        "id": remittance_row.id,
        "reference": remittance_row.reference,
        "created_at": _moment(remittance_row.created_at),
        "currency": remittance_row.currency,
        "gross": _amount(remittance_row.gross_cents),
        "direct": _amount(remittance_row.direct_cents),
        "commission": _amount(remittance_row.commission_cents),
        "vat": _amount(remittance_row.vat_cents),
        "brought_forward": _amount(remittance_row.brought_forward_cents),
        "transferred": _amount(remittance_row.amount_cents),
        "links": {"self": url_for("api.get_statement", remittance_id=remittance_row.id)},
    }
    if statement is not None:
        body["lines"] = [
            {
                "received_on": _day(line.received_on),
                "case_reference": line.case_reference,
                "debtor_name": line.debtor_name,
                "method": line.method,
                "paid_to_creditor": line.paid_to_creditor,
                "reversal": line.reversal,
                "label": line.label,
                "gross": _amount(line.gross_cents),
                "commission": _amount(line.commission_cents),
                "vat": _amount(line.vat_cents),
                "credit": _amount(line.credit_cents),
                "net": _amount(line.net_cents),
            }
            for line in statement.lines
        ]
    return body


@bp.get("/statements")
def list_statements():
    limit = _limit()
    query = remittance.remittances_query(_actor())
    cursor = request.args.get("cursor")
    if cursor:
        values = _decode_cursor(cursor)
        try:
            before_id = int(values["i"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ApiError(422, "", [("cursor", N_("Curseur invalide."))]) from exc
        query = query.where(remittance.Remittance.id < before_id)
    rows = list(db.session.scalars(query.limit(limit + 1)))
    page = _page(rows, limit, lambda row: {"i": row.id}, "api.list_statements")
    response = jsonify(
        {"items": [statement_json(row) for row in page["items"]], "next": page["next"]}
    )
    if page["next"]:
        response.headers["Link"] = f'<{page["next"]}>; rel="next"'
    return response


# A plain string, not <int:>: "-1" or "abc" must get this blueprint's problem+json 404, not the
# app's HTML page for a URL that matches no route.
@bp.get("/statements/<remittance_id>")
def get_statement(remittance_id: str):
    # Past int64 the database's integers stop: absent, not a crash.
    if not remittance_id.isdigit() or int(remittance_id) > MAX_ID:
        raise ApiError(404, N_("Relevé introuvable."))
    row = remittance.get_remittance(_actor(), int(remittance_id))
    return jsonify(statement_json(row, remittance.statement_of(row)))
