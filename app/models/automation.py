"""Automation: scenarios, the actions the daily run performed, agent tasks, escalation requests,
the record of each daily run, and jobs kept while Redis was unreachable."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import cadence, pipeline
from app.domain.i18n import N_
from app.models.base import Base, TimestampMixin, enum_column, utcnow
from app.models.case import Case
from app.models.org import Organisation, User


class Scenario(TimestampMixin, Base):
    """A cadence the agency wrote. Steps are stored as a list of dicts (domain.cadence.Step)."""

    __tablename__ = "scenario"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    stage: Mapped[str] = enum_column(cadence.SCENARIO_STAGES, "scenario_stage")
    profile: Mapped[str | None] = enum_column(cadence.PROFILES, "payer_profile")
    creditor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    steps: Mapped[list] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    creditor: Mapped[Organisation | None] = relationship()

    def to_domain(self) -> cadence.Scenario:
        return cadence.Scenario(
            name=self.name,
            stage=self.stage,
            steps=tuple(cadence.Step.from_dict(s) for s in self.steps),
            profile=self.profile,
            creditor_id=self.creditor_id,
            id=self.id,
        )


# blocked: waiting for something the agency must fix for every case (a missing interest rate);
# the daily run tries it again, so the step goes out once the agency has fixed it.
ACTION_STATUSES = ("pending", "done", "skipped", "failed", "blocked")
ACTION_STATUS_LABELS = {
    "pending": N_("En attente"),
    "done": N_("Fait"),
    "skipped": N_("Non fait"),
    "failed": N_("En échec"),
    "blocked": N_("Bloqué"),
}


class CadenceAction(Base):
    """One step of a scenario for one case. The natural key (case, step, due date) is unique:
    two runs, or two workers, can only ever insert it once."""

    __tablename__ = "cadence_action"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "step_key", "due_on", name="uq_cadence_action_natural_key"),
        sa.Index("ix_cadence_action_case_stage", "case_id", "stage", "stage_started_on"),
        sa.Index("ix_cadence_action_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"))
    scenario_id: Mapped[int | None] = mapped_column(sa.ForeignKey("scenario.id"))
    # The stage episode the step belongs to: a case back in the amicable stage starts again.
    stage: Mapped[str] = enum_column(pipeline.STAGES, "cadence_action_stage")
    stage_started_on: Mapped[date]
    step_index: Mapped[int]
    step_key: Mapped[str] = mapped_column(sa.String(80))
    channel: Mapped[str] = enum_column(cadence.CHANNELS, "cadence_channel")
    template: Mapped[str | None] = mapped_column(sa.String(50))
    due_on: Mapped[date]
    # The day the run decided it: the letter's date, whenever the job gets to run.
    planned_on: Mapped[date]
    status: Mapped[str] = enum_column(ACTION_STATUSES, "cadence_action_status", default="pending")
    detail: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=0)
    # Set by the job doing the step: a second job for the same action leaves it alone until
    # this lease expires (a killed job's action is then taken up again).
    claimed_at: Mapped[datetime | None]
    letter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("letter.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    performed_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship()


TASK_KINDS = (
    "call",
    "callback",
    "follow_up",
    "promise_broken",
    "plan_breached",
    "escalation_refused",
    "limitation",
    "claim_declaration",
    "judicial_deadline",
)
TASK_KIND_LABELS = {
    "call": N_("Appeler le débiteur"),
    "callback": N_("Rappeler le débiteur (à sa demande)"),
    "follow_up": N_("Relance prévue"),
    "promise_broken": N_("Promesse non tenue : reprendre contact"),
    "plan_breached": N_("Échéancier non respecté : reprendre contact"),
    "escalation_refused": N_("Le créancier refuse le judiciaire : décider de la suite"),
    "limitation": N_("Prescription proche"),
    "claim_declaration": N_("Déclarer la créance au mandataire judiciaire"),
    "judicial_deadline": N_("Échéance judiciaire proche"),
}
TASK_STATUSES = ("open", "done", "cancelled")


class Task(Base):
    """Something an agent must do on a case on a given day. `source_key` names what raised it,
    so the same cause never raises two tasks."""

    __tablename__ = "agent_task"
    __table_args__ = (sa.Index("ix_agent_task_open_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = enum_column(TASK_KINDS, "task_kind")
    due_on: Mapped[date]
    status: Mapped[str] = enum_column(TASK_STATUSES, "task_status", default="open")
    source_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    case: Mapped[Case] = relationship()
    done_by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return TASK_KIND_LABELS[self.kind]


APPROVAL_STATUSES = ("pending", "approved", "refused", "withdrawn")
APPROVAL_STATUS_LABELS = {
    "pending": N_("En attente de votre réponse"),
    "approved": N_("Accepté"),
    "refused": N_("Refusé"),
    "withdrawn": N_("Retiré"),
}


APPROVAL_KINDS = ("escalation", "write_off", "settlement")
APPROVAL_KIND_LABELS = {
    "escalation": N_("Passage au judiciaire"),
    "write_off": N_("Abandon de créance"),
    "settlement": N_("Transaction avec remise"),
}


class ApprovalRequest(Base):
    """The agency asks the creditor's yes before acting: go to court (nothing judicial happens
    without it), write the claim off, or settle it for less."""

    __tablename__ = "approval_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = enum_column(
        APPROVAL_KINDS, "approval_kind", default="escalation", server_default="escalation"
    )
    # Settlement: what the debtor would pay in full and final settlement; write-off: what is
    # abandoned; escalation: the estimated court and commissaire de justice costs.
    amount_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    status: Mapped[str] = enum_column(APPROVAL_STATUSES, "approval_status", default="pending")
    requested_on: Mapped[date]
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    source_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    note: Mapped[str | None] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(sa.Text)

    case: Mapped[Case] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


RUN_STATUSES = ("running", "done", "failed")


class CadenceRun(Base):
    """One daily run: one row per day, claimed by whoever inserts it first."""

    __tablename__ = "cadence_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_on: Mapped[date] = mapped_column(unique=True)
    status: Mapped[str] = enum_column(RUN_STATUSES, "cadence_run_status", default="running")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    counts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    error: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class PendingJob(Base):
    """A job that could not reach Redis: kept here and enqueued when Redis answers again."""

    __tablename__ = "pending_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(sa.String(200))  # dotted path of the task function
    args: Mapped[list] = mapped_column(sa.JSON, default=list)
    queue: Mapped[str] = mapped_column(sa.String(50))
    retry_max: Mapped[int | None]
    retry_intervals: Mapped[list | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
