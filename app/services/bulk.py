"""Reading and writing many rows in a few statements, for the daily run (issue 9).

On PostgreSQL a list goes over as one array parameter: psycopg scans a statement's text once per
execution to find its parameters, so an `IN` of 2,000 ids, or a multi-row INSERT of 13,000
values, cost more in Python than in the database. SQLite (tests, a small agency) keeps the
plain forms; both give the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from app.extensions import db
from app.services.tasks import insert_for_dialect


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def among(column, values: Iterable):
    """`column IN (values)`; on PostgreSQL `column = ANY(:array)`, one parameter however many
    values (the planner treats both alike)."""
    values = list(values)
    if _postgres():
        return column == sa.any_(sa.bindparam(None, values, type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


def present(column, values: Iterable) -> set:
    """Which of `values` are in `column` (a uniquely indexed one). On PostgreSQL the values are
    joined to the column, not tested with `= ANY`: a table that grows during the run (the tasks
    the run raises) has no statistics yet, the planner scans it, and tests every row against
    every value, which took 190 ms per chunk at 1,000,000 cases."""
    values = list(values)
    if not values:
        return set()
    if not _postgres():
        return set(db.session.scalars(sa.select(column).where(column.in_(values))))
    wanted = (
        sa.func.unnest(sa.bindparam(None, values, type_=postgresql.ARRAY(column.type)))
        .table_valued("value")
        .render_derived("wanted")
    )
    return set(db.session.scalars(sa.select(column).join(wanted, column == wanted.c.value)))


def insert_new(table: sa.Table, rows: list[dict], returning: list) -> list:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING `returning`, for many rows at once: the rows
    that existed (by any unique key) are not inserted, and not returned. Every row has the same
    keys, and gives every column that has a Python-side default (none is applied here)."""
    if not rows:
        return []
    names = list(rows[0])
    if not _postgres():
        statement = insert_for_dialect(table).on_conflict_do_nothing().returning(*returning)
        return db.session.execute(statement, rows).all()
    missing = [
        c.name
        for c in table.c
        if c.default is not None and c.name not in names and not c.primary_key
    ]
    if missing:
        raise ValueError(
            f"{table.name}: give {', '.join(missing)} (their defaults are not applied)"
        )
    arrays, types = [], []
    for name in names:
        column_type = table.c[name].type
        values = [row[name] for row in rows]
        if isinstance(column_type, sa.JSON):
            # As text, cast back per row: an array of JSON is not something psycopg sends.
            values = [None if v is None else json.dumps(v) for v in values]
            array_type = postgresql.ARRAY(sa.Text)
        else:
            array_type = postgresql.ARRAY(column_type)
        arrays.append(sa.bindparam(None, values, type_=array_type))
        types.append(column_type)
    unnested = sa.func.unnest(*arrays).table_valued(*names).render_derived("new_row")
    select = sa.select(
        *[
            sa.cast(unnested.c[name], column_type)
            if isinstance(column_type, sa.JSON)
            else unnested.c[name]
            for name, column_type in zip(names, types, strict=True)
        ]
    )
    statement = (
        postgresql.insert(table)
        .from_select(names, select, include_defaults=False)
        .on_conflict_do_nothing()
        .returning(*returning)
    )
    return db.session.execute(statement).all()
