"""Password reset mails go through the job queue; without Redis they go out at once."""

import re
from email.header import decode_header, make_header

import pytest

from app.services import accounts
from app.services.errors import ValidationFailed

LINK = re.compile(r"http://recouvra\.test/reinitialiser/(\S+)")


def body(message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def test_a_reset_request_is_queued_and_mailed_by_the_worker(people, mailbox, run_jobs):
    accounts.request_password_reset(people.creditor_user.email.upper())
    assert mailbox == []
    run_jobs()
    [message] = mailbox
    assert message["To"] == people.creditor_user.email
    assert (
        str(make_header(decode_header(message["Subject"])))
        == "Réinitialisation de votre mot de passe Recouvra"
    )
    text = body(message)
    assert text.startswith(f"Bonjour {people.creditor_user.full_name},")
    token = LINK.search(text).group(1)
    assert accounts.user_from_reset_token(token) is people.creditor_user


def test_a_reset_request_for_an_unknown_address_sends_nothing(people, mailbox, run_jobs):
    accounts.request_password_reset("inconnu@nulle-part.example")
    run_jobs()
    assert mailbox == []


def test_a_reset_request_for_an_inactive_account_sends_nothing(people, mailbox, run_jobs):
    people.agent.active = False
    accounts.request_password_reset(people.agent.email)
    run_jobs()
    assert mailbox == []


def test_without_redis_the_mail_is_sent_inline(app, people, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    monkeypatch.delitem(app.extensions, "recouvra_redis", raising=False)
    accounts.request_password_reset(people.agent.email)
    [message] = mailbox
    assert message["To"] == people.agent.email
    assert LINK.search(body(message))


def test_a_token_dies_once_the_password_changes(people):
    token = accounts.make_reset_token(people.agent)
    accounts.reset_password(people.agent, "un tout nouveau mot de passe")
    assert accounts.user_from_reset_token(token) is None


@pytest.mark.parametrize("token", ["", "garbage", "eyJ1aWQiOjF9.abc.def"])
def test_a_forged_token_finds_nobody(people, token):
    assert accounts.user_from_reset_token(token) is None


def test_a_short_new_password_is_refused(people):
    with pytest.raises(ValidationFailed) as error:
        accounts.reset_password(people.agent, "court")
    assert error.value.errors == {
        "password": ["Le mot de passe doit contenir au moins 12 caractères."]
    }
