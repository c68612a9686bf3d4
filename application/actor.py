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

    def stamp(self) -> dict[str, str | None]:
        """The metadata every event saved by this actor carries."""
        return {
            "actor_id": self.id,
            "actor_role": self.role,
            "actor_name": self.name,
            "correlation_id": self.correlation_id,
        }


def system_actor(name: str = "jejak-cli", correlation_id: str | None = None) -> Actor:
    """The actor for operator commands run from the command line."""
    return Actor(id=f"system:{name}", role="system", name=name, correlation_id=correlation_id or new_correlation_id())
