"""What makes a scenario valid, which scenario a case follows, and a debtor's payer profile."""

from __future__ import annotations

from app.domain import cadence, pipeline
from app.domain.cadence import (
    CALL,
    EMAIL,
    ESCALATION,
    LAST_CONTACT,
    LETTER,
    ProfileFacts,
    Scenario,
    Step,
    choose_scenario,
    payer_profile,
    validate_steps,
)

KNOWN = {"relance_amiable", "relance_2", "mise_en_demeure", "email_relance"}


def test_the_default_amicable_scenario_is_valid():
    assert validate_steps(list(cadence.DEFAULT_AMICABLE.steps), KNOWN) == []


def test_a_scenario_without_steps_is_refused():
    assert validate_steps([], KNOWN) == ["Un scénario contient au moins une étape."]


def test_a_negative_offset_is_refused_and_names_the_step():
    errors = validate_steps([Step(-2, CALL)], KNOWN)
    assert errors == ["Étape 1 : le délai ne peut pas être négatif."]


def test_an_offset_over_a_year_is_refused():
    assert validate_steps([Step(366, CALL)], KNOWN) == ["Étape 1 : le délai dépasse 365 jours."]


def test_an_unknown_template_is_refused():
    errors = validate_steps([Step(0, LETTER, "lettre_de_menace")], KNOWN)
    assert errors == ["Étape 1 : modèle inconnu « lettre_de_menace »."]


def test_a_letter_step_needs_a_template():
    errors = validate_steps([Step(0, LETTER)], KNOWN)
    assert errors == ["Étape 1 : choisissez un modèle de courrier."]


def test_a_call_step_cannot_carry_a_template():
    errors = validate_steps([Step(3, CALL, "relance_2")], KNOWN)
    assert errors == ["Étape 1 : ce canal n'utilise pas de modèle."]


def test_no_step_may_follow_the_escalation():
    errors = validate_steps([Step(30, ESCALATION), Step(35, CALL)], KNOWN)
    assert errors == ["Étape 2 : aucune étape ne peut suivre la proposition d'escalade."]


def test_offsets_from_the_stage_start_cannot_go_backwards():
    errors = validate_steps([Step(10, LETTER, "relance_2"), Step(3, CALL)], KNOWN)
    assert errors == ["Étape 2 : elle tombe avant l'étape précédente."]


def test_a_step_counted_from_the_last_contact_may_have_a_smaller_offset():
    steps = [Step(10, LETTER, "relance_2"), Step(3, CALL, anchor=LAST_CONTACT)]
    assert validate_steps(steps, KNOWN) == []


def test_an_unknown_channel_or_anchor_is_refused():
    errors = validate_steps([Step(0, "pigeon"), Step(0, CALL, anchor="full_moon")], KNOWN)
    assert errors == ["Étape 1 : canal inconnu.", "Étape 2 : point de départ inconnu."]


def test_every_mistake_is_reported_at_once():
    steps = [Step(-1, EMAIL), Step(5, CALL, "relance_2")]
    assert len(validate_steps(steps, KNOWN)) == 3


# --- choose_scenario -------------------------------------------------------------------------

GENERAL = Scenario("Agence", pipeline.AMICABLE, (Step(0, CALL),), id=1)
GENERAL_HIGH = Scenario(
    "Agence montants élevés", pipeline.AMICABLE, (Step(0, CALL),), profile=cadence.HIGH_AMOUNT, id=2
)
CREDITOR_7 = Scenario("Créancier 7", pipeline.AMICABLE, (Step(0, CALL),), creditor_id=7, id=3)
CREDITOR_7_HIGH = Scenario(
    "Créancier 7 montants élevés",
    pipeline.AMICABLE,
    (Step(0, CALL),),
    profile=cadence.HIGH_AMOUNT,
    creditor_id=7,
    id=4,
)
JUDICIAL = Scenario("Judiciaire", pipeline.JUDICIAL, (Step(0, CALL),), id=5)
ALL = [GENERAL, GENERAL_HIGH, CREDITOR_7, CREDITOR_7_HIGH, JUDICIAL]


def test_the_creditors_own_scenario_for_the_profile_wins():
    assert choose_scenario(ALL, pipeline.AMICABLE, 7, cadence.HIGH_AMOUNT) is CREDITOR_7_HIGH


def test_the_creditors_own_general_scenario_comes_before_the_agencys_profile_one():
    assert choose_scenario(ALL, pipeline.AMICABLE, 7, cadence.NEW) is CREDITOR_7
    scenarios = [GENERAL_HIGH, CREDITOR_7]
    assert choose_scenario(scenarios, pipeline.AMICABLE, 7, cadence.HIGH_AMOUNT) is CREDITOR_7


def test_another_creditors_scenario_is_never_chosen():
    assert choose_scenario(ALL, pipeline.AMICABLE, 8, cadence.HIGH_AMOUNT) is GENERAL_HIGH
    assert choose_scenario(ALL, pipeline.AMICABLE, 8, cadence.NEW) is GENERAL


def test_the_built_in_default_applies_to_the_amicable_stage_when_the_agency_wrote_none():
    assert (
        choose_scenario([JUDICIAL], pipeline.AMICABLE, 7, cadence.NEW) is cadence.DEFAULT_AMICABLE
    )


def test_the_judicial_stage_has_no_default():
    assert choose_scenario([GENERAL], pipeline.JUDICIAL, 7, cadence.NEW) is None
    assert choose_scenario(ALL, pipeline.JUDICIAL, 7, cadence.NEW) is JUDICIAL


# --- payer_profile ---------------------------------------------------------------------------


def test_a_debtor_seen_for_the_first_time_is_new():
    assert payer_profile(ProfileFacts(claim_cents=50_000)) == cadence.NEW


def test_a_disputed_invoice_comes_before_everything():
    facts = ProfileFacts(claim_cents=5_000_000, any_invoice_disputed=True, broken_promises=2)
    assert payer_profile(facts) == cadence.DISPUTED


def test_ten_thousand_euros_or_more_is_a_high_amount():
    assert payer_profile(ProfileFacts(claim_cents=10_000_00)) == cadence.HIGH_AMOUNT
    assert payer_profile(ProfileFacts(claim_cents=9_999_99)) == cadence.NEW


def test_a_broken_promise_or_an_unpaid_earlier_case_makes_a_repeat_late_payer():
    assert payer_profile(ProfileFacts(claim_cents=100, broken_promises=1)) == cadence.REPEAT_LATE
    facts = ProfileFacts(claim_cents=100, earlier_cases=2, earlier_cases_paid=1)
    assert payer_profile(facts) == cadence.REPEAT_LATE


def test_a_debtor_who_paid_every_earlier_case_is_a_good_payer_late():
    facts = ProfileFacts(claim_cents=100, earlier_cases=2, earlier_cases_paid=2)
    assert payer_profile(facts) == cadence.GOOD_PAYER_LATE
