"""The password policy as a plain function (app/domain/passwords.py)."""

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain import passwords

EMAIL = "claire.lemoine@agence.example"
NAME = "Claire Lemoine"


def errors(password, **kwargs):
    return passwords.password_errors(password, email=EMAIL, full_name=NAME, **kwargs)


def test_a_long_unusual_password_is_accepted():
    assert errors("vélo rouge sur le pont neuf") == []


def test_under_twelve_characters_is_refused_with_the_length_only():
    assert errors("court") == [passwords.TOO_SHORT]
    assert errors("a" * 11) == [passwords.TOO_SHORT]
    assert "12 caractères" in passwords.TOO_SHORT


def test_an_absurdly_long_password_is_refused():
    assert errors("x" * 129) == [passwords.TOO_LONG]


@pytest.mark.parametrize(
    "password", ["123456789012", "qwertyuiop12", "PASSWORD1234", "MotDePasse2026!", "azertyuiop!!"]
)
def test_a_password_from_the_breached_list_is_refused_whatever_its_case(password):
    assert passwords.TOO_COMMON in errors(password)


def test_the_common_list_comes_from_the_package_and_is_large():
    assert len(passwords._common_passwords()) > 20_000


@pytest.mark.parametrize(
    "password", ["claire.lemoine@agence.example!", "MonNomEstLemoine2026", "ClaireClaire99"]
)
def test_a_password_with_the_users_email_or_name_is_refused(password):
    assert passwords.CONTAINS_IDENTITY in errors(password)


def test_short_name_pieces_do_not_refuse_everything():
    assert (
        passwords.password_errors(
            "de la montagne au lac", email="jo@x.example", full_name="Jo de Sa"
        )
        == []
    )


def test_one_of_the_last_five_passwords_is_refused_the_sixth_is_allowed():
    # A cheap cost (werkzeug's pbkdf2 default is 1,000,000 rounds, 6 s for these): the policy
    # only needs hashes that `matches` checks.
    method = "pbkdf2:sha256:1000"
    old = [generate_password_hash(f"ancien mot de passe {n}", method=method) for n in range(6)]
    for n in range(5):
        assert passwords.REUSED in errors(
            f"ancien mot de passe {n}", previous_hashes=old, matches=check_password_hash
        )
    assert errors("ancien mot de passe 5", previous_hashes=old, matches=check_password_hash) == []


def test_the_messages_have_english_translations():
    from babel.messages.pofile import read_po

    from app.config import ROOT

    with open(ROOT / "app/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle)
    for message in (
        passwords.TOO_SHORT,
        passwords.TOO_COMMON,
        passwords.CONTAINS_IDENTITY,
        passwords.REUSED,
    ):
        assert catalog[message] is not None and catalog[message].string, message
