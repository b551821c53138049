"""Files people open in a spreadsheet: French conventions (`;`, decimal comma, UTF-8 with BOM
so that Excel reads the accents), one header row, amounts in euros."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from app import formatting
from app.domain.money import cents_to_decimal
from app.services.remittance import Statement

STATEMENT_COLUMNS = (
    "Date",
    "Dossier",
    "Débiteur",
    "Moyen",
    "Encaissé par",
    "Brut",
    "Commission HT",
    "TVA",
    "Trop-perçu retenu",
    "Net",
)


def euros(cents: int) -> str:
    """-42800 -> "-428,00" (no thousands separator: spreadsheets parse it as a number)."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100},{cents % 100:02d}"


def statement_csv(statement: Statement) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(STATEMENT_COLUMNS)
    if statement.brought_forward_cents:
        writer.writerow(
            [
                "",
                "",
                "Report du relevé précédent",
                "",
                "",
                "",
                "",
                "",
                "",
                euros(statement.brought_forward_cents),
            ]
        )
    for line in statement.lines:
        writer.writerow(
            [
                line.received_on.strftime("%d/%m/%Y") if line.received_on else "",
                line.case_reference or "",
                " — ".join(x for x in (line.debtor_name, line.label, line.detail) if x),
                (formatting.payment_method_label(line.method) if line.method else "")
                + (" (annulation)" if line.reversal else ""),
                "" if line.method is None else ("créancier" if line.paid_to_creditor else "agence"),
                euros(line.gross_cents),
                euros(-line.commission_cents),
                euros(-line.vat_cents),
                euros(-line.credit_cents),
                euros(line.net_cents),
            ]
        )
    writer.writerow(
        ["", "", "Total à reverser", "", "", "", "", "", "", euros(statement.transfer_cents)]
    )
    return out.getvalue()


# --- Tables (the dashboard's): every chart's table, as CSV or XLSX ---------------------------

# A cell a spreadsheet would run as a formula (or as DDE) when it starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text that cannot run as a formula: a leading quote makes the spreadsheet show it as is."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Money:
    cents: int


@dataclass
class Table:
    """A header row and rows of cells: str (text), int (a count), Money, Decimal (a figure)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Money):
        return euros(value.cents)
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def table_csv(table: Table) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue()


def _xlsx_cell(value):
    if isinstance(value, Money):
        return cents_to_decimal(value.cents), "#,##0.00"
    if isinstance(value, Decimal):
        return value, "0.0"
    if isinstance(value, int) or value is None:
        return value, None
    # openpyxl stores a string starting with "=" as a formula: neutralised first.
    return neutralise(str(value)), None


def table_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    # Sheet titles: 31 characters, none of []:*?/\ (Excel's rules).
    sheet.title = "".join(c for c in table.title if c not in "[]:*?/\\")[:31] or "Table"
    sheet.append([neutralise(c) for c in table.columns])
    for row in table.rows:
        values = [_xlsx_cell(v) for v in row]
        sheet.append([v for v, _fmt in values])
        for cell, (_v, number_format) in zip(sheet[sheet.max_row], values, strict=True):
            if number_format:
                cell.number_format = number_format
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever openpyxl guessed
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
