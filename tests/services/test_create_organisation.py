"""Creating organisations: identifiers validated and normalised, SIRET consistent with SIREN."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Organisation
from app.services import accounts
from app.services.errors import ValidationFailed

SIREN = "732829320"
SIRET = "73282932000009"
VAT = "FR44732829320"
IBAN = "FR7630006000011234567890189"


def create(**overrides):
    values = {"kind": "creditor", "legal_name": "Boulangerie Dupont SAS"}
    return accounts.create_organisation(**{**values, **overrides})


def test_identifiers_are_stored_normalised():
    org = create(
        legal_name="  Boulangerie Dupont SAS ",
        siren="732 829 320",
        siret="732 829 320 00009",
        vat_number="fr 44 732829320",
        iban="FR76 3000 6000 0112 3456 7890 189",
        city="Paris",
    )
    assert (org.legal_name, org.siren, org.siret, org.vat_number, org.iban, org.city) == (
        "Boulangerie Dupont SAS",
        SIREN,
        SIRET,
        VAT,
        IBAN,
        "Paris",
    )


def test_identifiers_are_optional():
    org = create()
    assert org.siren is None and org.siret is None and org.iban is None


def test_a_creditor_with_a_mandate_is_ready_for_cases():
    org = create(mandate_reference="MAN-001", mandate_signed_on=date(2026, 1, 15))
    assert org.has_mandate


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "siren",
            "732829321",
            "SIREN invalide : 9 chiffres attendus avec une clé de contrôle correcte.",
        ),
        (
            "siret",
            "73282932000008",
            "SIRET invalide : 14 chiffres attendus avec une clé de contrôle correcte.",
        ),
        ("vat_number", "FR45732829320", "Numéro de TVA intracommunautaire invalide."),
        ("iban", "FR7630006000011234567890188", "IBAN invalide."),
        ("legal_name", "  ", "Indiquez la raison sociale."),
    ],
)
def test_a_bad_identifier_is_refused_on_its_field_and_nothing_is_saved(field, value, message):
    with pytest.raises(ValidationFailed) as error:
        create(**{field: value})
    assert error.value.errors == {field: [message]}
    assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 0


def test_a_siret_of_another_company_than_the_siren_is_refused():
    other_siret = "55203253400646"
    with pytest.raises(ValidationFailed) as error:
        create(siren=SIREN, siret=other_siret)
    assert error.value.errors == {"siret": ["Le SIRET ne correspond pas au SIREN."]}


def test_every_bad_field_is_reported_at_once():
    with pytest.raises(ValidationFailed) as error:
        create(legal_name="", siren="1", iban="X")
    assert set(error.value.errors) == {"legal_name", "siren", "iban"}
