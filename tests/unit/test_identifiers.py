"""French identifiers, IBANs and phone numbers: normalised when valid, refused when not."""

import pytest

from app.domain import identifiers
from app.domain.identifiers import InvalidIdentifier

VALID_SIREN = "732829320"
VALID_SIRET = "73282932000009"
VALID_VAT = "FR44732829320"
VALID_IBAN = "FR7630006000011234567890189"


@pytest.mark.parametrize("raw", ["732829320", "732 829 320", " 732829320 "])
def test_it_accepts_a_siren_and_returns_its_nine_digits(raw):
    assert identifiers.normalise_siren(raw) == VALID_SIREN


@pytest.mark.parametrize("raw", ["732829321", "73282932", "7328293200", "ABCDEFGHI", ""])
def test_it_rejects_a_siren_with_a_bad_checksum_or_length(raw):
    with pytest.raises(InvalidIdentifier, match="SIREN invalide"):
        identifiers.normalise_siren(raw)


@pytest.mark.parametrize("raw", [VALID_SIRET, "732 829 320 00009"])
def test_it_accepts_a_siret_and_returns_its_fourteen_digits(raw):
    assert identifiers.normalise_siret(raw) == VALID_SIRET


@pytest.mark.parametrize("raw", ["73282932000008", "7328293200000", "73282932100009"])
def test_it_rejects_a_siret_with_a_bad_checksum_or_length(raw):
    with pytest.raises(InvalidIdentifier, match="SIRET invalide"):
        identifiers.normalise_siret(raw)


@pytest.mark.parametrize("raw", [VALID_VAT, "fr 44 732829320", "44732829320"])
def test_it_accepts_a_french_vat_number_and_writes_it_with_its_prefix(raw):
    assert identifiers.normalise_vat_number(raw) == VALID_VAT


@pytest.mark.parametrize("raw", ["FR45732829320", "FR4473282932", "DE123456789", "TVA"])
def test_it_rejects_a_wrong_vat_number(raw):
    with pytest.raises(InvalidIdentifier, match="Numéro de TVA intracommunautaire invalide"):
        identifiers.normalise_vat_number(raw)


@pytest.mark.parametrize("raw", [VALID_IBAN, "FR76 3000 6000 0112 3456 7890 189"])
def test_it_accepts_an_iban_and_returns_it_without_spaces(raw):
    assert identifiers.normalise_iban(raw) == VALID_IBAN


@pytest.mark.parametrize("raw", ["FR7630006000011234567890188", "FR76300060", "NOTANIBAN"])
def test_it_rejects_an_iban_with_a_bad_checksum_or_shape(raw):
    with pytest.raises(InvalidIdentifier, match="IBAN invalide"):
        identifiers.normalise_iban(raw)


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("06.12.34.56.78", "FR", "+33612345678"),
        ("+33 6 12 34 56 78", "FR", "+33612345678"),
        ("04 72 00 00 00", "FR", "+33472000000"),
        ("0470 12 34 56", "BE", "+32470123456"),
        ("+32 470 12 34 56", "FR", "+32470123456"),
    ],
)
def test_it_writes_a_valid_phone_number_in_e164(raw, region, e164):
    assert identifiers.normalise_phone(raw, region) == e164


@pytest.mark.parametrize("raw", ["06 12 34", "12", "abc", "", "+33 6 12 34 56 78 90 12"])
def test_it_rejects_a_phone_number_that_cannot_exist(raw):
    with pytest.raises(InvalidIdentifier, match="Numéro de téléphone invalide"):
        identifiers.normalise_phone(raw)


def test_it_shows_a_stored_number_the_french_way():
    assert identifiers.format_phone_national("+33612345678") == "06 12 34 56 78"
