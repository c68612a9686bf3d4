"""Promotion cases: propose, assess (pinning the evidence), decide, apply the rank change, replay and drift.

Who may do what: HR or the candidate's supervisor proposes; HR or the committee runs the assessment; the committee
decides. HR, the committee and auditors read every case, the candidate their own, supervisors their reports'; an
investigator reads only the cases of the open grievances assigned to them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.access_policy import COMMITTEE, INVESTIGATOR, AccessPolicy, require
from application.actor import Actor
from application.audit_bundle import export_bundle
from application.errors import NotFound
from application.jsonable import jsonable
from application.ledger import Ledger, event_meta, event_payload, event_timestamp
from application.promotion_evidence import (
    TYPES,
    Read,
    Replay,
    decision_dict,
    evaluate_reads,
    ref_of,
    replay_case,
)
from application.registry import Registry
from application.rulebook import RuleBookService
from application.trainings import employee_named
from domain.appraisal import Appraisal
from domain.eligibility import PromotionKind, appraisal_years, has_kinds, requires_sk, tmt_months, training_year
from domain.employee import Employee
from domain.employment import CPNS, PPPK, NoRankPromotion
from domain.errors import DomainError, StateConflict
from domain.person import Person
from domain.promotion_case import (
    AssessmentRecord,
    EvidenceRef,
    PromotionCase,
    RankChangedSinceProposal,
    check_period,
    effective_date,
)
from domain.rulebook import NoRuleSetInEffect
from domain.rules import RankKind
from domain.sensitive_read import SensitiveRead
from domain.service_record import ServiceRecord

# Payload fields never shown in drift or trails: raw 360 answers are read only through the recorded-read route.
HIDDEN = frozenset({"ratings", "comments", "question_set", "token_hash", "idempotency_key"})


class EvidenceIndex(Protocol):
    """Finds the inputs that have no natural id (the read side knows which exist)."""

    def trainings_of(self, employee_id: UUID, year: int) -> list[UUID]:
        """Training completions of an employee ending in a year."""

    def feedback_rounds_of(self, employee_id: UUID, years: set[int]) -> list[UUID]:
        """360 rounds of a reviewee whose period falls in one of the years."""

    def awards_of(self, employee_id: UUID) -> list[UUID]:
        """Awards granted to an employee."""


class NotAssessed(StateConflict):
    """Replay and drift need an assessment."""

    def __init__(self) -> None:
        super().__init__("the case has not been assessed yet", field="assessment")


class UnknownDecision(NotFound):
    """The case has no decision with this number (an unknown id is a 404, like any other)."""

    def __init__(self, number: int):
        super().__init__(f"the case has no decision {number}")


def rank_reason(case: PromotionCase) -> str:
    """The reason an applied rank change carries."""
    kind = (case.rank_kind or RankKind.REGULER).replace("_", " ")
    return f"kenaikan pangkat {kind} {case.period}: promotion case {case.id}"


class PinnedInputs:
    """A case's inputs at their pinned versions, from the ledger: one at a time, or all of an assessment at once
    (``load_many``: their histories read together)."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def __call__(self, ref: EvidenceRef) -> Aggregate | None:
        """One input as it stood at its pinned version (None for version 0: it did not exist)."""
        if ref.version == 0:
            return None
        return self.ledger.load_as_of(TYPES[ref.type], ref.id, version=ref.version)

    def load_many(self, refs: Sequence[EvidenceRef]) -> list[Aggregate | None]:
        """Every input as it stood at its pinned version, in the order given."""
        existing = [ref for ref in refs if ref.version > 0]
        loaded = iter(self.ledger.load_all_as_of([(TYPES[ref.type], ref.id, ref.version) for ref in existing]))
        return [next(loaded) if ref.version > 0 else None for ref in refs]


class PromotionService:
    """The promotion module's application service."""

    def __init__(self, ledger: Ledger, registry: Registry, rules: RuleBookService, index: EvidenceIndex,
                 policy: AccessPolicy, today: Callable[[], date] = date.today):
        self.ledger = ledger
        self.registry = registry
        self.rules = rules
        self.index = index
        self.policy = policy
        self.today = today
        self.pinned = PinnedInputs(ledger)

    # --- commands --------------------------------------------------------------------------------------------

    def propose(self, actor: Actor, candidate_id: UUID, kind: str, period: str, reason: str,
                position: str | None = None, rank_kind: str | None = None) -> PromotionCase:
        """HR or the candidate's supervisor proposes a case (a rank case of a promotion kind, reguler by default,
        whose TMT month the rule set in effect allows)."""
        candidate = employee_named(self.ledger, candidate_id, "candidate_id")
        require(self.policy.may_propose_promotion(actor, candidate.supervisor_id),
                "only HR or the candidate's supervisor proposes a promotion")
        if candidate.status == PPPK or (candidate.status == CPNS and kind == PromotionKind.RANK):
            raise NoRankPromotion(candidate.status)
        case = PromotionCase.propose(candidate_id=candidate_id, kind=kind, period=period, reason=reason,
                                     unit=candidate.unit, rank=candidate.rank, position=position,
                                     rank_kind=rank_kind, tmt_months=self.tmt_months_for(period))
        self.ledger.record(actor, case, reason=case.reason)
        return case

    def assess(self, actor: Actor, case_id: UUID, expected_version: int | None = None) -> PromotionCase:
        """Evaluate the rule set in effect on the candidate's records and record it with the pinned evidence."""
        require(self.policy.may_assess_case(actor), "HR or the committee runs the eligibility assessment")
        case = self.ledger.load(PromotionCase, case_id, expected_version)
        employee = self.ledger.load(Employee, case.candidate_id)
        case.check_assessable(employee.rank)
        rule_set = self.rule_set_for(case)
        reads = self.current_reads(case, rule_set.rules)
        result = evaluate_reads(case, reads, rule_set.rules)
        case.record_assessment(rule_set.version, result.as_dicts(), result.eligible, [ref for ref, _ in reads])
        self.ledger.record(actor, case, reason=f"eligibility assessment under rule set {rule_set.version}")
        return case

    def decide(self, actor: Actor, case_id: UUID, outcome: str, rationale: str, members_present: list[str],
               justification: str | None = None, expected_version: int | None = None,
               member_ids: list[UUID] | None = None) -> PromotionCase:
        """The committee decides on the latest assessment; refused when its evidence changed since. Members present
        are named by free text, by person id (``member_ids``: active persons holding the committee role, recorded
        with the name they have now), or both."""
        require(self.policy.may_decide_case(actor), "only the promotion committee decides")
        members = [*members_present, *(p.name for p in self.committee_members(member_ids or []))]
        case = self.ledger.load(PromotionCase, case_id, expected_version)
        assessment = case.check_decidable()
        current = self.current_reads(case, self.rules.version(assessment.rule_set_version).rules)
        case.decide(outcome, rationale, members, justification, self.today(), [ref for ref, _ in current],
                    [str(i) for i in member_ids or []])
        employee = self._rank_change(case)
        self.ledger.record(actor, case, employee, reason=rationale)
        return case

    def committee_members(self, person_ids: list[UUID]) -> list[Person]:
        """The persons named as members present, from the event store: each active and holding the committee role."""
        found = []
        for person_id in person_ids:
            try:
                person = self.ledger.load(Person, person_id)
            except NotFound:
                raise DomainError(f"no person {person_id}", field="member_ids", code="unknown_member") from None
            if not person.active or COMMITTEE not in person.roles:
                raise DomainError(f"{person.name} is not an active committee member", field="member_ids",
                                  code="not_a_committee_member", params={"name": person.name})
            found.append(person)
        return found

    def record_pertek(self, actor: Actor, case_id: UUID, number: str, issued_on: date,
                      expected_version: int | None = None) -> PromotionCase:
        """HR records BKN's technical approval (Pertek) of an approved rank promotion."""
        require(self.policy.may_record_procedure(actor), "HR records the Pertek")
        case = self.ledger.load(PromotionCase, case_id, expected_version)
        case.record_pertek(number, issued_on, self.today())
        self.ledger.record(actor, case, reason=f"Pertek BKN {number}")
        return case

    def record_sk(self, actor: Actor, case_id: UUID, number: str, signed_on: date, signatory: str,
                  expected_version: int | None = None) -> PromotionCase:
        """HR records the decree (SK) after the Pertek; the rank changes at once when the TMT has come."""
        require(self.policy.may_record_procedure(actor), "HR records the SK")
        case = self.ledger.load(PromotionCase, case_id, expected_version)
        case.record_sk(number, signed_on, signatory, self.today())
        employee = self._rank_change(case)
        self.ledger.record(actor, case, employee, reason=f"SK {number}")
        return case

    def apply_if_due(self, actor: Actor, case_id: UUID) -> bool:
        """Change the candidate's rank when the approved case's TMT has come; True when it did."""
        case = self.ledger.load(PromotionCase, case_id)
        employee = self._rank_change(case)
        if employee is None:
            return False
        self.ledger.record(actor, case, employee, reason=rank_reason(case))
        return True

    def _rank_change(self, case: PromotionCase) -> Employee | None:
        """The employee with the promotion's rank-change event pending, when it is due today."""
        sk_required = self.sk_required(case)
        if not case.rank_change_due(self.today(), sk_required):
            return None
        assert case.to_rank is not None
        employee = self.ledger.load(Employee, case.candidate_id)
        if employee.rank != case.from_rank:  # changed by hand between the decision and the TMT
            raise RankChangedSinceProposal(case.from_rank, employee.rank)
        employee.change_rank(case.to_rank, case.effective, rank_reason(case), cause=case.cause)
        case.apply_rank(employee.id, self.today(), sk_required)
        return employee

    def sk_required(self, case: PromotionCase) -> bool:
        """Whether the decided assessment's rule set makes the rank wait for the SK."""
        if case.decision is None:
            return False
        assessment = case.assessment_number(case.decision.assessment_number)
        return requires_sk(self.rules_of(assessment.rule_set_version))

    def tmt_months_for(self, period: str) -> list[int] | None:
        """The TMT months of the rule set a case for ``period`` would be assessed under (None: any month)."""
        if check_period(period):
            return None  # the proposal reports the malformed period itself
        at = min(effective_date(period), self.today())
        try:
            return tmt_months(self.rules.in_effect(at).rules)
        except NoRuleSetInEffect:
            return None

    # --- queries ---------------------------------------------------------------------------------------------

    def case(self, actor: Actor, case_id: UUID) -> PromotionCase:
        """A case the actor may read."""
        case = self.ledger.load(PromotionCase, case_id)
        self.check_reader(actor, case)
        return case

    def check_reader(self, actor: Actor, case: PromotionCase) -> None:
        """Refuse anyone who may not read this case (AccessPolicy.may_read_case)."""
        require(self.policy.may_read_case(actor, case.id, case.candidate_id),
                "an investigator reads only the cases of open grievances assigned to them"
                if actor.role == INVESTIGATOR else
                "this case is for the candidate, their supervisors, HR, the committee and auditors")

    def check_auditor(self, actor: Actor, case: PromotionCase) -> None:
        """Replay and drift are for HR, the committee, auditors and the case's investigator
        (AccessPolicy.may_audit_case)."""
        require(self.policy.may_audit_case(actor, case.id, case.candidate_id),
                "replay and drift are for HR, the committee, auditors and the investigator of an open grievance "
                "about the case")

    def replay(self, actor: Actor, case_id: UUID, decision_number: int | None = None) -> Replay:
        """Re-run the decision's assessment on its pinned inputs under its pinned rule set."""
        case = self.ledger.load(PromotionCase, case_id)
        self.check_auditor(actor, case)
        return self.replay_of(case, decision_number)

    def replay_of(self, case: PromotionCase, decision_number: int | None = None) -> Replay:
        """The replay of a loaded case (no access check)."""
        if case.assessment is None:
            raise NotAssessed()
        if decision_number is not None and not 1 <= decision_number <= len(case.decisions):
            raise UnknownDecision(decision_number)
        return replay_case(case, self.pinned, self.rules_of, decision_number)

    def export(self, actor: Actor, case_id: UUID, reason: str) -> dict[str, Any]:
        """The case's self-contained audit bundle (see application/audit_bundle.py); the export is recorded."""
        case = self.ledger.load(PromotionCase, case_id)
        if not self.policy.system(actor):  # operators at the command line are trusted like the database itself
            self.check_auditor(actor, case)
        replay = self.replay_of(case)
        versions = sorted({a.rule_set_version for a in case.assessments})
        bundle = export_bundle(self.ledger, case, [self.rules.version(v) for v in versions], replay)
        self.ledger.record(actor, SensitiveRead.record("promotion_case.export", case.id, reason, str(case.id)))
        return bundle

    def drift(self, actor: Actor, case_id: UUID, decision_number: int | None = None) -> dict[str, Any]:
        """What changed in the pinned inputs after the decision, and the outcome on today's inputs."""
        case = self.ledger.load(PromotionCase, case_id)
        self.check_auditor(actor, case)
        return self.drift_of(case, decision_number)

    def drift_of(self, case: PromotionCase, decision_number: int | None = None) -> dict[str, Any]:
        """The drift of a loaded case from its latest (or the numbered) decision (no access check)."""
        if decision_number is not None and not 1 <= decision_number <= len(case.decisions):
            raise UnknownDecision(decision_number)
        decision = case.decision_at(decision_number) if decision_number else case.decision
        assessment = (case.assessment_number(decision.assessment_number) if decision
                      else self.decided_assessment(case))
        since = decision.decided_at if decision else assessment.assessed_at
        pinned_rules = self.rules_of(assessment.rule_set_version)
        now_pinned = self.current_reads(case, pinned_rules)
        pinned_ids = {ref.id for ref in assessment.evidence}
        inputs = []
        for ref in assessment.evidence:
            described = [own_marked(describe_event(e, since), e, case)
                         for e in self.ledger.events.get(ref.id, gt=ref.version)]
            inputs.append({**ref.as_dict(), "current_version": self.current_version(ref.id),
                           "events_after": [d for d in described if not d["own_consequence"]],
                           "consequences": [d for d in described if d["own_consequence"]]})
        today_rules = self.rules.in_effect(self.today())
        # the case's own effect (its rank change) is not new evidence: today's outcome is judged without it
        under_pinned = evaluate_reads(case, self.without_own_effect(case, now_pinned), pinned_rules)
        today_reads = self.without_own_effect(case, self.current_reads(case, today_rules.rules))
        under_today = evaluate_reads(case, today_reads, today_rules.rules)
        return {
            "case_id": str(case.id), "since": since.isoformat(), "decision": decision_dict(decision) if decision else None,
            "assessment_number": assessment.number, "recorded_eligible": assessment.eligible,
            "rule_set_version": assessment.rule_set_version,
            "inputs": inputs, "changed_inputs": sum(1 for i in inputs if i["events_after"]),
            "consequences": [{"type": i["type"], "id": i["id"], **c} for i in inputs for c in i["consequences"]],
            "new_inputs": [ref.as_dict() for ref, _ in now_pinned if ref.id not in pinned_ids],
            "today": {
                "under_pinned_rules": outcome_dict(assessment.rule_set_version, under_pinned.eligible,
                                                   under_pinned.as_dicts()),
                "under_current_rules": outcome_dict(today_rules.version, under_today.eligible,
                                                    under_today.as_dicts()),
                "rule_changes": rule_changes(under_pinned.as_dicts(), under_today.as_dicts()),
            },
        }

    def without_own_effect(self, case: PromotionCase, reads: list[Read]) -> list[Read]:
        """The reads with the candidate's rank as it was before this case changed it (when the case's own rank
        change is the latest one), so the promotion is not judged against its own result."""
        out: list[Read] = []
        for ref, aggregate in reads:
            if ref.type == "employee" and isinstance(aggregate, Employee):
                ranks = [e for e in self.ledger.events.get(aggregate.id) if isinstance(e, Employee.RankChanged)]
                if ranks and ranks[-1].cause == case.cause:
                    before = self.ledger.load_as_of(Employee, aggregate.id, version=ranks[-1].originator_version - 1)
                    aggregate = copy.copy(aggregate)
                    aggregate.rank, aggregate.rank_since = before.rank, before.rank_since
            out.append((ref, aggregate))
        return out

    def decided_assessment(self, case: PromotionCase) -> AssessmentRecord:
        """The assessment the latest decision rests on (or the latest assessment before any decision)."""
        if case.decision is not None:
            return case.assessment_number(case.decision.assessment_number)
        if case.assessment is None:
            raise NotAssessed()
        return case.assessment

    # --- evidence --------------------------------------------------------------------------------------------

    def current_reads(self, case: PromotionCase, rules: dict[str, Any]) -> list[Read]:
        """Every input an assessment of the case under ``rules`` reads today (see ``reads_for``)."""
        return self.reads_for(case.candidate_id, case.kind, case.rank_kind, case.effective, rules)

    def reads_for(self, candidate_id: UUID, kind: str, rank_kind: str | None, effective: date,
                  rules: Mapping[str, Any]) -> list[Read]:
        """Every input an assessment under ``rules`` of a ``kind`` case taking effect on ``effective`` reads today:
        the employee, the recent annual appraisals (pinned at version 0 when none exists), the training of the year
        before the TMT and the 360 rounds of those years; the standing page reads through this same function."""
        employee = self.ledger.load(Employee, candidate_id)
        reads: list[Read] = [(ref_of(employee), employee)]
        periods = appraisal_years(rules, effective, rank_kind if kind == PromotionKind.RANK else None)
        for period in periods:
            appraisal_id = Appraisal.id_for(candidate_id, period)
            if self.ledger.exists(appraisal_id):
                appraisal = self.ledger.load(Appraisal, appraisal_id)
                reads.append((ref_of(appraisal, period), appraisal))
            else:
                reads.append((EvidenceRef("appraisal", appraisal_id, 0, period), None))
        year = training_year(effective)
        for training_id in sorted(self.index.trainings_of(candidate_id, year)):
            reads.append(self._read(TYPES["training"], training_id))
        years = {int(p) for p in periods} | {year}
        for round_id in sorted(self.index.feedback_rounds_of(candidate_id, years)):
            reads.append(self._read(TYPES["feedback_round"], round_id))
        if kind == PromotionKind.RANK and has_kinds(rules):
            reads.extend(self.kind_reads(candidate_id, rank_kind, employee, rules))
        return reads

    def kind_reads(self, candidate_id: UUID, rank_kind: str | None, employee: Employee,
                   rules: Mapping[str, Any]) -> list[Read]:
        """What the promotion kinds read besides: the candidate's service record (education, penalties, exams;
        version 0 when none exists), the direct supervisor's record, and for an outstanding-achievement case the
        candidate's awards."""
        record_id = ServiceRecord.id_for(candidate_id)
        reads: list[Read] = [self._read(ServiceRecord, record_id) if self.ledger.exists(record_id)
                             else (EvidenceRef("service_record", record_id, 0), None)]
        if employee.supervisor_id is not None:
            supervisor = self.ledger.load(Employee, employee.supervisor_id)
            reads.append((EvidenceRef("supervisor", supervisor.id, supervisor.version), supervisor))
        kind = rules["promotion"]["kinds"].get(rank_kind or RankKind.REGULER, {})
        if "award_categories" in kind:
            for award_id in sorted(self.index.awards_of(candidate_id)):
                reads.append(self._read(TYPES["award"], award_id))
        return reads

    def _read(self, cls: type[Aggregate], aggregate_id: UUID) -> Read:
        aggregate = self.ledger.load(cls, aggregate_id)
        return ref_of(aggregate), aggregate

    def current_version(self, aggregate_id: UUID) -> int:
        """An aggregate's version now (0 when it does not exist)."""
        found = self.ledger.recorder.select_events(aggregate_id, desc=True, limit=1)
        return found[0].originator_version if found else 0

    def rules_of(self, version: int) -> dict[str, Any]:
        """The rules of a published version."""
        return self.rules.version(version).rules

    def rule_set_for(self, case: PromotionCase) -> Any:
        """The rule set in effect on the TMT, or today when the TMT is still ahead."""
        at = min(case.effective, self.today())
        try:
            return self.rules.in_effect(at)
        except NoRuleSetInEffect:
            raise DomainError(f"no rule set was in effect on {at.isoformat()}", field="period", code="no_rule_set_in_effect",
                              params={"at": at}) from None


def case_dict(case: PromotionCase) -> dict[str, Any]:
    """A case in plain values: its proposal, assessments (with pinned evidence), decisions and reopenings."""
    assessments = [{**vars(a), "evidence": [ref.as_dict() for ref in a.evidence]} for a in case.assessments]
    decisions = [dict(vars(d)) for d in case.decisions]  # the records are shared with the aggregate cache
    return {
        "id": case.id, "candidate_id": case.candidate_id, "unit": case.unit, "kind": case.kind,
        "position": case.position, "period": case.period, "effective": case.effective, "from_rank": case.from_rank,
        "to_rank": case.to_rank, "reason": case.reason, "status": case.status, "stage": case.stage,
        "rank_kind": case.rank_kind,
        "pertek": dict(vars(case.pertek)) if case.pertek else None,
        "sk": dict(vars(case.decree)) if case.decree else None,
        "eligible": case.assessment.eligible if case.assessment else None,
        "outcome": case.decision.outcome if case.decision else None, "flagged": case.flagged,
        "rank_applied": case.applied_decision is not None,
        "assessment": assessments[-1] if assessments else None, "decision": decisions[-1] if decisions else None,
        "assessments": assessments, "decisions": decisions,
        "reopenings": [{"grievance_id": g, "reason": r, "reopened_at": t} for g, r, t in case.reopenings],
        "version": case.version,
    }


def rule_changes(pinned: list[dict[str, Any]], current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What today's rules change against the pinned ones on the same inputs: each criterion added, dropped, or
    whose outcome or requirement differs."""
    before = {c["name"]: c for c in pinned}
    after = {c["name"]: c for c in current}
    changes = []
    for name in list(before) + [n for n in after if n not in before]:
        old, new = before.get(name), after.get(name)
        if old is None or new is None:
            change = "added" if old is None else "dropped"
        elif old["met"] != new["met"] or old["values"].get("required") != new["values"].get("required"):
            change = "changed"
        else:
            continue
        changes.append({"criterion": name, "change": change,
                        "under_pinned_rules": None if old is None else {"met": old["met"], "values": old["values"]},
                        "under_current_rules": None if new is None else {"met": new["met"], "values": new["values"]}})
    return changes


def own_marked(described: dict[str, Any], event: Any, case: PromotionCase) -> dict[str, Any]:
    """A described event marked as the case's own consequence when it names the case as its cause."""
    return {**described, "own_consequence": getattr(event, "cause", None) == case.cause}


def outcome_dict(version: int, eligible: bool, criteria: list[dict[str, Any]]) -> dict[str, Any]:
    """An evaluation's plain form."""
    return {"rule_set_version": version, "eligible": eligible, "criteria": criteria}


def describe_event(event: Any, since: datetime | None = None) -> dict[str, Any]:
    """An event for drift, case files and trails: what, when, by whom, why (never raw 360 answers); with
    ``since``, whether it was recorded after that moment."""
    meta = event_meta(event)
    payload = {k: v for k, v in event_payload(event).items() if k not in HIDDEN}
    recorded_at = event_timestamp(event)
    described = {"version": event.originator_version, "event": type(event).__qualname__,
                 "recorded_at": recorded_at.isoformat(), "actor": meta.get("actor_name"),
                 "actor_role": meta.get("actor_role"), "reason": meta.get("reason"), "payload": jsonable(payload)}
    if since is not None:
        described["after_decision"] = recorded_at > since
    return described
