"""Reading a creditor's file of invoices (CSV, XLSX or FEC) into rows of our fields.

Pure: bytes in, rows and French messages out. What a row must contain is intake's rule
(app.domain.intake, app.services.intake); this module only turns cells into values.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.domain import money
from app.domain.i18n import N_

# Our fields, in the order the mapping page and the template file show them.
FIELDS: tuple[tuple[str, str], ...] = (
    ("debtor_name", N_("Nom du débiteur")),
    ("debtor_kind", N_("Type (entreprise ou particulier)")),
    ("siren", N_("SIREN")),
    ("email", N_("E-mail")),
    ("phone", N_("Téléphone")),
    ("address_line1", N_("Adresse ligne 1")),
    ("address_line2", N_("Adresse ligne 2")),
    ("postal_code", N_("Code postal")),
    ("city", N_("Ville")),
    ("country", N_("Pays")),
    ("invoice_number", N_("Numéro de facture")),
    ("issue_date", N_("Date d'émission")),
    ("due_date", N_("Date d'échéance")),
    ("amount", N_("Montant TTC")),
    ("paid", N_("Déjà payé")),
    ("external_ref", N_("Référence externe")),
)
FIELD_KEYS = tuple(key for key, _label in FIELDS)
REQUIRED_FIELDS = ("debtor_name", "invoice_number", "issue_date", "due_date", "amount")

# Column names seen in French accounting and CRM exports, normalised (see `_norm`).
_ALIASES: dict[str, tuple[str, ...]] = {
    "debtor_name": (
        "nomdudebiteur",
        "debiteur",
        "client",
        "nomclient",
        "raisonsociale",
        "nom",
        "debtorname",
        "customer",
        "name",
        "societe",
    ),
    "debtor_kind": ("type", "typedebiteur", "kind", "debtorkind", "nature", "categorie"),
    "siren": ("siren", "sirenclient", "numerosiren"),
    "email": ("email", "mail", "courriel", "adresseemail", "emailclient"),
    "phone": ("telephone", "tel", "phone", "portable", "mobile"),
    "address_line1": ("adresse", "adresseligne1", "adresse1", "address", "addressline1", "rue"),
    "address_line2": (
        "adresseligne2",
        "adresse2",
        "complementadresse",
        "addressline2",
        "complement",
    ),
    "postal_code": ("codepostal", "cp", "postalcode", "zip", "postcode"),
    "city": ("ville", "city", "commune", "localite"),
    "country": ("pays", "country", "codepays"),
    "invoice_number": (
        "numerodefacture",
        "numerofacture",
        "facture",
        "nfacture",
        "nofacture",
        "invoice",
        "invoicenumber",
        "piece",
        "numero",
        "reffacture",
    ),
    "issue_date": (
        "datedemission",
        "dateemission",
        "datefacture",
        "date",
        "issuedate",
        "invoicedate",
        "datepiece",
    ),
    "due_date": ("datedecheance", "dateecheance", "echeance", "duedate", "datelimite"),
    "amount": ("montantttc", "montant", "amount", "total", "totalttc", "ttc", "montantfacture"),
    "paid": ("dejapaye", "paye", "montantpaye", "regle", "acompte", "paid", "amountpaid"),
    "external_ref": (
        "referenceexterne",
        "refexterne",
        "reference",
        "ref",
        "externalref",
        "votrereference",
        "dossier",
    ),
}

FEC_COLUMNS = (
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
    "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
    "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise",
)  # fmt: skip
# The FEC carries no due date: the issue date plus this many days, said on the report.
FEC_DUE_DAYS = 30
FEC_NOTE = N_(
    "Le FEC ne contient pas de date d'échéance : elle est fixée à la date de la pièce + 30 jours."
)
FEC_DEBTORS_NOTE = N_(
    "Le FEC ne donne ni SIREN ni adresse : ses factures vont aux débiteurs que vous nous avez "
    "déjà transmis (même nom) ; pour un nouveau débiteur, importez un CSV avec son adresse."
)
MAX_ROWS = 50_000


class UnreadableFile(ValueError):
    """The file cannot be read; the message (French) says why."""


@dataclass
class Table:
    kind: str  # csv, xlsx or fec
    columns: list[str]
    rows: list[list[object]]  # cells in column order; the header is line 1
    notes: list[str] = field(default_factory=list)

    def records(self, mapping: dict[str, str]) -> list[tuple[int, dict[str, object]]]:
        """(line number in the file, {our field: cell}) for each row, by the chosen mapping."""
        index = {name: i for i, name in enumerate(self.columns)}
        picks = {key: index[col] for key, col in mapping.items() if col in index}
        out = []
        for number, row in enumerate(self.rows, start=2):
            out.append(
                (number, {key: row[i] if i < len(row) else None for key, i in picks.items()})
            )
        return out


def _norm(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """Our field -> the file's column, from the column names; each column used once."""
    normalised = {_norm(c): c for c in columns if str(c).strip()}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    labels = dict(FIELDS)
    for key in FIELD_KEYS:
        for alias in (_norm(labels[key]), _norm(key), *_ALIASES.get(key, ())):
            column = normalised.get(alias)
            if column is not None and column not in used:
                mapping[key] = column
                used.add(column)
                break
    return mapping


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, else Latin-1 (which never fails)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def sniff_separator(text: str) -> str:
    """The separator of the header line: whichever of ; , tab | appears most."""
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (";", "\t", ",", "|")}
    best = max(counts, key=lambda sep: counts[sep])
    if counts[best] == 0:
        raise UnreadableFile(
            N_("Séparateur introuvable : les colonnes doivent être séparées par ; , ou tabulation.")
        )
    return best


def read_file(filename: str, data: bytes) -> Table:
    """Read a CSV, XLSX or FEC file. Raises UnreadableFile with a French reason."""
    if not data:
        raise UnreadableFile(N_("Le fichier est vide."))
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04" or name.endswith(".xlsx"):
        table = _read_xlsx(data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or name.endswith(".xls"):
        raise UnreadableFile(
            N_("Ancien format Excel (.xls) non lu : enregistrez le fichier en .xlsx ou en CSV.")
        )
    else:
        table = _read_text(data)
    if not table.rows:
        raise UnreadableFile(N_("Le fichier ne contient aucune ligne sous l'en-tête."))
    if len(table.rows) > MAX_ROWS:
        raise UnreadableFile(N_("Le fichier dépasse 50 000 lignes : découpez-le."))
    if set(FEC_COLUMNS[:14]) <= set(table.columns):
        return fec_table(table)
    return table


def _read_text(data: bytes) -> Table:
    if b"\x00" in data[:4096]:
        raise UnreadableFile(
            N_("Fichier illisible : ni CSV ni XLSX (enregistrez-le en CSV UTF-8 ou en XLSX).")
        )
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    separator = sniff_separator(text)
    try:
        lines = list(csv.reader(io.StringIO(text), delimiter=separator))
    except csv.Error as exc:
        raise UnreadableFile(N_("Fichier CSV mal formé (guillemets non fermés ?).")) from exc
    lines = [line for line in lines if any(cell.strip() for cell in line)]
    if not lines:
        raise UnreadableFile(N_("Le fichier est vide."))
    columns = [c.strip() for c in lines[0]]
    return Table("csv", columns, lines[1:])


def _read_xlsx(data: bytes) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(N_("Fichier XLSX illisible ou protégé par un mot de passe.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            if any(cell not in (None, "") for cell in row):
                rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:  # stop early: the size check below refuses it anyway
                break
    finally:
        workbook.close()
    if not rows:
        raise UnreadableFile(N_("La première feuille du classeur est vide."))
    columns = ["" if c is None else str(c).strip() for c in rows[0]]
    return Table("xlsx", columns, rows[1:])


def fec_table(table: Table) -> Table:
    """The open customer entries of an FEC (accounts 411, not lettered), one row per piece and
    customer (debit - credit), as a table whose columns are our field names."""
    col = {name: i for i, name in enumerate(table.columns)}

    def cell(row, name):
        i = col[name]
        return str(row[i]).strip() if i < len(row) and row[i] is not None else ""

    pieces: dict[tuple[str, str], dict] = {}
    for row in table.rows:
        if not cell(row, "CompteNum").startswith("411") or cell(row, "EcritureLet"):
            continue
        customer = cell(row, "CompAuxNum") or cell(row, "CompteNum")
        piece = cell(row, "PieceRef") or cell(row, "EcritureNum")
        entry = pieces.setdefault(
            (customer, piece),
            {"name": cell(row, "CompAuxLib") or cell(row, "CompteLib"), "date": "", "cents": 0},
        )  # fmt: skip
        entry["date"] = entry["date"] or cell(row, "PieceDate") or cell(row, "EcritureDate")
        try:
            entry["cents"] += _cents(cell(row, "Debit") or "0") - _cents(cell(row, "Credit") or "0")
        except money.InvalidAmount:
            entry["bad_amount"] = True
    columns = ["debtor_name", "invoice_number", "issue_date", "due_date", "amount"]
    rows: list[list[object]] = []
    for (_customer, piece), entry in pieces.items():
        if entry["cents"] <= 0 and not entry.get("bad_amount"):
            continue  # settled, or a credit note: nothing to collect
        issued = _date_or_none(entry["date"])
        due = (issued + timedelta(days=FEC_DUE_DAYS)).isoformat() if issued else ""
        amount = "" if entry.get("bad_amount") else str(money.cents_to_decimal(entry["cents"]))
        rows.append([entry["name"], piece, entry["date"], due, amount])
    return Table("fec", columns, rows, notes=[FEC_NOTE, FEC_DEBTORS_NOTE])


def _cents(text: str) -> int:
    return money.to_cents(text)


# --- cells to values -------------------------------------------------------------------------


def text(value: object) -> str:
    if type(value) is str:  # every CSV cell: the common case first (called ~10 times a row)
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a SIREN or a postal code typed as a number in a spreadsheet
    return str(value).strip()


_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y%m%d", "%d/%m/%y")
# The two usual shapes, read without strptime (a file has two dates per row, and strptime is
# most of the time spent checking a large file). Anything else, or a day that does not exist,
# goes through _DATE_FORMATS as before, so the result is strptime's in every case.
_FAST_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_FAST_YMD = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def _date_or_none(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    if not raw:
        return None
    raw = raw.split(" ")[0].split("T")[0]  # "2024-03-31 00:00:00" from a spreadsheet
    if match := _FAST_DMY.fullmatch(raw):
        day, month, year = match.groups()
    elif match := _FAST_YMD.fullmatch(raw):
        year, month, day = match.groups()
    if match:
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass  # 31/02/2026: strptime below refuses it the same way
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
    return None


def parse_date(value: object) -> date | None:
    """None when empty; raises ValueError with a French message when not a date."""
    if text(value) == "" and not isinstance(value, date):
        return None
    parsed = _date_or_none(value)
    if parsed is None:
        raise ValueError(N_("Date invalide : jj/mm/aaaa ou aaaa-mm-jj attendue."))
    return parsed


def parse_cents(value: object) -> int | None:
    """None when empty; raises money.InvalidAmount for anything but an amount."""
    if isinstance(value, bool):
        raise money.InvalidAmount(N_("Montant invalide."))
    if isinstance(value, int):
        return value * 100
    if isinstance(value, float):
        return money.to_cents(Decimal(repr(value)))
    raw = text(value)
    if not raw:
        return None
    return money.to_cents(raw)


_KINDS = {
    "company": ("entreprise", "societe", "company", "professionnel", "pro", "b2b",
                "personnemorale"),
    "individual": ("particulier", "individual", "personne", "personnephysique", "consommateur",
                   "b2c"),
}  # fmt: skip


def parse_kind(value: object, *, has_siren: bool) -> str:
    """company or individual; empty means company when a SIREN is given, else individual is
    not assumed: intake's rule then asks for it."""
    raw = _norm(text(value))
    if not raw:
        return "company" if has_siren else ""
    for kind, words in _KINDS.items():
        if raw in words:
            return kind
    return raw  # unknown: intake's rule says so
