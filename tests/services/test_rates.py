"""The rate table: published rates are data that managers add, one per kind and semester."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.domain import interest
from app.extensions import db
from app.models import AuditEvent, InterestRate
from app.services import rates
from app.services.errors import Forbidden, ValidationFailed

S2_2026 = date(2026, 7, 1)


def stored_rows() -> int:
    return db.session.scalar(sa.select(sa.func.count(InterestRate.id)))


def test_a_supervisor_adds_the_rate_of_a_new_semester_and_it_is_audited(people):
    rate = rates.add_rate(people.supervisor, interest.ECB, S2_2026, 215, "Banque de France")

    assert (rate.kind, rate.semester_start, rate.rate_bp) == ("ecb", S2_2026, 215)
    assert rate.source == "Banque de France"
    assert rate.created_by_id == people.supervisor.id
    assert rates.rate_book().rate(interest.ECB, date(2026, 9, 15)) == 215
    event = db.session.scalars(sa.select(AuditEvent)).one()
    assert (event.action, event.actor_id, event.entity_id) == (
        "rate.added",
        people.supervisor.id,
        rate.id,
    )
    assert event.changes["semester_start"] == "2026-07-01"
    assert event.changes["rate_bp"] == 215


def test_the_command_line_adds_a_rate_without_a_user_and_a_default_source(app):
    rate = rates.add_rate(None, interest.LEGAL_OTHER, S2_2026, 250)

    assert rate.created_by_id is None
    assert rate.source == "Journal officiel"


@pytest.mark.parametrize("persona", ["agent", "creditor_admin"])
def test_only_managers_add_rates(people, persona):
    with pytest.raises(Forbidden):
        rates.add_rate(getattr(people, persona), interest.ECB, S2_2026, 215)
    assert stored_rows() == 0


@pytest.mark.parametrize("day", [date(2026, 7, 2), date(2026, 3, 1), date(2026, 12, 31)])
def test_a_semester_starts_on_1_january_or_1_july(people, day):
    with pytest.raises(ValidationFailed) as error:
        rates.add_rate(people.admin, interest.ECB, day, 215)
    assert error.value.errors == {
        "semester": ["Un semestre commence le 1er janvier ou le 1er juillet."]
    }
    assert stored_rows() == 0


def test_a_negative_rate_an_unknown_kind_and_a_missing_semester_are_refused(people):
    with pytest.raises(ValidationFailed) as error:
        rates.add_rate(people.admin, "euribor", None, -5)
    assert error.value.errors == {
        "kind": ["Choisissez le type de taux."],
        "semester": ["Choisissez le semestre."],
        "rate": ["Un taux ne peut pas être négatif."],
    }
    assert stored_rows() == 0


def test_a_zero_rate_is_a_real_rate(people):
    """The ECB rate was 0.00 % from 2019 to 2022: zero is a published value, not a gap."""
    rates.add_rate(people.admin, interest.ECB, date(2018, 7, 1), 0)
    assert rates.rate_book().rate(interest.ECB, date(2018, 8, 1)) == 0


def test_a_published_rate_is_never_entered_twice_for_a_semester(people):
    rates.add_rate(people.admin, interest.ECB, S2_2026, 215)

    with pytest.raises(ValidationFailed) as error:
        rates.add_rate(people.supervisor, interest.ECB, S2_2026, 200)

    assert error.value.errors == {
        "semester": [
            "Le taux BCE du semestre 2026 S2 est déjà enregistré : un taux publié ne se "
            "modifie pas."
        ]
    }
    assert rates.rate_book().rate(interest.ECB, S2_2026) == 215
    # The same semester for another kind is another rate.
    rates.add_rate(people.admin, interest.LEGAL_OTHER, S2_2026, 262)


def test_seeding_the_published_rates_loads_the_law_tables_once(app):
    assert rates.seed_published_rates() == 45
    assert rates.seed_published_rates() == 0
    assert stored_rows() == 45

    book = rates.rate_book()
    assert book.rate(interest.ECB, date(2024, 5, 1)) == 450
    assert book.rate(interest.ECB, date(2024, 7, 1)) == 425
    assert book.rate(interest.LEGAL_INDIVIDUAL, date(2024, 12, 31)) == 816
    assert book.rate(interest.LEGAL_OTHER, date(2019, 1, 1)) == 86
    with pytest.raises(interest.MissingRate) as error:
        book.rate(interest.ECB, date(2026, 11, 23))
    assert "2026 S2" in str(error.value)


def test_seeding_keeps_a_rate_already_entered(people):
    rates.add_rate(people.admin, interest.ECB, date(2026, 1, 1), 215, "Saisie manuelle")
    assert rates.seed_published_rates() == 44
    # The ECB rate of that semester (the seed added its legal rates beside it).
    row = db.session.scalars(
        sa.select(InterestRate).where(
            InterestRate.kind == interest.ECB, InterestRate.semester_start == date(2026, 1, 1)
        )
    ).one()
    assert row.source == "Saisie manuelle"


def test_the_table_lists_semesters_newest_first_and_shows_the_gaps(people, published_rates):
    rates.add_rate(people.admin, interest.ECB, S2_2026, 215)

    table = rates.rate_table(date(2026, 11, 23))

    assert [line.label for line in table[:3]] == ["2026 S2", "2026 S1", "2025 S2"]
    assert table[0].ecb_bp == 215 and table[0].b2b_default_bp == 1215
    assert table[0].missing == [interest.LEGAL_INDIVIDUAL, interest.LEGAL_OTHER]
    assert table[1].missing == []
    assert table[-1].label == "2019 S1"
    assert rates.missing_kinds(date(2026, 11, 23)) == [
        interest.LEGAL_INDIVIDUAL,
        interest.LEGAL_OTHER,
    ]
    assert rates.missing_kinds(date(2026, 3, 1)) == []


def test_the_table_shows_the_current_semester_even_when_nothing_is_entered_for_it(app):
    rates.seed_published_rates()
    table = rates.rate_table(date(2027, 2, 1))
    assert [line.label for line in table[:3]] == ["2027 S1", "2026 S2", "2026 S1"]
    assert table[0].missing == list(interest.RATE_KINDS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-S2", S2_2026), ("2026 s1", date(2026, 1, 1)), ("2026S2", S2_2026)]
    + [("2026-07-01", S2_2026)],
)
def test_a_semester_is_typed_as_a_label_or_its_first_day(text, expected):
    assert rates.parse_semester(text) == expected


@pytest.mark.parametrize("text", ["2026-S3", "juillet", "2026-07-02", ""])
def test_a_semester_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError):
        rates.parse_semester(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("2,15", 215), ("2.15 %", 215), ("12", 1200), ("0", 0), ("0,5", 50)]
)
def test_a_rate_is_typed_as_a_percent(text, expected):
    assert rates.parse_percent(text) == expected


@pytest.mark.parametrize("text", ["2,155", "deux", "", "1e400", "NaN"])
def test_a_rate_with_more_than_two_decimals_or_no_number_is_refused(text):
    with pytest.raises(ValueError):
        rates.parse_percent(text)
