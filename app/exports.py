"""Files people open in a spreadsheet: French conventions (`;`, decimal comma, UTF-8 with BOM
so that Excel reads the accents), one header row, amounts in euros."""

from __future__ import annotations

import csv
import io

from app import formatting
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
                line.debtor_name or line.label,
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
