"""Read-side queries over the feedback projection's tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Engine, Select, and_, bindparam, func, or_, select

from infrastructure.paging import keyset_page
from infrastructure.projections.directory import employees
from infrastructure.projections.feedback import nominations, reports, round_means, rounds
from infrastructure.views import Page


@dataclass(frozen=True)
class RoundFilter:
    """Round list filters; all optional."""

    reviewee_id: UUID | None = None
    unit: str | None = None
    period: str | None = None
    status: str | None = None
    closes_by: date | None = None  # open rounds closing on or before this day
    supervisors: frozenset[UUID] | None = None  # rounds naming one of these as the round's supervisor (None: any)


@dataclass(frozen=True)
class StoredReport:
    """A projected report and the people it is for."""

    reviewee_id: UUID
    supervisor_id: UUID | None
    report: dict[str, Any]


_STORED_REPORT = (select(rounds.c.reviewee_id, rounds.c.supervisor_id, reports.c.report)
                  .join(reports, reports.c.round_id == rounds.c.id)
                  .where(rounds.c.id == bindparam("b_id"), rounds.c.status == "closed",
                         reports.c.version == rounds.c.version))


class FeedbackView:
    """Rounds, nominations and unit statistics."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def rounds(self, flt: RoundFilter, limit: int, after: datetime | None = None,
               visible_to: set[UUID] | None = None) -> list[dict[str, Any]]:
        """Rounds newest first, with counts; ``visible_to`` limits to rounds whose reviewee is in that set."""
        stmt = _round_filtered(self._round_rows(), flt, visible_to)
        return self._rows(stmt.order_by(rounds.c.opened_at.desc(), rounds.c.id).limit(limit))

    def rounds_page(self, flt: RoundFilter, limit: int, cursor: str | None = None,
                    visible_to: set[UUID] | None = None) -> Page:
        """One page of ``rounds``' list after a cursor, and how many there are in all."""
        stmt = _round_filtered(self._round_rows(), flt, visible_to)
        with self.engine.connect() as conn:
            page = keyset_page(conn, stmt, [(rounds.c.opened_at, True), (rounds.c.id, False)], limit, cursor)
        return Page(_with_rates(page.items), page.next_cursor, page.total)

    def latest_year(self, unit: str) -> int | None:
        """The latest year any of the unit's rounds belongs to (None: the unit has none)."""
        with self.engine.connect() as conn:
            latest = conn.execute(select(func.max(func.substr(rounds.c.period, 1, 4))).where(rounds.c.unit == unit)
                                  ).scalar()
        return int(latest) if latest else None

    def count_rounds(self, flt: RoundFilter, visible_to: set[UUID] | None = None) -> int:
        """How many rounds match the filter (of the reviewees given; None: all)."""
        return self._count(_round_filtered(select(rounds.c.id), flt, visible_to))

    def pending_nominations(self, supervisors: set[UUID] | None, limit: int) -> list[dict[str, Any]]:
        """Proposed reviewers waiting for approval in open rounds, oldest round closing first, with the round's
        period, version and reviewee and the reviewer's name (``supervisors``: rounds naming one of them; None:
        all)."""
        reviewee = employees.alias("reviewee")
        stmt = (select(nominations, rounds.c.period, rounds.c.closes_on, rounds.c.reviewee_id,
                       rounds.c.version.label("round_version"), reviewee.c.name.label("reviewee_name"),
                       employees.c.name.label("reviewer_name"))
                .join(rounds, rounds.c.id == nominations.c.round_id)
                .outerjoin(reviewee, reviewee.c.id == rounds.c.reviewee_id)
                .outerjoin(employees, employees.c.id == nominations.c.reviewer_id))
        stmt = _pending(stmt, supervisors)
        return self._rows(stmt.order_by(rounds.c.closes_on, rounds.c.id, nominations.c.nominated_at).limit(limit))

    def count_pending_nominations(self, supervisors: set[UUID] | None) -> int:
        """How many proposed reviewers wait for approval in open rounds (of these supervisors; None: all)."""
        stmt = select(nominations.c.id).join(rounds, rounds.c.id == nominations.c.round_id)
        return self._count(_pending(stmt, supervisors))

    def round(self, round_id: UUID) -> dict[str, Any] | None:
        """One round with its counts."""
        rows = self._rows(_ONE_ROUND, {"b_id": round_id})
        return rows[0] if rows else None

    def stored_report(self, round_id: UUID) -> StoredReport | None:
        """A closed round's report as projected at its closing, with who may read it (None when there is none,
        or when the round has changed since)."""
        with self.engine.connect() as conn:
            row = conn.execute(_STORED_REPORT, {"b_id": round_id}).first()
        return StoredReport(row.reviewee_id, row.supervisor_id, row.report) if row else None

    def nominations(self, round_id: UUID) -> list[dict[str, Any]]:
        """A round's nominations with reviewer names."""
        stmt = (select(nominations, employees.c.name.label("reviewer_name"))
                .outerjoin(employees, employees.c.id == nominations.c.reviewer_id)
                .where(nominations.c.round_id == round_id).order_by(nominations.c.nominated_at))
        return self._rows(stmt)

    def review_requests(self, reviewer_id: UUID) -> list[dict[str, Any]]:
        """A reviewer's approved requests, pending and done, with the reviewee's name and closing date."""
        stmt = (select(nominations, rounds.c.reviewee_id, rounds.c.period, rounds.c.closes_on,
                       rounds.c.status.label("round_status"), rounds.c.question_set_version,
                       employees.c.name.label("reviewee_name"))
                .join(rounds, rounds.c.id == nominations.c.round_id)
                .outerjoin(employees, employees.c.id == rounds.c.reviewee_id)
                .where(nominations.c.reviewer_id == reviewer_id, nominations.c.status == "approved")
                .order_by(rounds.c.closes_on, nominations.c.nominated_at))
        return self._rows(stmt)

    def reminders_due(self, now: datetime, after_days: int = 3) -> list[dict[str, Any]]:
        """Approved reviewers of rounds still accepting responses who have not responded ``after_days`` or more
        after nomination, and were not reminded in the last ``after_days``."""
        cutoff = now - timedelta(days=after_days)
        stmt = (select(nominations, rounds.c.reviewee_id, rounds.c.period, rounds.c.closes_on,
                       employees.c.name.label("reviewer_name"))
                .join(rounds, rounds.c.id == nominations.c.round_id)
                .outerjoin(employees, employees.c.id == nominations.c.reviewer_id)
                .where(rounds.c.status == "open", rounds.c.closes_on >= now.date(),
                       nominations.c.status == "approved", nominations.c.responded_at.is_(None),
                       nominations.c.nominated_at <= cutoff,
                       or_(nominations.c.last_reminded_at.is_(None), nominations.c.last_reminded_at <= cutoff))
                .order_by(nominations.c.nominated_at))
        return self._rows(stmt)

    def due_rounds(self, today: date) -> list[UUID]:
        """Open rounds whose closing date has passed."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(rounds.c.id).where(rounds.c.status == "open", rounds.c.closes_on < today)
                                     ).scalars())

    def unit_report(self, unit: str, period: str | None) -> dict[str, Any]:
        """Response rates per round and the distribution of closed rounds' means per value, for HR. A year's view
        (2026) includes its quarterly rounds (2026-Q1 ... 2026-Q4)."""
        in_period = _in_period(period)
        per_round = self._rows(self._round_rows().where(rounds.c.unit == unit, *in_period)
                               .order_by(rounds.c.opened_at.desc(), rounds.c.id))
        conds = [rounds.c.unit == unit, *in_period]
        stmt = (select(round_means.c.question_id, round_means.c.value, round_means.c.others_mean)
                .join(rounds, rounds.c.id == round_means.c.round_id).where(and_(*conds)))
        means: dict[str, dict[str, Any]] = {}
        for qid, value, mean in self._tuples(stmt):
            entry = means.setdefault(qid, {"question_id": qid, "value": value, "means": []})
            if mean is not None:
                entry["means"].append(mean)
        return {"unit": unit, "period": period, "rounds": per_round,
                "values": [_distribution(v) for v in means.values()]}

    @staticmethod
    def _round_rows() -> Select[Any]:
        # Counted per round returned (correlated, on the round_id index), not grouped over every nomination.
        def counted(*conds: Any) -> Any:
            return (select(func.count()).select_from(nominations)
                    .where(nominations.c.round_id == rounds.c.id, *conds).scalar_subquery())

        approved = nominations.c.status == "approved"
        return select(rounds, employees.c.name.label("reviewee_name"), counted().label("nominated"),
                      counted(approved).label("approved"),
                      counted(approved, nominations.c.responded_at.is_not(None)).label("responded"),
                      ).outerjoin(employees, employees.c.id == rounds.c.reviewee_id)

    def _rows(self, stmt: Select[Any], params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return _with_rates([dict(r._mapping) for r in conn.execute(stmt, params)])

    def _count(self, stmt: Select[Any]) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(stmt.subquery())).scalar() or 0)

    def _tuples(self, stmt: Select[Any]) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(stmt)]


def _in_period(period: str | None) -> list[ColumnElement[bool]]:
    """Rounds of a period: a quarter exactly, a year with its quarters (none: every period)."""
    if not period:
        return []
    if len(period) == 4:
        return [or_(rounds.c.period == period, rounds.c.period.startswith(period + "-Q", autoescape=True))]
    return [rounds.c.period == period]


def _with_rates(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each round row with its response rate (responded of approved reviewers)."""
    for row in rows:
        if "approved" in row and "responded" in row and row.get("approved") is not None:
            row["response_rate"] = round(row["responded"] / row["approved"], 2) if row["approved"] else None
    return rows


def _round_filtered(stmt: Select[Any], flt: RoundFilter, visible_to: set[UUID] | None) -> Select[Any]:
    """Apply a round filter (and the reviewees the caller may see) to a statement over rounds."""
    for column, value in (("reviewee_id", flt.reviewee_id), ("unit", flt.unit), ("period", flt.period),
                          ("status", flt.status)):
        if value is not None:
            stmt = stmt.where(rounds.c[column] == value)
    if flt.closes_by is not None:
        stmt = stmt.where(rounds.c.status == "open", rounds.c.closes_on <= flt.closes_by)
    if flt.supervisors is not None:
        stmt = stmt.where(rounds.c.supervisor_id.in_(flt.supervisors))
    if visible_to is not None:
        stmt = stmt.where(rounds.c.reviewee_id.in_(visible_to))
    return stmt


def _pending(stmt: Select[Any], supervisors: set[UUID] | None) -> Select[Any]:
    """Proposed nominations of open rounds (of rounds naming one of these supervisors; None: all)."""
    stmt = stmt.where(nominations.c.status == "proposed", rounds.c.status == "open")
    return stmt if supervisors is None else stmt.where(rounds.c.supervisor_id.in_(supervisors))


def _distribution(entry: dict[str, Any]) -> dict[str, Any]:
    """Count of round means in each one-point band, plus their mean."""
    values: list[float] = entry["means"]
    bands = {f"{lo}-{lo + 1}": 0 for lo in range(1, 5)}
    for v in values:
        lo = min(max(int(v), 1), 4)
        bands[f"{lo}-{lo + 1}"] += 1
    return {"question_id": entry["question_id"], "value": entry["value"], "rounds": len(values),
            "mean_of_means": round(sum(values) / len(values), 2) if values else None, "bands": bands}


_ONE_ROUND = FeedbackView._round_rows().where(rounds.c.id == bindparam("b_id"))  # built once (cache key memoized)
