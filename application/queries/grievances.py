"""Grievance reads: lists and one grievance, as the actor may read them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol
from uuid import UUID

from application.access_policy import AccessPolicy
from application.actor import Actor
from application.grievances import GrievanceService, grievance_dict
from application.queries.filters import GrievanceFilter
from application.queries.people import DirectoryReadModel


class GrievanceReadModel(Protocol):
    """The grievance read model's list."""

    def grievances(self, flt: GrievanceFilter, limit: int, grievant: UUID | None = None,
                   investigator: Collection[str] | None = None) -> list[dict[str, Any]]:
        """Grievances matching a filter, of one grievant or one investigator's open ones (None: all)."""


class GrievanceQueries:
    """Grievances as the actor may read them (AccessPolicy.grievance_scope, may_read_grievance)."""

    def __init__(self, view: GrievanceReadModel, service: GrievanceService, directory: DirectoryReadModel,
                 policy: AccessPolicy):
        self.view = view
        self.service = service
        self.directory = directory
        self.policy = policy

    def grievances(self, actor: Actor, flt: GrievanceFilter, limit: int) -> list[dict[str, Any]]:
        """The grievances the actor may list."""
        scope = self.policy.grievance_scope(actor)
        if scope is None:
            return []
        grievant, investigator = scope
        return self.view.grievances(flt, limit, grievant=grievant, investigator=investigator)

    def grievance(self, actor: Actor, grievance_id: UUID) -> dict[str, Any]:
        """A grievance the actor may read, in its plain form with the grievant's name."""
        grievance = self.service.grievance(actor, grievance_id)
        body = grievance_dict(grievance)
        entry = self.directory.employee(grievance.grievant_id)
        body["grievant_name"] = entry["name"] if entry else None
        return body
