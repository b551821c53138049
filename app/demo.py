"""Demo data for `make run`: the agency, three creditor clients and ~60 cases at every stage.

Every row is written by the services, as in real use, so each case carries the timeline and
audit trail months of work would leave. The data is deterministic: one seeded random.Random
picks names and amounts, and every date counts back from `today`. The services stamp "now" on
what they write, so each action's timestamps are then moved back to the day it is played on.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
import sqlalchemy as sa
from schwifty import IBAN
from stdnum import luhn
from stdnum.fr import siren as stdnum_siren

from app.domain import pipeline, roles
from app.domain.intake import InvoiceInput
from app.extensions import db
from app.models import (
    AuditEvent,
    CallLog,
    Case,
    Debtor,
    Document,
    LedgerTransaction,
    Organisation,
    Payment,
    PaymentPlan,
    Promise,
    Remittance,
    TimelineEntry,
    User,
)
from app.models.base import utcnow
from app.services import accounts, casework, intake, payments, plans, rates, remittance
from app.services.errors import ValidationFailed

DEMO_PASSWORD = "recouvra-demo-2026"  # noqa: S105 - printed to every newcomer on purpose
# The demo admin's and supervisor's second factor (mandatory for them): printed by seed-demo to
# add to an authenticator app; `flask users totp-code EMAIL` prints the current code instead.
DEMO_TOTP_SECRET = "RECOUVRADEMOTOTPSECRETKEYJBSWY3D"  # noqa: S105 - demo data only
SEED = 2026
PARIS = ZoneInfo("Europe/Paris")


# --- Who ------------------------------------------------------------------------------------

AGENCY = {
    "legal_name": "Recouvra Agence SAS",
    "address_line1": "18 rue de Châteaudun",
    "postal_code": "75009",
    "city": "Paris",
    "bank": ("30004", "00828"),
}
AGENCY_STAFF = (
    (roles.AGENCY_ADMIN, "admin@recouvra.demo", "Claire Lemoine"),
    (roles.SUPERVISOR, "superviseur@recouvra.demo", "Marc Aubert"),
    (roles.AGENT, "agent1@recouvra.demo", "Sophie Marchand"),
    (roles.AGENT, "agent2@recouvra.demo", "Karim Benali"),
    (roles.AGENT, "agent3@recouvra.demo", "Julie Fontaine"),
)


@dataclass(frozen=True)
class DebtorProfile:
    name: str
    street: str
    postal_code: str
    city: str
    # Landline area ("1 42" = 01 42 ...); None for individuals, who give a mobile.
    area: str | None
    email: str
    # Debtors sharing a key share one SIREN, submitted separately by two creditors.
    shared: str | None = None

    @property
    def is_company(self) -> bool:
        return self.area is not None


@dataclass(frozen=True)
class CreditorProfile:
    key: str
    legal_name: str
    activity: str
    street: str
    postal_code: str
    city: str
    bank: tuple[str, str]
    domain: str
    admin_name: str
    user_name: str
    invoice_prefix: str
    amount_range: tuple[int, int]  # euros
    payment_terms: int  # days from issue to due date
    mandate_age_days: int
    commission_bp: tuple[int, int]  # amicable, judicial
    extra_documents: tuple[tuple[str, str, str], ...]  # (kind, file stem, title)
    complaint: str  # what a debtor disputes, in a call note
    proof: str  # what settles such a dispute
    debtors: tuple[DebtorProfile, ...]
    # Late-payment penalty rate in the creditor's terms of sale (basis points), if any.
    contractual_rate_bp: int | None = None


COMPTOIR = "comptoir-lyonnais"
MOREL = "constructions-morel"

CREDITORS = (
    CreditorProfile(
        key="fournil",
        legal_name="Fournil Pro Distribution SAS",
        activity="Fournitures et matières premières pour boulangeries",
        street="14 rue des Meuniers",
        postal_code="94150",
        city="Rungis",
        bank=("30003", "03620"),
        domain="fournilpro.demo",
        admin_name="Isabelle Perrin",
        user_name="Thomas Girard",
        invoice_prefix="FP",
        amount_range=(150, 4_800),
        payment_terms=30,
        mandate_age_days=980,
        commission_bp=(1200, 1800),
        extra_documents=(("delivery_note", "bon-de-livraison", "BON DE LIVRAISON"),),
        complaint="farine livrée en quantité inférieure à la commande",
        proof="le bon de livraison signé",
        debtors=(
            DebtorProfile(
                "Boulangerie Martin SARL",
                "42 rue Oberkampf",
                "75011",
                "Paris",
                "1 43",
                "contact@boulangerie-martin.example",
            ),
            DebtorProfile(
                "Au Pain Doré EURL",
                "7 rue de Paris",
                "93100",
                "Montreuil",
                "1 48",
                "aupaindore@boulangerie.example",
            ),
            DebtorProfile(
                "Pâtisserie Lefèvre SAS",
                "15 rue de la Paroisse",
                "78000",
                "Versailles",
                "1 39",
                "compta@patisserie-lefevre.example",
            ),
            DebtorProfile(
                "Le Fournil de Montmartre SARL",
                "31 rue Lepic",
                "75018",
                "Paris",
                "1 42",
                "fournil.montmartre@boulangerie.example",
            ),
            DebtorProfile(
                "Maison Delacroix SAS",
                "9 place Drouet-d'Erlon",
                "51100",
                "Reims",
                "3 26",
                "gestion@maison-delacroix.example",
            ),
            DebtorProfile(
                "Boulangerie du Marché SARL",
                "4 place du Grand Marché",
                "37000",
                "Tours",
                "2 47",
                "boulangeriedumarche@boulangerie.example",
            ),
            DebtorProfile(
                "Les Délices de Margaux EURL",
                "56 rue de Béthune",
                "59000",
                "Lille",
                "3 20",
                "delices.margaux@patisserie.example",
            ),
            DebtorProfile(
                "Brasserie Le Comptoir Lyonnais",
                "11 rue Mercière",
                "69002",
                "Lyon",
                "4 78",
                "direction@comptoir-lyonnais.example",
                shared=COMPTOIR,
            ),
        ),
    ),
    CreditorProfile(
        key="numeria",
        legal_name="Numéria Services SAS",
        activity="Services informatiques et infogérance",
        street="45 rue de la République",
        postal_code="69002",
        city="Lyon",
        bank=("10278", "07302"),
        domain="numeria.demo",
        admin_name="Nicolas Faure",
        user_name="Camille Roux",
        invoice_prefix="NUM",
        amount_range=(800, 25_000),
        payment_terms=45,
        mandate_age_days=640,
        commission_bp=(1000, 1600),
        extra_documents=(
            ("contract", "contrat-de-prestation", "CONTRAT DE PRESTATIONS INFORMATIQUES"),
            ("purchase_order", "bon-de-commande", "BON DE COMMANDE"),
        ),
        complaint="prestation de migration inachevée",
        proof="le procès-verbal de recette signé",
        debtors=(
            DebtorProfile(
                "Cabinet Rousseau Expertise SARL",
                "88 cours Vitton",
                "69006",
                "Lyon",
                "4 72",
                "cabinet@rousseau-expertise.example",
            ),
            DebtorProfile(
                "Transports Giraud et Fils SAS",
                "14 avenue de la République",
                "69200",
                "Vénissieux",
                "4 78",
                "comptabilite@transports-giraud.example",
            ),
            DebtorProfile(
                "Clinique vétérinaire des Alpes SELARL",
                "5 cours Jean Jaurès",
                "38000",
                "Grenoble",
                "4 76",
                "accueil@veto-alpes.example",
            ),
            DebtorProfile(
                "Agence Immobilière Carré d'Or SARL",
                "22 boulevard Victor Hugo",
                "06000",
                "Nice",
                "4 93",
                "gerance@carre-dor-immo.example",
            ),
            DebtorProfile(
                "Imprimerie Moderne du Rhône SAS",
                "102 rue Léon Blum",
                "69100",
                "Villeurbanne",
                "4 72",
                "compta@imprimerie-moderne.example",
            ),
            DebtorProfile(
                "Optique Vasseur SARL",
                "3 rue Royale",
                "74000",
                "Annecy",
                "4 50",
                "optique.vasseur@opticien.example",
            ),
            DebtorProfile(
                "SAS Le Comptoir Lyonnais",
                "11 rue Mercière",
                "69002",
                "Lyon",
                "4 78",
                "compta@comptoir-lyonnais.example",
                shared=COMPTOIR,
            ),
            DebtorProfile(
                "Constructions Morel SARL",
                "45 quai de la Souys",
                "33100",
                "Bordeaux",
                "5 56",
                "administratif@constructions-morel.example",
                shared=MOREL,
            ),
            DebtorProfile(
                "Hélène Vidal",
                "17 rue de Marseille",
                "69007",
                "Lyon",
                None,
                "helene.vidal@example.net",
            ),
        ),
    ),
    CreditorProfile(
        key="garonne",
        legal_name="Garonne Matériaux Négoce SAS",
        activity="Négoce de matériaux de construction",
        street="8 avenue de l'Industrie",
        postal_code="33700",
        city="Mérignac",
        bank=("30002", "05582"),
        domain="garonne-materiaux.demo",
        admin_name="Pierre Dubois",
        user_name="Nathalie Lambert",
        invoice_prefix="GMN",
        amount_range=(300, 18_000),
        payment_terms=60,
        mandate_age_days=820,
        commission_bp=(1300, 2000),
        extra_documents=(
            ("delivery_note", "bon-de-livraison", "BON DE LIVRAISON"),
            ("terms_of_sale", "conditions-generales-de-vente", "CONDITIONS GÉNÉRALES DE VENTE"),
        ),
        complaint="matériaux livrés endommagés",
        proof="le bon de livraison signé sans réserve",
        contractual_rate_bp=1500,
        debtors=(
            DebtorProfile(
                "Constructions Morel",
                "45 quai de la Souys",
                "33100",
                "Bordeaux",
                "5 56",
                "chantiers@constructions-morel.example",
                shared=MOREL,
            ),
            DebtorProfile(
                "Toitures Laffargue SARL",
                "12 avenue Jean Jaurès",
                "33600",
                "Pessac",
                "5 56",
                "toitures.laffargue@couvreur.example",
            ),
            DebtorProfile(
                "Maçonnerie Da Silva EURL",
                "8 rue Montesquieu",
                "33500",
                "Libourne",
                "5 57",
                "dasilva.maconnerie@batiment.example",
            ),
            DebtorProfile(
                "Rénov'Habitat Aquitaine SAS",
                "3 avenue de l'Argonne",
                "33700",
                "Mérignac",
                "5 56",
                "contact@renovhabitat-aquitaine.example",
            ),
            DebtorProfile(
                "Plâtrerie Garcia et Fils SARL",
                "60 route de Launaguet",
                "31200",
                "Toulouse",
                "5 61",
                "platrerie.garcia@batiment.example",
            ),
            DebtorProfile(
                "Menuiserie Bernard SARL",
                "18 avenue Dufau",
                "64000",
                "Pau",
                "5 59",
                "menuiserie.bernard@bois.example",
            ),
            DebtorProfile(
                "Julien Moreau",
                "27 rue Roustaing",
                "33400",
                "Talence",
                None,
                "julien.moreau@example.net",
            ),
            DebtorProfile(
                "Sandrine Petit",
                "5 rue Calixte Camelle",
                "33130",
                "Bègles",
                None,
                "sandrine.petit@example.org",
            ),
            DebtorProfile(
                "Laurent Girard",
                "9 allée des Mimosas",
                "33120",
                "Arcachon",
                None,
                "l.girard@example.com",
            ),
        ),
    ),
)

DEMO_EMAILS = tuple(email for _role, email, _name in AGENCY_STAFF) + tuple(
    f"{local}@{c.domain}" for c in CREDITORS for local in ("admin", "compta")
)


# --- What happens to the cases ------------------------------------------------------------

# Scenario -> (number of cases, opened between N and M days before today).
SCENARIOS: dict[str, tuple[int, tuple[int, int]]] = {
    "intake": (6, (1, 12)),
    "intake_under_review": (2, (2, 8)),
    "amicable_new": (5, (10, 30)),
    "amicable_worked": (9, (40, 200)),
    "amicable_unassigned": (2, (5, 20)),
    "amicable_promise": (4, (30, 120)),
    "amicable_plan": (2, (60, 180)),
    "amicable_dispute": (2, (30, 150)),
    "amicable_creditor_hold": (1, (40, 120)),
    "judicial": (5, (200, 420)),
    "judicial_plan": (1, (260, 400)),
    "insolvency": (3, (80, 400)),
    "insolvency_at_intake": (1, (20, 90)),
    "returned_incomplete": (2, (10, 90)),
    "returned_disputed": (1, (60, 200)),
    "returned_prescribed": (1, (20, 120)),
    "returned_other": (1, (15, 150)),
    "resubmitted": (1, (40, 120)),
    "closed_paid": (4, (60, 500)),
    "closed_paid_judicial": (1, (330, 600)),
    "closed_settled": (2, (120, 450)),
    "closed_irrecoverable": (1, (150, 500)),
    "closed_insolvency": (1, (300, 600)),
    "closed_withdrawn": (1, (60, 300)),
    "closed_withdrawn_by_creditor": (1, (20, 200)),
    "closed_prescribed": (1, (90, 400)),
}
# Collective procedures, group companies and commercial talks concern businesses; the two-year
# prescription protects consumers.
COMPANY_ONLY = frozenset(
    {
        "insolvency",
        "insolvency_at_intake",
        "closed_insolvency",
        "amicable_creditor_hold",
        "returned_other",
    }
)
INDIVIDUAL_ONLY = frozenset({"returned_prescribed", "closed_prescribed"})
NO_DOCUMENTS = frozenset({"returned_incomplete", "resubmitted"})

CALL_NOTES = {
    "no_answer": ("",),
    "voicemail": (
        "Message laissé avec nos coordonnées, demande de rappel.",
        "Messagerie : message laissé rappelant le montant dû.",
    ),
    "reached": (
        "Échange avec le gérant : reconnaît la dette, attend une rentrée de trésorerie.",
        "Le service comptable indique que la facture est en cours de validation.",
        "Facture non reçue selon le débiteur : copie renvoyée par e-mail.",
        "Le débiteur demande un délai, rappel convenu.",
        "Interlocuteur absent, rappeler en fin de semaine.",
    ),
    "refused": (
        "Refuse de régler et raccroche. Mise en demeure à prévoir.",
        "Refuse tout paiement sans explication.",
    ),
    "wrong_number": ("Le numéro n'est plus attribué à ce débiteur.",),
}

COURTS = {
    "Paris": "Paris",
    "Montreuil": "Bobigny",
    "Versailles": "Versailles",
    "Reims": "Reims",
    "Tours": "Tours",
    "Lille": "Lille Métropole",
    "Lyon": "Lyon",
    "Vénissieux": "Lyon",
    "Villeurbanne": "Lyon",
    "Grenoble": "Grenoble",
    "Nice": "Nice",
    "Annecy": "Annecy",
    "Bordeaux": "Bordeaux",
    "Pessac": "Bordeaux",
    "Libourne": "Libourne",
    "Mérignac": "Bordeaux",
    "Toulouse": "Toulouse",
    "Pau": "Pau",
}


@dataclass
class Plan:
    scenario: str
    creditor: CreditorProfile
    debtor: DebtorProfile
    opened_on: date
    invoices: list[InvoiceInput]
    submitter: User | None = None
    agent: User | None = None


@dataclass
class Run:
    """One case being played: its plan, the current simulated day and the last timestamp."""

    plan: Plan
    case: Case
    day: date
    last: datetime
    phone: str
    last_note: str = ""


# --- Entry points -----------------------------------------------------------------------------


def seed_demo(today: date | None = None) -> bool:
    """Load the demo data if the database holds no organisation yet; True when it did."""
    if db.session.scalar(sa.select(Organisation.id).limit(1)) is not None:
        return False
    if today is None:
        from app.web import today as business_today

        today = business_today()
    rates.seed_published_rates()
    _Seeder(today).run()
    return True


def demo_accounts() -> list[User]:
    """The demo users present in the database, grouped by organisation."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.email.in_(DEMO_EMAILS))
            .order_by(User.organisation_id, User.id)
        )
    )


# --- Small builders -----------------------------------------------------------------------------


def _eur(cents: int) -> str:
    """1 234,56 € as French text in notes (the app's |money filter does this for pages)."""
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", "\u202f") + f",{rest:02d}\u00a0€"


def _fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _penalty_clause(creditor: CreditorProfile) -> str:
    if creditor.contractual_rate_bp is None:
        return "Pénalités de retard : trois fois le taux d'intérêt légal."
    rate = f"{creditor.contractual_rate_bp // 100},{creditor.contractual_rate_bp % 100:02d}"
    return f"Pénalités de retard : {rate} % l'an (conditions générales de vente)."


def _pdf_text(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    # WinAnsi has no narrow no-break space (French thousands separator): use the ordinary one.
    escaped = escaped.replace("\u202f", "\u00a0")
    return escaped.encode("cp1252", errors="replace")


def pdf_document(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` in Helvetica: opens in any viewer, detected as PDF."""
    stream = b"BT /F1 11 Tf 14 TL 56 800 Td " + b" ".join(
        b"(" + _pdf_text(line) + b") '" for line in lines
    )
    stream += b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# Rows whose timestamps the services set to "now"; moved back to the simulated moment.
_STAMPED = (
    (Organisation, ("created_at", "updated_at")),
    (User, ("created_at", "updated_at")),
    (Debtor, ("created_at", "updated_at")),
    (Case, ("created_at", "updated_at", "stage_changed_at")),
    (Document, ("uploaded_at",)),
    (TimelineEntry, ("occurred_at",)),
    (CallLog, ("called_at",)),
    (Payment, ("recorded_at",)),
    (LedgerTransaction, ("created_at",)),
    (Remittance, ("created_at",)),
    (PaymentPlan, ("proposed_at",)),
    (Promise, ("recorded_at",)),
)


class _Seeder:
    def __init__(self, today: date):
        self.today = today
        # Nothing happens on the seeding day itself: its hours may still be in the future.
        self.last_day = today - timedelta(days=1)
        self.bounced_one = False  # one demo cheque bounces, to show a reversal
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not security
        self.sirens: set[str] = set()
        self.shared_sirens: dict[str, str] = {}
        self.invoice_numbers: set[str] = set()
        self.debtor_ids: dict[tuple[str, str], int] = {}
        self.creditors: dict[str, Organisation] = {}
        self.creditor_users: dict[str, list[User]] = {}
        self.staff: dict[str, User] = {}
        self.agents: list[User] = []

    # -- identifiers and contacts --

    def siren(self, shared: str | None = None) -> str:
        if shared and shared in self.shared_sirens:
            return self.shared_sirens[shared]
        while True:
            body = f"{self.rng.randint(3, 9)}{self.rng.randint(0, 9_999_999):07d}"
            number = body + luhn.calc_check_digit(body)
            if number not in self.sirens and stdnum_siren.is_valid(number):
                break
        self.sirens.add(number)
        if shared:
            self.shared_sirens[shared] = number
        return number

    @staticmethod
    def siret(siren: str) -> str:
        base = siren + "0001"
        return base + luhn.calc_check_digit(base)

    @staticmethod
    def vat_number(siren: str) -> str:
        return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"

    def iban(self, bank: tuple[str, str]) -> str:
        account = f"{self.rng.randint(0, 10**11 - 1):011d}"
        return IBAN.generate("FR", bank_code=bank[0], branch_code=bank[1], account_code=account)

    def phone(self, area: str | None) -> str:
        """A French number phonenumbers accepts: a landline in the area, or a mobile."""
        while True:
            if area:
                head, tail_len = f"0{area}", 3
            else:
                head, tail_len = f"0{self.rng.choice(('6', '7'))} {self.rng.randint(10, 89)}", 3
            tail = " ".join(f"{self.rng.randint(0, 99):02d}" for _ in range(tail_len))
            number = f"{head} {tail}"
            if phonenumbers.is_valid_number(phonenumbers.parse(number, "FR")):
                return number

    # -- time --

    def moment(self, run: Run | None, day: date, start: int = 8, end: int = 17) -> datetime:
        """A business-hours timestamp on `day`, always after the run's previous one."""
        local = datetime.combine(
            day, time(self.rng.randint(start, end), self.rng.choice((0, 10, 15, 20, 30, 45, 50)))
        )
        value = local.replace(tzinfo=PARIS).astimezone(UTC)
        if run is not None:
            if value <= run.last:
                value = run.last + timedelta(minutes=self.rng.randint(3, 40))
            run.last = value
        return value

    def advance(self, run: Run, low: int, high: int) -> date:
        run.day = min(run.day + timedelta(days=self.rng.randint(low, high)), self.last_day)
        return run.day

    @staticmethod
    def max_ids() -> dict:
        """The highest id of each stamped table, in one query."""
        row = db.session.execute(
            sa.select(*(sa.select(sa.func.max(m.id)).scalar_subquery() for m, _ in _STAMPED))
        ).one()
        return {model: value or 0 for (model, _columns), value in zip(_STAMPED, row, strict=True)}

    @contextmanager
    def clock(self, when: datetime, case: Case | None = None) -> Iterator[None]:
        """Stamp what the block writes with `when` instead of the wall clock.

        The rewrite is committed with the next action (or at the end of the seed): one commit
        per action keeps the seed fast on SQLite.
        """
        marks = self.max_ids()
        before = (case.stage, case.judicial_approved_at) if case is not None else None

        # The audit log is append-only (no UPDATE): its rows are stamped as they are inserted.
        def stamp_audit(_mapper, _connection, event: AuditEvent) -> None:
            event.occurred_at = when

        sa.event.listen(AuditEvent, "before_insert", stamp_audit)
        try:
            yield
            after = self.max_ids()  # flushes what the block added, inside the listener's reach
        finally:
            sa.event.remove(AuditEvent, "before_insert", stamp_audit)
        for model, columns in _STAMPED:
            if after[model] > marks[model]:
                db.session.execute(
                    sa.update(model)
                    .where(model.id > marks[model])
                    .values(dict.fromkeys(columns, when))
                    .execution_options(synchronize_session=False)
                )
        if case is not None and case.id <= marks[Case]:
            values: dict = {"updated_at": when}
            if case.stage != before[0]:
                values["stage_changed_at"] = when
            if case.judicial_approved_at is not None and before[1] is None:
                values["judicial_approved_at"] = when
            db.session.execute(
                sa.update(Case)
                .where(Case.id == case.id)
                .values(values)
                .execution_options(synchronize_session=False)
            )
        db.session.expire_all()

    # -- the whole seed --

    def run(self) -> None:
        self.create_people()
        plans = self.plan_cases()
        runs = [self.submit(plan) for plan in plans]
        for run in runs:
            getattr(self, f"play_{run.plan.scenario}")(run)
        self.remit_first_creditor()
        db.session.commit()

    def remit_first_creditor(self) -> None:
        """One creditor has had its statement; the others' money waits, as mid-month."""
        creditors = remittance.creditors_with_movements()
        if creditors:
            with self.clock(datetime.combine(self.last_day, time(18), tzinfo=UTC)):
                remittance.run_remittance(self.supervisor, creditors[0], today=self.last_day)

    def create_people(self) -> None:
        founded = self.today - timedelta(days=1500)
        siren = self.siren()
        with self.clock(self.moment(None, founded)):
            agency = accounts.create_organisation(
                kind="agency",
                legal_name=AGENCY["legal_name"],
                siren=siren,
                siret=self.siret(siren),
                vat_number=self.vat_number(siren),
                iban=self.iban(AGENCY["bank"]),
                address_line1=AGENCY["address_line1"],
                postal_code=AGENCY["postal_code"],
                city=AGENCY["city"],
            )
            admin = None
            for role, email, name in AGENCY_STAFF:
                user = accounts.create_user(
                    email=email,
                    full_name=name,
                    password=DEMO_PASSWORD,
                    role=role,
                    organisation=agency,
                    actor=admin,
                )
                admin = admin or user
                if role in roles.MANAGER_ROLES:
                    user.totp_secret = DEMO_TOTP_SECRET
                    user.totp_confirmed_at = utcnow()  # saved with the next user
                self.staff[role] = user
                if role == roles.AGENT:
                    self.agents.append(user)
        for profile in CREDITORS:
            signed = self.today - timedelta(days=profile.mandate_age_days)
            siren = self.siren()
            with self.clock(self.moment(None, signed)):
                org = accounts.create_organisation(
                    kind="creditor",
                    legal_name=profile.legal_name,
                    siren=siren,
                    siret=self.siret(siren),
                    vat_number=self.vat_number(siren),
                    iban=self.iban(profile.bank),
                    mandate_reference=f"MDT-{signed.year}-{len(self.creditors) + 1:03d}",
                    mandate_signed_on=signed,
                    commission_amicable_bp=profile.commission_bp[0],
                    commission_judicial_bp=profile.commission_bp[1],
                    address_line1=profile.street,
                    postal_code=profile.postal_code,
                    city=profile.city,
                    actor=admin,
                )
                org.contractual_rate_bp = profile.contractual_rate_bp  # saved with the users
                users = [
                    accounts.create_user(
                        email=f"{local}@{profile.domain}",
                        full_name=name,
                        password=DEMO_PASSWORD,
                        role=role,
                        organisation=org,
                        actor=admin,
                    )
                    for local, name, role in (
                        ("admin", profile.admin_name, roles.CREDITOR_ADMIN),
                        ("compta", profile.user_name, roles.CREDITOR_USER),
                    )
                ]
            self.creditors[profile.key] = org
            self.creditor_users[profile.key] = users

    # -- planning --

    def plan_cases(self) -> list[Plan]:
        # Round-robin over the scenarios in order spreads every stage across the creditors.
        names = [name for name, (count, _ages) in SCENARIOS.items() for _ in range(count)]
        unused = {c.key: list(c.debtors) for c in CREDITORS}
        for debtors in unused.values():
            self.rng.shuffle(debtors)
        plans = []
        for index, name in enumerate(names):
            creditor = CREDITORS[index % len(CREDITORS)]
            if name in INDIVIDUAL_ONLY:
                creditor = CREDITORS[2]
            debtor = self.pick_debtor(creditor, unused[creditor.key], name)
            low, high = SCENARIOS[name][1]
            opened = self.last_day - timedelta(days=self.rng.randint(low, high) - 1)
            plan = Plan(
                scenario=name,
                creditor=creditor,
                debtor=debtor,
                opened_on=opened,
                invoices=self.plan_invoices(creditor, debtor, opened, old=name in INDIVIDUAL_ONLY),
            )
            users = self.creditor_users[creditor.key]
            plan.submitter = users[1] if self.rng.random() < 0.7 else users[0]
            plan.agent = self.rng.choices(self.agents, weights=(5, 4, 3))[0]
            plans.append(plan)
        # Case references follow the order the files arrived in, as they would in real use.
        plans.sort(key=lambda p: p.opened_on)
        return plans

    def pick_debtor(self, creditor: CreditorProfile, unused: list, scenario: str) -> DebtorProfile:
        def fits(debtor: DebtorProfile) -> bool:
            if scenario in COMPANY_ONLY:
                return debtor.is_company
            if scenario in INDIVIDUAL_ONLY:
                return not debtor.is_company
            return True

        for debtor in unused:
            if fits(debtor):
                unused.remove(debtor)
                return debtor
        return self.rng.choice([d for d in creditor.debtors if fits(d)])

    def plan_invoices(
        self, creditor: CreditorProfile, debtor: DebtorProfile, opened: date, *, old: bool
    ) -> list:
        count = self.rng.choices((1, 2, 3, 4), weights=(45, 30, 15, 10))[0]
        # Consumer claims prescribe two years after the due date (art. L218-2 C. consom.).
        overdue = self.rng.randint(760, 900) if old else self.rng.randint(25, 160)
        due = opened - timedelta(days=overdue)
        low, high = creditor.amount_range
        if not debtor.is_company:
            high = min(high, 6_000)
        invoices = []
        for _ in range(count):
            issued = due - timedelta(days=creditor.payment_terms)
            # Log-uniform: many small invoices, a few large ones, as in a real ledger.
            amount = round(math.exp(self.rng.uniform(math.log(low * 100), math.log(high * 100))))
            paid = 0
            if self.rng.random() < 0.15:
                paid = amount * self.rng.randint(10, 60) // 100
            invoices.append(
                InvoiceInput(
                    number=self.invoice_number(creditor, issued),
                    issue_date=issued,
                    due_date=due,
                    amount_cents=amount,
                    paid_cents=paid,
                )
            )
            due -= timedelta(days=self.rng.randint(12, 45))
        return sorted(invoices, key=lambda i: i.due_date)

    def invoice_number(self, creditor: CreditorProfile, issued: date) -> str:
        sequence = issued.timetuple().tm_yday * 11 + self.rng.randint(0, 10)
        while True:
            number = f"{creditor.invoice_prefix}-{issued.year}-{sequence:05d}"
            if number not in self.invoice_numbers:
                self.invoice_numbers.add(number)
                return number
            sequence += 1

    # -- submission --

    def debtor_input(self, profile: DebtorProfile) -> intake.DebtorInput:
        phones = [self.phone(profile.area)]
        if profile.is_company and self.rng.random() < 0.5:
            phones.append(self.phone(None))
        return intake.DebtorInput(
            kind="company" if profile.is_company else "individual",
            name=profile.name,
            siren=self.siren(profile.shared) if profile.is_company else "",
            address_line1=profile.street,
            postal_code=profile.postal_code,
            city=profile.city,
            emails=[profile.email],
            phones=phones,
        )

    def documents(self, plan: Plan, debtor_name: str) -> list[intake.UploadInput]:
        creditor = plan.creditor
        header = [creditor.legal_name, creditor.street, f"{creditor.postal_code} {creditor.city}"]
        uploads = []
        for invoice in plan.invoices:
            lines = header + [
                "",
                f"FACTURE N° {invoice.number}",
                f"Date : {_fr(invoice.issue_date)}    Échéance : {_fr(invoice.due_date)}",
                f"Client : {debtor_name}",
                "",
                f"Montant TTC : {_eur(invoice.amount_cents)}",
                "",
                _penalty_clause(creditor),
                "Indemnité forfaitaire pour frais de recouvrement : 40 € (art. L441-10 C. com.).",
            ]
            uploads.append(
                intake.UploadInput(f"facture-{invoice.number}.pdf", pdf_document(lines), "invoice")
            )
        for kind, stem, title in creditor.extra_documents:
            if self.rng.random() < 0.6:
                reference = plan.invoices[0].number
                lines = header + ["", title, f"Réf. {reference}"]
                lines.append(f"Client : {debtor_name}")
                uploads.append(
                    intake.UploadInput(f"{stem}-{reference}.pdf", pdf_document(lines), kind)
                )
        if self.rng.random() < 0.25:
            last = plan.invoices[-1]
            lines = header + [
                "",
                f"Objet : relance pour impayé — facture {last.number}",
                f"Sauf erreur de notre part, la facture {last.number} échue le "
                f"{_fr(last.due_date)} reste impayée.",
            ]
            uploads.append(
                intake.UploadInput(
                    f"relance-{last.number}.pdf", pdf_document(lines), "correspondence"
                )
            )
        return uploads

    def submit(self, plan: Plan) -> Run:
        key = (plan.creditor.key, plan.debtor.name)
        uploads = [] if plan.scenario in NO_DOCUMENTS else self.documents(plan, plan.debtor.name)
        submitted_at = self.moment(None, plan.opened_on, 7, 20)
        with self.clock(submitted_at):
            common = {
                "invoices": plan.invoices,
                "uploads": uploads,
                "today": plan.opened_on,
            }
            if key in self.debtor_ids:
                case = intake.submit_case(plan.submitter, debtor_id=self.debtor_ids[key], **common)
            else:
                case = intake.submit_case(
                    plan.submitter, debtor=self.debtor_input(plan.debtor), **common
                )
                self.debtor_ids[key] = case.debtor_id
        case = db.session.get(Case, case.id)
        return Run(plan, case, plan.opened_on, submitted_at, case.debtor.phones[0])

    # -- actions, each at a simulated moment --

    @property
    def supervisor(self) -> User:
        return self.staff[roles.SUPERVISOR]

    def accept(self, run: Run, *, by_supervisor: bool = False, assign: bool = True) -> None:
        actor = self.supervisor if by_supervisor else run.plan.agent
        if assign:
            with self.clock(self.moment(run, run.day), run.case):
                casework.assign_case(actor, run.case, run.plan.agent.id)
        with self.clock(self.moment(run, run.day), run.case):
            casework.accept_case(actor, run.case, today=run.day)

    def call(
        self,
        run: Run,
        outcome: str,
        notes: str = "",
        *,
        follow_up: int | None = None,
        promise: tuple[int, date] | None = None,
        inbound: bool = False,
    ) -> None:
        durations = {
            "no_answer": (0, 0),
            "voicemail": (20, 45),
            "wrong_number": (15, 40),
            "refused": (60, 240),
        }
        low, high = durations.get(outcome, (90, 720))
        with self.clock(self.moment(run, run.day), run.case):
            casework.log_call(
                run.plan.agent,
                run.case,
                direction="inbound" if inbound else "outbound",
                phone_number=run.phone,
                outcome=outcome,
                duration_seconds=self.rng.randint(low, high),
                notes=notes,
                follow_up_on=None if follow_up is None else run.day + timedelta(days=follow_up),
                promised_amount_cents=promise[0] if promise else None,
                promised_on=promise[1] if promise else None,
                today=run.day,
            )

    def note(self, run: Run, text: str, *, visible: bool = False, actor: User | None = None):
        with self.clock(self.moment(run, run.day), run.case):
            casework.add_note(actor or run.plan.agent, run.case, text, visible_to_creditor=visible)

    def move(self, run: Run, target: str, reason: str, *, actor: User | None = None, **extra):
        with self.clock(self.moment(run, run.day), run.case):
            casework.move_stage(
                actor or run.plan.agent, run.case, target, reason=reason, today=run.day, **extra
            )

    def hold(self, run: Run, reason: str | None, note: str, *, actor: User | None = None):
        with self.clock(self.moment(run, run.day), run.case):
            casework.set_hold(actor or run.plan.agent, run.case, reason, note=note)

    def go_judicial(self, run: Run) -> str:
        """Formal notice, the creditor's approval, then a procedure; returns its next news."""
        creditor_user = self.creditor_users[run.plan.creditor.key][0]
        self.advance(run, 3, 10)
        self.note(
            run,
            f"Mise en demeure adressée par lettre recommandée avec accusé de réception le "
            f"{_fr(run.day)}, délai de 8 jours pour régler {_eur(run.case.claim_cents)}.",
            visible=True,
        )
        sent_on = run.day
        self.advance(run, 12, 25)
        self.notice_received(run, sent_on + timedelta(days=3))
        with self.clock(self.moment(run, run.day), run.case):
            casework.record_judicial_approval(
                self.supervisor,
                run.case,
                note=f"Accord écrit du créancier ({creditor_user.full_name}) reçu par e-mail le "
                f"{_fr(run.day)} pour engager la procédure.",
            )
        self.advance(run, 1, 6)
        court = COURTS.get(run.plan.debtor.city, "Bordeaux")
        tribunal = "commerce" if run.case.debtor.is_company else "judiciaire"
        order = (
            "Ordonnance d'injonction de payer rendue ; signification au débiteur confiée à un "
            "commissaire de justice."
        )
        procedures = [
            (f"Requête en injonction de payer déposée au tribunal de {tribunal} de {court}.", order)
        ]
        if run.case.debtor.is_company:
            hearing = _fr(run.day + timedelta(days=self.rng.randint(30, 50)))
            procedures.append(
                (
                    f"Assignation en référé-provision devant le président du tribunal de commerce "
                    f"de {court}.",
                    f"Audience de référé fixée au {hearing}.",
                )
            )
        if run.case.claim_cents <= 500_000:
            procedures.append(
                (
                    "Procédure simplifiée de recouvrement des petites créances confiée à un "
                    "commissaire de justice.",
                    "Le commissaire de justice a adressé au débiteur l'invitation à participer "
                    "à la procédure simplifiée.",
                )
            )
        reason, news = self.rng.choice(procedures)
        self.move(run, pipeline.JUDICIAL, reason, actor=self.supervisor)
        return news

    def notice_received(self, run: Run, received_on: date) -> None:
        """The acknowledgment of receipt of the formal notice comes back.

        Stamped at 7:30, before any business-hours moment of the day, so it draws nothing from
        the seeded random stream: the rest of the demo is the same with or without it.
        """
        early = datetime.combine(run.day, time(7, 30)).replace(tzinfo=PARIS).astimezone(UTC)
        run.last = max(run.last, early)
        with self.clock(run.last, run.case):
            casework.set_formal_notice_received(
                run.plan.agent, run.case, received_on, today=run.day
            )

    def call_note(self, run: Run, outcome: str) -> str:
        """A note for the outcome, not the same as the case's previous call note."""
        choices = [n for n in CALL_NOTES[outcome] if n != run.last_note] or [run.last_note]
        run.last_note = self.rng.choice(choices)
        return run.last_note

    def work(self, run: Run, calls: int) -> None:
        """A few ordinary reminder calls, a day or two to two weeks apart."""
        outcomes = ("no_answer", "voicemail", "reached", "no_answer", "reached", "refused")
        for index in range(calls):
            outcome = self.rng.choice(outcomes)
            if index == 0 and outcome == "reached" and self.rng.random() < 0.3:
                outcome = "wrong_number"
            note = self.call_note(run, outcome)
            self.call(run, outcome, note, follow_up=self.rng.randint(3, 12))
            if outcome == "wrong_number" and len(run.case.debtor.phones) > 1:
                run.phone = run.case.debtor.phones[1]
            self.advance(run, 2, 14)

    def keep_current(self, run: Run, kind: str = "amicable") -> None:
        """A recent call whose follow-up falls around today, as on a queue that is kept up.

        Some follow-ups are a few days late: the queue shows overdue work too.
        """
        follow_up = self.today + timedelta(days=self.rng.choice((-3, -1, 0, 0, 1, 2, 4, 7, 12)))
        day = min(self.last_day, follow_up) - timedelta(days=self.rng.randint(0, 6))
        if day <= run.day:
            return
        run.day = day
        if kind == "insolvency":
            # Pursuit of the debtor is suspended: the agent follows the claim with the trustee.
            run.phone = self.phone("1 44")
            outcome = "reached"
            note = (
                "Appel à l'étude du mandataire judiciaire : déclaration de créance enregistrée, "
                "vérification des créances en cours."
            )
        elif kind == "judicial":
            outcome = self.rng.choice(("reached", "no_answer"))
            note = (
                "Débiteur informé de la procédure en cours et des frais qu'elle lui fera supporter."
                if outcome == "reached"
                else ""
            )
        elif kind == "plan":
            outcome = "reached"
            note = "Mensualité bien reçue ; rappel fait avant la prochaine échéance."
        else:
            outcome = self.rng.choice(("reached", "voicemail", "no_answer", "reached"))
            note = self.call_note(run, outcome)
        self.call(run, outcome, note, follow_up=(follow_up - run.day).days)

    # -- scenarios --

    def play_intake(self, run: Run) -> None:
        pass  # Waiting in the agency's intake queue, untouched.

    def play_intake_under_review(self, run: Run) -> None:
        self.advance(run, 0, 1)
        with self.clock(self.moment(run, run.day), run.case):
            casework.assign_case(run.plan.agent, run.case, run.plan.agent.id)
        self.note(run, "Vérification du mandat et des pièces avant acceptation.")

    def play_amicable_new(self, run: Run) -> None:
        self.advance(run, 1, 3)
        self.accept(run, by_supervisor=self.rng.random() < 0.5)
        if self.rng.random() < 0.6:
            self.advance(run, 1, 4)
            self.work(run, 1)
        self.keep_current(run)

    def play_amicable_worked(self, run: Run) -> None:
        self.advance(run, 1, 4)
        self.accept(run, by_supervisor=self.rng.random() < 0.5)
        self.advance(run, 1, 3)
        self.work(run, self.rng.randint(2, 4))
        if self.rng.random() < 0.6:
            self.note(
                run,
                f"Lettre de relance envoyée le {_fr(run.day)} : règlement demandé sous 15 jours.",
                visible=True,
            )
        if self.rng.random() < 0.4 and run.case.debtor.is_company:
            self.note(
                run,
                "Recherche Infogreffe : société toujours en activité, pas de procédure "
                "collective en cours.",
            )
        if not run.case.debtor.is_company:
            # A consumer owes legal interest only once a formal notice has been received.
            self.notice_received(run, run.day - timedelta(days=3))
        if self.rng.random() < 0.4:
            self.advance(run, 3, 10)
            instalment = max(run.case.claim_cents // 300 * 100, 5_000)  # a third, whole euros
            cheque = self.pay(
                run, instalment, "cheque", f"Chèque n° {self.rng.randint(1, 9999999):07d}"
            )
            if not self.bounced_one:
                self.bounced_one = True
                self.advance(run, 4, 8)
                self.bounce(run, cheque)
        self.keep_current(run)

    def play_amicable_unassigned(self, run: Run) -> None:
        self.advance(run, 1, 3)
        self.accept(run, by_supervisor=True, assign=False)

    def play_amicable_promise(self, run: Run) -> None:
        self.advance(run, 1, 4)
        self.accept(run)
        self.advance(run, 2, 6)
        self.work(run, self.rng.randint(0, 2))
        run.day = max(run.day, self.last_day - timedelta(days=self.rng.randint(1, 8)))
        amount = run.case.claim_cents
        if self.rng.random() < 0.4:
            amount = amount // 2
        promised_on = self.today + timedelta(days=self.rng.randint(2, 20))
        self.call(
            run,
            "promise_to_pay",
            f"S'engage à virer {_eur(amount)} au plus tard le {_fr(promised_on)}.",
            promise=(amount, promised_on),
            inbound=self.rng.random() < 0.4,
        )
        self.hold(run, "promise", f"Promesse de {_eur(amount)} pour le {_fr(promised_on)}.")

    def play_amicable_plan(self, run: Run) -> None:
        self.advance(run, 1, 4)
        self.accept(run)
        self.advance(run, 2, 6)
        self.work(run, self.rng.randint(1, 2))
        months = self.rng.choice((3, 4, 6))
        self.call(
            run,
            "reached",
            f"Accepte un échéancier en {months} mensualités, formulaire envoyé par e-mail.",
        )
        self.advance(run, 3, 8)
        if not self.grant_plan(run, months):
            self.hold(
                run,
                "payment_plan",
                f"Échéancier signé : {months} mensualités de "
                f"{_eur(run.case.claim_cents // months)}, première le "
                f"{_fr(run.day + timedelta(days=10))}.",
            )
        self.keep_current(run, "plan")

    def grant_plan(self, run: Run, months: int) -> bool:
        """A real plan on the balance of the day, with the installments paid so far; False when
        the balance cannot be computed yet (a semester's rate is not in the table)."""
        db.session.commit()  # the stamps rewritten so far: the refusal below rolls back
        with self.clock(self.moment(run, run.day), run.case):
            try:
                plan = plans.propose_plan(
                    run.plan.agent,
                    run.case,
                    down_payment_cents=0,
                    installment_count=months,
                    frequency="monthly",
                    first_due_on=run.day + timedelta(days=10),
                    today=run.day,
                )
            except ValidationFailed:
                db.session.rollback()
                return False
        # Paid on time so far; the last installment is always still to come.
        for installment in plan.installments[:-1]:
            if installment.due_on > self.last_day:
                break
            run.day = installment.due_on
            self.pay(run, installment.amount_cents, reference=f"Échéance {installment.sequence}")
        return True

    def play_amicable_dispute(self, run: Run) -> None:
        self.advance(run, 1, 4)
        self.accept(run)
        self.advance(run, 2, 6)
        first = run.plan.invoices[0].number
        self.call(
            run,
            "dispute",
            f"Conteste la facture {first} : {run.plan.creditor.complaint}.",
        )
        self.hold(run, "dispute", f"Contestation de la facture {first} par le débiteur.")
        self.note(
            run,
            f"Merci de nous transmettre {run.plan.creditor.proof} de la facture {first}.",
            visible=True,
        )

    def play_amicable_creditor_hold(self, run: Run) -> None:
        self.advance(run, 1, 4)
        self.accept(run)
        self.advance(run, 2, 6)
        self.work(run, 2)
        self.hold(
            run,
            "creditor_request",
            "Le créancier demande de suspendre les relances : négociation commerciale en cours "
            "avec son client.",
            actor=self.supervisor,
        )

    def judicial_phase(self, run: Run) -> None:
        self.advance(run, 1, 4)
        self.accept(run, by_supervisor=self.rng.random() < 0.5)
        self.advance(run, 2, 6)
        self.work(run, self.rng.randint(2, 4))
        news = self.go_judicial(run)
        self.advance(run, 20, 45)
        self.note(run, news, visible=True)

    def play_judicial(self, run: Run) -> None:
        self.judicial_phase(run)
        self.keep_current(run, "judicial")

    def play_judicial_plan(self, run: Run) -> None:
        self.judicial_phase(run)
        self.advance(run, 10, 30)
        self.call(
            run,
            "reached",
            "Le débiteur demande un échéancier pour éviter l'exécution forcée.",
            inbound=True,
        )
        self.hold(
            run,
            "payment_plan",
            f"Échéancier accordé : 6 mensualités de {_eur(run.case.claim_cents // 6)}.",
            actor=self.supervisor,
        )
        self.keep_current(run, "plan")

    def insolvency_reason(self, run: Run, procedure: str = "redressement judiciaire") -> str:
        court = COURTS.get(run.plan.debtor.city, "Bordeaux")
        deadline = run.day + timedelta(days=60)
        return (
            f"Jugement d'ouverture de {procedure} publié au BODACC le {_fr(run.day)} "
            f"(tribunal de commerce de {court}). Déclaration de créance à adresser au "
            f"mandataire judiciaire avant le {_fr(deadline)}."
        )

    def play_insolvency(self, run: Run) -> None:
        self.insolvency_phase(run)
        self.keep_current(run, "insolvency")

    def insolvency_phase(self, run: Run, procedure: str = "redressement judiciaire") -> None:
        self.advance(run, 1, 4)
        self.accept(run)
        self.advance(run, 2, 6)
        self.work(run, self.rng.randint(1, 3))
        self.advance(run, 5, 20)
        self.move(run, pipeline.INSOLVENCY, self.insolvency_reason(run, procedure))
        self.note(run, "Déclaration de créance envoyée au mandataire judiciaire.", visible=True)

    def play_insolvency_at_intake(self, run: Run) -> None:
        self.advance(run, 1, 3)
        with self.clock(self.moment(run, run.day), run.case):
            casework.assign_case(run.plan.agent, run.case, run.plan.agent.id)
        self.move(run, pipeline.INSOLVENCY, self.insolvency_reason(run))
        self.keep_current(run, "insolvency")

    def play_returned_incomplete(self, run: Run) -> None:
        self.advance(run, 1, 5)
        self.move(
            run,
            pipeline.RETURNED,
            "Aucune facture jointe : merci de transmettre les factures et le bon de commande "
            "signé pour que nous puissions agir.",
            return_reason="incomplete",
        )

    def play_returned_disputed(self, run: Run) -> None:
        self.advance(run, 1, 4)
        self.accept(run)
        self.advance(run, 2, 6)
        self.call(
            run,
            "dispute",
            f"Conteste l'ensemble de la facturation : {run.plan.creditor.complaint}.",
        )
        self.advance(run, 5, 15)
        self.move(
            run,
            pipeline.RETURNED,
            "Le débiteur conteste la bonne exécution de la commande : litige commercial à régler "
            "directement avec votre client avant tout recouvrement.",
            return_reason="disputed",
        )

    def play_returned_prescribed(self, run: Run) -> None:
        self.advance(run, 1, 4)
        self.move(
            run,
            pipeline.RETURNED,
            "Créance sur un particulier échue depuis plus de deux ans (art. L218-2 du code de "
            "la consommation) : elle est prescrite.",
            return_reason="prescribed",
        )

    def play_returned_other(self, run: Run) -> None:
        self.advance(run, 1, 4)
        self.move(
            run,
            pipeline.RETURNED,
            "Le débiteur est une société de votre groupe : ce dossier sort du mandat.",
            return_reason="other",
        )

    def play_resubmitted(self, run: Run) -> None:
        self.play_returned_incomplete(run)
        self.advance(run, 3, 10)
        submitter = run.plan.submitter
        uploads = self.documents(run.plan, run.case.debtor.name)
        with self.clock(self.moment(run, run.day), run.case):
            intake.add_documents(submitter, run.case, uploads)
        self.move(
            run, pipeline.INTAKE, "Factures et bon de commande ajoutés au dossier.", actor=submitter
        )
        self.advance(run, 1, 3)
        self.accept(run)
        self.advance(run, 1, 5)
        self.work(run, self.rng.randint(1, 2))
        self.keep_current(run)

    def pay(self, run: Run, amount_cents: int, method: str = "transfer", reference: str = ""):
        with self.clock(self.moment(run, run.day), run.case):
            return payments.record_payment(
                run.plan.agent,
                run.case,
                amount_cents=amount_cents,
                received_on=run.day,
                method=method,
                reference=reference,
                today=run.day,
            )

    def bounce(self, run: Run, payment) -> None:
        with self.clock(self.moment(run, run.day), run.case):
            payments.reverse_payment(
                run.plan.agent,
                payment,
                reason="bounced_cheque",
                note="Chèque rejeté par la banque pour défaut de provision.",
                today=run.day,
            )

    def close(self, run: Run, outcome: str, reason: str, actor: User | None = None) -> None:
        self.move(run, pipeline.CLOSED, reason, outcome=outcome, actor=actor)

    def play_closed_paid(self, run: Run) -> None:
        self.advance(run, 1, 4)
        self.accept(run)
        self.advance(run, 2, 6)
        self.work(run, self.rng.randint(0, 2))
        promised_on = run.day + timedelta(days=self.rng.randint(5, 15))
        amount = run.case.claim_cents
        self.call(
            run,
            "promise_to_pay",
            f"Promet un virement de {_eur(amount)} le {_fr(promised_on)}.",
            promise=(amount, promised_on),
        )
        run.day = min(promised_on + timedelta(days=self.rng.randint(0, 3)), self.last_day)
        self.pay(run, amount, reference=f"VIR {run.plan.debtor.name[:20].upper()}")
        if run.case.is_open:
            # The claim without its interest: the creditor waived the rest, as it often does.
            self.close(run, "paid", f"Virement de {_eur(amount)} reçu le {_fr(run.day)}.")

    def play_closed_paid_judicial(self, run: Run) -> None:
        self.judicial_phase(run)
        self.advance(run, 30, 60)
        self.close(
            run,
            "paid",
            "Règlement intégral reçu pendant la procédure judiciaire, frais compris.",
        )

    def play_closed_settled(self, run: Run) -> None:
        self.advance(run, 1, 4)
        self.accept(run)
        self.advance(run, 2, 6)
        self.work(run, self.rng.randint(2, 3))
        share = self.rng.choice((70, 75, 80))
        self.note(
            run,
            f"Proposition transactionnelle du débiteur : {share} % de la créance contre "
            "abandon du solde. Accord du créancier demandé.",
            visible=True,
        )
        self.advance(run, 5, 15)
        self.close(
            run,
            "settled",
            f"Protocole transactionnel signé : {_eur(run.case.claim_cents * share // 100)} "
            f"réglés ({share} %), abandon du solde accepté par le créancier.",
        )

    def play_closed_irrecoverable(self, run: Run) -> None:
        self.advance(run, 1, 4)
        self.accept(run)
        self.advance(run, 2, 6)
        self.work(run, self.rng.randint(2, 4))
        self.advance(run, 10, 30)
        self.close(
            run,
            "irrecoverable",
            "Débiteur introuvable à l'adresse connue et sans actif saisissable identifié.",
        )

    def play_closed_insolvency(self, run: Run) -> None:
        self.insolvency_phase(run, "liquidation judiciaire")
        self.advance(run, 90, 200)
        self.close(
            run,
            "irrecoverable",
            "Clôture de la liquidation judiciaire pour insuffisance d'actif : aucun dividende.",
        )

    def play_closed_withdrawn(self, run: Run) -> None:
        self.advance(run, 1, 4)
        self.accept(run)
        self.advance(run, 2, 6)
        self.work(run, self.rng.randint(1, 2))
        self.advance(run, 3, 10)
        self.close(
            run,
            "withdrawn",
            "Le créancier retire le dossier : accord commercial direct avec son client.",
        )

    def play_closed_withdrawn_by_creditor(self, run: Run) -> None:
        self.advance(run, 0, 2)
        self.close(
            run,
            "withdrawn",
            "Notre client vient de régler directement, merci de ne pas donner suite.",
            actor=run.plan.submitter,
        )

    def play_closed_prescribed(self, run: Run) -> None:
        self.advance(run, 1, 4)
        self.accept(run)
        self.advance(run, 2, 6)
        self.call(
            run,
            "refused",
            "Le débiteur invoque la prescription : dernière facture échue il y a plus de deux ans.",
        )
        self.close(
            run,
            "prescribed",
            "Créance d'un professionnel contre un consommateur prescrite au bout de deux ans "
            "(art. L218-2 du code de la consommation).",
        )
