"""All models, imported here so Alembic and create_all see the whole metadata."""

from app.models.activity import CallLog, TimelineEntry
from app.models.audit import AuditEvent
from app.models.automation import (
    ApprovalRequest,
    CadenceAction,
    CadenceRun,
    PendingJob,
    Scenario,
    Task,
)
from app.models.base import Base
from app.models.case import Case, Document, Invoice
from app.models.debtor import Debtor, DebtorContact, DebtorIdentity
from app.models.debtor_link import DebtorLink
from app.models.insolvency import ClaimDeclaration, InsolvencyProceeding
from app.models.integration import ApiToken, ImportBatch, ImportMapping, Message, MessageRead
from app.models.judicial import CaseCost, JudicialProcedure, ProcedureStep
from app.models.letter import Letter
from app.models.money import LedgerEntry, LedgerTransaction, Payment, Remittance
from app.models.org import Organisation, PasswordHistory, User
from app.models.plan import PaymentPlan, PlanInstallment, Promise
from app.models.rates import InterestRate
from app.models.stripe_event import StripeEvent

__all__ = [
    "ApiToken",
    "ImportBatch",
    "ImportMapping",
    "InsolvencyProceeding",
    "Message",
    "MessageRead",
    "AuditEvent",
    "Base",
    "CadenceAction",
    "CadenceRun",
    "CallLog",
    "CaseCost",
    "ClaimDeclaration",
    "Case",
    "Debtor",
    "DebtorContact",
    "DebtorIdentity",
    "DebtorLink",
    "Document",
    "ApprovalRequest",
    "InterestRate",
    "JudicialProcedure",
    "Invoice",
    "LedgerEntry",
    "Letter",
    "LedgerTransaction",
    "Organisation",
    "PasswordHistory",
    "Payment",
    "PaymentPlan",
    "PendingJob",
    "PlanInstallment",
    "ProcedureStep",
    "Promise",
    "Remittance",
    "Scenario",
    "StripeEvent",
    "Task",
    "TimelineEntry",
    "User",
]
