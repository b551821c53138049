"""Shared by the fuzz tests (tests/web/test_form_fuzz.py, tests/api/test_api_fuzz.py): what
Hypothesis sends, and a digest of every table to prove that a rejected request saved nothing."""

from __future__ import annotations

import hashlib
import os

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from app.extensions import db

# FUZZ_EXAMPLES=50 for a longer hunt; the default keeps the suite's cost modest.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

AMOUNTS = [
    "-1",
    "-0,01",
    "0",
    "1e308",
    "99999999999999999999999",
    "9223372036854775808",
    "NaN",
    "inf",
    "1 000 000,00",
    "12,345,67",
    "1.2.3",
    "€",
    "٣٤",
    "１２３",
]
DATES = [
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "31/12/9999",
    "2026-13-01",
    "demain",
    "1900-01-01T25:61",
]
# Text that breaks parsers: empty, unicode, control characters, NUL (PostgreSQL refuses it in
# text columns), huge, numbers and amounts as text, impossible dates.
junk = st.one_of(
    st.just(""),
    st.text(max_size=20),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=200),
    st.text(st.characters(max_codepoint=31), min_size=1, max_size=10),
    st.just("x" * 20_000),
    st.just("a\x00b"),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(str),
    st.sampled_from(AMOUNTS + DATES),
)
# Any JSON value, with numbers past every integer column and strings from `junk`.
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    junk,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)

# Tables a rejected request may change by design: a wrong answer to the debtor's check counts
# (debtor_link.failed_checks) and a lock is audited.
MAY_CHANGE_WHEN_REJECTED = frozenset({"debtor_link", "audit_event", "api_token"})


def snapshot() -> dict[str, str]:
    """A digest of every table's committed rows (call after the request's rollback)."""
    out = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table)).all()
        out[table.name] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
    return out


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(
        name
        for name, digest in before.items()
        if digest != after[name] and name not in MAY_CHANGE_WHEN_REJECTED
    )


class Checker:
    """Checks one response: no 5xx; a 4xx leaves every table as the last accepted request did."""

    def __init__(self):
        self.baseline = snapshot()

    def check(self, response, sent) -> None:
        db.session.rollback()  # what the end of a real request does to anything uncommitted
        assert response.status_code < 500, f"{response.status_code} for {sent!r}"
        after = snapshot()
        if response.status_code >= 400:
            changed = changed_tables(self.baseline, after)
            assert not changed, f"{response.status_code} but {changed} changed for {sent!r}"
        self.baseline = after
