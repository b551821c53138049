"""The published rates as of LAW.md (sections 2 and 3), used to seed the database's rate table.

The app reads rates from the database; this module only provides the first rows. New semesters
are added with `flask rates add` or in the back-office, never by editing code.
"""

from datetime import date

from app.domain.interest import ECB, LEGAL_INDIVIDUAL, LEGAL_OTHER


def _semesters(first_year: int, last_year: int):
    for year in range(first_year, last_year + 1):
        yield date(year, 1, 1)
        yield date(year, 7, 1)


# ECB main refinancing rate on the first day of each semester, in basis points.
ECB_RATES_BP = {start: 0 for start in _semesters(2019, 2022)} | {
    date(2023, 1, 1): 250,
    date(2023, 7, 1): 400,
    date(2024, 1, 1): 450,
    date(2024, 7, 1): 425,
    date(2025, 1, 1): 315,
    date(2025, 7, 1): 215,
    date(2026, 1, 1): 215,
}

# Legal interest rate: (creditor a private individual, other creditors), in basis points.
LEGAL_RATES_BP = {
    date(2019, 1, 1): (340, 86),
    date(2019, 7, 1): (326, 87),
    date(2020, 1, 1): (315, 87),
    date(2020, 7, 1): (311, 84),
    date(2021, 1, 1): (314, 79),
    date(2021, 7, 1): (312, 76),
    date(2022, 1, 1): (313, 76),
    date(2022, 7, 1): (315, 77),
    date(2023, 1, 1): (447, 206),
    date(2023, 7, 1): (682, 422),
    date(2024, 1, 1): (801, 507),
    date(2024, 7, 1): (816, 492),
    date(2025, 1, 1): (721, 371),
    date(2025, 7, 1): (665, 276),
    date(2026, 1, 1): (667, 262),
}


def seed_rows() -> list[tuple[str, date, int]]:
    rows = [(ECB, start, bp) for start, bp in ECB_RATES_BP.items()]
    for start, (individual, other) in LEGAL_RATES_BP.items():
        rows.append((LEGAL_INDIVIDUAL, start, individual))
        rows.append((LEGAL_OTHER, start, other))
    return rows
