"""What the agency works on: the work queue, the list of every case, and one case's file.

Read-only queries for the back-office, always built on access.visible_cases so scoping stays in
one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy.orm import contains_eager, joinedload

from app.domain import pipeline
from app.extensions import db
from app.models import CallLog, Case, Debtor, Invoice, Organisation, TimelineEntry
from app.services import access

PER_PAGE = 25
# Lists count their cases up to this many, then say "more than": an agent never pages that far,
# and counting a 100,000-case queue at every request costs more than the page itself.
COUNT_CAP = 10_000
# The creditor filter is a search field with suggestions, not a list: an agency has thousands.
CREDITOR_SUGGESTIONS = 20
_SIREN_IN_LABEL = re.compile(r"\((\d{9})\)\s*$")

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
    creditor_text: str = ""
    only_mine: bool = False


@dataclass(frozen=True)
class DueCounts:
    today: int
    overdue: int
    limit: int = 0  # counted up to limit + 1: a count above the limit means "more than limit"


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
    if filters.creditor_text.strip():
        query = query.where(Case.creditor_id.in_(creditors_matching(filters.creditor_text)))
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


def capped_count(session, query: sa.Select, limit: int) -> int:
    """The number of rows of the query, counted up to limit + 1 (an index range scan that
    stops there, instead of counting every match)."""
    limited = query.with_only_columns(Case.id).order_by(None).limit(limit + 1).subquery()
    return session.execute(sa.select(sa.func.count()).select_from(limited)).scalar_one()


class _CappedTotal:
    """A pager whose total is exact up to COUNT_CAP (or as far as the page asked for), then
    a lower bound: the template says "more than" (`total_is_lower_bound`)."""

    @property
    def count_limit(self) -> int:
        return max(COUNT_CAP, self._query_offset + self.per_page)

    @property
    def total_is_lower_bound(self) -> bool:
        return self.total > self.count_limit

    @property
    def counted_up_to(self) -> int:
        return min(self.total, self.count_limit)


class CappedPagination(_CappedTotal, SelectPagination):
    def _query_count(self) -> int:
        # A page that is not full is the last one: its offset and rows are the total. Most
        # searches (a name, a reference) fit on one page, and the count would run the search
        # a second time.
        if 0 < len(self.items) < self.per_page or (self.page == 1 and not self.items):
            return self._query_offset + len(self.items)
        return capped_count(
            self._query_args["session"], self._query_args["select"], self.count_limit
        )


class QueuePagination(_CappedTotal, Pagination):
    """One page over several queries read one after the other (the queue's ownership groups).

    Each group is a query ordered on its own, so each page is read in index order; an ORDER BY
    on "whose is it" over the whole queue would sort every open case at each request. A group
    counted beyond the limit holds the whole page (the limit covers the page's last row)."""

    def _counts(self) -> list[int]:
        if not hasattr(self, "_group_counts"):
            session = self._query_args["session"]
            self._group_counts = [
                capped_count(session, group, self.count_limit)
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

    ordered = [
        group.order_by(Case.next_action_on.asc().nulls_last(), Case.claim_cents.desc(), Case.id)
        for group in _ownership_groups(
            user, _filtered(user, _with_rows(_queue_scope(user)), filters)
        )
    ]
    # Counted without the rows' joins (the search is on case ids): an index-only count.
    counted = _ownership_groups(user, _filtered(user, _queue_scope(user), filters))
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
    return CappedPagination(
        select=query, session=db.session, page=page, per_page=per_page, error_out=False
    )


def _ownership_groups(user, scope: sa.Select) -> list[sa.Select]:
    """The queue's groups, each one an index range: mine, unassigned, then (managers) others."""
    groups = [
        scope.where(Case.assigned_agent_id == user.id),
        scope.where(Case.assigned_agent_id.is_(None)),
    ]
    if user.is_manager:
        groups.append(scope.where(Case.assigned_agent_id != user.id))
    return groups


def due_counts(user, today: date) -> DueCounts:
    """Cases in the user's queue whose next action falls today, and those already late (each
    counted up to COUNT_CAP + 1: the badge then says "more than")."""
    groups = _ownership_groups(user, _queue_scope(user))

    def count(condition) -> int:
        return min(
            sum(capped_count(db.session, g.where(condition), COUNT_CAP) for g in groups),
            COUNT_CAP + 1,
        )

    return DueCounts(
        today=count(Case.next_action_on == today),
        overdue=count(Case.next_action_on < today),
        limit=COUNT_CAP,
    )


def creditor_label(name: str, siren: str | None) -> str:
    """How a suggestion names a creditor; its SIREN in brackets makes the choice exact."""
    return f"{name} ({siren})" if siren else name


def creditors_matching(text: str) -> sa.Select:
    """Ids of the creditors a typed filter means: the SIREN of a chosen suggestion exactly,
    else a name containing the text or a SIREN starting with its digits."""
    text = text.strip()
    creditors = sa.select(Organisation.id).where(Organisation.kind == "creditor")
    chosen = _SIREN_IN_LABEL.search(text)
    if chosen:
        return creditors.where(Organisation.siren == chosen.group(1))
    matches = [Organisation.legal_name.ilike(f"%{_escape_like(text)}%", escape="\\")]
    digits = text.replace(" ", "")
    if digits.isdigit():
        matches.append(Organisation.siren.like(f"{digits}%"))
    return creditors.where(sa.or_(*matches))


def creditor_suggestions(user, text: str) -> list[str]:
    """The first creditors (by name) matching what the agent types, for the filter's list."""
    access.require_agency(user)
    query = sa.select(Organisation.legal_name, Organisation.siren).where(
        Organisation.id.in_(creditors_matching(text))
    )
    rows = db.session.execute(
        query.order_by(Organisation.legal_name).limit(CREDITOR_SUGGESTIONS)
    ).all()
    return [creditor_label(name, siren) for name, siren in rows]


def creditor_filter_label(user, creditor_id: int | None) -> str:
    """The filter's text for a link that names a creditor by id (`?creditor=12`)."""
    access.require_agency(user)
    if creditor_id is None:
        return ""
    row = db.session.execute(
        sa.select(Organisation.legal_name, Organisation.siren).where(
            Organisation.id == creditor_id, Organisation.kind == "creditor"
        )
    ).first()
    return creditor_label(*row) if row else ""


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
