"""Scenarios the agency writes: which steps a case goes through in a stage, for which creditor
and payer profile. The daily run reads them through `active_scenarios`; the rules of a valid
scenario live in domain.cadence."""

from __future__ import annotations

import sqlalchemy as sa

from app.domain import cadence
from app.domain import letters as letter_rules
from app.domain.i18n import N_
from app.extensions import db
from app.models import Organisation, Scenario
from app.services import access
from app.services.audit import record_audit
from app.services.errors import NotFound, ValidationFailed


def known_templates() -> set[str]:
    """The templates a scenario may send: letters addressed to the debtor, and e-mails."""
    letters = {name for name, t in letter_rules.TEMPLATES.items() if t.to_debtor}
    return letters | set(letter_rules.EMAIL_TEMPLATES)


def list_scenarios(actor) -> list[Scenario]:
    """Active ones first, then by stage, creditor and name."""
    access.require_agency(actor)
    return list(
        db.session.scalars(
            sa.select(Scenario).order_by(
                Scenario.active.desc(), Scenario.stage, Scenario.creditor_id, Scenario.name
            )
        )
    )


def get_scenario(actor, scenario_id: int) -> Scenario:
    access.require_agency(actor)
    scenario = db.session.get(Scenario, scenario_id)
    if scenario is None:
        raise NotFound(N_("Scénario introuvable."))
    return scenario


def active_scenarios() -> list[cadence.Scenario]:
    """What the daily run chooses from (domain.cadence.choose_scenario)."""
    rows = db.session.scalars(
        sa.select(Scenario).where(Scenario.active.is_(True)).order_by(Scenario.id)
    )
    return [row.to_domain() for row in rows]


def default_applies() -> bool:
    """True while no active agency-wide scenario replaces the built-in amicable default."""
    return not db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Scenario)
        .where(
            Scenario.active.is_(True),
            Scenario.stage == cadence.DEFAULT_AMICABLE.stage,
            Scenario.profile.is_(None),
            Scenario.creditor_id.is_(None),
        )
    )


def _same_scope_exists(scenario, stage, profile, creditor_id) -> bool:
    query = sa.select(Scenario.id).where(
        Scenario.active.is_(True),
        Scenario.stage == stage,
        Scenario.profile.is_(None) if profile is None else Scenario.profile == profile,
        Scenario.creditor_id.is_(None)
        if creditor_id is None
        else Scenario.creditor_id == creditor_id,
    )
    if scenario is not None and scenario.id is not None:
        query = query.where(Scenario.id != scenario.id)
    return db.session.scalar(query.limit(1)) is not None


def save_scenario(
    actor,
    scenario: Scenario | None,
    *,
    name: str,
    stage: str,
    profile: str | None,
    creditor_id: int | None,
    steps: list[cadence.Step],
    active: bool = True,
) -> Scenario:
    """Create (scenario None) or change a scenario; refuses one the daily run could not follow,
    or a second active scenario for the same stage, profile and creditor (which one would
    apply would be a coin toss)."""
    access.require_manager(actor)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [N_("Donnez un nom au scénario.")]
    elif len(name) > 100:
        errors["name"] = [N_("Le nom ne dépasse pas 100 caractères.")]
    if stage not in cadence.SCENARIO_STAGES:
        errors["stage"] = [N_("Choisissez l'étape amiable ou judiciaire.")]
    if profile is not None and profile not in cadence.PROFILES:
        errors["profile"] = [N_("Profil de payeur inconnu.")]
    if creditor_id is not None:
        creditor = db.session.get(Organisation, creditor_id)
        if creditor is None or creditor.kind != "creditor":
            errors["creditor_id"] = [N_("Créancier inconnu.")]
    step_errors = cadence.validate_steps(list(steps), known_templates(), stage)
    if step_errors:
        errors["steps"] = step_errors
    if active and not errors and _same_scope_exists(scenario, stage, profile, creditor_id):
        errors["scope"] = [
            N_(
                "Un autre scénario actif couvre déjà cette étape, ce profil et ce créancier : "
                "modifiez-le ou désactivez-le d'abord."
            )
        ]
    if errors:
        raise ValidationFailed(errors)

    after = [step.as_dict() for step in steps]
    created = scenario is None
    before = [] if created else list(scenario.steps or [])
    if created:
        scenario = Scenario()
        db.session.add(scenario)
    previous = {
        "name": None if created else scenario.name,
        "stage": None if created else scenario.stage,
        "profile": None if created else scenario.profile,
        "creditor_id": None if created else scenario.creditor_id,
        "active": None if created else scenario.active,
    }
    scenario.name, scenario.stage, scenario.profile = name, stage, profile
    scenario.creditor_id, scenario.steps, scenario.active = creditor_id, after, active
    scenario.updated_by_id = actor.id
    db.session.flush()
    changes = {
        field: [old, getattr(scenario, field)]
        for field, old in previous.items()
        if old != getattr(scenario, field)
    }
    changes["steps"] = [before, after]
    record_audit(
        actor,
        "scenario.created" if created else "scenario.updated",
        "scenario",
        scenario.id,
        changes=changes,
    )
    db.session.commit()
    return scenario


def deactivate_scenario(actor, scenario: Scenario) -> Scenario:
    """The daily run stops using it (cases fall back to the next most specific scenario)."""
    access.require_manager(actor)
    if not scenario.active:
        raise ValidationFailed({"scenario": [N_("Ce scénario est déjà désactivé.")]})
    scenario.active = False
    scenario.updated_by_id = actor.id
    record_audit(
        actor,
        "scenario.deactivated",
        "scenario",
        scenario.id,
        changes={"active": [True, False], "steps": list(scenario.steps or [])},
    )
    db.session.commit()
    return scenario
