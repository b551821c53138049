"""Write the first version of every DOCX template in this folder (python-docx).

The .docx files are the source an agency edits in Word afterwards; this script is how they were
first laid out, kept so that a template can be rebuilt from scratch. Run it from the project root:

    .venv/bin/python letters/make_templates.py [--force]

Jinja tags are written whole in a single run so that docxtpl sees them; table rows repeat with
docxtpl's `{%tr for ... %}`. Every variable used is listed in letters/README.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from app.domain.letters import L111_8_TEXT  # noqa: E402


def new_document() -> Document:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10.5)
    return document


def letterhead(document: Document) -> None:
    """Agency at the top left, debtor's address block on the right, place and date, references."""
    header = document.sections[0].header.paragraphs[0]
    header.text = "{{ agency.name }} · {{ agency.address }} · SIREN {{ agency.siren }}"
    document.add_paragraph("{{ agency.logo }}")
    document.add_paragraph().add_run("{{ agency.name }}").bold = True
    document.add_paragraph("{{ agency.address }}")
    document.add_paragraph("{{ agency.contact }}")
    recipient = document.add_paragraph("{{ recipient.name }}\n{{ recipient.address }}")
    recipient.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    place = document.add_paragraph("{{ agency.city }}, le {{ letter.date }}")
    place.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph(
        "Notre référence : {{ letter.reference }} — dossier {{ case.reference }}"
    )


def subject(document: Document, text: str) -> None:
    document.add_paragraph().add_run(f"Objet : {text}").bold = True


def invoice_table(document: Document) -> None:
    table = document.add_table(rows=3, cols=6)
    table.style = "Table Grid"
    heads = ("Facture", "Échéance", "Principal", "Intérêts", "Indemnité", "Reste dû")
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for invoice in invoices %}"
    row = table.rows[2].cells
    values = (
        "{{ invoice.number }}",
        "{{ invoice.due_date }}",
        "{{ invoice.principal }}",
        "{{ invoice.interest }}",
        "{{ invoice.indemnity }}",
        "{{ invoice.outstanding }}",
    )
    for cell, text in zip(row, values, strict=True):
        cell.text = text
    end = table.add_row().cells
    end[0].text = "{%tr endfor %}"


def balance_lines(document: Document) -> None:
    """The amount due split into principal, interest and accessories (R124-4, 3°)."""
    document.add_paragraph("Décompte au {{ balance.as_of }} :")
    for line in (
        "Principal : {{ balance.principal }}",
        "Intérêts de retard : {{ balance.interest }} ({{ balance.interest_basis }})",
        "Accessoires (indemnité forfaitaire et frais) : {{ balance.accessories }}",
        "Déjà réglé : {{ balance.paid }}",
    ):
        document.add_paragraph(line, style="List Bullet")
    document.add_paragraph().add_run("Montant restant dû : {{ balance.outstanding }}").bold = True


def how_to_pay(document: Document) -> None:
    document.add_paragraph(
        "Pour régler : virement sur le compte dédié aux fonds des créanciers {{ payment.iban }} "
        "(bénéficiaire {{ agency.name }}), en indiquant la référence {{ case.reference }} ; "
        "ou par chèque à l'ordre de {{ agency.name }} adressé à l'adresse ci-dessus. "
        "Pour proposer un échéancier ou contester, contactez-nous : {{ agency.contact }}."
    )


def l111_8(document: Document) -> None:
    document.add_paragraph("Article L111-8 du code des procédures civiles d'exécution :")
    document.add_paragraph(f"« {L111_8_TEXT} »")


def first_letter_quote(document: Document) -> None:
    document.add_paragraph(
        "Suite à notre premier courrier référencé {{ first_letter.reference }} "
        "du {{ first_letter.date }}, "
    )


def signature(document: Document) -> None:
    document.add_paragraph("Veuillez agréer nos salutations distinguées.")
    document.add_paragraph("{{ agent.name }}, pour {{ agency.name }}")


def relance_amiable(document: Document) -> None:
    letterhead(document)
    subject(document, "recouvrement amiable de la créance de {{ creditor.name }}")
    document.add_paragraph("{{ recipient.salutation }},")
    document.add_paragraph(
        "{{ agency.name }}, société de recouvrement amiable de créances, {{ agency.address }}, "
        "est chargée par son client {{ creditor.name }}, {{ creditor.address }}, du recouvrement "
        "amiable de la créance suivante, fondée sur {{ claim.basis }} :"
    )
    invoice_table(document)
    balance_lines(document)
    document.add_paragraph(
        "Nous vous demandons de régler la somme de {{ balance.outstanding }} sous quinze jours."
    )
    how_to_pay(document)
    l111_8(document)
    signature(document)


def relance_2(document: Document) -> None:
    letterhead(document)
    subject(document, "deuxième relance — créance de {{ creditor.name }}")
    document.add_paragraph("{{ recipient.salutation }},")
    first_letter_quote(document)
    document.add_paragraph(
        "nous constatons que la créance de {{ creditor.name }} reste impayée. "
        "Nous vous demandons à nouveau de régler sans délai la somme de {{ balance.outstanding }}."
    )
    invoice_table(document)
    balance_lines(document)
    how_to_pay(document)
    l111_8(document)
    signature(document)


def mise_en_demeure(document: Document) -> None:
    letterhead(document)
    document.add_paragraph("Lettre recommandée avec demande d'avis de réception")
    subject(document, "mise en demeure de payer")
    document.add_paragraph("{{ recipient.salutation }},")
    first_letter_quote(document)
    document.add_paragraph(
        "et malgré nos relances, la somme de {{ balance.outstanding }} due à {{ creditor.name }} "
        "reste impayée. Par la présente, nous vous mettons en demeure de la régler au plus tard "
        "le {{ deadline }}."
    )
    invoice_table(document)
    balance_lines(document)
    document.add_paragraph(
        "À défaut de paiement à cette date, notre client pourra saisir la juridiction compétente "
        "pour obtenir un titre exécutoire, les frais de la procédure judiciaire pouvant alors "
        "être mis à votre charge. Pour un débiteur non professionnel, les intérêts au taux légal "
        "courent à compter de la réception de la présente."
    )
    how_to_pay(document)
    l111_8(document)
    signature(document)


def schedule_table(document: Document) -> None:
    table = document.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Échéance", "Date", "Montant"), strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for item in plan.installments %}"
    for cell, text in zip(
        table.rows[2].cells,
        ("{{ item.label }}", "{{ item.due_on }}", "{{ item.amount }}"),
        strict=True,
    ):
        cell.text = text
    table.add_row().cells[0].text = "{%tr endfor %}"


def proposition_echeancier(document: Document) -> None:
    letterhead(document)
    subject(document, "proposition d'échéancier — créance de {{ creditor.name }}")
    document.add_paragraph("{{ recipient.salutation }},")
    first_letter_quote(document)
    document.add_paragraph(
        "nous vous proposons de régler la somme de {{ plan.total }} selon l'échéancier suivant "
        "({{ plan.description }}) :"
    )
    schedule_table(document)
    document.add_paragraph(
        "Merci de nous confirmer votre accord par retour. {{ plan.approval_note }}"
    )
    how_to_pay(document)
    l111_8(document)
    signature(document)


def accord_echeancier(document: Document) -> None:
    letterhead(document)
    subject(document, "accord d'échéancier — créance de {{ creditor.name }}")
    document.add_paragraph("{{ recipient.salutation }},")
    first_letter_quote(document)
    document.add_paragraph(
        "nous vous confirmons l'échéancier convenu pour la somme de {{ plan.total }} "
        "({{ plan.description }}) :"
    )
    schedule_table(document)
    document.add_paragraph(
        "Une échéance impayée plus de {{ plan.breach_days }} jours après sa date rend l'accord "
        "caduc et le solde immédiatement exigible."
    )
    how_to_pay(document)
    l111_8(document)
    signature(document)


def recu_paiement(document: Document) -> None:
    letterhead(document)
    subject(document, "reçu de paiement n° {{ receipt.number }}")
    document.add_paragraph("{{ recipient.salutation }},")
    document.add_paragraph(
        "{{ agency.name }}, agissant pour le compte de {{ creditor.name }}, a reçu de vous la "
        "somme de {{ receipt.amount }} le {{ receipt.date }} ({{ receipt.method }}), imputée "
        "ainsi : {{ receipt.allocation }}."
    )
    document.add_paragraph("Reste dû au {{ receipt.date }} : {{ receipt.outstanding_after }}.")
    document.add_paragraph(
        "Reçu délivré en application de l'article R124-6 du code des procédures civiles "
        "d'exécution (dossier {{ case.reference }}, premier courrier {{ first_letter.reference }} "
        "du {{ first_letter.date }})."
    )
    signature(document)


def attestation_solde(document: Document) -> None:
    letterhead(document)
    subject(document, "attestation de solde")
    document.add_paragraph("{{ recipient.salutation }},")
    document.add_paragraph(
        "Nous attestons que la créance de {{ creditor.name }} objet du dossier "
        "{{ case.reference }} (premier courrier {{ first_letter.reference }} du "
        "{{ first_letter.date }}) est intégralement réglée au {{ balance.as_of }} : "
        "{{ balance.paid }} reçus au total."
    )
    signature(document)


def requete_injonction_de_payer(document: Document) -> None:
    document.add_paragraph().add_run("REQUÊTE EN INJONCTION DE PAYER").bold = True
    document.add_paragraph("(articles 1405 et suivants du code de procédure civile) — projet")
    document.add_paragraph("À Madame, Monsieur le Président du {{ court.name }}")
    document.add_paragraph(
        "Demandeur : {{ creditor.name }}, {{ creditor.address }}, SIREN {{ creditor.siren }}, "
        "représenté par {{ agency.name }}, {{ agency.address }}."
    )
    document.add_paragraph(
        "Défendeur : {{ debtor.name }}, {{ debtor.address }}{{ debtor.identifier }}."
    )
    document.add_paragraph(
        "Le demandeur a l'honneur de solliciter une ordonnance enjoignant au défendeur de lui "
        "payer les sommes suivantes, au titre de {{ claim.basis }} :"
    )
    invoice_table(document)
    balance_lines(document)
    document.add_paragraph("Bordereau des pièces communiquées :")
    document.add_paragraph("{%p for exhibit in exhibits %}")
    document.add_paragraph(
        "Pièce n° {{ exhibit.number }} : {{ exhibit.name }}", style="List Number"
    )
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("Fait à {{ agency.city }}, le {{ letter.date }}.")


def declaration_de_creance(document: Document) -> None:
    letterhead(document)
    subject(document, "déclaration de créance — {{ debtor.name }}")
    document.add_paragraph("Maître,")
    document.add_paragraph(
        "Agissant pour le compte de {{ creditor.name }}, {{ creditor.address }}, SIREN "
        "{{ creditor.siren }}, nous déclarons au passif de "
        "{{ debtor.name }}{{ debtor.identifier }} la créance suivante, arrêtée au "
        "{{ balance.as_of }} (articles L622-24 et R622-23 du code de commerce) :"
    )
    invoice_table(document)
    balance_lines(document)
    document.add_paragraph("Créance chirographaire, échue. Les pièces justificatives sont jointes.")
    signature(document)


def releve_creancier(document: Document) -> None:
    letterhead(document)
    subject(document, "relevé des encaissements et reversements — {{ creditor.name }}")
    document.add_paragraph("Dossier {{ case.reference }} — débiteur {{ debtor.name }}.")
    table = document.add_table(rows=3, cols=4)
    table.style = "Table Grid"
    heads = ("Date", "Moyen", "Montant", "État")
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for line in payments %}"
    for cell, text in zip(
        table.rows[2].cells,
        ("{{ line.date }}", "{{ line.method }}", "{{ line.amount }}", "{{ line.state }}"),
        strict=True,
    ):
        cell.text = text
    table.add_row().cells[0].text = "{%tr endfor %}"
    balance_lines(document)
    signature(document)


TEMPLATES = {
    "relance_amiable": relance_amiable,
    "relance_2": relance_2,
    "mise_en_demeure": mise_en_demeure,
    "proposition_echeancier": proposition_echeancier,
    "accord_echeancier": accord_echeancier,
    "recu_paiement": recu_paiement,
    "attestation_solde": attestation_solde,
    "requete_injonction_de_payer": requete_injonction_de_payer,
    "declaration_de_creance": declaration_de_creance,
    "releve_creancier": releve_creancier,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="overwrite existing templates")
    args = parser.parse_args()
    for name, build in TEMPLATES.items():
        path = HERE / f"{name}.docx"
        if path.exists() and not args.force:
            print(f"kept    {path.name} (use --force to rebuild)")
            continue
        document = new_document()
        build(document)
        document.save(path)
        print(f"written {path.name}")


if __name__ == "__main__":
    main()
