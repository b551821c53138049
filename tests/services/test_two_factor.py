"""TOTP second factor (app/services/two_factor.py): enrolment, the ±1 step window, replay,
the admin's audited reset, an agent turning it off."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.services import two_factor
from app.services.errors import Forbidden, ValidationFailed
from tests import factories

NOW = 1_800_000_000.0  # a fixed instant: step 60,000,000
STEP = two_factor.STEP_SECONDS


def actions():
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_managers_come_enrolled_from_the_factories_agents_and_creditors_do_not(people):
    assert two_factor.is_enrolled(people.admin) and two_factor.is_enrolled(people.supervisor)
    assert not two_factor.is_enrolled(people.agent)
    assert two_factor.is_required(people.supervisor) and not two_factor.is_required(people.agent)
    assert not two_factor.is_offered(people.creditor_admin)


def test_a_code_is_accepted_one_step_either_side_and_no_further():
    secret = factories.TOTP_SECRET
    for offset in (-1, 0, 1):
        code = two_factor.code_at(secret, NOW + offset * STEP)
        assert two_factor.matching_counter(secret, code, NOW) == int(NOW // STEP) + offset
    for offset in (-2, 2):
        code = two_factor.code_at(secret, NOW + offset * STEP)
        assert two_factor.matching_counter(secret, code, NOW) is None
    assert two_factor.matching_counter(secret, "12345", NOW) is None
    assert two_factor.matching_counter(secret, "abcdef", NOW) is None


def test_the_code_matches_rfc_6238s_sha1_vector():
    # RFC 6238 appendix B: secret "12345678901234567890", T=59 -> 94287082 (8 digits); the
    # 6-digit code is its last six digits.
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert two_factor.code_at(secret, 59) == "287082"


def test_spaces_in_a_typed_code_are_ignored():
    code = two_factor.code_at(factories.TOTP_SECRET, NOW)
    assert two_factor.matching_counter(factories.TOTP_SECRET, f"{code[:3]} {code[3:]}", NOW)


def test_enrolment_saves_the_secret_only_with_a_right_first_code(people):
    agent = people.agent
    secret = two_factor.new_secret()
    assert len(secret) == 32
    with pytest.raises(ValidationFailed) as refused:
        two_factor.confirm_enrolment(agent, secret, "000000", now=NOW)
    assert refused.value.errors["code"] == [two_factor.BAD_CODE]
    assert agent.totp_secret is None
    two_factor.confirm_enrolment(agent, secret, two_factor.code_at(secret, NOW), now=NOW)
    assert agent.totp_secret == secret and agent.totp_confirmed_at is not None
    assert agent.totp_last_counter == int(NOW // STEP)
    assert actions() == ["user.totp_enrolled"]


def test_creditor_users_cannot_enrol(people):
    secret = two_factor.new_secret()
    with pytest.raises(Forbidden):
        two_factor.confirm_enrolment(
            people.creditor_user, secret, two_factor.code_at(secret, NOW), now=NOW
        )


def test_a_login_code_is_accepted_once_and_an_older_step_never_again(people):
    user = people.supervisor
    code = factories.totp_code(user, now=NOW)
    assert two_factor.verify_login_code(user, code, now=NOW)
    assert not two_factor.verify_login_code(user, code, now=NOW)  # replay
    earlier = factories.totp_code(user, now=NOW - STEP)
    assert not two_factor.verify_login_code(user, earlier, now=NOW)  # older step
    later = factories.totp_code(user, now=NOW + STEP)
    assert two_factor.verify_login_code(user, later, now=NOW + STEP)
    assert actions() == ["user.totp_refused", "user.totp_refused"]


def test_a_wrong_code_is_refused_and_recorded(people):
    window = {factories.totp_code(people.admin, now=NOW + k * STEP) for k in (-1, 0, 1)}
    wrong = next(c for c in ("111111", "222222", "333333", "444444") if c not in window)
    assert not two_factor.verify_login_code(people.admin, wrong, now=NOW)
    assert people.admin.totp_last_counter is None
    assert actions() == ["user.totp_refused"]


def test_the_admin_resets_a_users_second_factor_audited_and_their_sessions_end(people):
    version = people.supervisor.session_version
    two_factor.reset(people.admin, people.supervisor)
    assert not two_factor.is_enrolled(people.supervisor)
    assert people.supervisor.totp_last_counter is None
    assert people.supervisor.session_version == version + 1
    assert two_factor.must_enrol(people.supervisor)
    event = db.session.scalars(sa.select(AuditEvent)).one()
    assert (event.action, event.actor_id, event.entity_id) == (
        "user.totp_reset",
        people.admin.id,
        people.supervisor.id,
    )


@pytest.mark.parametrize("who", ["supervisor", "agent"])
def test_only_the_agency_admin_may_reset(people, who):
    with pytest.raises(Forbidden):
        two_factor.reset(getattr(people, who), people.admin)
    assert two_factor.is_enrolled(people.admin)


def test_the_admin_cannot_reset_a_creditor_user(people):
    with pytest.raises(Forbidden):
        two_factor.reset(people.admin, people.creditor_user)


def test_an_agent_may_turn_it_off_with_a_code_a_manager_may_not(people):
    agent = factories.make_user(
        people.agency, "agent", "agent3@agence.example", "Chloé Agent", totp=True
    )
    two_factor.disable(agent, factories.totp_code(agent))
    assert not two_factor.is_enrolled(agent)
    assert "user.totp_disabled" in actions()
    with pytest.raises(Forbidden):
        two_factor.disable(people.supervisor, factories.totp_code(people.supervisor))
    assert two_factor.is_enrolled(people.supervisor)


def test_the_qr_code_is_an_inline_svg_of_the_otpauth_uri(people):
    uri = two_factor.provisioning_uri(people.agent, factories.TOTP_SECRET)
    assert uri.startswith("otpauth://totp/Recouvra:agent%40agence.example?secret=")
    assert "issuer=Recouvra" in uri
    svg = two_factor.qr_svg(uri)
    assert svg.startswith("<svg") and "http" not in svg.split(">", 1)[0].replace("xmlns", "")


def test_the_dev_command_prints_the_current_code_and_refuses_in_production(app, people):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "totp-code", people.supervisor.email])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == factories.totp_code(people.supervisor)
    assert runner.invoke(args=["users", "totp-code", people.agent.email]).exit_code != 0
    app.config["RECOUVRA_ENV"] = "production"
    try:
        refused = runner.invoke(args=["users", "totp-code", people.supervisor.email])
        assert refused.exit_code != 0 and "développement" in refused.output
    finally:
        app.config["RECOUVRA_ENV"] = "development"
