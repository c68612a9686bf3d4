"""Grievances about promotion decisions and appraisal results: file, assign an investigator, conclude; the case file.

The grievant is the employee concerned; HR assigns an investigator (an investigator token); the assigned
investigator concludes. While a grievance is open its investigator may read that case's evidence and nothing else:
the case, its replay and drift, the case file and the raw 360 responses among its inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.access_policy import INVESTIGATOR, AccessPolicy, Cover, require
from application.actor import Actor
from application.errors import Conflict, NotFound
from application.ledger import Ledger
from application.promotion_evidence import TYPES, load_all
from application.promotions import PromotionService, describe_event, jsonable
from application.reads import recorded_read
from application.rulebook import RuleBookService
from domain.appraisal import Appraisal
from domain.errors import DomainError, StateConflict
from domain.feedback_round import FeedbackRound
from domain.grievance import Grievance, deadline
from domain.person import Person
from domain.promotion_case import PromotionCase
from domain.rulebook import NoRuleSetInEffect, RuleSet
from domain.rules import grievance_window_days
from domain.sensitive_read import SensitiveRead

CASE_FILE = "grievance.case_file"


class GrievanceIndex(Protocol):
    """The read side's lookups the grievance module needs."""

    def open_grievances_of(self, investigator_ids: Collection[str]) -> list[UUID]:
        """Open grievances assigned to any of an investigator's ids (person, tokens, accounts)."""

    def reads_touching(self, subject_ids: set[UUID], case_ids: set[str]) -> list[UUID]:
        """Recorded sensitive reads of any of the subjects or under any of the case ids."""


class Persons(Protocol):
    """Who a person id, token or account stands for (application.persons.PersonService)."""

    def resolve(self, person_or_principal_id: UUID) -> Person | None:
        """The person with this id, or the person holding the token or account with this id."""


class UnknownSubject(DomainError):
    """The grievance names a case or appraisal that does not exist."""

    def __init__(self, subject_id: UUID):
        super().__init__(f"no promotion case or appraisal {subject_id}", field="subject_id")


class NotDecidedYet(StateConflict):
    """A grievance is about a decision or a final result."""

    def __init__(self, detail: str, code: str):
        super().__init__(detail, field="subject_id", code=code)


class GrievanceService:
    """The grievance module's application service."""

    def __init__(self, ledger: Ledger, rules: RuleBookService, promotions: PromotionService, index: GrievanceIndex,
                 policy: AccessPolicy, persons: Persons, today: Callable[[], date] = date.today):
        self.ledger = ledger
        self.policy = policy
        self.rules = rules
        self.promotions = promotions
        self.index = index
        self.persons = persons
        self.today = today

    # --- commands --------------------------------------------------------------------------------------------

    def file(self, actor: Actor, subject: str, subject_id: UUID, grounds: str) -> Grievance:
        """The employee concerned files a grievance about a promotion decision or an appraisal result."""
        require(self.policy.may_file_grievance(actor), "a grievance is filed by the employee concerned")
        concerned, decided_on, number, version = self._decision(subject, subject_id)
        require(self.policy.may_file_grievance(actor, concerned),
                "only the candidate or the appraised employee files a grievance about the decision")
        assert actor.employee_id is not None
        if decided_on is None:
            if subject == "promotion_decision":
                raise NotDecidedYet("the case has no decision yet", "case_not_decided")
            raise NotDecidedYet("the appraisal is not final yet", "appraisal_not_final")
        rule_set, window = self.window(decided_on)
        grievance = Grievance.file(grievant_id=actor.employee_id, subject=subject, subject_id=subject_id,
                                   subject_version=version, decision_number=number, grounds=grounds,
                                   today=self.today(), decided_on=decided_on, window_days=window,
                                   rule_set_version=rule_set.version)
        if self.ledger.exists(grievance.id):
            raise Conflict("a grievance about this decision was already filed", field="subject_id",
                           grievance_id=str(grievance.id))
        self.ledger.record(actor, grievance, reason=grievance.grounds)
        return grievance

    def _decision(self, subject: str, subject_id: UUID) -> tuple[UUID, date | None, int | None, int]:
        """Whom a decision concerns, its date (the window runs from it; None before a decision or final result), its
        number and the subject's version."""
        if subject == "promotion_decision":
            case = self._subject(PromotionCase, subject_id)
            decision = case.decision
            return (case.candidate_id, decision.decided_on if decision else None, decision.number if decision else None,
                    case.version)
        if subject == "appraisal":
            appraisal = self._subject(Appraisal, subject_id)
            objection = appraisal.objection
            decided_on = objection.decided_on if objection and objection.decided_on else appraisal.finalised_on
            return appraisal.employee_id, decided_on, None, appraisal.version
        raise DomainError("subject must be promotion_decision or appraisal", field="subject", code="invalid_subject")

    def filing(self, actor: Actor, subject: str, subject_id: UUID) -> dict[str, Any] | None:
        """For the employee concerned: the grievance already filed about the current decision (its id), or the last
        day to file one; None for anyone else, before a decision, or without a filing window."""
        concerned, decided_on, number, _ = self._decision(subject, subject_id)
        if decided_on is None or not self.policy.may_file_grievance(actor, concerned):
            return None
        try:
            _, window = self.window(decided_on)
        except DomainError:
            return None
        grievance_id = Grievance.id_for(subject_id, number)
        last = deadline(decided_on, window)
        return {"id": grievance_id if self.ledger.exists(grievance_id) else None, "deadline": last,
                "open": self.today() <= last}

    def assign(self, actor: Actor, grievance_id: UUID, investigator_id: UUID,
               expected_version: int | None = None) -> Grievance:
        """HR assigns an investigator, a person, to an open grievance (named by their person id, or by one of their
        tokens or accounts); the person works the case by page and by token alike."""
        require(self.policy.may_assign_investigator(actor), "HR assigns investigators")
        grievance = self.ledger.load(Grievance, grievance_id, expected_version)
        person = self._investigator(investigator_id)
        grievance.assign(str(person.id), person.name)
        self.ledger.record(actor, grievance, reason=f"investigator {person.name} assigned")
        return grievance

    def conclude(self, actor: Actor, grievance_id: UUID, outcome: str, findings: str, reasons: str,
                 remedy: str | None = None, expected_version: int | None = None) -> Grievance:
        """The assigned investigator records findings and the outcome; upholding a grievance about a promotion
        decision reopens the case for reassessment and a new decision."""
        grievance = self.ledger.load(Grievance, grievance_id, expected_version)
        require(self.policy.may_conclude_grievance(actor, grievance.investigator_id),
                "only the investigator assigned to this grievance concludes it")
        grievance.conclude(outcome, findings, reasons, remedy, self.today())
        case = None
        if grievance.status == "upheld" and grievance.subject == "promotion_decision":
            case = self.ledger.load(PromotionCase, grievance.subject_id)
            case.reopen(grievance.id, grievance.remedy or "")
        self.ledger.record(actor, grievance, case, reason=grievance.reasons)
        return grievance

    # --- queries ---------------------------------------------------------------------------------------------

    def grievance(self, actor: Actor, grievance_id: UUID) -> Grievance:
        """A grievance its grievant, HR, auditors or its investigator (while open) may read."""
        grievance = self.ledger.load(Grievance, grievance_id)
        require(self.policy.may_read_grievance(actor, grievance.id, grievance.grievant_id, grievance.is_open,
                                               grievance.investigator_id),
                "this grievance is for the grievant, HR, auditors and its investigator while it is open")
        return grievance

    def scope(self, actor: Actor) -> set[UUID]:
        """Everything an investigator may read now: the subjects of their open grievances and their inputs."""
        if actor.role != INVESTIGATOR:
            return set()
        found: set[UUID] = set()
        for grievance_id in self.index.open_grievances_of(actor.identities()):
            cover = self.cover(grievance_id)
            if AccessPolicy.investigates(actor, cover):
                assert cover is not None
                found |= cover.evidence
        return found

    def cover(self, grievance_id: UUID) -> Cover | None:
        """A grievance's status, investigator and evidence, for the access policy (None when there is none)."""
        try:
            grievance = self.ledger.load(Grievance, grievance_id)
        except NotFound:
            return None
        evidence = frozenset({grievance.id, grievance.subject_id, *self._input_ids(grievance)})
        return Cover(grievance.id, grievance.is_open, grievance.investigator_id, evidence)

    def check_case_file(self, actor: Actor, grievance_id: UUID) -> None:
        """Refuse (403, 404) an actor who may not read this case file, before asking them for a reason."""
        self._readable_file(actor, grievance_id)

    def record_case_file_read(self, actor: Actor, grievance_id: UUID, reason: str | None) -> UUID:
        """Record a read of the case file, with its reason, before a page shows it; return the read's id."""
        grievance = self._readable_file(actor, grievance_id)
        return self._record_read(actor, grievance, reason)

    def case_file(self, actor: Actor, grievance_id: UUID, reason: str | None = None, read_id: UUID | None = None
                  ) -> dict[str, Any]:
        """What an investigator needs to reconstruct the decision; the read is recorded, unless ``read_id`` is the
        actor's own recent recorded read of this case file (a page shown again, or its PDF)."""
        grievance = self._readable_file(actor, grievance_id)
        if not recorded_read(self.ledger, actor, read_id, (CASE_FILE,), grievance.id):
            self._record_read(actor, grievance, reason)
        if grievance.subject == "promotion_decision":
            body = self._promotion_file(grievance)
        else:
            body = self._appraisal_file(grievance)
        body["grievance"] = jsonable(grievance_dict(grievance))
        body["trail"] = self._trail(grievance, body.pop("_ids"))
        return body

    def _readable_file(self, actor: Actor, grievance_id: UUID) -> Grievance:
        """The grievance, once the policy lets the actor read its case file."""
        grievance = self.ledger.load(Grievance, grievance_id)
        require(self.policy.may_read_case_file(actor, grievance.id, grievance.is_open, grievance.investigator_id),
                "the case file is for HR, auditors and the grievance's investigator while it is open")
        return grievance

    def _record_read(self, actor: Actor, grievance: Grievance, reason: str | None) -> UUID:
        """Record a read of the grievance's case file (without a reason, the file is named as the reason)."""
        read = SensitiveRead.record(CASE_FILE, grievance.id, reason or f"case file of grievance {grievance.id}",
                                    str(grievance.id))
        self.ledger.record(actor, read, reason=read.reason)
        return read.id

    def _promotion_file(self, grievance: Grievance) -> dict[str, Any]:
        case = self.ledger.load(PromotionCase, grievance.subject_id)
        number = grievance.decision_number or 1
        decision = case.decision_at(number)
        assessment = case.assessment_number(decision.assessment_number)
        event = next(e for e in self.ledger.history(case.id)
                     if isinstance(e, PromotionCase.Decided) and e.number == number)
        reads = load_all(assessment.evidence, self.promotions.pinned)
        return {
            "subject": "promotion_decision", "case_id": str(case.id), "decision_number": number,
            "decision_event": describe_event(event, decision.decided_at),
            "assessment": jsonable({**vars(assessment), "evidence": [r.as_dict() for r in assessment.evidence]}),
            "evidence": [{**ref.as_dict(), "state": describe_state(agg)} for ref, agg in reads],
            "replay": self.promotions.replay_of(case, number).as_dict(),
            "drift": self.promotions.drift_of(case, number),
            "rule_set": rule_set_dict(self.rules.version(assessment.rule_set_version)),
            "_ids": [case.id, *[ref.id for ref in assessment.evidence]],
        }

    def _appraisal_file(self, grievance: Grievance) -> dict[str, Any]:
        appraisal = self.ledger.load_as_of(Appraisal, grievance.subject_id, version=grievance.subject_version)
        inputs = self._input_ids(grievance)
        assessment = appraisal.assessment
        events = self.ledger.events.get(appraisal.id, lte=grievance.subject_version)
        return {
            "subject": "appraisal", "appraisal_id": str(appraisal.id),
            "decision_event": describe_event(list(events)[-1], appraisal.finalised_at),
            "evidence": [{"type": "appraisal", "id": str(appraisal.id), "version": appraisal.version,
                          "state": describe_state(appraisal)}],
            "replay": None, "drift": None,
            "rule_set": rule_set_dict(self.rules.version(assessment.rule_set_version)) if assessment else None,
            "_ids": inputs,
        }

    def _trail(self, grievance: Grievance, ids: list[UUID]) -> list[dict[str, Any]]:
        """Every event of the grievance, the case and its inputs, and every recorded read of them, oldest first."""
        entries = []
        for aggregate_id in dict.fromkeys([grievance.id, *ids]):
            for event in self.ledger.events.get(aggregate_id):
                entries.append({"aggregate_id": str(aggregate_id), **describe_event(event)})
        case_ids = {str(grievance.id), str(grievance.subject_id)}
        for read_id in self.index.reads_touching(set(ids), case_ids):
            read = self.ledger.load(SensitiveRead, read_id)
            event = self.ledger.history(read_id)[0]
            entries.append({"aggregate_id": str(read_id), **describe_event(event),
                            "read": {"subject": read.subject, "subject_id": str(read.subject_id),
                                     "case_id": read.case_id}})
        return sorted(entries, key=lambda e: (e["recorded_at"], e["aggregate_id"], e["version"]))

    # --- helpers ---------------------------------------------------------------------------------------------

    def window(self, decided_on: date) -> tuple[RuleSet, int]:
        """The filing window of the rule set in effect on the decision date (or today, for a set that predates the
        grievance section)."""
        for at in (decided_on, self.today()):
            try:
                rule_set = self.rules.in_effect(at)
            except NoRuleSetInEffect:
                continue
            days = grievance_window_days(rule_set.rules)
            if days is not None:
                return rule_set, days
        raise DomainError("no rule set in effect names a grievance filing window; run `jejak init`",
                          field="subject_id", code="no_filing_window")

    def _input_ids(self, grievance: Grievance) -> list[UUID]:
        """The inputs of the grieved decision (or the appraisal, its employee and the 360 round it cites)."""
        if grievance.subject == "promotion_decision":
            case = self.ledger.load(PromotionCase, grievance.subject_id)
            decision = case.decision_at(grievance.decision_number or 1)
            return [ref.id for ref in case.assessment_number(decision.assessment_number).evidence]
        appraisal = self.ledger.load_as_of(Appraisal, grievance.subject_id, version=grievance.subject_version)
        cited = appraisal.assessment.feedback_round_id if appraisal.assessment else None
        return [appraisal.id, appraisal.employee_id, *([cited] if cited else [])]


    def _subject(self, cls: type[Any], subject_id: UUID) -> Any:
        try:
            return self.ledger.load(cls, subject_id)
        except NotFound:
            raise UnknownSubject(subject_id) from None

    def _investigator(self, given: UUID) -> Person:
        """The active person holding the investigator role, by person id or by one of their tokens or accounts."""
        person = self.persons.resolve(given)
        if person is None:
            raise DomainError(f"no person, token or account {given} (a token or account no person holds yet: run "
                              "`jejak persons migrate`)", field="investigator_id",
                              code="unknown_grant")
        if not person.active or INVESTIGATOR not in person.roles:
            raise DomainError(f"{person.name} is not an active investigator", field="investigator_id",
                              code="not_an_investigator")
        return person


def grievance_dict(grievance: Grievance) -> dict[str, Any]:
    """A grievance's plain form."""
    return {"id": grievance.id, "grievant_id": grievance.grievant_id, "subject": grievance.subject,
            "subject_id": grievance.subject_id, "decision_number": grievance.decision_number,
            "grounds": grievance.grounds, "filed_on": grievance.filed_on, "decided_on": grievance.decided_on,
            "deadline": grievance.deadline, "rule_set_version": grievance.rule_set_version,
            "status": grievance.status, "outcome": None if grievance.is_open else grievance.status,
            "investigator_id": grievance.investigator_id, "investigator_name": grievance.investigator_name,
            "investigator_kind": grievance.investigator_kind,
            "findings": grievance.findings, "reasons": grievance.reasons, "remedy": grievance.remedy,
            "concluded_on": grievance.concluded_on, "version": grievance.version}


def rule_set_dict(rule_set: RuleSet) -> dict[str, Any]:
    """The text of a rule set."""
    return {"version": rule_set.version, "title": rule_set.title, "legal_basis": rule_set.legal_basis,
            "effective_from": rule_set.effective_from.isoformat(), "rules": rule_set.rules}


def describe_state(aggregate: Aggregate | None) -> dict[str, Any] | None:
    """An input's state for people; a 360 round shows who responded in which relationship, never the answers."""
    if aggregate is None:
        return None
    state = {k: v for k, v in vars(aggregate).items() if not k.startswith("_")}
    if isinstance(aggregate, FeedbackRound):
        state.pop("question_set", None)
        state["responses"] = [{"id": r.id, "relationship": r.relationship, "submitted_at": r.submitted_at,
                               "supersedes": r.supersedes} for r in aggregate.responses.values()]
        state["nominations"] = [{"id": n.id, "relationship": n.relationship, "status": n.status}
                                for n in aggregate.nominations.values()]
    state["type"] = next((name for name, cls in TYPES.items() if isinstance(aggregate, cls)), type(aggregate).__name__)
    return jsonable(state)
