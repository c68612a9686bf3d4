"""Promotion reads: case lists, one case, the decision history."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any, Protocol
from uuid import UUID

from application.access_policy import AccessPolicy
from application.actor import Actor
from application.promotions import PromotionService, case_dict
from application.queries.filters import CaseFilter, Page
from application.queries.people import DirectoryReadModel
from domain.promotion_case import PromotionCase


class PromotionReadModel(Protocol):
    """The promotion read model's pages."""

    def cases(self, flt: CaseFilter, limit: int, cursor: str | None = None, visible_to: AbstractSet[UUID] | None = None) -> Page:
        """A page of cases (items, next_cursor) of the candidates given (None: all)."""

    def decisions(self, flt: CaseFilter, limit: int, cursor: str | None = None) -> Page:
        """A page of the decision history."""


class PromotionQueries:
    """Cases as the actor may read them (AccessPolicy.case_scope, may_read_case)."""

    def __init__(self, view: PromotionReadModel, service: PromotionService, directory: DirectoryReadModel,
                 policy: AccessPolicy):
        self.view = view
        self.service = service
        self.directory = directory
        self.policy = policy

    def cases(self, actor: Actor, flt: CaseFilter, limit: int, cursor: str | None = None) -> dict[str, Any]:
        """A page of the cases the actor may list."""
        page = self.view.cases(flt, limit, cursor, visible_to=self.policy.case_scope(actor))
        counts = ("assessments", "decisions")  # the list carries the counts' outcome, not the records themselves
        items = [{**{k: v for k, v in row.items() if k not in counts}, "position": row["position_title"],
                  "flagged": row["contrary"]} for row in page.items]
        return {"items": items, "next_cursor": page.next_cursor, "total": page.total}

    def case(self, actor: Actor, case_id: UUID) -> PromotionCase:
        """A case the actor may read, from the event store."""
        return self.service.case(actor, case_id)

    def detail(self, case: PromotionCase) -> dict[str, Any]:
        """A case in plain values with the candidate's name."""
        entry = self.directory.employee(case.candidate_id)
        return {**case_dict(case), "candidate_name": entry["name"] if entry else None}

    def decisions(self, flt: CaseFilter, limit: int, cursor: str | None = None) -> dict[str, Any]:
        """A page of the decision history (its readers are gated by route: HR, the committee, auditors)."""
        page = self.view.decisions(flt, limit, cursor)
        return {"items": page.items, "next_cursor": page.next_cursor, "total": page.total}
