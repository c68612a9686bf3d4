"""PromotionCase aggregate: a proposal, the system's eligibility assessments, the committee's decisions.

An assessment pins its evidence (type, id and version of every aggregate read, and the rule-set version) and the
outcome per criterion. A decision names the assessment it rests on; one that goes against it (approving the
ineligible, rejecting the eligible) needs a written justification and is flagged. A decision on evidence that
changed since the assessment is refused. An upheld grievance reopens the case: a new assessment and a new decision
follow as new events; nothing earlier is rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.copying import command_copy
from domain.eligibility import KINDS, PromotionKind, is_contrary
from domain.errors import DomainError, StateConflict
from domain.ranks import next_rank
from domain.rules import RANK_KINDS, RankKind
from domain.text import collected_text


class CaseStatus(StrEnum):
    """Where a promotion case stands (the values are stored in read models and shown by the API: never change
    them); the committee's outcomes are the last three."""

    PROPOSED = "proposed"
    ASSESSED = "assessed"
    REOPENED = "reopened"
    APPROVED = "approved"
    REJECTED = "rejected"
    DEFERRED = "deferred"


OUTCOMES: tuple[str, ...] = (CaseStatus.APPROVED.value, CaseStatus.REJECTED.value, CaseStatus.DEFERRED.value)
STATUSES: tuple[str, ...] = ("proposed", "assessed", "approved", "rejected", "deferred", "reopened")  # API order
# Where an approved rank case stands after the committee: recommended, BKN's technical approval (Pertek), the
# decree (SK), and effective once the rank changed on the TMT.
STAGES: tuple[str, ...] = ("recommended", "pertek", "sk", "effective")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
PERIOD = re.compile(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")
MAX_TEXT = 2000
MAX_MEMBERS = 25
VERBS: dict[str, str] = {CaseStatus.APPROVED: "approve", CaseStatus.REJECTED: "reject"}


class CaseInvalid(DomainError):
    """One or more fields of a proposal or decision break a rule; ``errors`` names each."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the promotion case is not valid: " + ", ".join(sorted(errors)), errors=errors)


class AtTopRank(DomainError):
    """IV/e is the top of the ladder."""

    def __init__(self, rank: str):
        super().__init__(f"the candidate holds {rank}, the highest rank; there is no next rank", field="kind",
                         params={"rank": rank})


class NotAssessable(StateConflict):
    """A decided case is assessed again only after an upheld grievance reopens it."""

    def __init__(self, status: str):
        super().__init__(f"the case is {status}; it is assessed again only when a grievance reopens it",
                         field="status", params={"status": status})


class NotDecidable(StateConflict):
    """A decision needs a fresh assessment (one not decided on yet)."""

    def __init__(self, detail: str, code: str, **params: object):
        super().__init__(detail, field="status", code=code, params=params)


class RankChangedSinceProposal(StateConflict):
    """The candidate's rank is no longer the one the case was proposed from."""

    def __init__(self, proposed_from: str, now: str):
        super().__init__(f"the case proposes promotion from {proposed_from}, but the candidate now holds {now}",
                         field="candidate_id", params={"proposed_from": proposed_from, "now": now})


class StaleEvidence(StateConflict):
    """Inputs the assessment pinned changed (or new ones appeared) before the decision: reassess first."""

    def __init__(self, changed: list[dict[str, Any]]):
        messages = [f"{c['type']} {c['id']}: " + (f"version {c['pinned_version']} was assessed, now "
                                                  f"{c['current_version']}" if c["pinned_version"] is not None
                                                  else f"new since the assessment (version {c['current_version']})")
                    for c in changed]
        super().__init__("the evidence changed since the assessment; reassess before deciding",
                         errors={"evidence": messages})
        self.changed = changed


class NotReopenable(StateConflict):
    """Only a decided case can be reopened."""

    def __init__(self, status: str):
        super().__init__(f"the case is {status}; only an approved or rejected case is reopened", field="status",
                         params={"status": status})


class ProcedureOutOfOrder(StateConflict):
    """Pertek follows an approval of a rank case, the SK follows the Pertek, each once per decision."""

    def __init__(self, detail: str, code: str, field: str = "status", **params: object):
        super().__init__(detail, field=field, code=code, params=params)


class NothingToApply(StateConflict):
    """Only an approved rank case not yet applied changes the rank."""

    def __init__(self, detail: str):
        super().__init__(detail, field="status")


@dataclass(frozen=True)
class EvidenceRef:
    """One pinned input: an aggregate's type, id and version (0: it did not exist); appraisals carry their period."""

    type: str
    id: UUID
    version: int
    period: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The stored form."""
        out: dict[str, Any] = {"type": self.type, "id": str(self.id), "version": self.version}
        if self.period is not None:
            out["period"] = self.period
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvidenceRef:
        """Back from the stored form."""
        return cls(str(data["type"]), UUID(str(data["id"])), int(data["version"]), data.get("period"))


@dataclass(frozen=True)
class AssessmentRecord:
    """One recorded assessment."""

    number: int
    rule_set_version: int
    reference_date: date
    criteria: list[dict[str, Any]]
    eligible: bool
    evidence: list[EvidenceRef]
    assessed_at: datetime
    case_version: int


@dataclass(frozen=True)
class DecisionRecord:
    """One recorded decision."""

    number: int
    outcome: str
    rationale: str
    members_present: list[str]
    assessment_number: int
    eligible: bool
    contrary: bool
    justification: str | None
    decided_on: date
    decided_at: datetime
    case_version: int
    member_ids: list[str] = field(default_factory=list)  # the persons among members_present, by person id (decisions since persons)


@dataclass(frozen=True)
class Pertek:
    """BKN's technical approval (pertimbangan teknis) of an approved rank promotion."""

    number: str
    issued_on: date
    decision_number: int
    recorded_at: datetime


@dataclass(frozen=True)
class Decree:
    """The decree (SK) of a rank promotion, signed after the Pertek."""

    number: str
    signed_on: date
    signatory: str
    decision_number: int
    recorded_at: datetime


def allowed_months_message(months: Iterable[int]) -> str:
    """The refusal of a TMT month outside the rule set's periods, listing the allowed months."""
    names = ", ".join(f"{MONTH_NAMES[m - 1]} ({m:02d})" for m in months)
    return f"a rank promotion takes effect (TMT) on the first day of one of the months {names}"


def effective_date(period: str) -> date:
    """The TMT of a promotion period (2026-10: 1 October 2026)."""
    return date(int(period[:4]), int(period[5:7]), 1)


def check_period(period: object) -> str | None:
    """A message when the period is not a month like 2026-10."""
    if not isinstance(period, str) or not PERIOD.fullmatch(period):
        return "must be a promotion period (the month of the TMT) like 2026-10"
    return None


def changed_inputs(pinned: Iterable[EvidenceRef], current: Iterable[EvidenceRef]) -> list[dict[str, Any]]:
    """Inputs whose version moved since they were pinned, and inputs read now that were not read then."""
    now = {ref.id: ref for ref in current}
    changed = []
    seen = set()
    for ref in pinned:
        seen.add(ref.id)
        version = now[ref.id].version if ref.id in now else ref.version
        if version != ref.version:
            changed.append({"type": ref.type, "id": str(ref.id), "pinned_version": ref.version,
                            "current_version": version})
    for ref in now.values():
        if ref.id not in seen:
            changed.append({"type": ref.type, "id": str(ref.id), "pinned_version": None,
                            "current_version": ref.version})
    return changed


class PromotionCase(Aggregate):
    """A rank or position promotion of one candidate for one period."""

    class Proposed(Aggregate.Created):
        candidate_id: UUID
        kind: str
        position: str | None
        period: str
        effective: date
        reason: str
        unit: str
        from_rank: str
        to_rank: str | None
        rank_kind: str | None

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            """Rank cases proposed before promotion kinds existed were regular promotions."""
            state["rank_kind"] = RankKind.REGULER.value if state["kind"] == PromotionKind.RANK else None

    class Assessed(Aggregate.Event):
        number: int
        rule_set_version: int
        reference_date: date
        criteria: list[dict[str, Any]]
        eligible: bool
        evidence: list[dict[str, Any]]

        def apply(self, aggregate: Aggregate) -> None:
            """Record the assessment; the case waits for a decision on it."""
            assert isinstance(aggregate, PromotionCase)
            aggregate.assessments.append(AssessmentRecord(
                self.number, self.rule_set_version, self.reference_date, list(self.criteria), self.eligible,
                [EvidenceRef.from_dict(e) for e in self.evidence], self.timestamp, self.originator_version))
            aggregate.status = CaseStatus.ASSESSED

    class Decided(Aggregate.Event):
        number: int
        outcome: str
        rationale: str
        members_present: list[str]
        assessment_number: int
        eligible: bool
        contrary: bool
        justification: str | None
        decided_on: date
        member_ids: list[str]  # person ids of the members named by person; their names are in members_present

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            """Decisions recorded before persons named their members by free text only."""
            state["member_ids"] = []

        def apply(self, aggregate: Aggregate) -> None:
            """Record the committee's decision."""
            assert isinstance(aggregate, PromotionCase)
            aggregate.decisions.append(DecisionRecord(
                self.number, self.outcome, self.rationale, list(self.members_present), self.assessment_number,
                self.eligible, self.contrary, self.justification, self.decided_on, self.timestamp,
                self.originator_version, list(self.member_ids)))
            aggregate.status = self.outcome

    class RankApplied(Aggregate.Event):
        employee_id: UUID
        rank: str
        effective: date
        decision_number: int

        def apply(self, aggregate: Aggregate) -> None:
            """The candidate's rank changed by this case."""
            assert isinstance(aggregate, PromotionCase)
            aggregate.applied_decision = self.decision_number

    class PertekRecorded(Aggregate.Event):
        number: str
        issued_on: date
        decision_number: int

        def apply(self, aggregate: Aggregate) -> None:
            """BKN's technical approval is on record."""
            assert isinstance(aggregate, PromotionCase)
            aggregate.pertek = Pertek(self.number, self.issued_on, self.decision_number, self.timestamp)

    class SkRecorded(Aggregate.Event):
        number: str
        signed_on: date
        signatory: str
        decision_number: int

        def apply(self, aggregate: Aggregate) -> None:
            """The decree is on record; the rank changes on the TMT."""
            assert isinstance(aggregate, PromotionCase)
            aggregate.decree = Decree(self.number, self.signed_on, self.signatory, self.decision_number,
                                      self.timestamp)

    class Reopened(Aggregate.Event):
        grievance_id: UUID
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """An upheld grievance reopened the case for reassessment and a new decision."""
            assert isinstance(aggregate, PromotionCase)
            aggregate.status = CaseStatus.REOPENED
            aggregate.reopenings.append((self.grievance_id, self.reason, self.timestamp))

    def __init__(self, candidate_id: UUID, kind: str, position: str | None, period: str, effective: date,
                 reason: str, unit: str, from_rank: str, to_rank: str | None, rank_kind: str | None = None):
        self.candidate_id = candidate_id
        self.kind = kind
        self.rank_kind = rank_kind
        self.pertek: Pertek | None = None
        self.decree: Decree | None = None
        self.position = position
        self.period = period
        self.effective = effective
        self.reason = reason
        self.unit = unit
        self.from_rank = from_rank
        self.to_rank = to_rank
        self.status: str = CaseStatus.PROPOSED  # an outcome as the decision event stores it, once decided
        self.assessments: list[AssessmentRecord] = []
        self.decisions: list[DecisionRecord] = []
        self.reopenings: list[tuple[UUID, str, datetime]] = []
        self.applied_decision: int | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> PromotionCase:
        """A copy that shares the records (assessments, decisions, the Pertek and the SK are frozen, and what they
        pinned is never changed after it is recorded) and copies the lists a command appends to: a generic deep
        copy walked every pinned criterion and piece of evidence on each read of a case."""
        return command_copy(self, memo, assessments=list(self.assessments), decisions=list(self.decisions),
                            reopenings=list(self.reopenings))

    @classmethod
    def propose(cls, *, candidate_id: UUID, kind: str, period: str, reason: str, unit: str, rank: str,
                position: str | None = None, rank_kind: str | None = None,
                tmt_months: list[int] | None = None) -> PromotionCase:
        """Propose a rank promotion (to the next rank, of a promotion kind: reguler by default) or an appointment
        to a named position; a rank promotion's TMT falls in one of ``tmt_months`` when the rule set names them."""
        errors: dict[str, list[str]] = {}
        if kind not in KINDS:
            errors["kind"] = [f"must be one of {', '.join(KINDS)}"]
        if kind == PromotionKind.RANK:
            rank_kind = rank_kind or RankKind.REGULER.value
            if rank_kind not in RANK_KINDS:
                errors["rank_kind"] = [f"must be one of {', '.join(RANK_KINDS)}"]
        elif rank_kind is not None:
            errors["rank_kind"] = ["only a rank case names a promotion kind"]
        problem = check_period(period)
        if problem:
            errors["period"] = [problem]
        elif kind == PromotionKind.RANK and tmt_months and int(period[5:7]) not in tmt_months:
            errors["period"] = [allowed_months_message(tmt_months)]
        reason = collected_text(reason, "reason", errors, MAX_TEXT)
        if kind == PromotionKind.POSITION:
            position = collected_text(position, "position", errors, 200)
        elif position is not None:
            errors["position"] = ["only a position case names a position"]
        if errors:
            raise CaseInvalid(errors)
        to_rank = next_rank(rank) if kind == PromotionKind.RANK else None
        if kind == PromotionKind.RANK and to_rank is None:
            raise AtTopRank(rank)
        return cls._create(cls.Proposed, candidate_id=candidate_id, kind=kind, position=position, period=period,
                           effective=effective_date(period), reason=reason, unit=unit, from_rank=rank,
                           to_rank=to_rank, rank_kind=rank_kind if kind == PromotionKind.RANK else None)

    # --- state -----------------------------------------------------------------------------------------------

    @property
    def assessment(self) -> AssessmentRecord | None:
        """The latest assessment."""
        return self.assessments[-1] if self.assessments else None

    @property
    def decision(self) -> DecisionRecord | None:
        """The latest decision."""
        return self.decisions[-1] if self.decisions else None

    @property
    def flagged(self) -> bool:
        """True when the current decision went against its assessment."""
        return self.decision is not None and self.decision.contrary

    @property
    def stage(self) -> str:
        """Where the case stands: its status, or for an approved rank case recommended, pertek, sk or effective."""
        decision = self.decision
        if self.status != CaseStatus.APPROVED or decision is None or self.kind != PromotionKind.RANK:
            return "recommended" if self.status == CaseStatus.APPROVED else self.status
        if self.applied_decision == decision.number:
            return "effective"
        if self.decree is not None and self.decree.decision_number == decision.number:
            return "sk"
        if self.pertek is not None and self.pertek.decision_number == decision.number:
            return "pertek"
        return "recommended"

    def assessment_number(self, number: int) -> AssessmentRecord:
        """One assessment by its number (1-based)."""
        return self.assessments[number - 1]

    def decision_at(self, number: int) -> DecisionRecord:
        """One decision by its number (1-based)."""
        return self.decisions[number - 1]

    # --- commands --------------------------------------------------------------------------------------------

    def check_assessable(self, rank_now: str) -> None:
        """Refuse an assessment of a decided case (until reopened) or of a candidate whose rank moved."""
        if self.status in (CaseStatus.APPROVED, CaseStatus.REJECTED):
            raise NotAssessable(self.status)
        if self.kind == PromotionKind.RANK and rank_now != self.from_rank:
            raise RankChangedSinceProposal(self.from_rank, rank_now)

    def record_assessment(self, rule_set_version: int, criteria: list[dict[str, Any]], eligible: bool,
                          evidence: list[EvidenceRef]) -> AssessmentRecord:
        """Record the system's evaluation with its pinned evidence."""
        self.trigger_event(self.Assessed, number=len(self.assessments) + 1, rule_set_version=rule_set_version,
                           reference_date=self.effective, criteria=criteria, eligible=eligible,
                           evidence=[ref.as_dict() for ref in evidence])
        assert self.assessment is not None
        return self.assessment

    def check_decidable(self) -> AssessmentRecord:
        """The assessment a decision would rest on; refuse without a fresh one."""
        if self.status != CaseStatus.ASSESSED or self.assessment is None:
            if self.assessment is None or self.status == CaseStatus.REOPENED:
                raise NotDecidable("assess the case before deciding", "assess_before_deciding")
            raise NotDecidable(f"the case is already {self.status}; a new decision needs a new assessment",
                               "case_already_decided", status=self.status)
        return self.assessment

    def decide(self, outcome: str, rationale: str, members_present: list[str], justification: str | None,
               today: date, current_evidence: list[EvidenceRef], member_ids: list[str] | None = None) -> DecisionRecord:
        """The committee decides on the latest assessment; contrary decisions need a justification. ``member_ids``
        are the persons among ``members_present`` (whose names the caller put there)."""
        assessment = self.check_decidable()
        errors: dict[str, list[str]] = {}
        if outcome not in OUTCOMES:
            errors["outcome"] = [f"must be one of {', '.join(OUTCOMES)}"]
        rationale = collected_text(rationale, "rationale", errors, MAX_TEXT)
        members = _members(members_present, errors)
        ids = [str(i) for i in member_ids or []]
        if len(set(ids)) != len(ids):
            errors["member_ids"] = ["each member is named once"]
        contrary = is_contrary(outcome, assessment.eligible)
        if justification is not None and justification.strip():
            justification = collected_text(justification, "justification", errors, MAX_TEXT)
        else:
            justification = None
            if contrary:
                errors["justification"] = [
                    f"a decision to {VERBS.get(outcome, outcome)} against the assessment "
                    f"(eligible: {str(assessment.eligible).lower()}) needs a written justification"]
        if errors:
            raise CaseInvalid(errors)
        changed = changed_inputs(assessment.evidence, current_evidence)
        if changed:
            raise StaleEvidence(changed)
        self.trigger_event(self.Decided, number=len(self.decisions) + 1, outcome=outcome, rationale=rationale,
                           members_present=members, member_ids=ids, assessment_number=assessment.number,
                           eligible=assessment.eligible, contrary=contrary, justification=justification,
                           decided_on=today)
        assert self.decision is not None
        return self.decision

    def rank_change_due(self, today: date, sk_required: bool = False) -> bool:
        """True when an approved rank case takes effect on or before today and has not changed the rank yet (and,
        when the rule set requires it, its SK is recorded)."""
        decision = self.decision
        return (self.kind == PromotionKind.RANK and decision is not None and decision.outcome == CaseStatus.APPROVED
                and self.applied_decision is None and self.effective <= today
                and (not sk_required or self.stage == "sk"))

    def record_pertek(self, number: str, issued_on: date, today: date) -> None:
        """Record BKN's technical approval (number and date) of the approved rank promotion."""
        if self.kind != PromotionKind.RANK or self.status != CaseStatus.APPROVED or self.decision is None:
            raise ProcedureOutOfOrder(f"the case is a {self.kind} case, {self.status}; a Pertek follows the "
                                      "committee's approval of a rank promotion", "pertek_needs_approved_rank_case")
        if self.stage != "recommended":
            raise ProcedureOutOfOrder(f"the case is at stage {self.stage}; its Pertek is already recorded",
                                      "pertek_already_recorded")
        errors: dict[str, list[str]] = {}
        number = collected_text(number, "number", errors, 200)
        if issued_on > today:
            errors["issued_on"] = ["must not be in the future"]
        elif issued_on < self.decision.decided_on:
            errors["issued_on"] = [f"must be on or after the decision of {self.decision.decided_on.isoformat()}"]
        if errors:
            raise CaseInvalid(errors)
        self.trigger_event(self.PertekRecorded, number=number, issued_on=issued_on,
                           decision_number=self.decision.number)

    def record_sk(self, number: str, signed_on: date, signatory: str, today: date) -> None:
        """Record the decree (number, date, signatory) after the Pertek."""
        if self.stage != "pertek" or self.pertek is None or self.decision is None:
            raise ProcedureOutOfOrder(f"the case is at stage {self.stage}; the SK follows the Pertek", "sk_before_pertek")
        errors: dict[str, list[str]] = {}
        number = collected_text(number, "number", errors, 200)
        signatory = collected_text(signatory, "signatory", errors, 200)
        if signed_on > today:
            errors["signed_on"] = ["must not be in the future"]
        elif signed_on < self.pertek.issued_on:
            errors["signed_on"] = [f"must be on or after the Pertek of {self.pertek.issued_on.isoformat()}"]
        if errors:
            raise CaseInvalid(errors)
        self.trigger_event(self.SkRecorded, number=number, signed_on=signed_on, signatory=signatory,
                           decision_number=self.decision.number)

    def apply_rank(self, employee_id: UUID, today: date, sk_required: bool = False) -> None:
        """Record that the approved rank promotion took effect (the employee's event names this case)."""
        if not self.rank_change_due(today, sk_required):
            raise NothingToApply("only an approved rank case whose TMT has come (and whose SK is recorded where the "
                                 "rules require it), not yet applied, changes the rank")
        assert self.decision is not None and self.to_rank is not None
        self.trigger_event(self.RankApplied, employee_id=employee_id, rank=self.to_rank, effective=self.effective,
                           decision_number=self.decision.number)

    def reopen(self, grievance_id: UUID, reason: str) -> None:
        """An upheld grievance reopens a decided case for reassessment."""
        if self.status not in OUTCOMES:
            raise NotReopenable(self.status)
        errors: dict[str, list[str]] = {}
        reason = collected_text(reason, "remedy", errors, MAX_TEXT)
        if errors:
            raise CaseInvalid(errors)
        self.trigger_event(self.Reopened, grievance_id=grievance_id, reason=reason)

    @property
    def cause(self) -> str:
        """How an employee event names this case as its cause."""
        return f"promotion-case:{self.id}"


def _members(members: object, errors: dict[str, list[str]]) -> list[str]:
    if not isinstance(members, list) or not members:
        errors["members_present"] = ["name at least one committee member present"]
        return []
    cleaned = [m.strip() for m in members if isinstance(m, str) and m.strip()]
    if len(cleaned) != len(members) or any(len(m) > 200 for m in cleaned):
        errors["members_present"] = ["each member is a name of 1 to 200 characters"]
    elif len(set(cleaned)) != len(cleaned):
        errors["members_present"] = ["each member is named once"]
    elif len(cleaned) > MAX_MEMBERS:
        errors["members_present"] = [f"at most {MAX_MEMBERS} members"]
    return cleaned
