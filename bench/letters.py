"""Benchmark: render 1,000 `relance_amiable` letters the way Recouvra does, next to a bare docxtpl
render of the same template with the same values.

Recouvra's render = docxtpl with StrictUndefined and autoescaping, then the letter's text read
back with python-docx and checked for every R124-4 mention and the L111-8 text. The bare render
= `DocxTemplate(path).render(context)` and save. Target (letters issue): at least 80 % of the bare
speed. The context is fixed (a typical case with three invoices): building it from the database
is not part of either figure.

    .venv/bin/python bench/letters.py [--letters 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from docxtpl import DocxTemplate  # noqa: E402

from app.domain import letters as rules  # noqa: E402
from app.integrations import docx_render  # noqa: E402
from bench import _results  # noqa: E402

TEMPLATE = ROOT / "letters" / "relance_amiable.docx"
TARGET_LETTERS = 1_000
TARGET_SHARE = 0.80

AGENCY = {
    "logo_path": None,
    "name": "Recouvra Agence SAS",
    "address": "1 rue de la Paix, 75002 Paris",
    "city": "Paris",
    "siren": "732829320",
    "contact": "répondez à ce courrier en citant sa référence",
}
CONTEXT = {
    "agency": AGENCY,
    "creditor": {"name": "Fournil Pro SAS", "address": "4 rue du Four, 69002 Lyon", "siren": ""},
    "debtor": {"name": "Smith & <Sons>", "address": "8 quai des Chartrons, 33000 Bordeaux"},
    "recipient": {
        "name": "Smith & <Sons>",
        "address": "8 quai des Chartrons, 33000 Bordeaux",
        "salutation": "Madame, Monsieur",
    },
    "case": {"reference": "REC-2026-000123"},
    "letter": {"reference": "LET-2026-000456", "date": "23/11/2026"},
    "first_letter": {"reference": "LET-2026-000456", "date": "23/11/2026"},
    "agent": {"name": "Alice Agent"},
    "claim": {"basis": "les factures impayées détaillées ci-dessous"},
    "invoices": [
        {
            "number": f"F-2026-{n}",
            "due_date": "01/07/2026",
            "principal": "1 200,00 €",
            "interest": "57,92 €",
            "indemnity": "40,00 €",
            "paid": "0,00 €",
            "outstanding": "1 297,92 €",
        }
        for n in (101, 102, 103)
    ],
    "balance": {
        "as_of": "23/11/2026",
        "principal": "3 600,00 €",
        "interest": "173,76 €",
        "interest_basis": "pénalités au taux BCE + 10 points",
        "accessories": "120,00 €",
        "paid": "0,00 €",
        "outstanding": "3 893,76 €",
    },
    "payment": {"iban": "FR7630006000011234567890189"},
}
MENTIONS = rules.Mentions(
    agency_name=AGENCY["name"],
    agency_address=AGENCY["address"],
    creditor_name="Fournil Pro SAS",
    creditor_address="4 rue du Four, 69002 Lyon",
    principal="3 600,00 €",
    interest="173,76 €",
    accessories="120,00 €",
    outstanding="3 893,76 €",
    payment_instructions="FR7630006000011234567890189",
)


def recouvra(count: int) -> int:
    refused = 0
    for _ in range(count):
        _data, text = docx_render.render_with_text(TEMPLATE, CONTEXT)
        refused += bool(rules.missing_mentions(rules.AMICABLE_FIRST, text, MENTIONS))
    return refused


def bare(count: int) -> int:
    size = 0
    for _ in range(count):
        document = DocxTemplate(TEMPLATE)
        document.render(CONTEXT)
        out = io.BytesIO()
        document.save(out)
        size += out.tell()
    return size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=TARGET_LETTERS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    cpu = _results.pin_to_one_core()
    if recouvra(1):
        raise SystemExit("the shipped template fails its own legal check")
    (ours, theirs), (refused, _size) = _results.median_times(
        [lambda: recouvra(args.letters), lambda: bare(args.letters)], args.runs
    )
    value, reference = _results.median(ours), _results.median(theirs)
    rate, bare_rate = args.letters / value, args.letters / reference
    share = rate / bare_rate
    print(f"{args.letters:,} letters: {rate:.0f} letters/s (bare docxtpl {bare_rate:.0f}/s)")
    print(f"  {share:.0%} of bare speed; refused by the check: {refused}")
    if args.no_write:
        return 0
    verdict = "met" if share >= TARGET_SHARE else "missed"
    rows = [
        _results.Row(
            figure=f"Render {args.letters:,} relance_amiable letters (render + legal check)",
            value=f"{rate:.0f} letters/s ({share:.0%} of bare)",
            target=f"≥ {TARGET_SHARE:.0%} of bare docxtpl",
            reference=f"{bare_rate:.0f} letters/s (bare docxtpl render + save)",
            verdict=verdict,
        )
    ]
    note = (
        f"{args.letters:,} letters, pinned to CPU {cpu}, {_results.now()}; runs "
        f"{', '.join(f'{t:.2f}' for t in ours)} s, bare runs "
        f"{', '.join(f'{t:.2f}' for t in theirs)} s."
    )
    started = time.perf_counter()
    path = _results.record(f"letters, {args.letters:,}", rows, note)
    print(f"written: {path} ({time.perf_counter() - started:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
