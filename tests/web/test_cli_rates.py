"""`flask rates list` and `flask rates add`: the operator's way to keep the rate table current."""

from datetime import date

import pytest

from app.services import rates


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["rates", *args])

    return invoke


def test_rates_list_prints_each_rate_with_its_semester_and_percent(cli, published_rates):
    result = cli("list")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["Semestre", "Type", "Taux", "Source"]
    assert any(line.split()[:5] == ["2024", "S1", "ecb", "4.50", "%"] for line in lines)
    assert any(line.split()[:5] == ["2026", "S1", "legal_other", "2.62", "%"] for line in lines)
    assert len(lines) == 1 + 45


def test_rates_list_says_when_the_table_is_empty(cli):
    result = cli("list")
    assert result.exit_code == 0
    assert "Aucun taux enregistré." in result.output


def test_rates_add_records_a_semester(cli, published_rates):
    result = cli("add", "--kind", "ecb", "--semester", "2026-S2", "--rate", "2.15")

    assert result.exit_code == 0, result.output
    assert "Taux enregistré : taux BCE, semestre 2026 S2, 2.15 % (Banque de France)." in (
        result.output
    )
    assert rates.rate_book().rate("ecb", date(2026, 9, 1)) == 215
    listed = cli("list").output
    assert "2026 S2" in listed


def test_rates_add_takes_a_source_a_first_day_and_a_decimal_comma(cli):
    result = cli(
        "add",
        "--kind",
        "legal_other",
        "--semester",
        "2026-07-01",
        "--rate",
        "1,87",
        "--source",
        "JO du 28 juin 2026",
    )

    assert result.exit_code == 0, result.output
    assert "(JO du 28 juin 2026)" in result.output
    assert rates.rate_book().rate("legal_other", date(2026, 7, 1)) == 187


@pytest.mark.parametrize(
    ("semester", "rate", "message"),
    [
        ("2026-S3", "2.15", "Semestre invalide : écrivez par exemple 2026-S2 ou 2026-07-01."),
        ("2026-08-01", "2.15", "Un semestre commence le 1er janvier ou le 1er juillet."),
        ("2026-S2", "2.155", "Un taux a au plus deux décimales."),
        ("2026-S2", "deux", "Taux invalide : écrivez un pourcentage, par exemple 2,15."),
        ("2026-S2", "-0.5", "Un taux ne peut pas être négatif."),
        ("2026-S1", "2.15", "Le taux BCE du semestre 2026 S1 est déjà enregistré"),
    ],
)
def test_rates_add_refuses_bad_input_with_a_french_message(
    cli, published_rates, semester, rate, message
):
    result = cli("add", "--kind", "ecb", "--semester", semester, "--rate", rate)

    assert result.exit_code == 1
    assert message in result.output
    assert rates.rate_book().rates.get(("ecb", date(2026, 7, 1))) is None


def test_rates_add_refuses_an_unknown_kind(cli):
    result = cli("add", "--kind", "euribor", "--semester", "2026-S2", "--rate", "2")
    assert result.exit_code == 2
    assert "legal_individual" in result.output
