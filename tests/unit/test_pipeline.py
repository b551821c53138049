"""The case pipeline: every listed move, every unlisted one, and each guard."""

import itertools

import pytest

from app.domain import pipeline, roles
from app.domain.pipeline import CaseFacts, MoveRequest, TransitionRefused, check_transition

# Facts under which every guard passes: a mandate, an invoice, judicial approval.
GOOD_FACTS = {"invoice_count": 2, "creditor_has_mandate": True, "judicial_approved": True}
# "withdrawn" is an outcome every role that may close a case is allowed to record.
GOOD_MOVE = {"reason": "Raison donnée", "outcome": "withdrawn", "return_reason": "incomplete"}

ALLOWED = [
    pytest.param(transition, role, id=f"{transition.source}->{transition.target}-{role}")
    for transition in pipeline.TRANSITIONS.values()
    for role in sorted(transition.roles)
]
REFUSED_ROLES = [
    pytest.param(transition, role, id=f"{transition.source}->{transition.target}-{role}")
    for transition in pipeline.TRANSITIONS.values()
    for role in sorted(set(roles.ALL_ROLES) - transition.roles)
]
UNLISTED = [
    pytest.param(source, target, id=f"{source}->{target}")
    for source, target in itertools.permutations(pipeline.STAGES, 2)
    if (source, target) not in pipeline.TRANSITIONS
]
NEEDS_REASON = [
    pytest.param(t, id=f"{t.source}->{t.target}")
    for t in pipeline.TRANSITIONS.values()
    if t.needs_reason
]


def facts(stage, **overrides):
    return CaseFacts(stage=stage, **{**GOOD_FACTS, **overrides})


def move(target, role=roles.SUPERVISOR, **overrides):
    return MoveRequest(target=target, actor_role=role, **{**GOOD_MOVE, **overrides})


def refusal(case_facts, request) -> str:
    with pytest.raises(TransitionRefused) as error:
        check_transition(case_facts, request)
    return str(error.value)


def test_the_table_lists_moves_for_every_open_stage_and_the_returned_one():
    sources = {source for source, _ in pipeline.TRANSITIONS}
    assert sources == {
        pipeline.INTAKE,
        pipeline.AMICABLE,
        pipeline.JUDICIAL,
        pipeline.INSOLVENCY,
        pipeline.RETURNED,
    }
    assert not [t for (_, t) in pipeline.TRANSITIONS if t not in pipeline.STAGES]


@pytest.mark.parametrize(("transition", "role"), ALLOWED)
def test_every_listed_move_succeeds_for_a_permitted_role(transition, role):
    result = check_transition(facts(transition.source), move(transition.target, role))
    assert result is transition


@pytest.mark.parametrize(("transition", "role"), REFUSED_ROLES)
def test_every_listed_move_is_refused_for_a_role_not_permitted(transition, role):
    message = refusal(facts(transition.source), move(transition.target, role))
    assert message == "Votre rôle ne permet pas ce changement d'étape."


@pytest.mark.parametrize(("source", "target"), UNLISTED)
def test_a_move_not_in_the_table_is_refused_naming_both_stages(source, target):
    message = refusal(facts(source), move(target, roles.AGENCY_ADMIN))
    assert message == (
        f"Passage impossible de « {pipeline.STAGE_LABELS[source]} » "
        f"à « {pipeline.STAGE_LABELS[target]} »."
    )


def test_closed_is_a_dead_end_for_every_role():
    for role in roles.ALL_ROLES:
        assert pipeline.allowed_targets(pipeline.CLOSED, role) == []


@pytest.mark.parametrize("stage", pipeline.STAGES)
def test_a_move_to_the_same_stage_is_refused(stage):
    message = refusal(facts(stage), move(stage, roles.AGENCY_ADMIN))
    assert message == "Le dossier est déjà à cette étape."


def test_an_unknown_stage_is_refused():
    assert refusal(facts(pipeline.INTAKE), move("archived")) == "Étape inconnue : archived."


@pytest.mark.parametrize("transition", NEEDS_REASON)
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_move_that_needs_a_reason_is_refused_without_one(transition, reason):
    role = sorted(transition.roles)[0]
    message = refusal(facts(transition.source), move(transition.target, role, reason=reason))
    assert message == "Indiquez la raison de ce changement d'étape."


def test_accepting_an_intake_case_needs_no_reason():
    request = move(pipeline.AMICABLE, roles.AGENT, reason="")
    assert check_transition(facts(pipeline.INTAKE), request).target == pipeline.AMICABLE


def test_intake_to_amicable_is_refused_without_a_signed_mandate():
    message = refusal(
        facts(pipeline.INTAKE, creditor_has_mandate=False), move(pipeline.AMICABLE, roles.AGENT)
    )
    assert "Aucun mandat écrit signé" in message


def test_intake_to_amicable_is_refused_without_any_invoice():
    message = refusal(facts(pipeline.INTAKE, invoice_count=0), move(pipeline.AMICABLE, roles.AGENT))
    assert message == "Le dossier ne contient aucune facture."


def test_going_to_court_is_refused_without_the_creditors_approval():
    message = refusal(
        facts(pipeline.AMICABLE, judicial_approved=False), move(pipeline.JUDICIAL, roles.SUPERVISOR)
    )
    assert message == "Le créancier n'a pas donné son accord pour la phase judiciaire."


def test_going_to_court_is_refused_to_an_agent_even_with_approval():
    message = refusal(facts(pipeline.AMICABLE), move(pipeline.JUDICIAL, roles.AGENT))
    assert message == "Votre rôle ne permet pas ce changement d'étape."


def test_going_to_court_is_allowed_to_a_supervisor_with_approval():
    transition = check_transition(facts(pipeline.AMICABLE), move(pipeline.JUDICIAL))
    assert transition.target == pipeline.JUDICIAL


@pytest.mark.parametrize("source", [s for (s, t) in pipeline.TRANSITIONS if t == pipeline.CLOSED])
@pytest.mark.parametrize("outcome", [None, "", "forgiven"])
def test_closing_is_refused_without_a_known_outcome(source, outcome):
    message = refusal(facts(source), move(pipeline.CLOSED, roles.AGENT, outcome=outcome))
    assert message == "Indiquez l'issue de la clôture."


@pytest.mark.parametrize("outcome", pipeline.OUTCOMES)
def test_closing_is_allowed_with_each_known_outcome(outcome):
    request = move(pipeline.CLOSED, roles.AGENT, outcome=outcome)
    assert check_transition(facts(pipeline.AMICABLE), request).target == pipeline.CLOSED


@pytest.mark.parametrize("source", [s for (s, t) in pipeline.TRANSITIONS if t == pipeline.RETURNED])
@pytest.mark.parametrize("return_reason", [None, "", "bored"])
def test_returning_to_the_creditor_is_refused_without_a_known_reason(source, return_reason):
    request = move(pipeline.RETURNED, roles.AGENT, return_reason=return_reason)
    assert refusal(facts(source), request) == "Indiquez le motif du renvoi au créancier."


@pytest.mark.parametrize("return_reason", pipeline.RETURN_REASONS)
def test_returning_is_allowed_with_each_known_reason(return_reason):
    request = move(pipeline.RETURNED, roles.AGENT, return_reason=return_reason)
    assert check_transition(facts(pipeline.INTAKE), request).target == pipeline.RETURNED


def test_a_creditor_may_resubmit_a_returned_case_or_withdraw_one_in_intake():
    assert pipeline.allowed_targets(pipeline.RETURNED, roles.CREDITOR_USER) == [pipeline.INTAKE]
    assert pipeline.allowed_targets(pipeline.INTAKE, roles.CREDITOR_USER) == [pipeline.CLOSED]
    assert pipeline.allowed_targets(pipeline.AMICABLE, roles.CREDITOR_ADMIN) == []


def test_an_agent_sees_every_exit_from_amicable_but_court():
    assert set(pipeline.allowed_targets(pipeline.AMICABLE, roles.AGENT)) == {
        pipeline.INSOLVENCY,
        pipeline.RETURNED,
        pipeline.CLOSED,
    }


def test_only_intake_amicable_judicial_and_insolvency_are_open():
    assert [s for s in pipeline.STAGES if pipeline.is_open(s)] == [
        pipeline.INTAKE,
        pipeline.AMICABLE,
        pipeline.JUDICIAL,
        pipeline.INSOLVENCY,
    ]


def test_every_stage_outcome_hold_and_return_reason_has_a_label():
    assert set(pipeline.STAGE_LABELS) == set(pipeline.STAGES)
    assert set(pipeline.OUTCOME_LABELS) == set(pipeline.OUTCOMES)
    assert set(pipeline.HOLD_LABELS) == set(pipeline.HOLD_REASONS)
    assert set(pipeline.RETURN_REASON_LABELS) == set(pipeline.RETURN_REASONS)
