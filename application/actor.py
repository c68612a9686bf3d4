"""Who is acting: identity, role and request correlation, stamped on every event."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID, uuid4


def new_correlation_id() -> str:
    """A fresh correlation id for work not started by an HTTP request."""
    return str(uuid4())


@dataclass(frozen=True)
class Actor:
    """The authenticated caller of a command."""

    id: str
    role: str
    name: str
    employee_id: UUID | None = None
    correlation_id: str = field(default_factory=new_correlation_id)
    person_id: UUID | None = None  # the person behind the token or account (None: operators, unlinked principals)
    aliases: frozenset[str] = frozenset()  # every other id the person is known by: their person id, tokens, accounts

    def stamp(self) -> dict[str, str | None]:
        """The metadata every event saved by this actor carries (the role is the one this request acts in)."""
        stamp: dict[str, str | None] = {
            "actor_id": self.id,
            "actor_role": self.role,
            "actor_name": self.name,
            "correlation_id": self.correlation_id,
        }
        if self.person_id is not None:
            stamp["actor_person_id"] = str(self.person_id)
        return stamp

    def known_as(self, principal_or_person_id: str | None) -> bool:
        """The id names this actor: its token or account, its person, or another token or account of that person."""
        return principal_or_person_id is not None and (
            principal_or_person_id == self.id or principal_or_person_id in self.aliases)

    def identities(self) -> frozenset[str]:
        """Every id this actor is known by."""
        return self.aliases | {self.id}


def system_actor(name: str = "jejak-cli", correlation_id: str | None = None) -> Actor:
    """The actor for operator commands run from the command line."""
    return Actor(id=f"system:{name}", role="system", name=name, correlation_id=correlation_id or new_correlation_id())
