"""Benchmark: the balance of 100,000 cases (3 invoices, 2 payments each) as of one date.

Issue 3's target: under 5 s on one core. The cases are synthetic and deterministic (same seed,
same cases, same checksums); only `app.domain` is used: no database, no Flask app.

    .venv/bin/python bench/balance.py [--cases 100000] [--runs 5] [--seed 3] [--profile]
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a file from anywhere: `python bench/balance.py`
    sys.path.insert(0, str(ROOT))

from app.domain.balance import (  # noqa: E402
    ClaimInvoice,
    ClaimPayment,
    ClaimRules,
    compute_balance,
)
from app.domain.interest import RateBook  # noqa: E402
from app.domain.rate_tables import seed_rows  # noqa: E402
from bench import _results  # noqa: E402

TARGET_CASES = 100_000
TARGET_SECONDS = 5.0
AS_OF = date(2026, 6, 30)  # the rate table runs to 2026 S1: every semester needed is there
DUE_FIRST, DUE_LAST = date(2023, 1, 1), date(2025, 12, 31)
B2B_SHARE = 0.80
INDIVIDUAL_CREDITOR_SHARE = 0.25  # among consumer cases: the other legal-rate column

Case = tuple[tuple[ClaimInvoice, ...], tuple[ClaimPayment, ...], ClaimRules]


def build_cases(count: int, seed: int, as_of: date = AS_OF) -> list[Case]:
    """`count` cases: 3 invoices (100 EUR - 20,000 EUR, due 2023-01 .. 2025-12) and 2 payments
    (after the first due date, up to `as_of`, each 10 % - 60 % of the principal, one of them
    designating an invoice); 80 % B2B, 20 % consumers with a formal notice."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    due_span = (DUE_LAST - DUE_FIRST).days
    cases: list[Case] = []
    for n in range(count):
        invoices = tuple(
            ClaimInvoice(
                key=3 * n + k,
                number=f"F{n:06d}-{k + 1}",
                due_date=DUE_FIRST + timedelta(days=rng.randint(0, due_span)),
                principal_cents=rng.randint(10_000, 2_000_000),
            )
            for k in range(3)
        )
        first_due = min(i.due_date for i in invoices)
        total = sum(i.principal_cents for i in invoices)
        designating = rng.randrange(2)
        payments = tuple(
            ClaimPayment(
                key=2 * n + j,
                received_on=first_due + timedelta(days=rng.randint(1, (as_of - first_due).days)),
                amount_cents=rng.randint(total // 10, total * 6 // 10),
                designated_invoice=rng.choice(invoices).key if j == designating else None,
            )
            for j in range(2)
        )
        if rng.random() < B2B_SHARE:
            rules = ClaimRules.for_debtor(business_debtor=True)
        else:
            notice = min(first_due + timedelta(days=rng.randint(15, 365)), as_of)
            rules = ClaimRules.for_debtor(
                business_debtor=False,
                creditor_is_individual=rng.random() < INDIVIDUAL_CREDITOR_SHARE,
                formal_notice_received_on=notice,
            )
        cases.append((invoices, payments, rules))
    return cases


def rate_book() -> RateBook:
    return RateBook({(kind, start): bp for kind, start, bp in seed_rows()})


def balances(cases: list[Case], book: RateBook, as_of: date) -> tuple[int, int]:
    """The measured work: each case's balance; returns (total outstanding, total credit)."""
    outstanding = credit = 0
    for invoices, payments, rules in cases:
        balance = compute_balance(invoices, payments, rules, book, as_of)
        outstanding += balance.outstanding_cents
        credit += balance.credit_cents
    return outstanding, credit


def floor(cases: list[Case], book: RateBook, as_of: date) -> tuple[int, int]:
    """The reference: the same loop over the same data doing only trivial work per case
    (principal minus payments), so what `balances` costs above it is the domain's own."""
    principal = paid = 0
    for invoices, payments, _rules in cases:
        principal += sum(i.principal_cents for i in invoices)
        paid += sum(p.amount_cents for p in payments if p.received_on <= as_of)
    return principal, paid


def checksums(cases: list[Case], book: RateBook, as_of: date) -> dict[str, int]:
    """Totals over all cases, by part: any change in the computed results shows here."""
    sums = dict.fromkeys(
        ("principal", "interest", "indemnity", "paid", "outstanding", "credit", "allocations"), 0
    )
    for invoices, payments, rules in cases:
        balance = compute_balance(invoices, payments, rules, book, as_of)
        sums["principal"] += balance.principal_cents
        sums["interest"] += balance.interest_cents
        sums["indemnity"] += balance.indemnity_cents
        sums["paid"] += balance.paid_cents
        sums["outstanding"] += balance.outstanding_cents
        sums["credit"] += balance.credit_cents
        sums["allocations"] += len(balance.allocations)
    return sums


def euros(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100:,}.{cents % 100:02d} EUR"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def profile(cases: list[Case], book: RateBook, as_of: date, top: int = 30) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(balances, cases, book, as_of)
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=TARGET_CASES)
    parser.add_argument("--runs", type=int, default=5, help="timed runs; the median is reported")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF)
    parser.add_argument("--results", type=Path, default=_results.RESULTS)
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md")
    parser.add_argument("--profile", action="store_true", help="cProfile one pass; no write")
    args = parser.parse_args(argv)

    cpu = _results.pin_to_one_core()
    rss_imports = peak_rss_mb()
    book = rate_book()
    start = time.perf_counter()
    cases = build_cases(args.cases, args.seed, args.as_of)
    built_in = time.perf_counter() - start
    rss_inputs = peak_rss_mb()
    print(f"{args.cases:,} cases built in {built_in:.2f} s (seed {args.seed}), CPU {cpu}")

    if args.profile:
        profile(cases, book, args.as_of)
        return 0

    sums = checksums(cases, book, args.as_of)  # also the warm-up pass
    gc.collect()
    (times, ref_times), (result, _) = _results.median_times(
        [lambda: balances(cases, book, args.as_of), lambda: floor(cases, book, args.as_of)],
        args.runs,
    )
    if result != (sums["outstanding"], sums["credit"]):
        raise SystemExit(f"results changed between passes: {result} != checksums {sums}")
    value, reference = _results.median(times), _results.median(ref_times)
    rss = peak_rss_mb()

    per_case_us = value / args.cases * 1e6
    label = f"{args.cases:,} cases (3 invoices, 2 payments)"
    print(f"balance as of {args.as_of}: median {value:.3f} s over {args.runs} runs")
    print(f"  runs: {', '.join(f'{t:.3f}' for t in times)} s ({per_case_us:.1f} us per case)")
    print(f"  reference (same loop, trivial work): median {reference:.3f} s")
    checks = ", ".join(
        f"{k} {v:,}" if k == "allocations" else f"{k} {euros(v)}" for k, v in sums.items()
    )
    print(f"  checksums: {checks}")
    print(f"  peak RSS {rss:.0f} MB (imports {rss_imports:.0f} MB, inputs {rss_inputs:.0f} MB)")

    if args.cases == TARGET_CASES:
        target = f"< {TARGET_SECONDS:g} s, one core"
        verdict = "met" if value < TARGET_SECONDS else "missed"
    else:
        target, verdict = f"({TARGET_SECONDS:g} s is set for {TARGET_CASES:,} cases)", "n/a"
    print(f"  target {target}: {verdict}")
    if args.no_write:
        return 0
    rows = [
        _results.Row(
            figure=f"Balance of {label} as of {args.as_of}",
            value=f"{value:.3g} s ({per_case_us:.0f} µs/case)",
            target=target,
            reference=f"{reference:.3g} s (same loop, principal − payments only)",
            verdict=verdict,
        ),
        _results.Row(
            figure=f"Balance of {label}: peak memory",
            value=f"{rss:.0f} MB RSS",
            target="—",
            reference=f"{rss_imports:.0f} MB after imports, {rss_inputs:.0f} MB with inputs built",
            verdict="info",
        ),
    ]
    note = (
        f"{args.cases:,} cases, seed {args.seed}, as of {args.as_of}, pinned to CPU {cpu}; "
        f"runs {', '.join(f'{t:.2f}' for t in times)} s, reference runs "
        f"{', '.join(f'{t:.3f}' for t in ref_times)} s; inputs built in {built_in:.1f} s; "
        f"checksums: {checks}."
    )
    path = _results.record(f"balance, {args.cases:,} cases", rows, note, args.results)
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
