"""Back-office: the scenario editor (managers). Routes join the agent blueprint."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import formatting
from app.agent.routes import bp, manager_required
from app.agent.scenario_forms import ScenarioForm, steps_data
from app.domain import cadence
from app.models import Scenario
from app.services import scenarios, worklist
from app.services.errors import NotFound, ValidationFailed

# validate_steps names the step: "Étape 2 : le délai ...". The row shows the rest, translated.
STEP_MESSAGE = re.compile(r"^Étape (\d+) : (.*)$", re.DOTALL)


def describe_step(step: cadence.Step) -> str:
    """A step in words: "J+3 après le début de l'étape : Appel à passer"."""
    text = _(
        "J+%(days)s %(anchor)s : %(channel)s",
        days=step.offset_days,
        anchor=formatting.label(cadence.ANCHOR_LABELS, step.anchor),
        channel=formatting.label(cadence.CHANNEL_LABELS, step.channel),
    )
    if step.template:
        text += f" ({formatting.letter_label(step.template)})"
    return text


bp.add_app_template_global(describe_step, "describe_step")
bp.add_app_template_global(
    lambda code: formatting.label(cadence.PROFILE_LABELS, code), "profile_label"
)


def _form(**kwargs) -> ScenarioForm:
    return ScenarioForm(creditors=worklist.creditor_organisations(current_user), **kwargs)


def _load(scenario_id: int) -> Scenario:
    try:
        return scenarios.get_scenario(current_user, scenario_id)
    except NotFound:
        abort(404)


def _show_errors(form: ScenarioForm, exc: ValidationFailed) -> list[str]:
    """Step messages go on their row; the others on their field or the top of the form."""
    leftovers: list[str] = []
    rows = form.steps.entries
    for key, messages in exc.errors.items():
        for message in messages:
            match = STEP_MESSAGE.match(message) if key == "steps" else None
            if match and 1 <= int(match.group(1)) <= len(rows):
                row = rows[int(match.group(1)) - 1]
                row.form.form_errors = [*row.form.form_errors, _(match.group(2))]
                continue
            field = None if key == "steps" else getattr(form, key, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, _(message)]
            else:
                leftovers.append(_(message))
    return leftovers


def _editor(form, scenario=None, leftovers=(), status=200):
    return (
        render_template(
            "agent/scenario_form.html", form=form, scenario=scenario, leftovers=list(leftovers)
        ),
        status,
    )


def _submit(form: ScenarioForm, scenario: Scenario | None):
    """The editor's POST: add or remove rows (re-render), or save."""
    form.keep_rows()
    if form.add_step.data:
        form.add_row()
        return _editor(form, scenario)
    if not form.steps.entries:
        form.add_row()
    if not form.validate():
        return _editor(form, scenario, status=422)
    try:
        saved = scenarios.save_scenario(
            current_user,
            scenario,
            name=form.name.data or "",
            stage=form.stage.data,
            profile=form.profile.data or None,
            creditor_id=form.creditor,
            steps=form.step_list(),
            active=scenario.active if scenario is not None else True,
        )
    except ValidationFailed as exc:
        return _editor(form, scenario, _show_errors(form, exc), 422)
    flash(_("Scénario « %(name)s » enregistré.", name=saved.name), "success")
    return redirect(url_for("agent.scenarios"))


@bp.route("/scenarios", endpoint="scenarios")
@manager_required
def scenarios_list():
    return render_template(
        "agent/scenarios.html",
        scenarios=scenarios.list_scenarios(current_user),
        default=cadence.DEFAULT_AMICABLE if scenarios.default_applies() else None,
    )


@bp.route("/scenarios/nouveau", methods=["GET", "POST"])
@manager_required
def new_scenario():
    if request.method == "POST":
        return _submit(_form(), None)
    if request.args.get("copie") == "defaut":
        default = cadence.DEFAULT_AMICABLE
        form = _form(
            formdata=None,
            data={
                "name": default.name,
                "stage": default.stage,
                "profile": "",
                "creditor_id": "",
                "steps": steps_data(default.steps),
            },
        )
    else:
        form = _form(formdata=None)
    return _editor(form)


@bp.route("/scenarios/<int:scenario_id>", methods=["GET", "POST"])
@manager_required
def edit_scenario(scenario_id: int):
    scenario = _load(scenario_id)
    if request.method == "POST":
        return _submit(_form(), scenario)
    form = _form(
        formdata=None,
        data={
            "name": scenario.name,
            "stage": scenario.stage,
            "profile": scenario.profile or "",
            "creditor_id": str(scenario.creditor_id or ""),
            "steps": steps_data(scenario.to_domain().steps),
        },
    )
    return _editor(form, scenario)


@bp.route("/scenarios/<int:scenario_id>/desactivation", methods=["GET", "POST"])
@manager_required
def deactivate_scenario(scenario_id: int):
    scenario = _load(scenario_id)
    if request.method == "GET":
        return render_template("agent/scenario_deactivate.html", scenario=scenario)
    if request.form.get("confirm") != "yes":
        flash(_("Cochez la case pour confirmer la désactivation."), "danger")
        return render_template("agent/scenario_deactivate.html", scenario=scenario), 422
    try:
        scenarios.deactivate_scenario(current_user, scenario)
    except ValidationFailed as exc:
        for messages in exc.errors.values():
            for message in messages:
                flash(_(message), "warning")
    else:
        flash(_("Scénario « %(name)s » désactivé.", name=scenario.name), "success")
    return redirect(url_for("agent.scenarios"))
