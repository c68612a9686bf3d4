"""A promotion case's evidence: the aggregates an assessment reads, their facts, and the replay of a decision.

Nothing here touches a database: inputs come through a ``Loader`` (the ledger's as-of loading online, an exported
bundle offline), so `jejak audit replay` gives the same answer as the API without a connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.appraisal import Appraisal
from domain.eligibility import (
    AppraisalFacts,
    AwardFacts,
    CandidateFacts,
    Eligibility,
    SupervisorFacts,
    TrainingFacts,
    evaluate,
)
from domain.employee import Employee
from domain.feedback_round import FeedbackRound
from domain.promotion_case import AssessmentRecord, DecisionRecord, EvidenceRef, PromotionCase
from domain.recognition import Award
from domain.service_record import ServiceRecord
from domain.training import Training

# The candidate's record is "employee"; the direct supervisor's (an Employee too) is pinned as "supervisor".
TYPES: dict[str, type[Aggregate]] = {
    "employee": Employee, "appraisal": Appraisal, "training": Training, "feedback_round": FeedbackRound,
    "service_record": ServiceRecord, "award": Award, "supervisor": Employee}
Read = tuple[EvidenceRef, Aggregate | None]


class Loader(Protocol):
    """Loads one pinned input at its pinned version (None for version 0: it did not exist). A loader that can read
    several at once also has ``load_many(refs)``, giving them in the order asked (``load_all`` uses it)."""

    def __call__(self, ref: EvidenceRef) -> Aggregate | None:
        """The aggregate as it stood at ``ref.version``."""


class MissingInput(Exception):
    """A pinned input cannot be loaded at its pinned version."""


def type_of(aggregate: Aggregate) -> str:
    """The evidence type name of an aggregate."""
    for name, cls in TYPES.items():
        if isinstance(aggregate, cls):
            return name
    raise TypeError(f"{type(aggregate).__name__} is not promotion evidence")


def ref_of(aggregate: Aggregate, period: str | None = None) -> EvidenceRef:
    """The pin of an aggregate at its current version."""
    return EvidenceRef(type_of(aggregate), aggregate.id, aggregate.version, period)


def load_all(refs: Iterable[EvidenceRef], loader: Loader) -> list[Read]:
    """Every pinned input at its pinned version (read together where the loader has ``load_many``)."""
    refs = list(refs)
    many = getattr(loader, "load_many", None)
    if many is not None:
        return list(zip(refs, many(refs), strict=True))
    return [(ref, loader(ref) if ref.version > 0 else None) for ref in refs]


def facts_from(reads: Iterable[Read]) -> CandidateFacts:
    """The candidate's facts from the inputs read (exactly one employee among them)."""
    employee: Employee | None = None
    appraisals: list[AppraisalFacts] = []
    trainings: list[TrainingFacts] = []
    record: ServiceRecord | None = None
    supervisor: SupervisorFacts | None = None
    awards: list[AwardFacts] = []
    for ref, aggregate in reads:
        if ref.type == "employee":
            assert isinstance(aggregate, Employee)
            employee = aggregate
        elif ref.type == "appraisal":
            appraisals.append(appraisal_facts(ref, aggregate))
        elif ref.type == "training" and isinstance(aggregate, Training):
            trainings.append(TrainingFacts(aggregate.jp, aggregate.end_date, aggregate.status))
        elif ref.type == "service_record" and isinstance(aggregate, ServiceRecord):
            record = aggregate
        elif ref.type == "supervisor" and isinstance(aggregate, Employee):
            supervisor = SupervisorFacts(str(aggregate.id), aggregate.rank, aggregate.status)
        elif ref.type == "award" and isinstance(aggregate, Award):
            awards.append(AwardFacts(aggregate.category, aggregate.title, aggregate.awarded_on))
    if employee is None:
        raise MissingInput("the evidence names no employee record")
    return CandidateFacts(
        employee.rank, employee.rank_since, tuple(appraisals), tuple(trainings), employee.position,
        employee.position_since, tuple(record.qualifications) if record else (),
        tuple(record.penalties) if record else (), tuple(record.exams) if record else (), supervisor, tuple(awards))


def appraisal_facts(ref: EvidenceRef, appraisal: Aggregate | None) -> AppraisalFacts:
    """What eligibility reads of an appraisal (or of its absence)."""
    period = ref.period or ""
    if not isinstance(appraisal, Appraisal):
        return AppraisalFacts(period, exists=False)
    objection = appraisal.objection.status if appraisal.objection else None
    return AppraisalFacts(appraisal.period, True, appraisal.is_final, appraisal.predicate, objection)


def evaluate_reads(case: PromotionCase, reads: Iterable[Read], rules: Mapping[str, Any]) -> Eligibility:
    """Evaluate a case's criteria on the inputs read."""
    return evaluate(case.kind, facts_from(reads), rules, case.effective, case.rank_kind)


@dataclass(frozen=True)
class CriterionReplay:
    """One criterion: as recorded, as replayed, and whether they agree."""

    name: str
    recorded: dict[str, Any] | None
    replayed: dict[str, Any] | None

    @property
    def agree(self) -> bool:
        """True when the replay reproduces the recorded outcome and values."""
        return self.recorded is not None and self.recorded == self.replayed

    def as_dict(self) -> dict[str, Any]:
        """Plain form."""
        return {"name": self.name, "recorded": self.recorded, "replayed": self.replayed, "agree": self.agree}


@dataclass(frozen=True)
class Replay:
    """The replay of one decision (or of the latest assessment when none was decided yet)."""

    case_id: UUID
    assessment: AssessmentRecord
    decision: DecisionRecord | None
    criteria: list[CriterionReplay]
    replayed_eligible: bool
    evidence: list[EvidenceRef] = field(default_factory=list)

    @property
    def assessment_reproduced(self) -> bool:
        """Every criterion and the overall outcome come out as recorded."""
        return all(c.agree for c in self.criteria) and self.replayed_eligible == self.assessment.eligible

    @property
    def decision_follows(self) -> bool | None:
        """Whether the decision follows from the replayed outcome (None before a decision)."""
        if self.decision is None:
            return None
        outcome = self.decision.outcome
        return not ((outcome == "approved" and not self.replayed_eligible)
                    or (outcome == "rejected" and self.replayed_eligible))

    @property
    def consistent(self) -> bool:
        """The recorded assessment is reproduced and the decision follows from it."""
        return self.assessment_reproduced and self.decision_follows is not False

    def as_dict(self) -> dict[str, Any]:
        """Plain form, as the API and the offline replay print it."""
        decision = self.decision
        return {
            "case_id": str(self.case_id),
            "assessment_number": self.assessment.number,
            "rule_set_version": self.assessment.rule_set_version,
            "reference_date": self.assessment.reference_date.isoformat(),
            "decision": decision_dict(decision) if decision else None,
            "criteria": [c.as_dict() for c in self.criteria],
            "recorded_eligible": self.assessment.eligible,
            "replayed_eligible": self.replayed_eligible,
            "assessment_reproduced": self.assessment_reproduced,
            "decision_follows": self.decision_follows,
            "flagged": bool(decision and decision.contrary),
            "consistent": self.consistent,
            "evidence": [ref.as_dict() for ref in self.evidence],
        }


def decision_dict(decision: DecisionRecord) -> dict[str, Any]:
    """A decision's plain form."""
    return {"number": decision.number, "outcome": decision.outcome, "rationale": decision.rationale,
            "members_present": list(decision.members_present), "member_ids": list(decision.member_ids),
            "assessment_number": decision.assessment_number,
            "eligible": decision.eligible, "contrary": decision.contrary, "justification": decision.justification,
            "decided_on": decision.decided_on.isoformat(), "decided_at": decision.decided_at.isoformat()}


def replay_case(case: PromotionCase, loader: Loader, rules_of: Callable[[int], Mapping[str, Any]],
                decision_number: int | None = None) -> Replay:
    """Load every input at its pinned version, evaluate with the pinned rule-set version, compare."""
    if decision_number is not None and not 1 <= decision_number <= len(case.decisions):
        raise MissingInput(f"the case has no decision {decision_number}")
    decision = case.decision_at(decision_number) if decision_number else case.decision
    assessment = case.assessment_number(decision.assessment_number) if decision else case.assessment
    if assessment is None:
        raise MissingInput("the case has no assessment to replay")
    replayed = evaluate_reads(case, load_all(assessment.evidence, loader), rules_of(assessment.rule_set_version))
    recorded = {c["name"]: {"met": c["met"], "values": c["values"]} for c in assessment.criteria}
    again = {c.name: {"met": c.met, "values": c.values} for c in replayed.criteria}
    names = list(recorded) + [n for n in again if n not in recorded]
    criteria = [CriterionReplay(n, recorded.get(n), _plain(again.get(n))) for n in names]
    return Replay(case.id, assessment, decision, criteria, replayed.eligible, list(assessment.evidence))


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Values as they come back from storage (tuples are lists), so recorded and replayed compare equal."""
    if value is None:
        return None
    return {"met": value["met"], "values": _lists(value["values"])}


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    return value
