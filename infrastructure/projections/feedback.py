"""Feedback read model: rounds, nominations (review requests, reminders) and closed rounds' means per value."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    bindparam,
    update,
)

from application.feedback import report_of
from domain.feedback_round import FeedbackRound
from infrastructure.database import UTCDateTime
from infrastructure.projection import Projected, Projection

metadata = MetaData()

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
_VERSION = update(rounds).where(rounds.c.id == bindparam("b_id")).values(version=bindparam("version"))
_RESPONDED = (update(nominations).where(nominations.c.id == bindparam("b_id"))
              .values(responded_at=bindparam("responded_at"), submissions=nominations.c.submissions + 1))


class FeedbackProjection(Projection):
    """Keeps round and nomination rows current; at closing stores the report's means per value."""

    name = "feedback"
    metadata = metadata
    handles = (
        FeedbackRound.Opened,
        FeedbackRound.NominationProposed,
        FeedbackRound.NominationAdded,
        FeedbackRound.NominationApproved,
        FeedbackRound.NominationRejected,
        FeedbackRound.NominationDeclined,
        FeedbackRound.ResponseSubmitted,
        FeedbackRound.ReminderSent,
        FeedbackRound.Closed,
    )

    def __init__(self, load_round: Loader):
        self.load_round = load_round

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Apply each event in order (rounds are small; clarity beats batching here)."""
        for item in batch:
            e = item.event
            handler = getattr(self, f"_on_{type(e).__name__}")
            handler(conn, e)
            if not isinstance(e, FeedbackRound.Opened):
                conn.execute(_VERSION, {"b_id": e.originator_id, "version": e.originator_version})

    def _on_Opened(self, conn: Connection, e: Any) -> None:  # noqa: N802 - named after the event
        conn.execute(rounds.insert().values(
            id=e.originator_id, reviewee_id=e.reviewee_id, supervisor_id=e.supervisor_id, unit=e.unit,
            period=e.period, status="open", closes_on=e.closes_on, opened_at=e.timestamp,
            question_set_version=e.question_set["version"], rule_set_version=e.rule_set_version,
            anonymity_threshold=e.anonymity_threshold, version=e.originator_version))

    def _on_NominationProposed(self, conn: Connection, e: Any) -> None:  # noqa: N802
        self._nominate(conn, e, "proposed", e.proposed_by)

    def _on_NominationAdded(self, conn: Connection, e: Any) -> None:  # noqa: N802
        self._nominate(conn, e, "approved", e.added_by)

    def _nominate(self, conn: Connection, e: Any, status: str, proposed_by: str) -> None:
        conn.execute(nominations.insert().values(
            id=e.nomination_id, round_id=e.originator_id, reviewer_id=e.reviewer_id, relationship=e.relationship,
            status=status, proposed_by=proposed_by, nominated_at=e.timestamp,
            decided_at=e.timestamp if status == "approved" else None, submissions=0, reminders=0))

    def _on_NominationApproved(self, conn: Connection, e: Any) -> None:  # noqa: N802
        self._set(conn, e.nomination_id, status="approved", decided_at=e.timestamp)

    def _on_NominationRejected(self, conn: Connection, e: Any) -> None:  # noqa: N802
        self._set(conn, e.nomination_id, status="rejected", decided_at=e.timestamp, reason=e.reason)

    def _on_NominationDeclined(self, conn: Connection, e: Any) -> None:  # noqa: N802
        self._set(conn, e.nomination_id, status="declined", decided_at=e.timestamp, reason=e.reason)

    def _on_ResponseSubmitted(self, conn: Connection, e: Any) -> None:  # noqa: N802
        conn.execute(_RESPONDED, {"b_id": e.nomination_id, "responded_at": e.timestamp})

    def _on_ReminderSent(self, conn: Connection, e: Any) -> None:  # noqa: N802
        conn.execute(update(nominations).where(nominations.c.id == e.nomination_id).values(
            reminders=nominations.c.reminders + 1, last_reminded_at=e.timestamp))

    def _on_Closed(self, conn: Connection, e: Any) -> None:  # noqa: N802
        conn.execute(update(rounds).where(rounds.c.id == e.originator_id).values(
            status="closed", closed_at=e.timestamp, closed_automatically=e.automatic))
        report = report_of(self.load_round(e.originator_id, e.originator_version))
        # Kept whole, so reading a closed round's report is one row rather than a replay of the round.
        conn.execute(reports.insert().values(round_id=e.originator_id, version=e.originator_version, report=report))
        rows = [{"round_id": e.originator_id, "question_id": q["id"], "value": q["value"],
                 "others_mean": q["others"]["mean"], "self_mean": q["by_category"]["self"].get("mean")}
                for q in report["questions"]]
        if rows:
            conn.execute(round_means.insert(), rows)

    def _set(self, conn: Connection, nomination_id: UUID, **values: Any) -> None:
        conn.execute(update(nominations).where(nominations.c.id == nomination_id).values(**values))
