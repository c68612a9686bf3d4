"""The people acting in the demo, each as who they are."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from application.actor import Actor
from domain.access import Role
from infrastructure.demo.shapes import ROLE_NAMES, DemoPlan


class Cast:
    """The people acting in the demo: each employee for themself (with their demo token's grant when they hold
    one, so their events carry it) and HR (with the hr_admin token's grant)."""

    def __init__(self, plan: DemoPlan, ids: Mapping[str, UUID], grants: Mapping[str, Mapping[str, str]]):
        self.ids = ids
        self.grants = grants
        self.people = {e.nip: e for e in plan.employees}
        self.supervisors = {e.supervisor_nip for e in plan.employees if e.supervisor_nip}
        self.holders = {nip: role for role, nip in plan.token_holders.items()}

    def person(self, nip: str) -> Actor:
        """The employee acting for themself; a supervisor when someone reports to them."""
        role = Role.SUPERVISOR if nip in self.supervisors else Role.EMPLOYEE
        grant = self.grants.get(self.holders.get(nip, ""), {}).get("grant_id")
        return Actor(id=grant or f"demo-employee:{nip}", role=role, name=self.people[nip].name,
                     employee_id=self.ids[nip])

    def supervisor_of(self, nip: str) -> Actor:
        """The employee's supervisor acting."""
        return self.person(self.people[nip].supervisor_nip or "")

    def hr(self) -> Actor:
        """The BKPSDM administrator acting with the demo hr_admin token."""
        return Actor(id=self.grants[Role.HR]["grant_id"], role=Role.HR, name=ROLE_NAMES[Role.HR])
