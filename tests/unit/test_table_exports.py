"""Dashboard tables as CSV (French conventions) and XLSX, with formulas neutralised."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app import exports
from app.exports import Money, Table


@pytest.mark.parametrize("text", ["=1+1", "+33 1 23", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert exports.neutralise(text) == "'" + text


def test_ordinary_text_is_left_alone():
    assert exports.neutralise("Boulangerie Dupont SAS") == "Boulangerie Dupont SAS"
    assert exports.neutralise("") == ""


def _table():
    return Table(
        "synthese",
        "Synthèse",
        ["Indicateur", "Valeur"],
        [
            ["Créancier", '=HYPERLINK("http://evil.example","x")'],
            ["Reste à reverser", Money(-42_800)],
            ["Taux (%)", Decimal("41.1")],
            ["Dossiers", 3],
            ["Délai", None],
        ],
    )


def test_csv_uses_semicolons_decimal_commas_and_a_bom_and_escapes_formulas():
    text = exports.table_csv(_table())
    assert text.startswith("\ufeffIndicateur;Valeur\r\n")
    lines = text.lstrip("\ufeff").split("\r\n")
    assert lines[1] == 'Créancier;"\'=HYPERLINK(""http://evil.example"",""x"")"'
    # A negative amount is a number, not text to neutralise.
    assert lines[2] == "Reste à reverser;-428,00"
    assert lines[3] == "Taux (%);41,1"
    assert lines[4] == "Dossiers;3"
    assert lines[5] == "Délai;"


def test_xlsx_keeps_numbers_as_numbers_and_formulas_as_quoted_text():
    workbook = load_workbook(io.BytesIO(exports.table_xlsx(_table())))
    sheet = workbook.active
    assert sheet.title == "Synthèse"
    assert [c.value for c in sheet[1]] == ["Indicateur", "Valeur"]
    formula = sheet["B2"]
    assert formula.value == '\'=HYPERLINK("http://evil.example","x")'
    assert formula.data_type == "s"
    assert sheet["B3"].value == Decimal("-428.00") or sheet["B3"].value == -428
    assert sheet["B3"].number_format == "#,##0.00"
    assert float(sheet["B4"].value) == 41.1
    assert sheet["B5"].value == 3
