"""Reading a creditor's file of invoices: encodings, separators, French numbers and dates, XLSX,
the FEC's open customer entries, and files that cannot be read."""

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.domain import import_rows
from app.domain.money import InvalidAmount

DATA = Path(__file__).resolve().parents[1] / "data"


def read(name: str) -> import_rows.Table:
    return import_rows.read_file(name, (DATA / name).read_bytes())


def first_record(table):
    mapping = import_rows.guess_mapping(table.columns)
    return table.records(mapping)[0]


def test_a_utf8_csv_with_commas_keeps_quoted_commas_and_accents():
    table = read("invoices_utf8_commas.csv")
    assert table.kind == "csv"
    assert len(table.rows) == 3
    names = [row[0] for row in table.rows]
    assert names[0] == "Société Générale d'Équipement"
    assert names[2] == "Café des Amis, SARL"


def test_a_latin1_csv_with_semicolons_reads_accents_french_amounts_and_dates():
    table = read("invoices_latin1_semicolons.csv")
    line, values = first_record(table)
    assert line == 2
    assert values["debtor_name"] == "Électricité Bréguet SA"
    assert import_rows.parse_cents(values["amount"]) == 123_456
    assert import_rows.parse_date(values["issue_date"]) == date(2026, 1, 15)
    second = table.records(import_rows.guess_mapping(table.columns))[1][1]
    assert import_rows.parse_cents(second["amount"]) == 150_000  # "1.500,00"


def test_a_utf8_bom_is_not_part_of_the_first_column_name():
    data = "\ufeffClient;Montant\nDupont;12,50\n".encode()
    table = import_rows.read_file("f.csv", data)
    assert table.columns == ["Client", "Montant"]


def test_tab_separated_files_are_read():
    table = import_rows.read_file("f.txt", b"Client\tMontant\nDupont\t12,50\n")
    assert table.rows == [["Dupont", "12,50"]]


def test_an_xlsx_sheet_reads_dates_and_numbers_as_typed():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Client", "SIREN", "Numéro de facture", "Date facture", "Échéance", "Montant"])
    sheet.append(["Dupont SA", 732829320, "X-1", datetime(2026, 3, 1), datetime(2026, 3, 31), 99.9])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = import_rows.read_file("clients.xlsx", buffer.getvalue())
    assert table.kind == "xlsx"
    _line, values = first_record(table)
    assert import_rows.text(values["siren"]) == "732829320"
    assert import_rows.parse_date(values["issue_date"]) == date(2026, 3, 1)
    assert import_rows.parse_cents(values["amount"]) == 9_990


def test_the_fec_gives_open_customer_invoices_only_with_a_due_date_30_days_on():
    table = read("fec_extract.txt")
    assert table.kind == "fec"
    assert import_rows.FEC_NOTE in table.notes
    records = [values for _line, values in table.records({c: c for c in table.columns})]
    # The lettered invoice (paid) and the supplier line are left out; the down payment counts.
    assert [(r["invoice_number"], r["amount"]) for r in records] == [
        ("FV2026-0001", "1440.00"),
        ("FV2026-0003", "2000.00"),
    ]
    assert records[0]["debtor_name"] == "Électricité Bréguet SA"
    assert import_rows.parse_date(records[0]["issue_date"]) == date(2026, 1, 15)
    assert import_rows.parse_date(records[0]["due_date"]) == date(2026, 2, 14)


def test_column_names_are_guessed_whatever_their_accents_and_case():
    mapping = import_rows.guess_mapping(["N° FACTURE", "Date d'échéance", "Raison sociale", "CP"])
    assert mapping == {
        "invoice_number": "N° FACTURE",
        "due_date": "Date d'échéance",
        "debtor_name": "Raison sociale",
        "postal_code": "CP",
    }


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "vide"),
        (b"just one column\nno separator\n", "Séparateur introuvable"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04broken zip", "XLSX illisible"),
        (b"Client;Montant\n", "aucune ligne"),
    ],
)
def test_a_file_that_cannot_be_read_says_why_in_french(data, reason):
    with pytest.raises(import_rows.UnreadableFile, match=reason):
        import_rows.read_file("factures.csv", data)


def test_amounts_with_three_decimals_are_refused_not_rounded():
    with pytest.raises(InvalidAmount):
        import_rows.parse_cents("100,555")


def test_a_bad_date_is_refused_with_the_expected_formats():
    with pytest.raises(ValueError, match="jj/mm/aaaa"):
        import_rows.parse_date("31/02/2026")


def _by_strptime_only(cell: str):
    # The reading before the fast path: each of _DATE_FORMATS in turn.
    raw = cell.strip().split(" ")[0].split("T")[0]
    if not raw:
        return None
    for fmt in import_rows._DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
    return None


def test_dates_read_without_strptime_are_exactly_what_strptime_reads():
    days = ["0", "00", "1", "01", "09", "10", "12", "13", "28", "29", "30", "31", "32", " 1"]
    years = ["0000", "0001", "2024", "2026", "9999", "26", "024"]
    cells = [
        cell
        for d in days
        for m in days
        for y in years
        for cell in (f"{d}/{m}/{y}", f"{y}-{m}-{d}", f"{d}-{m}-{y}", f"{d}.{m}.{y}")
    ]
    cells += ["٠١/٠٢/٢٠٢٦", "29/02/2024", "29/02/2026", "20260131", "01/02/2026/"]
    for cell in cells:
        assert import_rows._date_or_none(cell) == _by_strptime_only(cell), cell
