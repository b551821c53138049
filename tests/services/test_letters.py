"""Letters rendered from the DOCX templates: amounts from the balance, every legal mention,
the first letter quoted by the later ones, escaping, and one letter per template and day."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from docx import Document as DocxDocument

from app.domain import letters as rules
from app.extensions import db
from app.integrations import docx_render, storage
from app.models import Letter
from app.services import casework, letters, payments, plans
from app.services.errors import ValidationFailed
from tests import factories

TODAY = date(2026, 11, 23)


@pytest.fixture
def case(people, rates_to_date):
    """1,200.00 due 2026-07-01, for a debtor whose name needs escaping."""
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-1", 120_000, issued=date(2026, 6, 1), days=30)],
        debtor=factories.debtor_input(name="Smith & <Sons>"),
        today=TODAY,
    )
    casework.accept_case(people.agent, case, today=TODAY)
    return case


def docx_text(letter: Letter) -> str:
    return docx_render.text_of(storage.read(letter.document.storage_key))


def test_the_first_letter_carries_every_r124_4_mention_and_the_l111_8_text(people, case):
    letter = letters.generate_letter(people.agent, case, "relance_amiable", letter_date=TODAY)

    text = docx_text(letter)
    assert letter.reference == f"LET-2026-{letter.id:06d}"
    assert "Recouvra Agence SAS" in text and "1 rue de la Paix, 75002 Paris" in text
    assert "recouvrement amiable" in text
    assert "Boulangerie Dupont SAS" in text
    for amount in ("1 200,00 €", "57,92 €", "40,00 €", "1 297,92 €"):
        assert amount in text.replace("\u202f", " ").replace("\xa0", " ")
    assert rules.L111_8_TEXT in text
    assert "Smith & <Sons>" in text  # escaped in the XML, printed as written
    assert case.first_letter_reference == letter.reference
    assert case.first_letter_on == TODAY


def test_a_later_letter_quotes_the_first_letters_reference_and_date(people, case):
    first = letters.generate_letter(people.agent, case, "relance_amiable", letter_date=TODAY)

    second = letters.generate_letter(people.agent, case, "relance_2", letter_date=date(2026, 12, 3))

    text = docx_text(second)
    assert f"{first.reference} du 23/11/2026" in text


def test_a_later_letter_before_the_first_one_is_refused(people, case):
    with pytest.raises(ValidationFailed) as refused:
        letters.generate_letter(people.agent, case, "mise_en_demeure", letter_date=TODAY)

    assert "premier courrier" in refused.value.errors["template"][0]


def test_the_same_letter_twice_the_same_day_is_generated_once(people, case):
    first = letters.generate_letter(people.agent, case, "relance_amiable", letter_date=TODAY)
    again = letters.generate_letter(people.agent, case, "relance_amiable", letter_date=TODAY)

    assert again.id == first.id
    assert db.session.scalar(sa.select(sa.func.count(Letter.id))) == 1


def test_a_letter_lacking_a_mandatory_mention_is_refused_and_nothing_kept(
    people, case, monkeypatch
):
    monkeypatch.setattr(rules, "L111_8_TEXT", rules.L111_8_TEXT + " (texte modifié)")

    with pytest.raises(ValidationFailed) as refused:
        letters.generate_letter(people.agent, case, "relance_amiable", letter_date=TODAY)

    messages = refused.value.errors["template"]
    assert "le texte de l'article L111-8 (alinéas 2 et 3)" in messages
    assert db.session.scalar(sa.select(sa.func.count(Letter.id))) == 0


def test_a_template_with_an_unknown_variable_is_refused_naming_it(tmp_path):
    document = DocxDocument()
    document.add_paragraph("Bonjour {{ debtor.nickname }}")
    path = tmp_path / "bad.docx"
    document.save(path)

    with pytest.raises(docx_render.TemplateProblem) as problem:
        docx_render.render(path, {"debtor": {"name": "X"}})

    assert "nickname" in str(problem.value)


def test_a_template_with_a_syntax_error_is_refused_with_its_line(tmp_path):
    document = DocxDocument()
    document.add_paragraph("{% if %}")
    buffer = io.BytesIO()
    document.save(buffer)

    with pytest.raises(docx_render.TemplateProblem) as problem:
        docx_render.render(buffer.getvalue(), {})

    assert "ligne" in str(problem.value)


def test_every_template_renders_for_a_case_with_a_payment_and_a_plan(people, case):
    payments.record_payment(
        people.agent,
        case,
        amount_cents=50_000,
        received_on=date(2026, 10, 1),
        method="cheque",
        today=TODAY,
    )
    plans.propose_plan(
        people.agent,
        case,
        down_payment_cents=0,
        installment_count=3,
        frequency="monthly",
        first_due_on=date(2026, 12, 15),
        today=TODAY,
    )

    assert letters.check_templates(case, TODAY, people.agent) == {}
    receipt = letters.render_letter(case, "recu_paiement", TODAY, agent=people.agent, reference="R")
    assert "500,00" in receipt.text and "indemnité 40,00" in receipt.text.replace("\u202f", " ")
    plan_letter = letters.render_letter(
        case, "accord_echeancier", TODAY, agent=people.agent, reference="P"
    )
    assert "15/12/2026" in plan_letter.text and "15/02/2027" in plan_letter.text


def test_the_command_line_check_passes_every_shipped_template(app, people, case):
    result = app.test_cli_runner().invoke(args=["letters", "check", "--case", case.reference])

    assert result.exit_code == 0, result.output
    assert f"Tous les modèles sont conformes (dossier {case.reference})." in result.output


def test_the_letterhead_carries_the_agency_logo_from_the_settings(
    people, case, app, monkeypatch, tmp_path
):
    import zipfile

    logo = tmp_path / "logo.png"
    logo.write_bytes(_png(40, 20))
    monkeypatch.setitem(app.config, "AGENCY_LOGO", str(logo))

    letter = letters.generate_letter(people.agent, case, "relance_amiable", letter_date=TODAY)

    data = storage.read(letter.document.storage_key)
    media = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("word/media/")]
    assert len(media) == 1


def test_without_a_logo_the_letterhead_prints_nothing_in_its_place(people, case):
    letter = letters.generate_letter(people.agent, case, "relance_amiable", letter_date=TODAY)

    lines = docx_text(letter).splitlines()
    assert lines[1] == "Recouvra Agence SAS"  # after the page header, nothing before the name
    assert "logo" not in docx_text(letter)


def _png(width: int, height: int) -> bytes:
    """A small valid RGB PNG, written by hand (no imaging library needed)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x20\x60\xa0" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
