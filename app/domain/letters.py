"""What the law requires of an agency's letters (LAW.md section 1), checked on their text.

Each template declares a kind. The first amicable letter must carry every R124-4 mention and the
text of L111-8 paragraphs 2 and 3 word for word; every later amicable letter quotes the first
letter's reference and date. The check reads the rendered text, so a template edited in Word is
held to the same rules as the ones shipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.domain.i18n import N_

L111_8_TEXT = (
    "Les frais de recouvrement entrepris sans titre exécutoire restent à la charge du créancier, "
    "sauf s'ils concernent un acte dont l'accomplissement est prescrit par la loi au créancier. "
    "Toute stipulation contraire est réputée non écrite, sauf disposition législative contraire. "
    "Cependant, le créancier qui justifie du caractère nécessaire des démarches entreprises pour "
    "recouvrer sa créance peut demander au juge de l'exécution de laisser tout ou partie des frais "
    "ainsi exposés à la charge du débiteur de mauvaise foi."
)

AMICABLE_FIRST = "amicable_first"  # the first letter to the debtor (R124-4)
AMICABLE_LATER = "amicable_later"  # any later letter to the debtor in the amicable stage
COURT = "court"  # drafts for a court or an insolvency officer
CREDITOR = "creditor"  # to the creditor
KINDS = (AMICABLE_FIRST, AMICABLE_LATER, COURT, CREDITOR)


@dataclass(frozen=True)
class Template:
    name: str
    kind: str
    label: str
    to_debtor: bool = True


TEMPLATES = {
    t.name: t
    for t in (
        Template("relance_amiable", AMICABLE_FIRST, N_("Première relance amiable")),
        Template("relance_2", AMICABLE_LATER, N_("Deuxième relance")),
        Template("mise_en_demeure", AMICABLE_LATER, N_("Mise en demeure")),
        Template("proposition_echeancier", AMICABLE_LATER, N_("Proposition d'échéancier")),
        Template("accord_echeancier", AMICABLE_LATER, N_("Accord d'échéancier")),
        Template("recu_paiement", AMICABLE_LATER, N_("Reçu de paiement")),
        Template("attestation_solde", AMICABLE_LATER, N_("Attestation de solde")),
        Template(
            "requete_injonction_de_payer",
            COURT,
            N_("Requête en injonction de payer (projet)"),
            to_debtor=False,
        ),
        Template("declaration_de_creance", COURT, N_("Déclaration de créance"), to_debtor=False),
        Template("releve_creancier", CREDITOR, N_("Relevé au créancier"), to_debtor=False),
    )
}


@dataclass(frozen=True)
class Mentions:
    """The values a letter must show, as the letter prints them."""

    agency_name: str
    agency_address: str
    creditor_name: str
    creditor_address: str
    principal: str
    interest: str
    accessories: str
    outstanding: str
    payment_instructions: str  # e.g. the IBAN of the client-funds account
    first_letter_reference: str | None = None
    first_letter_date: str | None = None


def _normalise(text: str) -> str:
    """Compare text as a reader would: typographic apostrophes, non-breaking and repeated
    spaces, and line breaks do not make a mention different."""
    text = text.replace("\u2019", "'").replace("\u202f", " ").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip()


def missing_mentions(kind: str, text: str, mentions: Mentions) -> list[str]:
    """What the law requires and the letter's text lacks (empty: the letter may go out)."""
    body = _normalise(text)

    def lacks(value: str | None) -> bool:
        return not value or _normalise(value) not in body

    missing = []
    if kind == AMICABLE_FIRST:
        checks = (
            (mentions.agency_name, N_("le nom de l'agence")),
            (mentions.agency_address, N_("l'adresse de l'agence")),
            ("recouvrement amiable", N_("la mention de l'activité de recouvrement amiable")),
            (mentions.creditor_name, N_("le nom du créancier")),
            (mentions.creditor_address, N_("l'adresse du créancier")),
            (mentions.principal, N_("le montant du principal")),
            (mentions.interest, N_("le montant des intérêts")),
            (mentions.accessories, N_("le montant des accessoires")),
            (mentions.outstanding, N_("la somme demandée")),
            (mentions.payment_instructions, N_("les modalités de paiement")),
            (L111_8_TEXT, N_("le texte de l'article L111-8 (alinéas 2 et 3)")),
        )
        missing += [what for value, what in checks if lacks(value)]
        if not re.search(r"\b(régler|payer)\b", body):
            missing.append(N_("la demande de paiement"))
    elif kind == AMICABLE_LATER:
        if lacks(mentions.first_letter_reference):
            missing.append(N_("la référence du premier courrier"))
        if lacks(mentions.first_letter_date):
            missing.append(N_("la date du premier courrier"))
    return missing


# Emails written from Jinja templates in templates/emails/ (no DOCX): the same rules apply.
EMAIL_TEMPLATES = {
    t.name: t for t in (Template("email_relance", AMICABLE_LATER, N_("E-mail de relance")),)
}
