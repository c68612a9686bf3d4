"""Appraisal (SKP) reads: lists, one appraisal, a unit's predicate distribution."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any, Protocol
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.appraisals import AppraisalService
from application.jsonable import jsonable
from application.queries.filters import AppraisalFilter
from application.queries.people import PeopleQueries
from domain.appraisal import Appraisal

OBJECTION_FIELDS = ("status", "reasons", "filed_on", "filed_at", "decider_id", "objected_predicate", "outcome",
                    "predicate", "decision_reason", "decided_on", "decided_at")


class AppraisalReadModel(Protocol):
    """The appraisal read model's lookups these queries use."""

    def latest_year(self, unit: str) -> int | None:
        """The latest year any of the unit's appraisals belongs to (None: the unit has none)."""

    def appraisals(self, flt: AppraisalFilter, limit: int, viewer: UUID | None = None,
                   visible_to: AbstractSet[UUID] | None = None) -> list[dict[str, Any]]:
        """Appraisals matching a filter: of the employees given (None: all), plus those the viewer assesses or
        decides."""

    def page(self, flt: Any, limit: int, cursor: str | None = None, viewer: UUID | None = None,
             visible_to: AbstractSet[UUID] | None = None) -> Any:
        """One page of that list after a cursor (items, next_cursor, total)."""

    def final_predicates(self, unit: str, period: str) -> list[str]:
        """The predicates of a unit's final appraisals for a period."""

    def pending_objections(self, unit: str, period: str) -> int:
        """How many objections in the unit and period wait for a decision."""


class AppraisalQueries:
    """Appraisals as the actor may read them (AccessPolicy.may_read_appraisal)."""

    def __init__(self, view: AppraisalReadModel, service: AppraisalService, people: PeopleQueries,
                 policy: AccessPolicy):
        self.view = view
        self.service = service
        self.people = people
        self.policy = policy

    def latest_year(self, code: str) -> int | None:
        """The latest year any of the unit's appraisals belongs to (None: none; a year is not a record, so for all)."""
        return self.view.latest_year(code)

    def appraisals(self, actor: Actor, flt: AppraisalFilter, limit: int) -> list[dict[str, Any]]:
        """Appraisals the actor may list: all for HR and auditors; otherwise their own, their reports' and those
        they assess or decide."""
        return self.view.appraisals(flt, limit, actor.employee_id, self.policy.appraisal_scope(actor))

    def page(self, actor: Actor, flt: Any, limit: int, cursor: str | None = None) -> dict[str, Any]:
        """One page of the appraisals the actor may list, the next page's cursor and how many there are."""
        found = self.view.page(flt, limit, cursor, actor.employee_id, self.policy.appraisal_scope(actor))
        return {"items": found.items, "next_cursor": found.next_cursor, "total": found.total}

    def appraisal(self, actor: Actor, appraisal_id: UUID) -> dict[str, Any]:
        """An appraisal's detail from the event store, if the actor may see it (403 otherwise)."""
        appraisal = self.service.appraisal(appraisal_id)
        decider = appraisal.objection.decider_id if appraisal.objection else None
        require(self.policy.may_read_appraisal(actor, appraisal.employee_id, appraisal.assessor_id, decider),
                "this appraisal is for the employee, their supervisors, the assessor, HR and auditors")
        return self.detail(appraisal)

    def detail(self, appraisal: Appraisal) -> dict[str, Any]:
        """An appraisal in plain values, with the names of the employee and the assessor."""
        names = self.people.names_of((appraisal.employee_id, appraisal.assessor_id))
        current = appraisal.assessment
        objection = appraisal.objection
        shown_objection = None
        if objection is not None:
            plain = {**vars(objection), "status": objection.status}
            shown_objection = jsonable({k: plain[k] for k in OBJECTION_FIELDS if k in plain})
        return {
            "id": appraisal.id, "employee_id": appraisal.employee_id,
            "employee_name": names.get(appraisal.employee_id), "period": appraisal.period,
            "unit": appraisal.unit, "assessor_id": appraisal.assessor_id,
            "assessor_name": names.get(appraisal.assessor_id), "assessor_basis": appraisal.assessor_basis,
            "status": appraisal.status, "work_results": current.work_results if current else None,
            "behaviour": current.behaviour if current else None, "original_predicate": appraisal.original_predicate,
            "predicate": appraisal.predicate, "rule_set_version": current.rule_set_version if current else None,
            "finalised_on": appraisal.finalised_on, "objection_deadline": appraisal.objection_deadline,
            "objection": shown_objection,
            "targets": jsonable(appraisal.targets), "notes": jsonable(appraisal.notes),
            "assessments": [vars(a) for a in appraisal.assessments], "version": appraisal.version,
        }

    def distribution(self, code: str, period: str) -> dict[str, Any]:
        """A unit's predicate distribution for a period against its caps (404 for an unknown unit)."""
        self.people.unit(code)
        result = self.service.distribution(code, period, self.view.final_predicates(code, period))
        dist, rating = result.distribution, result.rating
        return {"unit": code, "period": period,
                "organisation_rating": {"unit": rating.unit, "period": rating.period, "rating": rating.rating,
                                        "rule_set_version": rating.rule_set_version, "version": rating.version}
                if rating else None,
                "total": dist.total, "pending_objections": self.view.pending_objections(code, period),
                "predicates": [vars(s) for s in dist.shares],
                "checks": [{**vars(c), "ok": c.ok} for c in dist.checks], "flagged": dist.flagged}
