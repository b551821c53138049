"""The priority of an agent's task: which case to work first, and why, in points.

score = amount + age + silence + promises + task
- amount owed: 40 points from 10,000 EUR, 30 from 5,000, 20 from 1,000, 10 from 250, else 5;
- age of the debt: 1 point per 15 days past the oldest due date, at most 20;
- silence: 1 point per day since the last contact with the debtor, at most 15 (never contacted:
  15);
- promise history: 10 points per broken promise, at most 20; minus 5 when the last promise was kept;
- the task itself: a claim to declare or a judicial deadline 35, limitation date near 30, the
  debtor asked to be called back 25, broken promise or breached plan 20, creditor refused
  escalation 10, a scheduled call 5.
Integers only, so the order is stable and the agent can add the reasons up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.i18n import N_

AMOUNT_STEPS = ((10_000_00, 40), (5_000_00, 30), (1_000_00, 20), (250_00, 10))
AMOUNT_FLOOR = 5
AGE_DAYS_PER_POINT = 15
AGE_MAX = 20
SILENCE_MAX = 15
BROKEN_PROMISE_POINTS = 10
BROKEN_PROMISES_MAX = 20
KEPT_PROMISE_POINTS = -5
TASK_POINTS = {
    "claim_declaration": 35,
    "judicial_deadline": 35,
    "limitation": 30,
    "callback": 25,
    "promise_broken": 20,
    "plan_breached": 20,
    "escalation_refused": 10,
    "call": 5,
}


@dataclass(frozen=True)
class ScoreFacts:
    outstanding_cents: int
    oldest_due_on: date | None
    last_contact_on: date | None
    broken_promises: int = 0
    last_promise_kept: bool = False
    task_kind: str = "call"


@dataclass(frozen=True)
class Score:
    total: int
    reasons: tuple[tuple[str, int], ...]  # (what, points), in the formula's order


def _amount_points(cents: int) -> int:
    for threshold, points in AMOUNT_STEPS:
        if cents >= threshold:
            return points
    return AMOUNT_FLOOR


def score(facts: ScoreFacts, today: date) -> Score:
    reasons: list[tuple[str, int]] = [(N_("Montant dû"), _amount_points(facts.outstanding_cents))]
    if facts.oldest_due_on is not None and facts.oldest_due_on < today:
        late_days = (today - facts.oldest_due_on).days
        reasons.append(
            (N_("Ancienneté de la dette"), min(AGE_MAX, late_days // AGE_DAYS_PER_POINT))
        )
    if facts.last_contact_on is None:
        reasons.append((N_("Jamais contacté"), SILENCE_MAX))
    else:
        silent_days = max(0, (today - facts.last_contact_on).days)
        reasons.append((N_("Jours sans contact"), min(SILENCE_MAX, silent_days)))
    if facts.broken_promises:
        points = min(BROKEN_PROMISES_MAX, BROKEN_PROMISE_POINTS * facts.broken_promises)
        reasons.append((N_("Promesses non tenues"), points))
    if facts.last_promise_kept:
        reasons.append((N_("Dernière promesse tenue"), KEPT_PROMISE_POINTS))
    task_points = TASK_POINTS.get(facts.task_kind, 0)
    if task_points:
        reasons.append((N_("Nature de la tâche"), task_points))
    reasons = [(what, points) for what, points in reasons if points]
    return Score(total=sum(points for _, points in reasons), reasons=tuple(reasons))
