"""What the agency works on: the work queue, the list of every case, and one case's file.

Read-only queries for the back-office, always built on access.visible_cases so scoping stays in
one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import contains_eager, joinedload

from app.domain import pipeline
from app.extensions import db
from app.models import CallLog, Case, Debtor, Invoice, Organisation, TimelineEntry
from app.services import access

PER_PAGE = 25

# Sort keys offered on the list of all cases; anything else falls back to the default.
SORTS = {
    "reference": Case.reference,
    "opened": Case.opened_on,
    "amount": Case.claim_cents,
    "next_action": Case.next_action_on,
}
DEFAULT_SORT = "opened"


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""
    stage: str | None = None
    creditor_id: int | None = None
    only_mine: bool = False


@dataclass(frozen=True)
class DueCounts:
    today: int
    overdue: int


@dataclass(frozen=True)
class CaseFile:
    """Everything the case page shows, read in one place."""

    case: Case
    timeline: list[TimelineEntry]
    calls: list[CallLog]
    amount_cents: int
    paid_cents: int
    unpaid_cents: int


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _with_rows(query: sa.Select) -> sa.Select:
    """Join what every list row shows, so a page of 25 cases costs one query."""
    return query.join(Case.debtor).options(
        contains_eager(Case.debtor),
        joinedload(Case.creditor),
        joinedload(Case.assigned_agent),
    )


def matching_case_ids(text: str, digits: str = "") -> sa.CompoundSelect:
    """The ids of cases whose reference, debtor name, invoice number or SIREN (digits) contains
    the text: one indexed (trigram) lookup per column, united, instead of an OR across joined
    tables that only a scan of every case can answer."""
    pattern = f"%{_escape_like(text)}%"
    parts = [
        sa.select(Case.id).where(Case.reference.ilike(pattern, escape="\\")),
        sa.select(Case.id)
        .join(Debtor, Debtor.id == Case.debtor_id)
        .where(Debtor.name.ilike(pattern, escape="\\")),
        sa.select(Invoice.case_id).where(Invoice.number.ilike(pattern, escape="\\")),
    ]
    if digits:
        parts.append(
            sa.select(Case.id)
            .join(Debtor, Debtor.id == Case.debtor_id)
            .where(Debtor.siren.like(f"%{_escape_like(digits)}%", escape="\\"))
        )
    return sa.union(*parts)


def _filtered(user, query: sa.Select, filters: CaseFilters) -> sa.Select:
    q = filters.q.strip()
    if q:
        digits = q.replace(" ", "")
        query = query.where(Case.id.in_(matching_case_ids(q, digits if digits.isdigit() else "")))
    if filters.stage in pipeline.STAGES:
        query = query.where(Case.stage == filters.stage)
    if filters.creditor_id is not None:
        query = query.where(Case.creditor_id == filters.creditor_id)
    if filters.only_mine:
        query = query.where(Case.assigned_agent_id == user.id)
    return query


def _queue_scope(user) -> sa.Select:
    """Open cases; an agent's queue holds its own and unassigned ones, a manager's every one."""
    query = access.visible_cases(user).where(Case.stage.in_(pipeline.OPEN_STAGES))
    if not user.is_manager:
        query = query.where(
            sa.or_(Case.assigned_agent_id == user.id, Case.assigned_agent_id.is_(None))
        )
    return query


class QueuePagination(Pagination):
    """One page over several queries read one after the other (the queue's ownership groups).

    Each group is a query ordered on its own, so each page is read in index order; an ORDER BY
    on "whose is it" over the whole queue would sort every open case at each request."""

    def _counts(self) -> list[int]:
        if not hasattr(self, "_group_counts"):
            session = self._query_args["session"]
            self._group_counts = [
                session.execute(
                    group.with_only_columns(sa.func.count(Case.id)).order_by(None)
                ).scalar_one()
                for group in self._query_args["counted"]
            ]
        return self._group_counts

    def _query_items(self) -> list:
        session = self._query_args["session"]
        start, wanted, items = self._query_offset, self.per_page, []
        for group, count in zip(self._query_args["groups"], self._counts(), strict=True):
            if wanted <= 0:
                break
            if start >= count:
                start -= count
                continue
            rows = session.execute(group.limit(wanted).offset(start)).unique().scalars().all()
            items.extend(rows)
            wanted -= len(rows)
            start = 0
        return items

    def _query_count(self) -> int:
        return sum(self._counts())


def work_queue(user, filters: CaseFilters, *, page: int = 1, per_page: int = PER_PAGE):
    """My cases first, then unassigned, then others; soonest next action, then largest claim."""

    def groups(scope: sa.Select) -> list[sa.Select]:
        owned = [
            scope.where(Case.assigned_agent_id == user.id),
            scope.where(Case.assigned_agent_id.is_(None)),
        ]
        if user.is_manager:
            owned.append(scope.where(Case.assigned_agent_id != user.id))
        return owned

    ordered = [
        group.order_by(Case.next_action_on.asc().nulls_last(), Case.claim_cents.desc(), Case.id)
        for group in groups(_filtered(user, _with_rows(_queue_scope(user)), filters))
    ]
    # Counted without the rows' joins (the search is on case ids): an index-only count.
    counted = groups(_filtered(user, _queue_scope(user), filters))
    return QueuePagination(
        page=page,
        per_page=per_page,
        error_out=False,
        groups=ordered,
        counted=counted,
        session=db.session,
    )


def all_cases(
    user,
    filters: CaseFilters,
    *,
    sort: str = DEFAULT_SORT,
    direction: str = "desc",
    page: int = 1,
    per_page: int = PER_PAGE,
):
    """Every case the user may see, whatever its stage (closed and returned included)."""
    column = SORTS.get(sort, SORTS[DEFAULT_SORT])
    ordered = column.asc() if direction == "asc" else column.desc()
    query = _filtered(user, _with_rows(access.visible_cases(user)), filters).order_by(
        ordered.nulls_last(), Case.id.desc() if direction != "asc" else Case.id
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def due_counts(user, today: date) -> DueCounts:
    """Cases in the user's queue whose next action falls today, and those already late."""
    scope = _queue_scope(user).with_only_columns(
        sa.func.count(sa.case((Case.next_action_on == today, 1))),
        sa.func.count(sa.case((Case.next_action_on < today, 1))),
    )
    due, overdue = db.session.execute(scope).one()
    return DueCounts(today=due, overdue=overdue)


def creditor_organisations(user) -> list[Organisation]:
    """The creditors a user may filter by: all of them for agency staff."""
    access.require_agency(user)
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.kind == "creditor")
            .order_by(Organisation.legal_name)
        )
    )


def case_file(user, reference: str) -> CaseFile:
    """The case with its timeline (as this user may see it), call log and invoice totals."""
    # Call notes and internal entries are the agency's: creditors read their own portal.
    access.require_agency(user)
    case = access.get_case(user, reference)
    calls = list(
        db.session.scalars(
            sa.select(CallLog)
            .where(CallLog.case_id == case.id)
            .options(joinedload(CallLog.agent))
            .order_by(CallLog.called_at.desc(), CallLog.id.desc())
        )
    )
    amount = sum(i.amount_cents for i in case.invoices)
    paid = sum(i.paid_cents for i in case.invoices)
    return CaseFile(
        case=case,
        timeline=access.timeline_for(user, case),
        calls=calls,
        amount_cents=amount,
        paid_cents=paid,
        unpaid_cents=amount - paid,
    )
