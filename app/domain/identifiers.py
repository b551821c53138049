"""Validation of French business identifiers, IBANs and phone numbers, by well-kept libraries.

Each function returns the normalised value or raises InvalidIdentifier with a French message.
"""

import phonenumbers
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret
from stdnum.fr import tva as stdnum_tva

from app.domain.i18n import N_


class InvalidIdentifier(ValueError):
    pass


def normalise_siren(value: str) -> str:
    try:
        return stdnum_siren.validate(value)
    except ValidationError as exc:
        raise InvalidIdentifier(
            N_("SIREN invalide : 9 chiffres attendus avec une clé de contrôle correcte.")
        ) from exc


def normalise_siret(value: str) -> str:
    try:
        return stdnum_siret.validate(value)
    except ValidationError as exc:
        raise InvalidIdentifier(
            N_("SIRET invalide : 14 chiffres attendus avec une clé de contrôle correcte.")
        ) from exc


def normalise_vat_number(value: str) -> str:
    try:
        return "FR" + stdnum_tva.validate(value).removeprefix("FR")
    except ValidationError as exc:
        raise InvalidIdentifier(N_("Numéro de TVA intracommunautaire invalide.")) from exc


def normalise_iban(value: str) -> str:
    try:
        return IBAN(value).compact
    except SchwiftyException as exc:
        raise InvalidIdentifier(N_("IBAN invalide.")) from exc


def normalise_phone(value: str, default_region: str = "FR") -> str:
    """Return the number in E.164 (+33612345678)."""
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentifier(N_("Numéro de téléphone invalide.")) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier(N_("Numéro de téléphone invalide."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone_national(e164: str) -> str:
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
