"""Feedback read model: rounds, nominations (review requests, reminders) and closed rounds' means per value."""


from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Date,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    Uuid,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    update,
)

from application.feedback import report_of
from application.queries.filters import Page, RoundFilter
from domain.feedback_round import FeedbackRound, NominationStatus, RoundStatus
from infrastructure import people_index
from infrastructure.database import UTCDateTime
from infrastructure.id_set import in_id_set
from infrastructure.kept_count import KeptCount, kept_count_table
from infrastructure.paging import keyset_page
from infrastructure.pending_rows import LOAD_FROM, PendingRows
from infrastructure.prepared import Prepared
from infrastructure.projection import Projected, Projection

metadata = MetaData()
# who the rows are about: names and current units, from the registration and move events this model reads too
people = people_index.people_table("feedback_people", metadata)

rounds = Table(
    "feedback_rounds",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("reviewee_id", Uuid, nullable=False),
    Column("supervisor_id", Uuid, nullable=True),
    Column("unit", String(20), nullable=False),
    Column("period", String(10), nullable=False),
    Column("status", String(10), nullable=False),
    Column("closes_on", Date, nullable=False),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("closed_at", UTCDateTime(), nullable=True),
    Column("closed_automatically", Boolean, nullable=True),
    Column("question_set_version", Integer, nullable=False),
    Column("rule_set_version", Integer, nullable=False),
    Column("anonymity_threshold", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_feedback_rounds_reviewee", "reviewee_id", "period"),
    Index("ix_feedback_rounds_unit", "unit", "period"),
    Index("ix_feedback_rounds_status", "status", "closes_on"),
)
# the list's own order (newest first, then id): HR's and auditors' unfiltered list reads one page, not every round
Index("ix_feedback_rounds_opened", rounds.c.opened_at.desc(), rounds.c.id)

nominations = Table(
    "feedback_nominations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("round_id", Uuid, nullable=False),
    Column("reviewer_id", Uuid, nullable=False),
    Column("relationship", String(12), nullable=False),
    Column("status", String(10), nullable=False),
    Column("proposed_by", String(12), nullable=False),
    Column("nominated_at", UTCDateTime(), nullable=False),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("reason", Text, nullable=True),
    Column("responded_at", UTCDateTime(), nullable=True),
    Column("submissions", Integer, nullable=False, default=0),
    Column("reminders", Integer, nullable=False, default=0),
    Column("last_reminded_at", UTCDateTime(), nullable=True),
    Index("ix_feedback_nominations_round", "round_id"),
    Index("ix_feedback_nominations_reviewer", "reviewer_id"),
)

round_means = Table(
    "feedback_round_means",
    metadata,
    Column("round_id", Uuid, primary_key=True),
    Column("question_id", String(64), primary_key=True),
    Column("value", String(100), nullable=True),
    Column("others_mean", Float, nullable=True),
    Column("self_mean", Float, nullable=True),
)

reports = Table(
    "feedback_reports",
    metadata,
    Column("round_id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),  # the round's version the report is of (its closing)
    Column("report", JSON, nullable=False),
)

Loader = Callable[[UUID, int], FeedbackRound]
# The statements every submission runs, built once (SQLAlchemy memoizes a built statement's cache key).
# built once, values bound: a statement built per event cost more than its row on a rebuild
_NOMINATION = update(nominations).where(nominations.c.id == bindparam("b_id", type_=Uuid))
_REMINDED = _NOMINATION.values(reminders=nominations.c.reminders + 1)
_ROUND = update(rounds).where(rounds.c.id == bindparam("b_id", type_=Uuid))
_VERSION = update(rounds).where(rounds.c.id == bindparam("b_id")).values(version=bindparam("version"))
_RESPONDED = (update(nominations).where(nominations.c.id == bindparam("b_id"))
              .values(responded_at=bindparam("responded_at"), submissions=nominations.c.submissions + 1))

_ROUND_EVENTS = (FeedbackRound.Opened, FeedbackRound.NominationProposed, FeedbackRound.NominationAdded,
                 FeedbackRound.NominationApproved, FeedbackRound.NominationRejected, FeedbackRound.NominationDeclined,
                 FeedbackRound.ResponseSubmitted, FeedbackRound.ReminderSent, FeedbackRound.Closed)
_NOMINATION_CHANGES = (FeedbackRound.NominationApproved, FeedbackRound.NominationRejected,
                       FeedbackRound.NominationDeclined, FeedbackRound.ResponseSubmitted, FeedbackRound.ReminderSent)


class FeedbackProjection(Projection):
    """Keeps round and nomination rows current; at closing stores the report's means per value."""

    name = "feedback"
    metadata = metadata
    people = people  # the module's table: its copy of names and units
    handles = _ROUND_EVENTS + people_index.EVENTS

    def __init__(self, load_round: Loader):
        self.load_round = load_round

    def only_writes(self, batch: Sequence[Projected]) -> bool:
        """A batch below ``LOAD_FROM`` reads no row: its rows are added in memory or changed by key (a closing
        round's report comes from the ledger, not from these tables)."""
        return len(batch) < LOAD_FROM

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Apply each event in order; a round or nomination added in this batch is changed in memory and inserted
        at the batch's end (``PendingRows``: a rebuild reads a round's events together)."""
        pending = PendingRows()
        if len(batch) >= LOAD_FROM:
            changes = [i.event for i in batch if isinstance(i.event, _ROUND_EVENTS)
                       and not isinstance(i.event, FeedbackRound.Opened)]
            pending.load(conn, rounds, (e.originator_id for e in changes))
            pending.load(conn, nominations, (e.nomination_id for e in changes if isinstance(e, _NOMINATION_CHANGES)))
        for item in batch:
            e = item.event
            if people_index.record(conn, people, e):
                continue
            handler = getattr(self, f"_on_{type(e).__name__}")
            handler(conn, pending, e)
            if not isinstance(e, FeedbackRound.Opened):
                pending.update(conn, rounds, e.originator_id, _VERSION, {"version": e.originator_version})
        pending.flush(conn)
        _KEPT.add(conn, sum(isinstance(i.event, FeedbackRound.Opened) for i in batch))

    def _on_Opened(self, conn: Connection, pending: PendingRows, e: Any) -> None:  # noqa: N802 - named after the event
        pending.add(rounds, e.originator_id, {
            "id": e.originator_id, "reviewee_id": e.reviewee_id, "supervisor_id": e.supervisor_id, "unit": e.unit,
            "period": e.period, "status": "open", "closes_on": e.closes_on, "opened_at": e.timestamp,
            "question_set_version": e.question_set["version"], "rule_set_version": e.rule_set_version,
            "anonymity_threshold": e.anonymity_threshold, "version": e.originator_version})

    def _on_NominationProposed(self, conn: Connection, pending: PendingRows, e: Any) -> None:  # noqa: N802
        self._nominate(pending, e, NominationStatus.PROPOSED, e.proposed_by)

    def _on_NominationAdded(self, conn: Connection, pending: PendingRows, e: Any) -> None:  # noqa: N802
        self._nominate(pending, e, NominationStatus.APPROVED, e.added_by)

    @staticmethod
    def _nominate(pending: PendingRows, e: Any, status: str, proposed_by: str) -> None:
        pending.add(nominations, e.nomination_id, {
            "id": e.nomination_id, "round_id": e.originator_id, "reviewer_id": e.reviewer_id,
            "relationship": e.relationship, "status": str(status), "proposed_by": proposed_by,
            "nominated_at": e.timestamp, "decided_at": e.timestamp if status == NominationStatus.APPROVED else None,
            "submissions": 0, "reminders": 0})

    def _on_NominationApproved(self, conn: Connection, pending: PendingRows, e: Any) -> None:  # noqa: N802
        self._set(conn, pending, e.nomination_id, status=NominationStatus.APPROVED.value, decided_at=e.timestamp)

    def _on_NominationRejected(self, conn: Connection, pending: PendingRows, e: Any) -> None:  # noqa: N802
        self._set(conn, pending, e.nomination_id, status=NominationStatus.REJECTED.value, decided_at=e.timestamp,
                  reason=e.reason)

    def _on_NominationDeclined(self, conn: Connection, pending: PendingRows, e: Any) -> None:  # noqa: N802
        self._set(conn, pending, e.nomination_id, status=NominationStatus.DECLINED.value, decided_at=e.timestamp,
                  reason=e.reason)

    def _on_ResponseSubmitted(self, conn: Connection, pending: PendingRows, e: Any) -> None:  # noqa: N802
        pending.update(conn, nominations, e.nomination_id, _RESPONDED, {"responded_at": e.timestamp},
                       counters={"submissions": 1})

    def _on_ReminderSent(self, conn: Connection, pending: PendingRows, e: Any) -> None:  # noqa: N802
        pending.update(conn, nominations, e.nomination_id, _REMINDED, {"last_reminded_at": e.timestamp},
                       counters={"reminders": 1})

    def _on_Closed(self, conn: Connection, pending: PendingRows, e: Any) -> None:  # noqa: N802
        pending.update(conn, rounds, e.originator_id, _ROUND,
                       {"status": "closed", "closed_at": e.timestamp, "closed_automatically": e.automatic})
        report = report_of(self.load_round(e.originator_id, e.originator_version))
        # Kept whole, so reading a closed round's report is one row rather than a replay of the round.
        pending.add(reports, e.originator_id, {"round_id": e.originator_id, "version": e.originator_version,
                                               "report": report})
        for q in report["questions"]:
            pending.add(round_means, (e.originator_id, q["id"]), {
                "round_id": e.originator_id, "question_id": q["id"], "value": q["value"],
                "others_mean": q["others"]["mean"], "self_mean": q["by_category"]["self"].get("mean")})

    @staticmethod
    def _set(conn: Connection, pending: PendingRows, nomination_id: UUID, **values: Any) -> None:
        pending.update(conn, nominations, nomination_id, _NOMINATION, values)


@dataclass(frozen=True)
class StoredReport:
    """A projected report and the people it is for."""

    reviewee_id: UUID
    supervisor_id: UUID | None
    report: dict[str, Any]


_STORED_REPORT = Prepared(select(rounds.c.reviewee_id, rounds.c.supervisor_id, reports.c.report)
                          .join(reports, reports.c.round_id == rounds.c.id)
                          .where(rounds.c.id == bindparam("b_id"), rounds.c.status == "closed",
                                 reports.c.version == rounds.c.version))


class FeedbackView:
    """Rounds, nominations and unit statistics."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def rounds(self, flt: RoundFilter, limit: int, after: datetime | None = None,
               visible_to: AbstractSet[UUID] | None = None) -> list[dict[str, Any]]:
        """Rounds newest first, with counts; ``visible_to`` limits to rounds whose reviewee is in that set."""
        listing, _ = _round_listing(_round_shape(flt, visible_to))
        stmt = _with_names(listing).order_by(rounds.c.opened_at.desc(), rounds.c.id).limit(limit)
        with self.engine.connect() as conn:
            return _with_counts(conn, [dict(r._mapping) for r in conn.execute(stmt, _round_params(flt, visible_to))])

    def rounds_page(self, flt: RoundFilter, limit: int, cursor: str | None = None,
                    visible_to: AbstractSet[UUID] | None = None) -> Page:
        """One page of ``rounds``' list after a cursor, and how many there are in all."""
        _, keys = _round_listing(_round_shape(flt, visible_to))
        with self.engine.connect() as conn:
            # the page is found by the rounds' sort keys alone, then its rows read whole; a supervisor's rounds are
            # all read to be sorted, so they are counted as they are read
            shape = _round_shape(flt, visible_to)
            page = keyset_page(conn, keys, _ROUND_ORDER, limit, cursor, _round_params(flt, visible_to),
                               rows_of=_page_rows, total_in_page=visible_to is not None,
                               kept_total=None if any(shape) else _KEPT.total)
        return Page(_with_rates(page.items), page.next_cursor, page.total)

    def latest_year(self, unit: str) -> int | None:
        """The latest year any of the unit's rounds belongs to (None: the unit has none)."""
        with self.engine.connect() as conn:
            latest = conn.execute(select(func.max(func.substr(rounds.c.period, 1, 4))).where(rounds.c.unit == unit)
                                  ).scalar()
        return int(latest) if latest else None

    def count_rounds(self, flt: RoundFilter, visible_to: AbstractSet[UUID] | None = None) -> int:
        """How many rounds match the filter (of the reviewees given; None: all)."""
        _, keys = _round_listing(_round_shape(flt, visible_to))
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(keys.subquery()),
                                    _round_params(flt, visible_to)).scalar() or 0)

    def pending_nominations(self, supervisors: set[UUID] | None, limit: int, cursor: str | None = None) -> Page:
        """One page of the proposed reviewers waiting for approval in open rounds, oldest round closing first, with
        the round's period, version and reviewee and the reviewer's name (``supervisors``: rounds naming one of
        them; None: all), the next page's cursor and how many there are."""
        reviewee = people.alias("reviewee")
        stmt = (select(nominations, rounds.c.period, rounds.c.closes_on, rounds.c.reviewee_id,
                       rounds.c.version.label("round_version"), reviewee.c.name.label("reviewee_name"),
                       people.c.name.label("reviewer_name"))
                .join(rounds, rounds.c.id == nominations.c.round_id)
                .outerjoin(reviewee, reviewee.c.id == rounds.c.reviewee_id)
                .outerjoin(people, people.c.id == nominations.c.reviewer_id))
        keys = [(rounds.c.closes_on, False), (rounds.c.id, False), (nominations.c.nominated_at, False),
                (nominations.c.id, False)]
        with self.engine.connect() as conn:
            return keyset_page(conn, _pending(stmt, supervisors), keys, limit, cursor)

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
        row = _STORED_REPORT.one_off(self.engine, {"b_id": round_id})
        return StoredReport(row["reviewee_id"], row["supervisor_id"], row["report"]) if row else None

    def nominations(self, round_id: UUID) -> list[dict[str, Any]]:
        """A round's nominations with reviewer names."""
        stmt = (select(nominations, people.c.name.label("reviewer_name"))
                .outerjoin(people, people.c.id == nominations.c.reviewer_id)
                .where(nominations.c.round_id == round_id).order_by(nominations.c.nominated_at))
        return self._rows(stmt)

    def review_requests(self, reviewer_id: UUID) -> list[dict[str, Any]]:
        """A reviewer's approved requests, pending and done, with the reviewee's name and closing date."""
        return self._rows(_requests_of(reviewer_id).order_by(rounds.c.closes_on, nominations.c.nominated_at))

    def review_requests_page(self, reviewer_id: UUID, today: date, limit: int, cursor: str | None = None) -> Page:
        """One page of a reviewer's approved requests, those still waiting for an answer on ``today`` first, then
        by closing date; the next page's cursor and how many there are."""
        waiting = case((and_(nominations.c.responded_at.is_(None), rounds.c.status != RoundStatus.CLOSED.value,
                             rounds.c.closes_on >= today), 0), else_=1)
        keys = [(waiting, False), (rounds.c.closes_on, False), (nominations.c.nominated_at, False),
                (nominations.c.id, False)]
        with self.engine.connect() as conn:
            return keyset_page(conn, _requests_of(reviewer_id), keys, limit, cursor)

    def reminders_due(self, now: datetime, after_days: int = 3) -> list[dict[str, Any]]:
        """Approved reviewers of rounds still accepting responses who have not responded ``after_days`` or more
        after nomination, and were not reminded in the last ``after_days``."""
        cutoff = now - timedelta(days=after_days)
        stmt = (select(nominations, rounds.c.reviewee_id, rounds.c.period, rounds.c.closes_on,
                       people.c.name.label("reviewer_name"))
                .join(rounds, rounds.c.id == nominations.c.round_id)
                .outerjoin(people, people.c.id == nominations.c.reviewer_id)
                .where(rounds.c.status == "open", rounds.c.closes_on >= now.date(),
                       nominations.c.status == NominationStatus.APPROVED.value, nominations.c.responded_at.is_(None),
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
        # in the order of the values' ids: the rows' stored order is no order (a rebuild, or a plan the statistics
        # changed, gave them in another)
        stmt = (select(round_means.c.question_id, round_means.c.value, round_means.c.others_mean)
                .join(rounds, rounds.c.id == round_means.c.round_id).where(and_(*conds))
                .order_by(round_means.c.question_id, rounds.c.opened_at, rounds.c.id))
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

        approved = nominations.c.status == NominationStatus.APPROVED.value
        return select(rounds, people.c.name.label("reviewee_name"), counted().label("nominated"),
                      counted(approved).label("approved"),
                      counted(approved, nominations.c.responded_at.is_not(None)).label("responded"),
                      ).outerjoin(people, people.c.id == rounds.c.reviewee_id)

    def feedback_rounds_of(self, employee_id: UUID, years: set[int]) -> list[UUID]:
        """360 rounds of a reviewee whose period (2026, 2026-Q3) falls in one of the years."""
        if not years:
            return []
        prefixes = [rounds.c.period.startswith(str(y), autoescape=True) for y in sorted(years)]
        stmt = select(rounds.c.id).where(rounds.c.reviewee_id == employee_id, or_(*prefixes))
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())

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


_ROUND_ORDER = [(rounds.c.opened_at, True), (rounds.c.id, False)]
# how many rounds there are, kept as they open (a row is never removed): the unfiltered list's total
opened_kept = kept_count_table("feedback_rounds_kept", metadata)
_KEPT = KeptCount(opened_kept)
_EQUAL = ("reviewee_id", "unit", "period", "status")  # RoundFilter fields compared for equality
RoundShape = tuple[bool, ...]  # which of the filters are given: the equal ones, closes_by, supervisors, visible_to


def _round_shape(flt: RoundFilter, visible_to: Collection[UUID] | None) -> RoundShape:
    """Which filters a round list applies (their values are bound: ``_round_params``)."""
    given = [getattr(flt, name) is not None for name in _EQUAL]
    return (*given, flt.closes_by is not None, flt.supervisors is not None, visible_to is not None)


def _round_params(flt: RoundFilter, visible_to: Collection[UUID] | None) -> dict[str, Any]:
    """The bound values of a round list's filters."""
    values = {f"f_{name}": getattr(flt, name) for name in _EQUAL}
    visible = None if visible_to is None else frozenset(visible_to)  # bound twice per page, encoded once
    return {**values, "f_closes_by": flt.closes_by, "f_supervisors": flt.supervisors, "f_visible": visible}


@lru_cache(maxsize=64)
def _round_listing(shape: RoundShape) -> tuple[Select[Any], Select[Any]]:
    """The rounds filtered as ``shape`` says, whole and as their sort keys (id, opening), built once per shape (the
    reviewees the caller may see are one bound id set)."""
    *equal, closes_by, supervisors, visible = shape
    conds: list[Any] = [rounds.c[name] == bindparam(f"f_{name}", type_=rounds.c[name].type)
                        for name, given in zip(_EQUAL, equal, strict=True) if given]
    if closes_by:
        conds += [rounds.c.status == "open", rounds.c.closes_on <= bindparam("f_closes_by", type_=Date)]
    if supervisors:
        conds.append(in_id_set(rounds.c.supervisor_id, "f_supervisors"))
    if visible:
        conds.append(in_id_set(rounds.c.reviewee_id, "f_visible"))
    return select(rounds).where(*conds), select(rounds.c.id, rounds.c.opened_at).where(*conds)


def _with_names(stmt: Select[Any]) -> Select[Any]:
    """Rounds with their reviewees' names."""
    return stmt.add_columns(people.c.name.label("reviewee_name")).outerjoin(
        people, people.c.id == rounds.c.reviewee_id)


_APPROVED = nominations.c.status == NominationStatus.APPROVED.value
# The nomination counts of the rounds listed: counted for the rows returned only, not for every round that matched
_COUNTS = (select(nominations.c.round_id, func.count().label("nominated"),
                  func.sum(case((_APPROVED, 1), else_=0)).label("approved"),
                  func.sum(case((and_(_APPROVED, nominations.c.responded_at.is_not(None)), 1), else_=0))
                  .label("responded"))
           .where(in_id_set(nominations.c.round_id, "ids")).group_by(nominations.c.round_id))


def _page_rows(page: Any) -> Select[Any]:
    """A page of rounds (their ids) read whole, with the reviewee's name and the nomination counts (as
    ``_round_rows`` gives them)."""
    def counted(*conds: Any) -> Any:
        return (select(func.count()).select_from(nominations)
                .where(nominations.c.round_id == page.c.id, *conds).scalar_subquery())

    responded = nominations.c.responded_at.is_not(None)
    return (select(rounds, people.c.name.label("reviewee_name"), counted().label("nominated"),
                   counted(_APPROVED).label("approved"), counted(_APPROVED, responded).label("responded"))
            .select_from(page.join(rounds, rounds.c.id == page.c.id)
                         .outerjoin(people, people.c.id == rounds.c.reviewee_id)))


def _with_counts(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Round rows with their nomination counts (as ``_round_rows`` gives them) and response rates."""
    counted = {r.round_id: r for r in conn.execute(_COUNTS, {"ids": [row["id"] for row in rows]})} if rows else {}
    for row in rows:
        found = counted.get(row["id"])
        row["nominated"], row["approved"], row["responded"] = (
            (int(found.nominated), int(found.approved), int(found.responded)) if found else (0, 0, 0))
    return _with_rates(rows)


def _requests_of(reviewer_id: UUID) -> Select[Any]:
    """A reviewer's approved nominations with their rounds' period, closing date, status and questions, and the
    reviewee's name (unordered)."""
    return (select(nominations, rounds.c.reviewee_id, rounds.c.period, rounds.c.closes_on,
                   rounds.c.status.label("round_status"), rounds.c.question_set_version,
                   people.c.name.label("reviewee_name"))
            .join(rounds, rounds.c.id == nominations.c.round_id)
            .outerjoin(people, people.c.id == rounds.c.reviewee_id)
            .where(nominations.c.reviewer_id == reviewer_id, nominations.c.status == NominationStatus.APPROVED.value))


def _pending(stmt: Select[Any], supervisors: set[UUID] | None) -> Select[Any]:
    """Proposed nominations of open rounds (of rounds naming one of these supervisors; None: all)."""
    stmt = stmt.where(nominations.c.status == NominationStatus.PROPOSED, rounds.c.status == "open")
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
