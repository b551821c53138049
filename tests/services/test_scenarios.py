"""Managers write the scenarios the daily run follows; a scenario it could not follow is refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.domain import cadence, pipeline
from app.domain.cadence import CALL, ESCALATION, LETTER, Step
from app.extensions import db
from app.models import AuditEvent
from app.services import scenarios
from app.services.errors import Forbidden, ValidationFailed

STEPS = [Step(0, LETTER, "relance_amiable"), Step(5, CALL), Step(20, ESCALATION)]


def save(actor, scenario=None, **overrides):
    values = {
        "name": "Relance courte",
        "stage": pipeline.AMICABLE,
        "profile": None,
        "creditor_id": None,
        "steps": STEPS,
    }
    values.update(overrides)
    return scenarios.save_scenario(actor, scenario, **values)


def test_a_supervisor_saves_a_scenario_the_daily_run_then_follows(people):
    saved = save(people.supervisor, creditor_id=people.creditor.id, profile=cadence.HIGH_AMOUNT)
    assert saved.id is not None and saved.active
    assert saved.steps == [step.as_dict() for step in STEPS]
    (domain,) = scenarios.active_scenarios()
    assert domain == cadence.Scenario(
        "Relance courte",
        pipeline.AMICABLE,
        tuple(STEPS),
        profile=cadence.HIGH_AMOUNT,
        creditor_id=people.creditor.id,
        id=saved.id,
    )


def test_an_agent_cannot_write_a_scenario(people):
    with pytest.raises(Forbidden):
        save(people.agent)
    assert scenarios.active_scenarios() == []


def test_a_scenario_needs_a_name(people):
    with pytest.raises(ValidationFailed) as error:
        save(people.admin, name="   ")
    assert error.value.errors == {"name": ["Donnez un nom au scénario."]}


def test_invalid_steps_are_refused_with_every_reason(people):
    steps = [Step(-1, CALL), Step(3, LETTER, "requete_injonction_de_payer")]
    with pytest.raises(ValidationFailed) as error:
        save(people.admin, steps=steps)
    assert error.value.errors == {
        "steps": [
            "Étape 1 : le délai ne peut pas être négatif.",
            # A court draft is not addressed to the debtor: no scenario may send it.
            "Étape 2 : modèle inconnu « requete_injonction_de_payer ».",
        ]
    }
    assert scenarios.active_scenarios() == []


def test_the_email_template_is_a_known_template(people):
    save(people.admin, steps=[Step(0, cadence.EMAIL, "email_relance")])
    assert len(scenarios.active_scenarios()) == 1


def test_two_active_scenarios_cannot_cover_the_same_stage_profile_and_creditor(people):
    save(people.admin)
    with pytest.raises(ValidationFailed) as error:
        save(people.admin, name="Doublon")
    assert list(error.value.errors) == ["scope"]
    save(people.admin, name="Pour un créancier", creditor_id=people.creditor.id)
    save(people.admin, name="Pour un profil", profile=cadence.NEW)
    assert len(scenarios.active_scenarios()) == 3


def test_a_deactivated_scenario_frees_its_place_and_leaves_the_daily_run(people):
    first = save(people.admin)
    scenarios.deactivate_scenario(people.supervisor, first)
    assert scenarios.active_scenarios() == []
    assert scenarios.default_applies()
    second = save(people.admin, name="Remplaçant")
    assert [s.id for s in scenarios.active_scenarios()] == [second.id]
    assert not scenarios.default_applies()


def test_deactivating_twice_is_refused(people):
    scenario = save(people.admin)
    scenarios.deactivate_scenario(people.admin, scenario)
    with pytest.raises(ValidationFailed):
        scenarios.deactivate_scenario(people.admin, scenario)


def test_editing_a_scenario_keeps_its_own_place(people):
    scenario = save(people.admin)
    edited = save(people.supervisor, scenario, name="Relance courte v2", steps=STEPS[:2])
    assert edited.id == scenario.id and edited.name == "Relance courte v2"
    assert len(edited.steps) == 2


def test_the_audit_trail_holds_the_steps_before_and_after(people):
    scenario = save(people.admin)
    save(people.supervisor, scenario, steps=STEPS[:1])
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity == "scenario").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["scenario.created", "scenario.updated"]
    assert events[0].changes["steps"] == [[], [s.as_dict() for s in STEPS]]
    assert events[1].changes["steps"] == [
        [s.as_dict() for s in STEPS],
        [STEPS[0].as_dict()],
    ]
    assert events[1].actor_id == people.supervisor.id


def test_a_scenario_for_an_unknown_creditor_is_refused(people):
    with pytest.raises(ValidationFailed) as error:
        save(people.admin, creditor_id=people.agency.id)
    assert error.value.errors == {"creditor_id": ["Créancier inconnu."]}
