"""The case pipeline: every stage, every allowed move and its guard.

intake -> amicable -> judicial -> closed, with insolvency and "returned to creditor" as side
exits. A move is allowed only if it is listed here and its guard passes; `check_transition`
explains a refusal in words the agent can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain import roles
from app.domain.i18n import N_

INTAKE = "intake"
AMICABLE = "amicable"
JUDICIAL = "judicial"
INSOLVENCY = "insolvency"
RETURNED = "returned"
CLOSED = "closed"

STAGES = (INTAKE, AMICABLE, JUDICIAL, INSOLVENCY, RETURNED, CLOSED)
OPEN_STAGES = frozenset({INTAKE, AMICABLE, JUDICIAL, INSOLVENCY})

STAGE_LABELS = {
    INTAKE: N_("Réception"),
    AMICABLE: N_("Amiable"),
    JUDICIAL: N_("Judiciaire"),
    INSOLVENCY: N_("Procédure collective"),
    RETURNED: N_("Renvoyé au créancier"),
    CLOSED: N_("Clôturé"),
}

HOLD_REASONS = ("dispute", "creditor_request", "payment_plan", "promise")
HOLD_LABELS = {
    "dispute": N_("Litige"),
    "creditor_request": N_("Demande du créancier"),
    "payment_plan": N_("Échéancier en cours"),
    "promise": N_("Promesse de paiement"),
}

OUTCOMES = ("paid", "settled", "irrecoverable", "withdrawn", "prescribed")
OUTCOME_LABELS = {
    "paid": N_("Payé"),
    "settled": N_("Transigé"),
    "irrecoverable": N_("Irrécouvrable"),
    "withdrawn": N_("Retiré par le créancier"),
    "prescribed": N_("Prescrit"),
}

RETURN_REASONS = ("incomplete", "prescribed", "disputed", "other")
RETURN_REASON_LABELS = {
    "incomplete": N_("Dossier incomplet"),
    "prescribed": N_("Créance prescrite"),
    "disputed": N_("Créance contestée"),
    "other": N_("Autre motif"),
}


class TransitionRefused(Exception):
    """A stage move that the pipeline does not allow, with the reason in French."""


@dataclass(frozen=True)
class CaseFacts:
    """What the guards need to know about a case, gathered by the caller."""

    stage: str
    invoice_count: int
    creditor_has_mandate: bool
    judicial_approved: bool = False


@dataclass(frozen=True)
class MoveRequest:
    target: str
    actor_role: str
    reason: str = ""
    outcome: str | None = None
    return_reason: str | None = None


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    roles: frozenset[str]
    needs_reason: bool = False
    guards: tuple = field(default_factory=tuple)


def _needs_mandate(facts: CaseFacts, _move: MoveRequest) -> str | None:
    if not facts.creditor_has_mandate:
        return N_("Aucun mandat écrit signé n'est enregistré pour ce créancier (art. R124-3 CPCE).")
    return None


def _needs_invoice(facts: CaseFacts, _move: MoveRequest) -> str | None:
    if facts.invoice_count < 1:
        return N_("Le dossier ne contient aucune facture.")
    return None


def _needs_judicial_approval(facts: CaseFacts, _move: MoveRequest) -> str | None:
    if not facts.judicial_approved:
        return N_("Le créancier n'a pas donné son accord pour la phase judiciaire.")
    return None


def _needs_outcome(_facts: CaseFacts, move: MoveRequest) -> str | None:
    if move.outcome not in OUTCOMES:
        return N_("Indiquez l'issue de la clôture.")
    return None


def _needs_return_reason(_facts: CaseFacts, move: MoveRequest) -> str | None:
    if move.return_reason not in RETURN_REASONS:
        return N_("Indiquez le motif du renvoi au créancier.")
    return None


def _creditor_may_only_withdraw(_facts: CaseFacts, move: MoveRequest) -> str | None:
    # A creditor closing its own file is withdrawing it; only the agency records other outcomes.
    if move.actor_role in roles.CREDITOR_ROLES and move.outcome != "withdrawn":
        return N_("Un créancier ne peut clôturer un dossier qu'en le retirant.")
    return None


AGENCY = roles.AGENCY_ROLES
MANAGERS = roles.MANAGER_ROLES
CREDITORS = roles.CREDITOR_ROLES

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.source, t.target): t
    for t in (
        Transition(INTAKE, AMICABLE, AGENCY, guards=(_needs_mandate, _needs_invoice)),
        Transition(INTAKE, RETURNED, AGENCY, needs_reason=True, guards=(_needs_return_reason,)),
        Transition(
            INTAKE,
            CLOSED,
            AGENCY | CREDITORS,
            needs_reason=True,
            guards=(_needs_outcome, _creditor_may_only_withdraw),
        ),
        Transition(INTAKE, INSOLVENCY, AGENCY, needs_reason=True),
        Transition(RETURNED, INTAKE, AGENCY | CREDITORS, needs_reason=True),
        Transition(
            AMICABLE, JUDICIAL, MANAGERS, needs_reason=True, guards=(_needs_judicial_approval,)
        ),
        Transition(AMICABLE, INSOLVENCY, AGENCY, needs_reason=True),
        Transition(AMICABLE, RETURNED, AGENCY, needs_reason=True, guards=(_needs_return_reason,)),
        Transition(AMICABLE, CLOSED, AGENCY, needs_reason=True, guards=(_needs_outcome,)),
        Transition(JUDICIAL, INSOLVENCY, AGENCY, needs_reason=True),
        Transition(JUDICIAL, CLOSED, AGENCY, needs_reason=True, guards=(_needs_outcome,)),
        # A collective procedure can end with the debtor back in business: pursuit resumes.
        Transition(INSOLVENCY, AMICABLE, MANAGERS, needs_reason=True),
        Transition(INSOLVENCY, CLOSED, AGENCY, needs_reason=True, guards=(_needs_outcome,)),
    )
}


def allowed_targets(stage: str, role: str) -> list[str]:
    """Stages a user with this role could move a case to from `stage` (guards not applied)."""
    return [t.target for (src, _), t in TRANSITIONS.items() if src == stage and role in t.roles]


def check_transition(facts: CaseFacts, move: MoveRequest) -> Transition:
    """Return the transition if the move is allowed, else raise TransitionRefused saying why."""
    if move.target not in STAGES:
        raise TransitionRefused(f"Étape inconnue : {move.target}.")
    if facts.stage == move.target:
        raise TransitionRefused(N_("Le dossier est déjà à cette étape."))
    transition = TRANSITIONS.get((facts.stage, move.target))
    if transition is None:
        raise TransitionRefused(
            f"Passage impossible de « {STAGE_LABELS[facts.stage]} » "
            f"à « {STAGE_LABELS[move.target]} »."
        )
    if move.actor_role not in transition.roles:
        raise TransitionRefused(N_("Votre rôle ne permet pas ce changement d'étape."))
    if transition.needs_reason and not move.reason.strip():
        raise TransitionRefused(N_("Indiquez la raison de ce changement d'étape."))
    for guard in transition.guards:
        refusal = guard(facts, move)
        if refusal:
            raise TransitionRefused(refusal)
    return transition


def is_open(stage: str) -> bool:
    return stage in OPEN_STAGES
