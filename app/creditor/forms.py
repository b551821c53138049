"""Creditor portal forms: new case (debtor, invoice rows, uploads), documents, case search."""

from __future__ import annotations

from datetime import datetime

import wtforms
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf import i18n as flask_wtf_i18n
from flask_wtf.file import FileField
from wtforms import (
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp

from app.domain import identifiers, pipeline
from app.domain.intake import InvoiceInput, invoice_errors
from app.domain.money import InvalidAmount, to_cents
from app.formatting import decimal_input, document_kind_label, payment_method_label, stage_label
from app.integrations.storage import ACCEPT_ATTRIBUTE
from app.models.case import UPLOAD_KINDS
from app.models.money import PAYMENT_METHODS
from app.services.intake import DebtorInput

EXISTING_DEBTOR = "existing"
NEW_DEBTOR = "new"
MAX_INVOICE_ROWS = 100
MAX_UPLOAD_ROWS = 20
INDEX_PLACEHOLDER = "__index__"

# Service error keys that name a group of inputs rather than one field.
FIELD_ALIASES = {
    "debtor": "debtor_mode",
    "debtor.address": "debtor.address_line1",
    "debtor.phones": "debtor.phone",
    "debtor.emails": "debtor.email",
}


def strip(value):
    return value.strip() if isinstance(value, str) else value


def upper(value):
    return value.upper() if isinstance(value, str) else value


def optional_int(value):
    """Select values come back as text; anything that is not a whole number means 'none'."""
    if value is None or isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return None


class SubForm(wtforms.Form):
    """A form nested in a FlaskForm (FormField): built-in messages follow the user's locale."""

    class Meta:
        def get_translations(self, form):
            return flask_wtf_i18n.translations


class AmountField(StringField):
    """An amount typed in euros ("1 234,56" or "1234.56"), held as integer cents."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = to_cents(valuelist[0])
            except InvalidAmount as exc:
                raise ValueError(_(str(exc))) from exc

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return decimal_input(self.data)


class DayField(wtforms.DateField):
    """A date from a date picker (ISO) or typed the French way (dd/mm/yyyy)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        for pattern in self.strptime_format:
            try:
                self.data = datetime.strptime(valuelist[0].strip(), pattern).date()
                return
            except ValueError:
                continue
        raise ValueError(_("Date invalide : utilisez le format jj/mm/aaaa."))


class InvoiceForm(SubForm):
    number = StringField(
        _l("N° de facture"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Indiquez le numéro de la facture.")),
            Length(max=50, message=_l("%(max)d caractères au plus.")),
        ],
    )
    issue_date = DayField(
        _l("Date d'émission"),
        validators=[InputRequired(message=_l("Indiquez la date d'émission."))],
    )
    due_date = DayField(
        _l("Échéance"), validators=[InputRequired(message=_l("Indiquez la date d'échéance."))]
    )
    amount = AmountField(
        _l("Montant TTC (€)"), validators=[InputRequired(message=_l("Indiquez le montant."))]
    )
    paid = AmountField(_l("Déjà payé (€)"))

    def to_input(self) -> InvoiceInput:
        return InvoiceInput(
            number=self.number.data or "",
            issue_date=self.issue_date.data,
            due_date=self.due_date.data,
            amount_cents=self.amount.data,
            paid_cents=self.paid.data or 0,
        )

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # The row's business rules are the domain's; show them on fields that parsed cleanly.
        for name, message in invoice_errors(self.to_input()).items():
            field = self[name]
            if not field.errors:
                field.errors = [*field.errors, _(message)]
                valid = False
        return valid


def _document_kind_choices():
    return [SelectChoice(kind, document_kind_label(kind)) for kind in UPLOAD_KINDS]


class UploadForm(SubForm):
    file = FileField(_l("Fichier"), render_kw={"accept": ACCEPT_ATTRIBUTE})
    kind = SelectField(_l("Type de document"), choices=_document_kind_choices, default="invoice")

    @property
    def chosen(self) -> bool:
        return bool(self.file.data and self.file.data.filename)


class DebtorForm(SubForm):
    kind = RadioField(
        _l("Type de débiteur"),
        choices=[
            SelectChoice("company", _l("Entreprise")),
            SelectChoice("individual", _l("Particulier")),
        ],
        default="company",
        validators=[InputRequired(message=_l("Choisissez entreprise ou particulier."))],
    )
    name = StringField(
        _l("Nom ou raison sociale"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Indiquez le nom du débiteur.")),
            Length(max=200, message=_l("%(max)d caractères au plus.")),
        ],
    )
    siren = StringField(
        _l("SIREN"), filters=[strip], render_kw={"inputmode": "numeric", "autocomplete": "off"}
    )
    address_line1 = StringField(
        _l("Adresse"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Indiquez l'adresse.")),
            Length(max=200, message=_l("%(max)d caractères au plus.")),
        ],
    )
    address_line2 = StringField(
        _l("Complément d'adresse"),
        filters=[strip],
        validators=[Length(max=200, message=_l("%(max)d caractères au plus."))],
    )
    postal_code = StringField(
        _l("Code postal"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Indiquez le code postal.")),
            Length(max=10, message=_l("%(max)d caractères au plus.")),
        ],
    )
    city = StringField(
        _l("Ville"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Indiquez la ville.")),
            Length(max=100, message=_l("%(max)d caractères au plus.")),
        ],
    )
    country = StringField(
        _l("Pays (code à deux lettres)"),
        default="FR",
        filters=[strip, upper],
        validators=[
            Regexp(r"^[A-Z]{2}$", message=_l("Indiquez le pays en deux lettres (FR, BE…)."))
        ],
    )
    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[
            Optional(),
            Email(message=_l("Adresse e-mail invalide.")),
            Length(max=254, message=_l("%(max)d caractères au plus.")),
        ],
    )
    phone = StringField(_l("Téléphone"), filters=[strip], render_kw={"inputmode": "tel"})

    def validate_siren(self, field):
        if not field.data:
            if self.kind.data == "company":
                raise ValidationError(_("Indiquez le SIREN de l'entreprise."))
            return
        try:
            identifiers.normalise_siren(field.data)
        except identifiers.InvalidIdentifier as exc:
            raise ValidationError(_(str(exc))) from exc

    def validate_phone(self, field):
        if not field.data:
            return
        try:
            identifiers.normalise_phone(field.data, self.country.data or "FR")
        except identifiers.InvalidIdentifier as exc:
            raise ValidationError(_(str(exc))) from exc

    def to_input(self) -> DebtorInput:
        return DebtorInput(
            kind=self.kind.data or "",
            name=self.name.data or "",
            siren=self.siren.data or "",
            address_line1=self.address_line1.data or "",
            address_line2=self.address_line2.data or "",
            postal_code=self.postal_code.data or "",
            city=self.city.data or "",
            country=self.country.data or "FR",
            emails=[self.email.data] if self.email.data else [],
            phones=[self.phone.data] if self.phone.data else [],
        )


def _field_for(form, key: str, chosen_uploads: list[UploadForm]):
    """The form field a service error key names (`invoices.1.due_date`), or None."""
    key = FIELD_ALIASES.get(key, key)
    parts = key.split(".")
    if parts[0] == "uploads" and len(parts) == 2 and parts[1].isdigit():
        # The service numbers only the files it received, not the form's rows.
        index = int(parts[1])
        return chosen_uploads[index].file if index < len(chosen_uploads) else None
    node = form
    for part in parts:
        if isinstance(node, FieldList):
            if not part.isdigit() or int(part) >= len(node.entries):
                return None
            node = node.entries[int(part)]
        elif isinstance(node, FormField | wtforms.Form):
            subform = node.form if isinstance(node, FormField) else node
            node = subform._fields.get(part)
        else:
            return None
        if node is None:
            return None
    return None if isinstance(node, FieldList | FormField) else node


class UploadRowsMixin:
    """Rows of (file, document kind); `uploads-0-file`, `uploads-0-kind`..."""

    def chosen_uploads(self) -> list[UploadForm]:
        return [entry.form for entry in self.uploads.entries if entry.form.chosen]

    def upload_template(self) -> UploadForm:
        return UploadForm(prefix=f"{self.uploads.name}-{INDEX_PLACEHOLDER}-")

    def apply_service_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """Put each service message on its field; return the rest grouped by section."""
        chosen = self.chosen_uploads()
        leftovers: dict[str, list[str]] = {}
        for key, messages in errors.items():
            field = _field_for(self, key, chosen)
            translated = [_(message) for message in messages]
            if field is None:
                leftovers.setdefault(key.split(".")[0], []).extend(translated)
            else:
                field.errors = [*field.errors, *translated]
        return leftovers


class NewCaseForm(UploadRowsMixin, FlaskForm):
    debtor_mode = RadioField(
        _l("Débiteur"),
        choices=[
            SelectChoice(EXISTING_DEBTOR, _l("Un de mes débiteurs")),
            SelectChoice(NEW_DEBTOR, _l("Nouveau débiteur")),
        ],
        default=NEW_DEBTOR,
    )
    debtor_id = SelectField(_l("Mes débiteurs"), coerce=optional_int, validate_choice=False)
    debtor = FormField(DebtorForm)
    invoices = FieldList(FormField(InvoiceForm), min_entries=1, max_entries=MAX_INVOICE_ROWS)
    uploads = FieldList(FormField(UploadForm), min_entries=1, max_entries=MAX_UPLOAD_ROWS)

    @property
    def uses_existing_debtor(self) -> bool:
        return self.debtor_mode.data == EXISTING_DEBTOR

    def validate_debtor_id(self, field):
        if self.uses_existing_debtor and field.data is None:
            raise ValidationError(_("Choisissez un débiteur."))

    def validate(self, extra_validators=None):
        super().validate(extra_validators)
        # Only one way of naming the debtor counts: forget what the other part said.
        ignored = self.debtor.form if self.uses_existing_debtor else None
        if ignored is not None:
            for field in ignored:
                field.errors = []
        else:
            self.debtor_id.errors = []
        return not self.errors

    def invoice_inputs(self) -> list[InvoiceInput]:
        return [entry.form.to_input() for entry in self.invoices.entries]

    def invoice_template(self) -> InvoiceForm:
        return InvoiceForm(prefix=f"{self.invoices.name}-{INDEX_PLACEHOLDER}-")


class AddDocumentsForm(UploadRowsMixin, FlaskForm):
    uploads = FieldList(FormField(UploadForm), min_entries=1, max_entries=MAX_UPLOAD_ROWS)


class DirectPaymentForm(FlaskForm):
    """The debtor paid the creditor directly: the agency must know (it reduces the claim)."""

    amount = AmountField(_l("Montant reçu"))
    received_on = DayField(_l("Reçu le"), validators=[Optional()])
    method = SelectField(_l("Moyen de paiement"), validate_choice=False)
    designated_invoice_id = SelectField(
        _l("Facture réglée (facultatif)"), coerce=optional_int, validate_choice=False
    )
    note = TextAreaField(_l("Précisions pour l'agence"), validators=[Length(max=10_000)])
    idempotency_key = HiddenField()

    def __init__(self, *args, invoices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = [
            SelectChoice(method, payment_method_label(method)) for method in PAYMENT_METHODS
        ]
        self.designated_invoice_id.choices = [SelectChoice("", _("Laisser l'agence imputer"))] + [
            SelectChoice(invoice.id, invoice.number) for invoice in invoices
        ]


class PlanDecisionForm(FlaskForm):
    note = TextAreaField(
        _l("Votre réponse à l'agence (obligatoire pour refuser)"), validators=[Length(max=10_000)]
    )


class EscalationDecisionForm(FlaskForm):
    """Approving needs the box ticked; refusing needs a reason (the service checks it)."""

    confirm = wtforms.BooleanField(
        _l("J'ai compris que des frais de procédure peuvent s'appliquer.")
    )
    note = TextAreaField(
        _l("Pourquoi refusez-vous ? (obligatoire pour refuser)"),
        validators=[Length(max=10_000)],
    )


SORT_LABELS = {
    "opened": _l("Date d'ouverture"),
    "reference": _l("Référence"),
    "debtor": _l("Débiteur"),
    "amount": _l("Montant réclamé"),
}


def _stage_choices():
    return [SelectChoice("", _("Toutes les étapes"))] + [
        SelectChoice(stage, stage_label(stage)) for stage in pipeline.STAGES
    ]


class CaseSearchForm(wtforms.Form):
    """Read from the query string: a bookmarkable search, no CSRF needed."""

    class Meta:
        def get_translations(self, form):
            return flask_wtf_i18n.translations

    q = SearchField(
        _l("Rechercher"),
        filters=[strip],
        render_kw={"placeholder": _l("Référence, débiteur, SIREN ou n° de facture")},
    )
    stage = SelectField(_l("Étape"), choices=_stage_choices, validate_choice=False)
    sort = SelectField(
        _l("Trier par"),
        choices=[SelectChoice(key, label) for key, label in SORT_LABELS.items()],
        default="opened",
        validate_choice=False,
    )
    direction = SelectField(
        _l("Ordre"),
        choices=[SelectChoice("desc", _l("Décroissant")), SelectChoice("asc", _l("Croissant"))],
        default="desc",
        validate_choice=False,
    )
