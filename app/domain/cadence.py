"""The cadence: which step of a scenario is due for a case today, and whether it may go out.

Pure decisions, no database: `services.cadence` gathers each case's state, calls `decide`, and
performs what it returns. A scenario is an ordered list of steps; a step is due on a day counted
from the start of the case's stage (or from the last contact with the debtor), and steps happen in
order, each once per stage. Nothing here sends anything.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from app.domain import pipeline
from app.domain.i18n import N_

# --- Vocabulary -----------------------------------------------------------------------------

EMAIL = "email"
LETTER = "letter"
REGISTERED = "registered_letter"
CALL = "call_task"
SMS = "sms"
ESCALATION = "escalation"
CHANNELS = (EMAIL, LETTER, REGISTERED, CALL, SMS, ESCALATION)
CHANNEL_LABELS = {
    EMAIL: N_("E-mail"),
    LETTER: N_("Courrier"),
    REGISTERED: N_("Lettre recommandée"),
    CALL: N_("Appel à passer"),
    SMS: N_("SMS (non envoyé : aucun fournisseur)"),
    ESCALATION: N_("Proposition de passage au judiciaire"),
}
# What reaches the debtor, and so counts against the contact-pressure cap.
CONTACT_CHANNELS = frozenset({EMAIL, LETTER, REGISTERED, CALL, SMS})
TEMPLATE_CHANNELS = frozenset({EMAIL, LETTER, REGISTERED})

STAGE_START = "stage_start"
LAST_CONTACT = "last_contact"
ANCHORS = (STAGE_START, LAST_CONTACT)
ANCHOR_LABELS = {
    STAGE_START: N_("après le début de l'étape"),
    LAST_CONTACT: N_("après le dernier contact"),
}

NEW = "new"
GOOD_PAYER_LATE = "good_payer_late"
REPEAT_LATE = "repeat_late_payer"
DISPUTED = "disputed"
HIGH_AMOUNT = "high_amount"
PROFILES = (NEW, GOOD_PAYER_LATE, REPEAT_LATE, DISPUTED, HIGH_AMOUNT)
PROFILE_LABELS = {
    NEW: N_("Nouveau débiteur"),
    GOOD_PAYER_LATE: N_("Bon payeur en retard"),
    REPEAT_LATE: N_("Retards répétés"),
    DISPUTED: N_("Facture contestée"),
    HIGH_AMOUNT: N_("Montant élevé"),
}
HIGH_AMOUNT_CENTS = 10_000_00

# Stages a scenario may be written for (intake waits for the agency's acceptance; a closed or
# returned case gets nothing).
SCENARIO_STAGES = (pipeline.AMICABLE, pipeline.JUDICIAL)

MAX_OFFSET_DAYS = 365
CONTACT_CAP = 3  # contacts with one debtor, all channels and creditors together ...
CAP_WINDOW_DAYS = 7  # ... in any window of this many days

SKIP_REASONS = {
    "not_open": N_("Dossier clos"),
    "no_scenario": N_("Aucun scénario pour cette étape"),
    "hold": N_("Dossier suspendu"),
    "plan": N_("Échéancier respecté en cours"),
    "promise": N_("Promesse de paiement en attente"),
    "finished": N_("Scénario terminé"),
    "not_due": N_("Prochaine étape pas encore due"),
    "cap": N_("Plafond de contacts atteint pour ce débiteur"),
    "not_business_day": N_("Appel reporté au prochain jour ouvré"),
    "waiting": N_("Une étape précédente attend encore"),
}


@dataclass(frozen=True)
class Step:
    offset_days: int
    channel: str
    template: str | None = None
    anchor: str = STAGE_START

    def as_dict(self) -> dict:
        return {
            "offset_days": self.offset_days,
            "channel": self.channel,
            "template": self.template,
            "anchor": self.anchor,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Step:
        return cls(
            offset_days=int(data["offset_days"]),
            channel=data["channel"],
            template=data.get("template") or None,
            anchor=data.get("anchor") or STAGE_START,
        )


def step_keys(steps: tuple[Step, ...] | list[Step]) -> list[str]:
    """Each step's part of an action's natural key (case, step, due date): its channel and
    template, numbered when repeated ("call_task:-", "call_task:-#2"). Not its position or its
    day, so that an agency editing a live scenario (moving a day, adding a letter) does not make
    cases repeat steps they already had."""
    seen: dict[str, int] = defaultdict(int)
    keys = []
    for step in steps:
        base = f"{step.channel}:{step.template or '-'}"
        seen[base] += 1
        keys.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return keys


@dataclass(frozen=True)
class Scenario:
    name: str
    stage: str
    steps: tuple[Step, ...]
    profile: str | None = None  # None: any payer profile
    creditor_id: int | None = None  # None: every creditor's mandate
    id: int | None = None  # None: the built-in default


DEFAULT_AMICABLE = Scenario(
    name="Amiable standard",
    stage=pipeline.AMICABLE,
    steps=(
        Step(0, LETTER, "relance_amiable"),
        Step(0, EMAIL, "email_relance"),
        Step(3, CALL),
        Step(10, LETTER, "relance_2"),
        Step(15, CALL),
        Step(21, REGISTERED, "mise_en_demeure"),
        Step(30, ESCALATION),
    ),
)


def validate_steps(
    steps: list[Step], known_templates: set[str], stage: str = pipeline.AMICABLE
) -> list[str]:
    """Why a scenario cannot be saved (empty: it can). Messages name the step by its number."""
    errors: list[str] = []
    if not steps:
        return [N_("Un scénario contient au moins une étape.")]
    previous = None
    for number, step in enumerate(steps, start=1):
        prefix = f"Étape {number} : "
        if step.channel not in CHANNELS:
            errors.append(prefix + N_("canal inconnu."))
            continue
        if step.anchor not in ANCHORS:
            errors.append(prefix + N_("point de départ inconnu."))
        if step.offset_days < 0:
            errors.append(prefix + N_("le délai ne peut pas être négatif."))
        elif step.offset_days > MAX_OFFSET_DAYS:
            errors.append(prefix + N_("le délai dépasse 365 jours."))
        if step.channel in TEMPLATE_CHANNELS:
            if not step.template:
                errors.append(prefix + N_("choisissez un modèle de courrier."))
            elif step.template not in known_templates:
                errors.append(prefix + f"modèle inconnu « {step.template} ».")
        elif step.template:
            errors.append(prefix + N_("ce canal n'utilise pas de modèle."))
        if step.channel == ESCALATION and stage != pipeline.AMICABLE:
            errors.append(prefix + N_("l'escalade ne se propose qu'en phase amiable."))
        if previous is not None and previous.channel == ESCALATION:
            errors.append(prefix + N_("aucune étape ne peut suivre la proposition d'escalade."))
        if (
            previous is not None
            and step.anchor == STAGE_START
            and previous.anchor == STAGE_START
            and step.offset_days < previous.offset_days
        ):
            errors.append(prefix + N_("elle tombe avant l'étape précédente."))
        previous = step
    return errors


# --- Which scenario applies -----------------------------------------------------------------


@dataclass(frozen=True)
class ProfileFacts:
    claim_cents: int
    any_invoice_disputed: bool = False
    earlier_cases: int = 0  # the same debtor's earlier cases at the agency, any creditor
    earlier_cases_paid: int = 0  # of which closed as paid
    broken_promises: int = 0


def payer_profile(facts: ProfileFacts) -> str:
    """The first that applies: disputed, high amount, repeat late payer, good payer late, new."""
    if facts.any_invoice_disputed:
        return DISPUTED
    if facts.claim_cents >= HIGH_AMOUNT_CENTS:
        return HIGH_AMOUNT
    if facts.broken_promises or facts.earlier_cases > facts.earlier_cases_paid:
        return REPEAT_LATE
    if facts.earlier_cases:
        return GOOD_PAYER_LATE
    return NEW


def choose_scenario(
    scenarios: list[Scenario], stage: str, creditor_id: int, profile: str
) -> Scenario | None:
    """The most specific scenario for the stage: the creditor's own for this profile, then the
    creditor's own, then the agency's for this profile, then the agency's general one; the
    built-in default for the amicable stage when the agency defined none."""
    best, best_rank = None, -1
    for scenario in scenarios:
        if scenario.stage != stage:
            continue
        if scenario.creditor_id is not None and scenario.creditor_id != creditor_id:
            continue
        if scenario.profile is not None and scenario.profile != profile:
            continue
        rank = 2 * (scenario.creditor_id is not None) + (scenario.profile is not None)
        if rank > best_rank:
            best, best_rank = scenario, rank
    if best is None and stage == pipeline.AMICABLE:
        return DEFAULT_AMICABLE
    return best


# --- Business days and calling hours (LAW.md section 8) -----------------------------------


@lru_cache(maxsize=64)
def _french_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.France(years=year))


def is_public_holiday(day: date) -> bool:
    return day in _french_holidays(day.year)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and not is_public_holiday(day)


def next_business_day(day: date) -> date:
    """`day` itself when it is a business day, else the next one."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class CallingHours:
    """The agency's policy: weekdays 8:00-20:00, Saturday 9:00-13:00, never on Sundays or
    public holidays (Europe/Paris local time)."""

    weekday: tuple[time, time] = (time(8), time(20))
    saturday: tuple[time, time] | None = (time(9), time(13))

    def window(self, day: date) -> tuple[time, time] | None:
        if is_public_holiday(day) or day.weekday() == 6:
            return None
        if day.weekday() == 5:
            return self.saturday
        return self.weekday

    def allows(self, moment: datetime) -> bool:
        """`moment` is a naive or aware local (Paris) time."""
        window = self.window(moment.date())
        return window is not None and window[0] <= moment.time() < window[1]

    def next_opening(self, moment: datetime) -> datetime:
        """The first moment at or after `moment` when a call may be made."""
        day = moment.date()
        for offset in range(15):
            current = day + timedelta(days=offset)
            window = self.window(current)
            if window is None:
                continue
            start = datetime.combine(current, window[0], moment.tzinfo)
            end = datetime.combine(current, window[1], moment.tzinfo)
            if offset == 0 and moment >= end:
                continue
            return max(start, moment) if offset == 0 else start
        raise ValueError("no calling window in the next two weeks")


CALLING_HOURS = CallingHours()


# --- Contact pressure -----------------------------------------------------------------------


@dataclass
class ContactPressure:
    """Contacts per debtor (the debtor identity across creditors, or the debtor record) by day.
    One object spans the whole daily run, so cases of one debtor share the cap."""

    cap: int = CONTACT_CAP
    window_days: int = CAP_WINDOW_DAYS
    _days: dict[str, list[date]] = field(default_factory=lambda: defaultdict(list))

    def record(self, debtor_key: str, day: date) -> None:
        self._days[debtor_key].append(day)

    def count(self, debtor_key: str, day: date) -> int:
        first = day - timedelta(days=self.window_days - 1)
        return sum(1 for d in self._days.get(debtor_key, ()) if first <= d <= day)

    def allows(self, debtor_key: str, day: date) -> bool:
        return self.count(debtor_key, day) < self.cap


# --- The decision ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseState:
    """What the decision needs about one case, gathered by the service in bulk."""

    case_id: int
    debtor_key: str
    stage: str
    stage_started_on: date
    hold_reason: str | None = None
    plan_in_good_standing: bool = False
    pending_promise: bool = False
    # Steps already performed (or definitively skipped) in this stage: key -> day.
    done: dict[str, date] = field(default_factory=dict)
    last_contact_on: date | None = None
    # A step of an earlier day not yet performed (blocked, or its job not run): nothing passes it.
    unfinished: bool = False


@dataclass(frozen=True)
class PlannedAction:
    case_id: int
    step_index: int
    step_key: str
    channel: str
    template: str | None
    due_on: date


@dataclass(frozen=True)
class Decision:
    actions: tuple[PlannedAction, ...] = ()
    skipped: str | None = None  # a SKIP_REASONS key: why nothing (more) happens today


def due_date(step: Step, state: CaseState, previous_done_on: date | None) -> date:
    if step.anchor == LAST_CONTACT:
        base = max(
            d for d in (state.last_contact_on, previous_done_on, state.stage_started_on) if d
        )
    else:
        base = state.stage_started_on
    due = base + timedelta(days=step.offset_days)
    return next_business_day(due) if step.channel == CALL else due


HELD = ("dispute", "creditor_request")


def pause_reason(state: CaseState) -> str | None:
    """Why the cadence leaves this case alone for now (a SKIP_REASONS key), or None."""
    if state.hold_reason in HELD:
        return "hold"
    if state.plan_in_good_standing or state.hold_reason == "payment_plan":
        return "plan"
    if state.pending_promise or state.hold_reason == "promise":
        return "promise"
    return None


def decide(
    state: CaseState, scenario: Scenario | None, today: date, pressure: ContactPressure
) -> Decision:
    """The steps to perform today, in order. A step waits for the one before it; a contact the
    cap refuses waits too (the next run tries again), so a debtor is never flooded, even after
    missed days. Records the planned contacts in `pressure`."""
    if not pipeline.is_open(state.stage):
        return Decision(skipped="not_open")
    if scenario is None:
        return Decision(skipped="no_scenario")
    paused = pause_reason(state)
    if paused:
        return Decision(skipped=paused)
    if state.unfinished:
        return Decision(skipped="waiting")
    planned: list[PlannedAction] = []
    previous_done_on: date | None = None
    for index, (step, key) in enumerate(
        zip(scenario.steps, step_keys(scenario.steps), strict=True)
    ):
        if key in state.done:
            previous_done_on = state.done[key]
            continue
        due = due_date(step, state, previous_done_on)
        if due > today:
            return Decision(tuple(planned), None if planned else "not_due")
        if step.channel == CALL and not is_business_day(today):
            return Decision(tuple(planned), None if planned else "not_business_day")
        if step.channel in CONTACT_CHANNELS:
            if not pressure.allows(state.debtor_key, today):
                return Decision(tuple(planned), "cap")
            pressure.record(state.debtor_key, today)
        planned.append(PlannedAction(state.case_id, index, key, step.channel, step.template, due))
        previous_done_on = today
    return Decision(tuple(planned), None if planned else "finished")


# --- What the agent sees ----------------------------------------------------------------------


@dataclass(frozen=True)
class StepView:
    number: int
    step: Step
    due_on: date  # when it falls (or fell) due, counted as the run counts it
    done_on: date | None  # the day the run decided it, if it did


def projected_steps(state: CaseState, scenario: Scenario) -> list[StepView]:
    """Each step of the scenario with the day it is (or was) due: a case's automatic plan, as
    the case page shows it. Steps not yet decided are projected from the last decided one."""
    views = []
    previous_done_on: date | None = None
    for number, (step, key) in enumerate(
        zip(scenario.steps, step_keys(scenario.steps), strict=True), start=1
    ):
        done_on = state.done.get(key)
        views.append(StepView(number, step, due_date(step, state, previous_done_on), done_on))
        previous_done_on = done_on or previous_done_on
    return views
