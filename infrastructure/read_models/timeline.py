"""Career timeline read model: one row per career event of an employee, by business date, each pointing back to
the event it came from (aggregate id, version and log position), so an auditor can jump to the raw event.

Kinds (``KINDS``, in the order the API documents them) and where each comes from:

==============  ==================================================  ===========================================
kind            event(s)                                            date
==============  ==================================================  ===========================================
registration    Employee.Registered                                 start of service (TMT CPNS, from the NIP)
rank            Employee.RankChanged (``cause`` kept in details)     TMT of the new rank
position        Employee.PositionChanged                            TMT
unit            Employee.Moved                                      TMT
supervisor      Employee.SupervisorChanged                          TMT
appraisal       Appraisal.Finalised (predicate and ratings)         finalisation date
objection       Appraisal.ObjectionFiled, ObjectionDecided          filing date, decision date
training        Training.Verified (only verified completions)       the training's end date
feedback        FeedbackRound.Closed (a 360 round, reviewee only)   the day it closed (UTC)
potential       PotentialAssessment.Assessed                        assessment date
mentoring       Mentoring.Assigned, Ended (mentee and mentor)       start date, end date
award           Award.Granted                                       award date
promotion       PromotionCase.Decided, Reopened (the candidate's)   decision date, the day it was reopened (UTC)
status          Employee.StatusChanged (e.g. CPNS -> PNS)           TMT
education       ServiceRecord.QualificationRecorded                 date of graduation
discipline      ServiceRecord.PenaltyImposed                        first day in force
exam            ServiceRecord.ExamPassed (ujian dinas)              date passed
need            DevelopmentNeed.Confirmed (a development need)      the day it was confirmed (UTC)
plan            DevelopmentPlan signed by both parties, Closed      the day it was agreed / closed (UTC)
dialogue        Dialogue.Recorded (a performance dialogue)          the day it was held
==============  ==================================================  ===========================================

A disciplinary penalty is on the timeline, which only HR, auditors, the employee and their supervisors read.

A 360 round appears only on the reviewee's timeline, once closed, with its period and pinned versions: never a
reviewer, a nomination, a count of responses or an answer. Rejected or unverified trainings do not appear.

Events that do not repeat the employee (Appraisal.Finalised, Training.Verified, FeedbackRound.Closed,
Mentoring.Ended) are attributed through ``career_timeline_subjects``, which this projection owns: one row per
aggregate it has seen, mapping it to its employee and keeping what later rows need (an appraisal's period and
ratings, a training's course and dates, an employee's current rank, position, unit, supervisor and name for the
"from -> to" of a change). Both tables are rebuilt together from the log, so a rebuild gives identical rows; item
ids are derived from (aggregate id, version, employee id), not from a sequence.

A promotion decision shows its outcome and whether it went against the assessment (``flagged``), never the
committee's deliberation; the rank change it causes is a ``rank`` item whose ``cause`` names the case.

Adding a kind: add it to ``KINDS`` (application.queries.timeline), handle its events in ``TimelineProjection``, and run
``jejak projections rebuild timeline``; the API accepts every name in ``KINDS`` and refuses others.
"""


from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID, uuid5

import orjson
from eventsourcing.utils import get_topic, resolve_topic
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    Engine,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    Uuid,
    bindparam,
    select,
    text,
    update,
)

from application.jsonable import jsonable
from application.queries.filters import Page
from domain.appraisal import Appraisal
from domain.development import DevelopmentNeed
from domain.development_plan import DevelopmentPlan
from domain.dialogue import Dialogue
from domain.employee import Employee
from domain.feedback_round import FeedbackRound
from domain.mentoring import Mentoring
from domain.potential import LEVEL_NAMES, PotentialAssessment
from domain.promotion_case import PromotionCase
from domain.recognition import Award
from domain.service_record import ServiceRecord
from domain.training import Training
from infrastructure.database import UTCDateTime
from infrastructure.paging import SortKey, keyset_page
from infrastructure.prepared import Prepared, insert_many
from infrastructure.projection import Projected, Replayer, RowSink, StreamReplay, qualified, upcast_raw
from infrastructure.replay import RawEvent, unwrapped_state

log = logging.getLogger(__name__)

ITEM_NAMESPACE = UUID("5b0f6d52-6c8e-4f0e-9a57-1c1d3f1a7e21")
_NAMESPACE_SHA1 = hashlib.sha1(ITEM_NAMESPACE.bytes)  # copied per item: the namespace is hashed once
_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}
_dumps = orjson.dumps

metadata = MetaData()

timeline = Table(
    "career_timeline",
    metadata,
    # The id is a hash: as the primary key, every entry of a rebuild would land at a random place in the key's
    # B-tree (1M entries: 5.5 of the rebuild's 22 CPU-s). As a unique index it is built once the rows are in, sorted.
    Column("id", Uuid, nullable=False),
    Column("employee_id", Uuid, nullable=False),
    Column("date", Date, nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("title", Text, nullable=False),
    Column("details", JSON, nullable=False),
    Column("aggregate_id", Uuid, nullable=False),
    Column("aggregate_version", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    Column("topic", String(200), nullable=False),
    Index("ux_career_timeline_id", "id", unique=True),
    # the one index reads use (an employee's items by date); an item points to its event by the columns below, and
    # no query looks items up by event (an index on them cost a rebuild of 1M events 1.1 of its 24 CPU-s)
    Index("ix_career_timeline_employee_date", "employee_id", "date", "position"),
)

subjects = Table(
    "career_timeline_subjects",
    metadata,
    Column("aggregate_id", Uuid, primary_key=True),
    Column("employee_id", Uuid, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("details", JSON, nullable=False),
)


def item_id(aggregate_id: UUID, version: int, employee_id: UUID) -> UUID:
    """A timeline item's stable id: the same event on the same timeline always gets the same id."""
    return uuid5(ITEM_NAMESPACE, f"{aggregate_id}/{version}/{employee_id}")


def item_hex(aggregate_id: str, version: int, employee_id: str) -> str:
    """``item_id(...).hex`` from the ids' canonical text, without UUID objects (what ``uuid5`` does, on bytes)."""
    sha = _NAMESPACE_SHA1.copy()
    sha.update(f"{aggregate_id}/{version}/{employee_id}".encode())
    h = sha.hexdigest()
    # version 5 in the 13th digit; the RFC 4122 variant (binary 10xx) in the 17th
    return f"{h[:12]}5{h[13:16]}{_VARIANT[h[16]]}{h[17:32]}"


def utc_day(moment: datetime | str) -> date:
    """The UTC calendar day of a timestamp, or of its ISO text (the same on every server, so rebuilds agree)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(UTC).date()


class RawItem:
    """An event of a one-pass rebuild: its values (plain text: ids canonical, dates and times ISO) as attributes, for
    the same handlers as the decoded events, and where it was stored. It is its own item (``item.event`` is itself),
    so a replay makes one object per event; the stored place is in slots named unlike any event's field."""

    __slots__ = ("__dict__", "log_hex", "log_position", "log_stamp", "log_topic")
    log_position: int
    log_topic: str  # the topic of the class it resolves to
    log_stamp: str  # the timestamp as the row sink takes it
    log_hex: str  # the aggregate's id as 32 hex digits (how the row sink stores ids)

    @property
    def event(self) -> Any:
        """The event's values: this object itself."""
        return self


Item = Projected | RawItem


class TimelineProjection(StreamReplay):
    """Writes one timeline row per career event (two for a mentoring event: mentee and mentor)."""

    name = "timeline"
    metadata = metadata
    handles = (
        Employee.Registered,
        Employee.RankChanged,
        Employee.PositionChanged,
        Employee.Moved,
        Employee.SupervisorChanged,
        Appraisal.Opened,
        Appraisal.Assessed,
        Appraisal.Finalised,
        Appraisal.ObjectionFiled,
        Appraisal.ObjectionDecided,
        Training.Recorded,
        Training.Verified,
        FeedbackRound.Opened,
        FeedbackRound.Closed,
        PotentialAssessment.Assessed,
        Mentoring.Assigned,
        Mentoring.Ended,
        Award.Granted,
        PromotionCase.Proposed,
        PromotionCase.Decided,
        PromotionCase.Reopened,
        Employee.StatusChanged,
        ServiceRecord.Opened,
        ServiceRecord.QualificationRecorded,
        ServiceRecord.PenaltyImposed,
        ServiceRecord.ExamPassed,
        DevelopmentNeed.Proposed,
        DevelopmentNeed.Confirmed,
        DevelopmentNeed.Dismissed,
        DevelopmentPlan.Drafted,
        DevelopmentPlan.GoalAdded,
        DevelopmentPlan.Signed,
        DevelopmentPlan.ProgressRecorded,
        DevelopmentPlan.TrainingLinked,
        DevelopmentPlan.Closed,
        Dialogue.Recorded,
    )

    def only_writes(self, batch: Sequence[Projected]) -> bool:
        """A batch of events whose handlers read nothing kept (a training recorded, an appraisal opened: a new
        subject, or a row of the event's own values) or only set values of one (an appraisal assessed: set in the
        database, ``WriteOnlyBatch``) reads no row."""
        return all(isinstance(item.event, _WRITES_ONLY) for item in batch)

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Apply each event in log order (later events of a batch see the subjects of earlier ones), then write
        the batch's rows and subjects."""
        if self.only_writes(batch):
            work: Batch = WriteOnlyBatch(conn)
        else:
            work = Batch(conn)
            # Every subject the batch may look up, read in a few statements rather than one per aggregate.
            work.prefetch({v for item in batch for v in vars(item.event).values() if type(v) is UUID})
        for item in batch:
            handler = getattr(self, f"_on_{type(item.event).__qualname__.replace('.', '_')}")
            handler(work, item)
        work.flush()

    def replayer(self, conn: Connection) -> Replayer:
        """The same handlers over raw events, with every subject kept in memory for the whole pass."""
        return _TimelineReplayer(self, conn)

    # --- employees -----------------------------------------------------------------------------------------------

    def _on_Employee_Registered(self, b: Batch, item: Item) -> None:  # noqa: N802 - named after the event
        e: Any = item.event
        state = {"name": e.name, "unit": e.unit, "position": e.position, "rank": e.rank,
                 "supervisor_id": e.supervisor_id, "status": e.status}
        b.add_subject(e.originator_id, e.originator_id, "employee", state)
        b.row(item, e.originator_id, e.service_start, "registration",
              f"Registered: {e.position}, {e.unit}, rank {e.rank}",
              {"name": e.name, "unit": e.unit, "position": e.position, "rank": e.rank,
               "rank_since": e.rank_since, "service_start": e.service_start, "supervisor_id": e.supervisor_id,
               "supervisor_name": b.name(e.supervisor_id), "status": e.status, "status_since": e.status_since})

    def _on_Employee_RankChanged(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        before = b.change(e.originator_id, "rank", e.rank)
        b.row(item, e.originator_id, e.effective, "rank", f"Rank {before or '?'} → {e.rank}",
              {"rank": e.rank, "previous_rank": before, "reason": e.reason, "cause": e.cause})

    def _on_Employee_PositionChanged(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        before = b.change(e.originator_id, "position", e.position)
        b.row(item, e.originator_id, e.effective, "position", f"Position: {e.position}",
              {"position": e.position, "previous_position": before, "reason": e.reason})

    def _on_Employee_Moved(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        before = b.change(e.originator_id, "unit", e.unit)
        b.row(item, e.originator_id, e.effective, "unit", f"Unit {before or '?'} → {e.unit}",
              {"unit": e.unit, "previous_unit": before, "reason": e.reason})

    def _on_Employee_SupervisorChanged(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        before = b.change(e.originator_id, "supervisor_id", e.supervisor_id)
        name = b.name(e.supervisor_id)
        title = f"Reports to {name or e.supervisor_id}" if e.supervisor_id else "No supervisor"
        b.row(item, e.originator_id, e.effective, "supervisor", title,
              {"supervisor_id": e.supervisor_id, "supervisor_name": name, "previous_supervisor_id": before,
               "previous_supervisor_name": b.name(before), "reason": e.reason})

    def _on_Employee_StatusChanged(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        before = b.change(e.originator_id, "status", e.status)
        b.row(item, e.originator_id, e.effective, "status", f"Status {before or '?'} → {e.status}",
              {"status": e.status, "previous_status": before, "reason": e.reason})

    # --- the service record: education, discipline, exams --------------------------------------------------------

    def _on_ServiceRecord_Opened(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        b.add_subject(e.originator_id, e.employee_id, "service_record", {})

    def _on_ServiceRecord_QualificationRecorded(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        found = b.owner(e)
        if found:
            b.row(item, found[0], e.graduated_on, "education", f"Qualification {e.level}: {e.institution}",
                  {"level": e.level, "institution": e.institution, "graduated_on": e.graduated_on})

    def _on_ServiceRecord_PenaltyImposed(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        found = b.owner(e)
        if found:
            b.row(item, found[0], e.starts_on, "discipline", f"Disciplinary penalty ({e.level}) until {e.ends_on}",
                  {"level": e.level, "starts_on": e.starts_on, "ends_on": e.ends_on,
                   "decree_number": e.decree_number})

    def _on_ServiceRecord_ExamPassed(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        found = b.owner(e)
        if found:
            b.row(item, found[0], e.passed_on, "exam", f"Civil-service exam {e.exam.replace('_', ' ')} passed",
                  {"exam": e.exam, "passed_on": e.passed_on, "certificate_number": e.certificate_number})

    # --- appraisals ----------------------------------------------------------------------------------------------

    def _on_Appraisal_Opened(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        b.add_subject(e.originator_id, e.employee_id, "appraisal", {"period": e.period})

    def _on_Appraisal_Assessed(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        b.patch_subject(e.originator_id, {
            "work_results": e.work_results, "behaviour": e.behaviour, "rule_set_version": e.rule_set_version,
            "feedback_round_id": jsonable(e.feedback_round_id), "feedback_round_version": e.feedback_round_version,
            "assessor_id": jsonable(e.assessor_id)})

    def _on_Appraisal_Finalised(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        found = b.owner(e)
        if found:
            employee_id, state = found
            b.row(item, employee_id, e.finalised_on, "appraisal",
                  f"SKP {state.get('period')}: {e.predicate}",
                  {**state, "predicate": e.predicate, "unit": e.unit, "finalised_on": e.finalised_on})

    def _on_Appraisal_ObjectionFiled(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        found = b.owner(e)
        if found:
            employee_id, state = found
            b.row(item, employee_id, e.filed_on, "objection",
                  f"Objection to SKP {state.get('period')} ({e.objected_predicate})",
                  {"period": state.get("period"), "objected_predicate": e.objected_predicate,
                   "reasons": e.reasons, "decider_id": e.decider_id, "filed_on": e.filed_on})

    def _on_Appraisal_ObjectionDecided(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        found = b.owner(e)
        if found:
            employee_id, state = found
            if e.outcome == "upheld":
                title = f"Objection upheld: SKP {state.get('period')} {e.previous_predicate} → {e.predicate}"
            else:
                title = f"Objection rejected: SKP {state.get('period')} stays {e.previous_predicate}"
            b.row(item, employee_id, e.decided_on, "objection", title,
                  {"period": state.get("period"), "outcome": e.outcome, "previous_predicate": e.previous_predicate,
                   "predicate": e.predicate if e.outcome == "upheld" else e.previous_predicate,
                   "reason": e.reason, "decided_by": e.decided_by, "decided_on": e.decided_on})

    # --- trainings -----------------------------------------------------------------------------------------------

    def _on_Training_Recorded(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        b.add_subject(e.originator_id, e.employee_id, "training", {
            "course": e.course, "provider": e.provider, "jp": e.jp, "start_date": e.start_date,
            "end_date": e.end_date, "certificate_number": e.certificate_number})

    def _on_Training_Verified(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        found = b.owner(e)
        if found:
            employee_id, state = found
            b.row(item, employee_id, date.fromisoformat(state["end_date"]), "training",
                  f"Training verified: {state['course']} ({state['jp']} JP)",
                  {**state, "verification_reason": e.reason})

    # --- 360 rounds (the reviewee's record; nothing about reviewers or answers) ---------------------------------

    def _on_FeedbackRound_Opened(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        b.add_subject(e.originator_id, e.reviewee_id, "feedback", {
            "period": e.period, "unit": e.unit, "closes_on": e.closes_on,
            "question_set_version": e.question_set.get("version"), "rule_set_version": e.rule_set_version})

    def _on_FeedbackRound_Closed(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        found = b.owner(e)
        if found:
            employee_id, state = found
            b.row(item, employee_id, utc_day(e.timestamp), "feedback",
                  f"360 feedback round {state.get('period')} closed",
                  {**state, "round_id": e.originator_id, "closed_automatically": e.automatic,
                   "report": f"/api/feedback-rounds/{e.originator_id}/report"})

    # --- potential, mentoring, awards ----------------------------------------------------------------------------

    def _on_PotentialAssessment_Assessed(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        b.row(item, e.employee_id, e.assessed_on, "potential",
              f"Potential assessed: {e.level} ({LEVEL_NAMES.get(e.level, e.level)})",
              {"level": e.level, "basis": e.basis, "assessed_on": e.assessed_on, "assessor_id": e.assessor_id,
               "assessor_name": e.assessor_name})

    def _on_Mentoring_Assigned(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        mentor, mentee = b.name(e.mentor_id), b.name(e.mentee_id)
        common = {"mentoring_id": e.originator_id, "mentor_id": e.mentor_id, "mentor_name": mentor,
                  "mentor_rank": e.mentor_rank, "mentee_id": e.mentee_id, "mentee_name": mentee,
                  "mentee_rank": e.mentee_rank, "starts_on": e.starts_on}
        b.add_subject(e.originator_id, e.mentee_id, "mentoring", jsonable(common))
        b.row(item, e.mentee_id, e.starts_on, "mentoring", f"Mentored by {mentor or e.mentor_id}",
              {**common, "role": "mentee", "goals": list(e.goals)})
        b.row(item, e.mentor_id, e.starts_on, "mentoring", f"Mentor of {mentee or e.mentee_id}",
              {**common, "role": "mentor"})

    def _on_Mentoring_Ended(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        found = b.owner(e)
        if found:
            mentee_id, state = found
            ended = {**state, "ended_on": e.ended_on}
            b.row(item, mentee_id, e.ended_on, "mentoring",
                  f"Mentoring by {state.get('mentor_name') or state.get('mentor_id')} ended",
                  {**ended, "role": "mentee", "summary": e.summary})
            b.row(item, UUID(state["mentor_id"]), e.ended_on, "mentoring",
                  f"Mentoring of {state.get('mentee_name') or mentee_id} ended", {**ended, "role": "mentor"})

    def _on_Award_Granted(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        b.row(item, e.employee_id, e.awarded_on, "award", f"Award: {e.title} ({e.category})",
              {"category": e.category, "title": e.title, "reason": e.reason, "awarded_on": e.awarded_on,
               "granted_by_id": e.granted_by_id, "granted_by_name": b.name(e.granted_by_id)})

    # --- development: confirmed needs, agreed and closed plans, performance dialogues -------------------------------

    def _on_DevelopmentNeed_Proposed(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        b.add_subject(e.originator_id, e.employee_id, "need", {
            "area": e.area, "value": e.value, "detail": e.detail, "source": e.source})

    def _on_DevelopmentNeed_Confirmed(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        found = b.owner(e)
        if found:
            employee_id, state = found
            b.row(item, employee_id, utc_day(e.timestamp), "need",
                  f"Development need: {state.get('value') or state.get('area')}", {**state, "reason": e.reason})

    def _on_DevelopmentNeed_Dismissed(self, b: Batch, item: Item) -> None:  # noqa: N802
        """A dismissed need is not on the timeline."""

    def _on_DevelopmentPlan_Drafted(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        b.add_subject(e.originator_id, e.employee_id, "plan", {"year": e.year, "signed": [], "goals": 0})

    def _on_DevelopmentPlan_GoalAdded(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        state = b.details(e.originator_id)
        if state is not None:  # a goal voids the signatures
            b.update_subject(e.originator_id, {**state, "signed": [], "goals": int(state.get("goals", 0)) + 1})

    def _on_DevelopmentPlan_Signed(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        found = b.owner(e)
        if found:
            employee_id, state = found
            signed = sorted({*state.get("signed", []), e.party})
            b.update_subject(e.originator_id, {**state, "signed": signed})
            if signed == ["employee", "supervisor"]:
                b.row(item, employee_id, utc_day(e.timestamp), "plan",
                      f"Development plan {state.get('year')} agreed", {**state, "signed": signed})

    def _on_DevelopmentPlan_ProgressRecorded(self, b: Batch, item: Item) -> None:  # noqa: N802
        """Progress is on the plan, not on the timeline."""

    def _on_DevelopmentPlan_TrainingLinked(self, b: Batch, item: Item) -> None:  # noqa: N802
        """The training itself is on the timeline."""

    def _on_DevelopmentPlan_Closed(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        found = b.owner(e)
        if found:
            employee_id, state = found
            b.row(item, employee_id, e.closed_on, "plan", f"Development plan {state.get('year')} closed: {e.outcome}",
                  {**state, "outcome": e.outcome, "summary": e.summary})

    def _on_Dialogue_Recorded(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        b.row(item, e.employee_id, e.held_on, "dialogue", f"Performance dialogue: {'; '.join(e.topics)}",
              {"held_on": e.held_on, "topics": list(e.topics), "recorded_by": e.recorded_by,
               "supervisor_id": e.supervisor_id, "supervisor_name": b.name(e.supervisor_id),
               "follow_up_on": e.follow_up_on, "actions": len(e.actions)})

    # --- promotion cases (the candidate's record) ----------------------------------------------------------------

    def _on_PromotionCase_Proposed(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        b.add_subject(e.originator_id, e.candidate_id, "promotion", {
            "case_id": e.originator_id, "kind": e.kind, "period": e.period, "effective": e.effective,
            "from_rank": e.from_rank, "to_rank": e.to_rank, "position": e.position})

    def _on_PromotionCase_Decided(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        found = b.owner(e)
        if found:
            employee_id, state = found
            b.row(item, employee_id, e.decided_on, "promotion",
                  f"Promotion {_target(state)} ({state.get('period')}): {e.outcome}",
                  {**state, "decision_number": e.number, "outcome": e.outcome, "eligible": e.eligible,
                   "flagged": e.contrary, "decided_on": e.decided_on,
                   "case": f"/api/promotion-cases/{e.originator_id}"})

    def _on_PromotionCase_Reopened(self, b: Batch, item: Item) -> None:  # noqa: N802
        e: Any = item.event
        found = b.owner(e)
        if found:
            employee_id, state = found
            b.row(item, employee_id, utc_day(e.timestamp), "promotion",
                  f"Promotion case {state.get('period')} reopened after a grievance",
                  {**state, "grievance_id": e.grievance_id, "case": f"/api/promotion-cases/{e.originator_id}"})


# The events whose handlers above look up no subject (they add one from the event, write a row of the event's own
# values, or nothing): a batch of only these needs no read (``TimelineProjection.only_writes``). A handler added
# here that did look one up would still be right, one read later (``Batch._get``).
_READS_NOTHING = (
    ServiceRecord.Opened, Appraisal.Opened, Training.Recorded, FeedbackRound.Opened, PotentialAssessment.Assessed,
    DevelopmentNeed.Proposed, DevelopmentNeed.Dismissed, DevelopmentPlan.Drafted, DevelopmentPlan.ProgressRecorded,
    DevelopmentPlan.TrainingLinked, PromotionCase.Proposed,
)
# and those whose handlers only set values of a kept subject (``Batch.patch_subject``)
_WRITES_ONLY = (*_READS_NOTHING, Appraisal.Assessed)


def _target(state: dict[str, Any]) -> str:
    """What a promotion case is for: the next rank, or the named position."""
    if state.get("kind") == "rank":
        return f"{state.get('from_rank')} → {state.get('to_rank')}"
    return f"to {state.get('position')}"


PREFETCH_CHUNK = 500  # ids per IN list (well under every database's bound-parameter limit)
_SUBJECT = Prepared(select(subjects.c.employee_id, subjects.c.details)
                    .where(subjects.c.aggregate_id == bindparam("b_id")))
_SUBJECTS_OF = Prepared(select(subjects.c.aggregate_id, subjects.c.employee_id, subjects.c.details).where(
    subjects.c.aggregate_id.in_(bindparam("ids", expanding=True))))
_SUBJECT_CHANGED = Prepared(update(subjects).where(subjects.c.aggregate_id == bindparam("key"))
                            .values(details=bindparam("new_details")))


class Batch:
    """One batch's writes, flushed together at its end; subjects are read once and then kept in memory, so events
    later in the batch see what earlier ones changed. Lives for one transaction only."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.rows: list[dict[str, Any]] = []
        self.known: dict[UUID, tuple[UUID, dict[str, Any]] | None] = {}  # aggregate -> (employee, details)
        self.added: list[UUID] = []
        self.changed: set[UUID] = set()
        self.kinds: dict[UUID | str, str] = {}  # UUID keys, or their text in a bulk replay

    def row(self, item: Item, employee_id: UUID, on: date, kind: str, title: str, details: dict[str, Any]
            ) -> None:
        """A timeline row for the event of ``item`` on ``employee_id``'s timeline."""
        assert isinstance(item, Projected)
        e: Any = item.event
        self.rows.append({
            "id": item_id(e.originator_id, e.originator_version, employee_id), "employee_id": employee_id,
            "date": on, "recorded_at": e.timestamp, "kind": kind, "title": title, "details": jsonable(details),
            "aggregate_id": e.originator_id, "aggregate_version": e.originator_version, "position": item.position,
            "topic": get_topic(type(e))})

    def add_subject(self, aggregate_id: UUID, employee_id: UUID, kind: str, details: dict[str, Any]) -> None:
        """Map a new aggregate to its employee, with what its later rows need."""
        self.known[aggregate_id] = (employee_id, jsonable(details))
        self.kinds[aggregate_id] = kind
        self.added.append(aggregate_id)

    def update_subject(self, aggregate_id: UUID, details: dict[str, Any]) -> None:
        """Replace what is kept for a known aggregate."""
        found = self._get(aggregate_id)
        if found is not None:
            self.known[aggregate_id] = (found[0], jsonable(details))
            if aggregate_id not in self.kinds:
                self.changed.add(aggregate_id)

    def patch_subject(self, aggregate_id: UUID, values: dict[str, Any]) -> None:
        """Set some kept values of a known aggregate, the others kept in their order (nothing for an unknown one)."""
        state = self.details(aggregate_id)
        if state is not None:
            self.update_subject(aggregate_id, {**state, **values})

    def change(self, aggregate_id: Any, field: str, value: Any) -> Any:
        """Set one kept value of a known aggregate; return the value it replaces (None for an unknown aggregate)."""
        state = self.details(aggregate_id)
        if state is None:
            return None
        before = state.get(field)
        self.update_subject(aggregate_id, {**state, field: jsonable(value)})
        return before

    def details(self, aggregate_id: UUID) -> dict[str, Any] | None:
        """What is kept for an aggregate (a copy), or None."""
        found = self._get(aggregate_id)
        return dict(found[1]) if found is not None else None

    def owner(self, e: Any) -> tuple[UUID, dict[str, Any]] | None:
        """The employee a later event of an aggregate belongs to, and what is kept for the aggregate."""
        found = self._get(e.originator_id)
        if found is None:  # cannot happen in a log that starts with the aggregate's creation
            log.warning("timeline: no subject for %s v%s; event skipped", e.originator_id, e.originator_version)
            return None
        return found[0], dict(found[1])

    def name(self, employee_id: UUID | str | None) -> str | None:
        """An employee's name as registered (None for no one or someone unknown)."""
        if employee_id is None:
            return None
        state = self.details(employee_id if isinstance(employee_id, UUID) else UUID(employee_id))
        return state.get("name") if state else None

    def flush(self) -> None:
        """Write the batch's rows, new subjects and changed subjects."""
        insert_many(self.conn, timeline, self.rows)
        insert_many(self.conn, subjects, [{"aggregate_id": a, "employee_id": self._kept(a)[0], "kind": self.kinds[a],
                                           "details": self._kept(a)[1]} for a in self.added])
        changed = [{"key": a, "new_details": self._kept(a)[1]} for a in sorted(self.changed)]
        if changed:
            _SUBJECT_CHANGED.execute_many(self.conn, changed)

    def prefetch(self, aggregate_ids: set[UUID]) -> None:
        """Read the subjects of these aggregates (those not known yet) in chunks; the others are known absent."""
        wanted = sorted(a for a in aggregate_ids if a not in self.known)
        for i in range(0, len(wanted), PREFETCH_CHUNK):
            chunk = wanted[i:i + PREFETCH_CHUNK]
            for a in chunk:
                self.known[a] = None
            for found in _SUBJECTS_OF.all(self.conn, {"ids": chunk}):
                self.known[found["aggregate_id"]] = (found["employee_id"], dict(found["details"]))

    def _get(self, aggregate_id: UUID) -> tuple[UUID, dict[str, Any]] | None:
        if aggregate_id not in self.known:
            found = _SUBJECT.first(self.conn, {"b_id": aggregate_id})
            self.known[aggregate_id] = (found["employee_id"], dict(found["details"])) if found is not None else None
        return self.known[aggregate_id]

    def _kept(self, aggregate_id: UUID) -> tuple[UUID, dict[str, Any]]:
        found = self.known[aggregate_id]
        assert found is not None
        return found


class WriteOnlyBatch(Batch):
    """A batch that reads no subject (``TimelineProjection.only_writes``): values set on a kept subject are set in
    the database, after the batch's new subjects, as ``patch_subject`` sets them in memory: the values replaced in
    place, new ones after the others (the same JSON a read, a merge and a write would store)."""

    def __init__(self, conn: Connection):
        super().__init__(conn)
        self.patches: list[tuple[UUID, dict[str, Any]]] = []

    def patch_subject(self, aggregate_id: UUID, values: dict[str, Any]) -> None:
        """Set the values in the database when the batch is flushed (nothing for an unknown aggregate)."""
        self.patches.append((aggregate_id, jsonable(values)))

    def flush(self) -> None:
        """Write the batch's rows and new subjects, then set the values patched."""
        super().flush()
        for aggregate_id, values in self.patches:
            _set_values(self.conn, aggregate_id, values)


# PostgreSQL's json type keeps its text as written: its values are merged key by key in the order the text has them,
# as ``{**state, **values}`` would (jsonb would sort them: rebuilt and incrementally written subjects would differ).
_PG_MERGE = (
    "UPDATE {table} AS s SET details = (SELECT json_object_agg(m.k, m.v ORDER BY m.o) FROM ("
    "SELECT d.key AS k, coalesce(p.value, d.value) AS v, d.o AS o "
    "FROM json_each(s.details) WITH ORDINALITY AS d(key, value, o) "
    "LEFT JOIN json_each(CAST(:patch AS json)) AS p(key, value) ON p.key = d.key "
    "UNION ALL SELECT p.key, p.value, 1000000 + p.o "
    "FROM json_each(CAST(:patch AS json)) WITH ORDINALITY AS p(key, value, o) "
    "WHERE NOT EXISTS (SELECT 1 FROM json_each(s.details) AS e(key, value) WHERE e.key = p.key)) AS m) "
    "WHERE s.aggregate_id = :key")
_PATCHES: dict[tuple[str, str, tuple[str, ...]], Prepared] = {}


def _set_values(conn: Connection, aggregate_id: UUID, values: dict[str, Any]) -> None:
    """Set these values (plain JSON, keyed by the handlers' own names) in one subject's details: SQLite's
    ``json_set``, each value as JSON text; PostgreSQL's merge of the whole patch."""
    sqlite = conn.dialect.name == "sqlite"
    table, keys = qualified(conn, subjects), tuple(values)
    found = _PATCHES.get((conn.dialect.name, table, keys))
    if found is None:
        if sqlite:
            paths = ", ".join(f"'$.{key}', json(:v{i})" for i, key in enumerate(keys))
            sql = f"UPDATE {table} SET details = json_set(details, {paths}) WHERE aggregate_id = :key"
        else:
            sql = _PG_MERGE.format(table=table)
        statement = text(sql).bindparams(bindparam("key", type_=subjects.c.aggregate_id.type))
        found = _PATCHES[(conn.dialect.name, table, keys)] = Prepared(statement)
    params = ({f"v{i}": json.dumps(v) for i, v in enumerate(values.values())} if sqlite
              else {"patch": json.dumps(values)})
    found.execute_many(conn, [{"key": aggregate_id, **params}])


class ReplayBatch(Batch):
    """The writes of a one-pass rebuild: every subject kept in memory, keyed by the canonical id text (the tables start
    empty, so an aggregate not seen yet has none); rows written per fed chunk, subjects once at the end. Values are
    the plain text the incremental path stores, so both give the same rows."""

    def __init__(self, conn: Connection):
        super().__init__(conn)
        self.subjects: dict[str, tuple[str, dict[str, Any]]] = {}
        self.pending: list[tuple[Any, ...]] = []
        self.row_sink = RowSink(conn, timeline)
        self.subject_sink = RowSink(conn, subjects)

    def row(self, item: Item, employee_id: UUID | str, on: date | str, kind: str, title: str,
            details: dict[str, Any]) -> None:
        """A timeline row in portable text (see ``RowSink``)."""
        assert isinstance(item, RawItem)
        e: Any = item
        version = e.originator_version
        if employee_id is e.originator_id:  # the aggregate's own timeline (an employee's events): its hex is known
            employee, employee_hex = employee_id, item.log_hex
        else:
            employee = employee_id if type(employee_id) is str else str(employee_id)
            employee_hex = employee.replace("-", "")
        try:
            text = _dumps(details).decode()
        except TypeError:  # a key that is not text: raw JSON has none, a handler's own dict might
            text = _dumps(details, option=orjson.OPT_NON_STR_KEYS).decode()
        self.pending.append((
            item_hex(e.originator_id, version, employee), employee_hex, on if isinstance(on, str) else on.isoformat(),
            item.log_stamp, kind, title, text, item.log_hex, version, item.log_position, item.log_topic))

    def add_subject(self, aggregate_id: UUID | str, employee_id: UUID | str, kind: str, details: dict[str, Any]
                    ) -> None:
        """Map a new aggregate to its employee (the values are plain already)."""
        self.subjects[str(aggregate_id)] = (str(employee_id), details)
        self.kinds[aggregate_id] = kind

    def update_subject(self, aggregate_id: UUID | str, details: dict[str, Any]) -> None:
        """Replace what is kept for a known aggregate."""
        found = self.subjects.get(str(aggregate_id))
        if found is not None:
            self.subjects[str(aggregate_id)] = (found[0], details)

    def change(self, aggregate_id: Any, field: str, value: Any) -> Any:
        """Set one kept value in place: the replay owns its subjects' dicts (rows are serialised when made, and
        ``owner`` hands out copies), and raw values are plain already."""
        found = self.subjects.get(aggregate_id if type(aggregate_id) is str else str(aggregate_id))
        if found is None:
            return None
        state = found[1]
        before = state.get(field)
        state[field] = value
        return before

    def name(self, employee_id: UUID | str | None) -> str | None:
        """An employee's name as registered (None for no one or someone unknown)."""
        if employee_id is None:
            return None
        found = self.subjects.get(employee_id if type(employee_id) is str else str(employee_id))
        return found[1].get("name") if found else None

    def flush(self) -> None:
        """Write the rows made so far."""
        self.row_sink.insert(self.pending)
        self.pending = []

    def finish(self) -> None:
        """Write the subjects as they stand at the end of the log."""
        self.flush()
        self.subject_sink.insert([
            (aggregate_id.replace("-", ""), employee_id.replace("-", ""), self.kinds[aggregate_id],
             _dumps(details, option=orjson.OPT_NON_STR_KEYS).decode())
            for aggregate_id, (employee_id, details) in self.subjects.items()])

    def _get(self, aggregate_id: Any) -> Any:
        return self.subjects.get(str(aggregate_id))


class _TimelineReplayer(Replayer):
    """Feeds raw events to the projection's handlers through a ``ReplayBatch``."""

    def __init__(self, projection: TimelineProjection, conn: Connection):
        self.projection = projection
        self.batch = ReplayBatch(conn)
        self.kinds: dict[str, tuple[type, Callable[[Batch, Item], None], str, bool]] = {}

    def feed(self, events: Sequence[RawEvent]) -> None:
        """Apply the events in log order, then write their rows."""
        batch = self.batch
        recorded = batch.row_sink.stamp
        kinds = self.kinds
        for position, topic, oid, version, state in events:
            found = kinds.get(topic)
            if found is None:
                found = kinds[topic] = self._dispatch(topic)
            cls, handler, name, versioned = found
            state.pop("meta", None)  # the actor's stamp: not on the timeline
            unwrapped_state(state)
            if versioned or "class_version" in state:
                upcast_raw(cls, state)
            hex_id = oid if len(oid) == 32 else oid.replace("-", "")
            state["originator_id"] = f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"
            state["originator_version"] = version
            item = RawItem()
            item.__dict__ = state
            item.log_position, item.log_topic, item.log_stamp, item.log_hex = (
                position, name, recorded(state["timestamp"]), hex_id)
            handler(batch, item)
        batch.flush()

    def _dispatch(self, topic: str) -> tuple[type, Callable[[Batch, Item], None], str, bool]:
        """A stored topic's class, handler, current topic and whether its events may need upcasting."""
        cls = resolve_topic(topic)
        return (cls, getattr(self.projection, f"_on_{cls.__qualname__.replace('.', '_')}"), get_topic(cls),
                getattr(cls, "class_version", 1) > 1)

    def finish(self) -> None:
        """Write the subjects."""
        self.batch.finish()


_ALL_ITEMS = (select(timeline).where(timeline.c.employee_id == bindparam("b_employee", type_=Uuid))
              .order_by(timeline.c.date, timeline.c.position))
_ORDER: tuple[SortKey, ...] = ((timeline.c.date, False), (timeline.c.position, False))


class TimelineView:
    """An employee's career timeline in date order, filtered by date range and kind."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def items(self, employee_id: UUID, since: date | None = None, until: date | None = None,
              kinds: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """The employee's items from ``since`` to ``until`` (both inclusive, by business date) of the given kinds
        (None or empty: all), ordered by date and then by log position (the order things were recorded)."""
        wanted = list(kinds or ())
        if since is None and until is None and not wanted:  # the usual read: a statement built once
            with self.engine.connect() as conn:
                return [dict(r._mapping) for r in conn.execute(_ALL_ITEMS, {"b_employee": employee_id})]
        stmt = _filtered(employee_id, since, until, wanted).order_by(timeline.c.date, timeline.c.position)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def page(self, employee_id: UUID, since: date | None, until: date | None, kinds: Iterable[str] | None,
             limit: int, cursor: str | None) -> Page:
        """One page of those items in the same order after the cursor, with how many the filtered timeline has
        (the page and the count read the employee's rows through ``ix_career_timeline_employee_date`` only)."""
        wanted = list(kinds or ())
        params: dict[str, Any] = {"t_employee": employee_id, "t_since": since, "t_until": until, "t_kinds": wanted}
        with self.engine.connect() as conn:
            return keyset_page(conn, _page_listing(since is not None, until is not None, bool(wanted)), _ORDER, limit,
                               cursor, params={k: v for k, v in params.items() if v not in (None, [])})


@lru_cache(maxsize=8)
def _page_listing(since: bool, until: bool, kinds: bool) -> Select[Any]:
    """An employee's rows filtered as given, the values bound (``t_employee`` ...): built once per combination, so
    its paging statements are kept (see ``keyset_page``)."""
    stmt = select(timeline).where(timeline.c.employee_id == bindparam("t_employee", type_=Uuid))
    if since:
        stmt = stmt.where(timeline.c.date >= bindparam("t_since", type_=Date))
    if until:
        stmt = stmt.where(timeline.c.date <= bindparam("t_until", type_=Date))
    if kinds:
        stmt = stmt.where(timeline.c.kind.in_(bindparam("t_kinds", expanding=True, type_=String)))
    return stmt


def _filtered(employee_id: UUID, since: date | None, until: date | None, kinds: list[str]) -> Select[Any]:
    """The employee's rows within the dates and of the kinds (none: all), unordered."""
    stmt = select(timeline).where(timeline.c.employee_id == employee_id)
    if since is not None:
        stmt = stmt.where(timeline.c.date >= since)
    if until is not None:
        stmt = stmt.where(timeline.c.date <= until)
    if kinds:
        stmt = stmt.where(timeline.c.kind.in_(kinds))
    return stmt
